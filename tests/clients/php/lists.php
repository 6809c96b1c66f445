<?php
require __DIR__ . '/common.php';
// The list scenario (tests/clients/lists.py) with PHP's SoapClient, WSDL-driven, as
// Marketo's listOperation sample calls it (__soapCall with a SoapHeader).

$prefix = getenv('LEADSYNC_PREFIX');

$call = harnessCall();

$leads = array();
foreach (array("a", "b") as $name) {
    $lead = new stdClass();
    $lead->Email = "$prefix-$name@example.com";
    $leads[] = $lead;
}
$params = (object) array(
    "leadRecordList" => (object) array("leadRecord" => $leads),
    "dedupEnabled" => true,
);
$result = $call('syncMultipleLeads', $params);
$ids = array();
foreach (listOf($result->result->syncStatusList, "syncStatus") as $s) {
    $ids[] = $s->leadId;
}
emit(array("step" => "create", "ids" => $ids));

$operate = function ($operation, $keys, $listName = "Newsletter") use ($call) {
    $request = new stdClass();
    $request->listOperation = $operation;
    $listKey = new stdClass();
    $listKey->keyType = "MKTOLISTNAME";
    $listKey->keyValue = $listName;
    $request->listKey = $listKey;
    $leadKeys = array();
    foreach ($keys as $key) {
        $leadKeys[] = array("keyType" => $key[0], "keyValue" => $key[1]);
    }
    $leadList = new stdClass();
    $leadList->leadKey = $leadKeys;
    $request->listMemberList = $leadList;
    $request->strict = false;
    return $call('listOperation', $request);
};

$answer = function ($step, $response) {
    $result = $response->result;
    $statuses = null;
    if (isset($result->statusList)) {
        $statuses = array();
        foreach (listOf($result->statusList, "leadStatus") as $s) {
            $statuses[] = array($s->leadKey->keyType, $s->leadKey->keyValue, (bool) $s->status);
        }
    }
    emit(array("step" => $step, "success" => (bool) $result->success, "statuses" => $statuses));
};

$answer("add", $operate("ADDTOLIST", array(array("IDNUM", "1"), array("EMAIL", "$prefix-b@example.com"))));
$answer("is_member", $operate("ISMEMBEROFLIST", array(array("IDNUM", "1"), array("IDNUM", "999999"))));
$answer("remove", $operate("REMOVEFROMLIST", array(array("IDNUM", "1"))));
$answer("remove_again", $operate("REMOVEFROMLIST", array(array("IDNUM", "1"))));
try {
    $operate("ADDTOLIST", array(array("IDNUM", "1")), "Nope");
} catch (SoapFault $fault) {
    emit(array("step" => "unknown_list", "code" => (string) $fault->detail->serviceException->code));
}
