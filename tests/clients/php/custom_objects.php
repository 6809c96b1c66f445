<?php
require __DIR__ . '/common.php';
// The custom object scenario (tests/clients/custom_objects.py) with PHP's SoapClient,
// WSDL-driven, as PHP integrations (Perkuto's client) called syncCustomObjects and
// getCustomObjects.

$email = getenv('LEADSYNC_PREFIX') . "-o@example.com";

$call = harnessCall();

function attrs($pairs)
{
    $items = array();
    foreach ($pairs as $name => $value) {
        $items[] = (object) array("attrName" => $name, "attrValue" => $value);
    }
    return (object) array("attribute" => $items);
}

function statuses($list)
{
    $found = array();
    foreach (listOf($list, "syncCustomObjStatus") as $s) {
        $found[] = array($s->status, isset($s->error) ? $s->error : null);
    }
    return $found;
}

$lead = new stdClass();
$lead->Email = $email;
$result = $call('syncMultipleLeads', (object) array(
    "leadRecordList" => (object) array("leadRecord" => array($lead)),
    "dedupEnabled" => true,
));
$id = (string) listOf($result->result->syncStatusList, "syncStatus")[0]->leadId;
emit(array("step" => "create", "ids" => array((int) $id)));

$objects = array(
    (object) array("customObjKeyList" => attrs(array("MKTOID" => $id, "rid" => "r1")),
                   "customObjAttributeList" => attrs(array("city" => "San Mateo"))),
    (object) array("customObjKeyList" => attrs(array("MKTOID" => $id, "rid" => "r2")),
                   "customObjAttributeList" => attrs(array("nameasdf" => "x"))),
);
$synced = $call('syncCustomObjects', (object) array(
    "objTypeName" => "RoadShow",
    "customObjList" => (object) array("customObj" => $objects),
    "operation" => "UPSERT",
));
emit(array("step" => "sync", "statuses" => statuses($synced->result->syncCustomObjStatusList)));

$found = $call('getCustomObjects', (object) array(
    "objTypeName" => "RoadShow",
    "customObjKeyList" => attrs(array("MKTOID" => $id)),
    "includeAttributes" => (object) array("stringItem" => array()),
));
$listed = array();
foreach (listOf($found->result->customObjList, "customObj") as $o) {
    $values = array();
    foreach (array($o->customObjKeyList, $o->customObjAttributeList) as $part) {
        foreach (listOf($part, "attribute") as $a) {
            $values[$a->attrName] = $a->attrValue;
        }
    }
    $listed[] = $values;
}
emit(array("step" => "get", "objects" => $listed));

$deleted = $call('deleteCustomObjects', (object) array(
    "objTypeName" => "RoadShow",
    "customObjKeyLists" => (object) array("keyList" => array(attrs(array("MKTOID" => $id, "rid" => "r1")))),
));
emit(array("step" => "delete", "statuses" => statuses($deleted->result->deleteCustomObjStatusList)));

try {
    $call('syncCustomObjects', (object) array(
        "objTypeName" => "Nope",
        "customObjList" => (object) array("customObj" => array($objects[0])),
    ));
} catch (SoapFault $fault) {
    emit(array("step" => "unknown_type", "code" => (string) $fault->detail->serviceException->code));
}
