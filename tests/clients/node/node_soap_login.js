'use strict';
// What Datahero's node-marketo does when it logs in, with node-soap from the WSDL:
// describeMObject for ActivityRecord, Opportunity and OpportunityPersonRole, listMObjects
// (Talend's credential check), then a first getMultipleLeads with a stream position the
// client made itself in Marketo's own form. One JSON line a step, read by test_node.py.

const soap = require('soap');
const { MKTOWS, asList, sign } = require('./common');


async function main() {
  const client = await soap.createClientAsync(process.env.LEADSYNC_WSDL);
  for (const objectName of ['ActivityRecord', 'Opportunity', 'OpportunityPersonRole']) {
    sign(client);
    const [answer] = await client.describeMObjectAsync({ objectName });
    const metadata = answer.result.metadata;
    const fields = asList(metadata.fieldList.field).map((f) => [f.name, f.dataType]);
    console.log(JSON.stringify({ step: 'describe', name: metadata.name, fields }));
  }
  sign(client);
  const [listed] = await client.listMObjectsAsync({});
  console.log(JSON.stringify({ step: 'list', objects: asList(listed.result.objects) }));
  sign(client);
  const [page] = await client.getMultipleLeadsAsync({
    leadSelector: {
      attributes: { 'xsi:type': 'ns1:LeadKeySelector', 'xmlns:ns1': MKTOWS },
      keyType: 'IDNUM',
      keyValues: { stringItem: ['1', '2'] },
    },
    streamPosition: 'id:1:ts:1:os:0:rc:1',
    batchSize: 1,
  });
  const records = asList(page.result.leadRecordList && page.result.leadRecordList.leadRecord);
  console.log(
    JSON.stringify({
      step: 'first_page',
      returnCount: page.result.returnCount,
      remainingCount: page.result.remainingCount,
      ids: records.map((r) => r.Id),
    }),
  );
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  if (err && err.body) console.error(err.body);
  process.exit(1);
});
