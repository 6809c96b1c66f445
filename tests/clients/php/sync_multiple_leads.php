<?php
// The common client scenario (tests/clients/harness.py) with PHP's SoapClient, WSDL-driven,
// following the flow of the vendor's syncMultipleLeads PHP sample: a SoapHeader for
// AuthenticationHeader and __soapCall('syncMultipleLeads', array($params), $options, $authHdr).

$wsdl = getenv('LEADSYNC_WSDL');
$endpoint = getenv('LEADSYNC_ENDPOINT');
$userId = getenv('LEADSYNC_USER');
$secret = getenv('LEADSYNC_SECRET');
$prefix = getenv('LEADSYNC_PREFIX');
$debug = getenv('LEADSYNC_DEBUG') !== false && getenv('LEADSYNC_DEBUG') !== '';
$marketoNameSpace = "http://www.marketo.com/mktows/";

// Signed afresh for every call, as in the sample: W3C timestamp, HMAC-SHA1 hex.
function authHeader($namespace, $userId, $key)
{
    $dtObj = new DateTime('now', new DateTimeZone("America/Los_Angeles"));
    $timeStamp = $dtObj->format(DATE_W3C);
    $attrs = new stdClass();
    $attrs->mktowsUserId = $userId;
    $attrs->requestSignature = hash_hmac('sha1', $timeStamp . $userId, $key);
    $attrs->requestTimestamp = $timeStamp;
    return new SoapHeader($namespace, 'AuthenticationHeader', $attrs);
}

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

function emit($item)
{
    print json_encode($item, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES) . "\n";
}

function statuses($result)
{
    $list = $result->result->syncStatusList->syncStatus;
    if (!is_array($list)) {
        $list = array($list);  // SoapClient collapses a one-element array
    }
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

function call($client, $params, $options, $authHdr, $debug)
{
    try {
        return $client->__soapCall('syncMultipleLeads', array($params), $options, $authHdr);
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
exit(0);
