<?php
require __DIR__ . '/common.php';
// The campaign scenario (tests/clients/campaigns.py) with PHP's SoapClient, WSDL-driven,
// as Marketo's requestCampaign and getCampaignsForSource samples call it.

$email = getenv('LEADSYNC_PREFIX') . "-c@example.com";

$call = harnessCall();

$lead = new stdClass();
$lead->Email = $email;
$result = $call('syncMultipleLeads', (object) array(
    "leadRecordList" => (object) array("leadRecord" => array($lead)),
    "dedupEnabled" => true,
));
$ids = array();
foreach (listOf($result->result->syncStatusList, "syncStatus") as $s) {
    $ids[] = $s->leadId;
}
emit(array("step" => "create", "ids" => $ids));

$listed = $call('getCampaignsForSource', (object) array("source" => "MKTOWS"));
$campaigns = array();
foreach (listOf($listed->result->campaignRecordList, "campaignRecord") as $c) {
    $campaigns[] = array($c->id, $c->name, $c->description);
}
emit(array("step" => "for_source", "campaigns" => $campaigns));

$leadKey = array("keyType" => "EMAIL", "keyValue" => $email);
$leadList = new stdClass();
$leadList->leadKey = array($leadKey);

$request = new stdClass();
$request->source = "MKTOWS";
$request->campaignId = 1;
$request->leadList = $leadList;
$done = $call('requestCampaign', $request);
emit(array("step" => "by_id", "success" => (bool) $done->result->success));

$token = new stdClass();
$token->name = "{{my.greeting}}";
$token->value = "Hi";
$request = new stdClass();
$request->source = "MKTOWS";
$request->leadList = $leadList;
$request->programName = "Onboarding";
$request->campaignName = "Welcome";
$request->programTokenList = (object) array("attrib" => array($token));
$done = $call('requestCampaign', $request);
emit(array("step" => "by_name", "success" => (bool) $done->result->success));

$schedule = new stdClass();
$schedule->programName = "Onboarding";
$schedule->campaignName = "Monthly";
$schedule->campaignRunAt = "2030-01-01T00:00:00Z";
$done = $call('scheduleCampaign', $schedule);
emit(array("step" => "schedule", "success" => (bool) $done->result->success));

try {
    $request = new stdClass();
    $request->source = "MKTOWS";
    $request->campaignId = 2;
    $request->leadList = $leadList;
    $call('requestCampaign', $request);
} catch (SoapFault $fault) {
    emit(array("step" => "not_requestable", "code" => (string) $fault->detail->serviceException->code));
}
