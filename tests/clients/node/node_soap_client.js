'use strict';
// The common client scenario (tests/clients/harness.py) with node-soap (npm "soap"), WSDL-driven.
// The AuthenticationHeader is added the way Marketo users of node-soap did: an object passed to
// client.addSoapHeader() with the mktows namespace, cleared and re-signed before every call.

const soap = require('soap');
const { sign } = require('./common');

const WSDL = process.env.LEADSYNC_WSDL;
const USER = process.env.LEADSYNC_USER;
const SECRET = process.env.LEADSYNC_SECRET;
const PREFIX = process.env.LEADSYNC_PREFIX;

// W3C timestamp with the local offset, like PHP's DATE_W3C in the vendor sample.
function timestamp() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  const offset = -now.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return (
    `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}` +
    `T${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

function authenticate(client, secret) {
  sign(client, secret, timestamp());
}

function record(email, attrs) {
  const attribute = Object.entries(attrs).map(([attrName, attrValue]) => ({ attrName, attrValue }));
  return { Email: email, leadAttributeList: { attribute } };
}

const LEADS = [
  record(`${PREFIX}-1@example.com`, {
    FirstName: 'Zoë',
    Company: 'Acme & Co <east>',
    NumberOfEmployees: '42',
  }),
  record(`${PREFIX}-2@example.com`, { FirstName: 'Ålesund ☃', Phone: '650-555-1000' }),
];

function asList(value) {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function statuses(result) {
  return asList(result.result.syncStatusList.syncStatus).map((s) => ({
    leadId: s.leadId,
    status: s.status,
    error: s.error ?? null, // node-soap leaves xsi:nil="true" elements out
  }));
}

async function fault(call) {
  try {
    await call();
  } catch (err) {
    // node-soap parses the fault envelope and hangs it on the error as err.root.
    const body = err && err.root && err.root.Envelope && err.root.Envelope.Body;
    if (!body || !body.Fault) throw err;
    return {
      faultstring: body.Fault.faultstring,
      code: body.Fault.detail.serviceException.code,
    };
  }
  throw new Error('expected a SOAP fault');
}

async function main() {
  const client = await soap.createClientAsync(WSDL);
  client.on('request', (xml) => {
    if (process.env.LEADSYNC_TRACE) console.error(`request: ${xml}`);
  });
  const params = (leadRecord) => ({ leadRecordList: { leadRecord }, dedupEnabled: true });

  for (const step of ['create', 'update']) {
    authenticate(client, SECRET);
    const [result] = await client.syncMultipleLeadsAsync(params(LEADS));
    console.log(JSON.stringify({ step, statuses: statuses(result) }));
  }

  authenticate(client, 'wrong-' + SECRET);
  const wrong = await fault(() => client.syncMultipleLeadsAsync(params(LEADS)));
  console.log(JSON.stringify({ step: 'wrong_key', fault: wrong }));

  const bulk = [];
  for (let i = 0; i < 301; i++) bulk.push({ Email: `${PREFIX}-bulk-${i}@example.com` });
  authenticate(client, SECRET);
  const tooMany = await fault(() => client.syncMultipleLeadsAsync(params(bulk)));
  console.log(JSON.stringify({ step: 'too_many', fault: tooMany }));
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  if (err && err.body) console.error(err.body);
  process.exit(1);
});
