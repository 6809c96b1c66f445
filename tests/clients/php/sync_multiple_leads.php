<?php
require __DIR__ . '/common.php';
// The common client scenario (tests/clients/harness.py) with PHP's SoapClient, WSDL-driven,
// following the flow of the vendor's syncMultipleLeads PHP sample: a SoapHeader for
// AuthenticationHeader and __soapCall('syncMultipleLeads', array($params), $options, $authHdr);
// the read_back step does the same with getLead.

$wsdl = getenv('LEADSYNC_WSDL');
$endpoint = getenv('LEADSYNC_ENDPOINT');
$userId = getenv('LEADSYNC_USER');
$secret = getenv('LEADSYNC_SECRET');
$prefix = getenv('LEADSYNC_PREFIX');
$debug = getenv('LEADSYNC_DEBUG') !== false && getenv('LEADSYNC_DEBUG') !== '';
$marketoNameSpace = "http://www.marketo.com/mktows/";

function leadRecord($email, $attributes)
{
    $leadRec = new stdClass();
    $leadRec->Email = $email;
    if ($attributes) {
        $attrs = array();
        foreach ($attributes as $name => $value) {
            $attr = new stdClass();
            $attr->attrName = $name;
            $attr->attrValue = $value;
            $attrs[] = $attr;
        }
        $attrList = new stdClass();
        $attrList->attribute = $attrs;
        $leadRec->leadAttributeList = $attrList;
    }
    return $leadRec;
}

function params($leads)
{
    $leadRecordList = new stdClass();
    $leadRecordList->leadRecord = $leads;
    $params = new stdClass();
    $params->leadRecordList = $leadRecordList;
    $params->dedupEnabled = true;
    return $params;
}

function statuses($result)
{
    $list = listOf($result->result->syncStatusList, "syncStatus");
    $out = array();
    foreach ($list as $s) {
        $out[] = array(
            "leadId" => $s->leadId,
            "status" => $s->status,
            "error" => isset($s->error) ? $s->error : null,
        );
    }
    return $out;
}

$options = array(
    "connection_timeout" => 15,
    "location" => $endpoint,
    "trace" => 1,
    "cache_wsdl" => WSDL_CACHE_NONE,
    "exceptions" => true,
);
$soapClient = new SoapClient($wsdl, $options);

function call($client, $params, $options, $authHdr, $debug, $operation = 'syncMultipleLeads')
{
    try {
        return $client->__soapCall($operation, array($params), $options, $authHdr);
    } finally {
        if ($debug) {
            fwrite(STDERR, "RAW request headers:\n" . $client->__getLastRequestHeaders() . "\n");
            fwrite(STDERR, "RAW request:\n" . $client->__getLastRequest() . "\n");
            fwrite(STDERR, "RAW response:\n" . $client->__getLastResponse() . "\n");
        }
    }
}

function fault($client, $params, $options, $authHdr, $debug)
{
    try {
        call($client, $params, $options, $authHdr, $debug);
    } catch (SoapFault $fault) {
        return array(
            "faultstring" => $fault->faultstring,
            "code" => (string) $fault->detail->serviceException->code,
        );
    }
    fwrite(STDERR, "expected a SOAP fault\n");
    exit(1);
}

$leads = params(array(
    leadRecord("$prefix-1@example.com",
        array("FirstName" => "Zoë", "Company" => "Acme & Co <east>", "NumberOfEmployees" => "42")),
    leadRecord("$prefix-2@example.com", array("FirstName" => "Ålesund ☃", "Phone" => "650-555-1000")),
));

foreach (array("create", "update") as $step) {
    $result = call($soapClient, $leads, $options, authHeader($marketoNameSpace, $userId, $secret), $debug);
    emit(array("step" => $step, "statuses" => statuses($result)));
}

$wrong = fault($soapClient, $leads, $options,
    authHeader($marketoNameSpace, $userId, "wrong-" . $secret), $debug);
emit(array("step" => "wrong_key", "fault" => $wrong));

$bulk = array();
for ($i = 0; $i < 301; ++$i) {
    $bulk[] = leadRecord("$prefix-bulk-$i@example.com", array());
}
$tooMany = fault($soapClient, params($bulk), $options,
    authHeader($marketoNameSpace, $userId, $secret), $debug);
emit(array("step" => "too_many", "fault" => $tooMany));

// Step 6: read each lead back with getLead by EMAIL, from SoapClient's own response objects.
function readBack($result)
{
    $leads = array();
    $records = isset($result->result->leadRecordList) ? $result->result->leadRecordList : null;
    foreach (listOf($records, "leadRecord") as $rec) {
        $list = isset($rec->leadAttributeList) ? $rec->leadAttributeList : null;
        $attributes = array();
        foreach (listOf($list, "attribute") as $attr) {
            $attributes[$attr->attrName] = $attr->attrValue;
        }
        $leads[] = array(
            "Id" => $rec->Id,
            "Email" => $rec->Email,
            // An empty PHP array encodes as [], not {}.
            "attributes" => (object) $attributes,
        );
    }
    return $leads;
}

$read = array();
foreach (array("$prefix-1@example.com", "$prefix-2@example.com") as $email) {
    $leadKey = new stdClass();
    $leadKey->keyType = "EMAIL";
    $leadKey->keyValue = $email;
    $getLead = new stdClass();
    $getLead->leadKey = $leadKey;
    $result = call($soapClient, $getLead, $options,
        authHeader($marketoNameSpace, $userId, $secret), $debug, 'getLead');
    foreach (readBack($result) as $lead) {
        $read[] = $lead;
    }
}
emit(array("step" => "read_back", "leads" => $read));
exit(0);
