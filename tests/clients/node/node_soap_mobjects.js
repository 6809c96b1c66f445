'use strict';
// What Datahero's node-marketo does with Opportunities, with node-soap from the WSDL:
// syncMObjects of an Opportunity and a lead's role in it, then getMObjects of the
// Opportunities a lead has a role in (mObjAssociationList) and of that Opportunity's
// roles. One JSON line a step, read by test_node.py.

const soap = require('soap');
const { asList, sign } = require('./common');

const LEAD = process.env.LEADSYNC_LEAD;

const attribs = (pairs) => ({ attrib: pairs.map(([name, value]) => ({ name, value })) });
const objects = (answer) =>
  asList(answer.result.mObjectList && answer.result.mObjectList.mObject).map((o) => ({
    id: o.id,
    attributes: Object.fromEntries(asList(o.attribList.attrib).map((a) => [a.name, a.value])),
  }));

async function main() {
  const client = await soap.createClientAsync(process.env.LEADSYNC_WSDL);
  sign(client);
  const [created] = await client.syncMObjectsAsync({
    mObjectList: {
      mObject: [{ type: 'Opportunity', attribList: attribs([['Name', 'Big deal'], ['Amount', '1200']]) }],
    },
    operation: 'UPSERT',
  });
  const opportunity = asList(created.result.mObjStatusList.mObjStatus)[0].id;
  sign(client);
  const [role] = await client.syncMObjectsAsync({
    mObjectList: {
      mObject: [
        {
          type: 'OpportunityPersonRole',
          attribList: attribs([['OpportunityId', String(opportunity)], ['PersonId', LEAD], ['Role', 'Buyer']]),
        },
      ],
    },
    operation: 'UPSERT',
  });
  console.log(
    JSON.stringify({
      step: 'sync',
      statuses: [created, role].map((a) => asList(a.result.mObjStatusList.mObjStatus)[0].status),
    }),
  );
  sign(client);
  const [ofLead] = await client.getMObjectsAsync({
    type: 'Opportunity',
    mObjAssociationList: { mObjAssociation: [{ mObjType: 'Lead', id: Number(LEAD) }] },
  });
  console.log(JSON.stringify({ step: 'opportunities', hasMore: ofLead.result.hasMore, objects: objects(ofLead) }));
  sign(client);
  const [roles] = await client.getMObjectsAsync({
    type: 'OpportunityPersonRole',
    mObjAssociationList: { mObjAssociation: [{ mObjType: 'Opportunity', id: opportunity }] },
  });
  console.log(JSON.stringify({ step: 'roles', objects: objects(roles) }));
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
});
