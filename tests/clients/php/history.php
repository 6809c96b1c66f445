<?php
require __DIR__ . '/common.php';
// The history scenario (tests/clients/history.py) with PHP's SoapClient, WSDL-driven from
// the 2_3 WSDL leadsync serves (which declares getLeadChanges' activityNameFilter).

$email = getenv('LEADSYNC_PREFIX') . "-h@example.com";

function row($a)
{
    return array($a->id, $a->activityType, isset($a->mktgAssetName) ? $a->mktgAssetName : null);
}

$call = harnessCall();

foreach (array("create" => "A", "update" => "B") as $step => $company) {
    $first = new stdClass(); $first->attrName = "FirstName"; $first->attrValue = "Ann";
    $comp = new stdClass(); $comp->attrName = "Company"; $comp->attrValue = $company;
    $lead = new stdClass();
    $lead->Email = $email;
    $lead->leadAttributeList = (object) array("attribute" => array($first, $comp));
    $params = (object) array(
        "leadRecordList" => (object) array("leadRecord" => array($lead)),
        "dedupEnabled" => true,
    );
    $result = $call('syncMultipleLeads', $params);
    $statuses = array();
    foreach (listOf($result->result->syncStatusList, "syncStatus") as $s) {
        $statuses[] = array("leadId" => $s->leadId, "status" => $s->status);
    }
    emit(array("step" => $step, "statuses" => $statuses));
}

$key = (object) array("keyType" => "EMAIL", "keyValue" => $email);
$pages = array();
$offset = null;
while (true) {  // the offset alone, while remainingCount > 0
    $params = (object) array("leadKey" => $key, "batchSize" => 2);
    if ($offset !== null) {
        $params->startPosition = (object) array("offset" => $offset);
    }
    $list = $call('getLeadActivity', $params)->leadActivityList;
    $page = array();
    foreach (listOf($list->activityRecordList, "activityRecord") as $a) {
        $page[] = row($a);
    }
    $pages[] = $page;
    $offset = $list->newStartPosition->offset;
    if ($list->remainingCount == 0) {
        break;
    }
}
emit(array("step" => "activity_by_offset", "pages" => $pages));

$changesOnly = (object) array("includeTypes" => (object) array("activityType" => array("ChangeDataValue")));
$pages = array();
$start = null;
while (true) {  // the whole newStartPosition, until returnCount is 0
    $params = (object) array("leadKey" => $key, "activityFilter" => $changesOnly, "batchSize" => 3);
    if ($start !== null) {
        $params->startPosition = $start;
    }
    $list = $call('getLeadActivity', $params)->leadActivityList;
    $page = array();
    foreach (listOf($list->activityRecordList, "activityRecord") as $a) {
        $page[] = row($a);
    }
    $pages[] = $page;
    if ($list->returnCount == 0) {
        break;
    }
    $start = $list->newStartPosition;
}
emit(array("step" => "activity_by_position", "pages" => $pages));

$selector = new SoapVar(
    (object) array("keyType" => "EMAIL", "keyValues" => (object) array("stringItem" => array($email))),
    SOAP_ENC_OBJECT, "LeadKeySelector", "http://www.marketo.com/mktows/"
);
$start = (object) array("oldestCreatedAt" => (new DateTime('-1 hour'))->format(DATE_W3C));
$pages = array();
while (true) {
    $params = (object) array(
        "startPosition" => $start,
        "activityNameFilter" => (object) array("stringItem" => array("Change Data Value")),
        "batchSize" => 3,
        "leadSelector" => $selector,
    );
    $result = $call('getLeadChanges', $params)->result;
    $page = array();
    foreach (listOf($result->leadChangeRecordList, "leadChangeRecord") as $c) {
        $attributes = array();
        foreach (listOf($c->activityAttributes, "attribute") as $attr) {
            $attributes[$attr->attrName] = isset($attr->attrValue) ? $attr->attrValue : "";
        }
        $page[] = array($c->id, $c->activityType, $c->mktgAssetName, $attributes);
    }
    $pages[] = $page;
    if ($result->returnCount == 0) {
        break;
    }
    $start = $result->newStartPosition;
}
emit(array("step" => "changes", "pages" => $pages));

try {
    $call('getLeadActivity', (object) array(
        "leadKey" => (object) array("keyType" => "EMAIL", "keyValue" => "nobody-" . $email),
    ));
    exit(1);
} catch (SoapFault $fault) {
    emit(array("step" => "unknown_lead", "code" => (string) $fault->detail->serviceException->code));
}
