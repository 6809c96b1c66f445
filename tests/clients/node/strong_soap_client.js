'use strict';
// The common client scenario (tests/clients/harness.py) with strong-soap, WSDL-driven.
// The AuthenticationHeader is a JSON value added with client.addSoapHeader(value, QName), so
// strong-soap serialises it against the WSDL's tns:AuthenticationHeader element; it is cleared
// and re-signed before every call.

const crypto = require('crypto');
const { soap, QName } = require('strong-soap');

const WSDL = process.env.LEADSYNC_WSDL;
const USER = process.env.LEADSYNC_USER;
const SECRET = process.env.LEADSYNC_SECRET;
const PREFIX = process.env.LEADSYNC_PREFIX;
const MKTOWS = 'http://www.marketo.com/mktows/';

// W3C timestamp in UTC, seconds precision: 2026-11-28T18:00:00Z.
function timestamp() {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function authenticate(client, secret) {
  const requestTimestamp = timestamp();
  const requestSignature = crypto
    .createHmac('sha1', secret)
    .update(requestTimestamp + USER)
    .digest('hex');
  client.clearSoapHeaders();
  client.addSoapHeader(
    { mktowsUserId: USER, requestSignature, requestTimestamp },
    new QName(MKTOWS, 'AuthenticationHeader'),
  );
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
    error: s.error ?? null, // strong-soap turns xsi:nil="true" into null
  }));
}

function createClient(url) {
  return new Promise((resolve, reject) => {
    soap.createClient(url, {}, (err, client) => (err ? reject(err) : resolve(client)));
  });
}

function sync(client, leadRecord) {
  return new Promise((resolve, reject) => {
    client.syncMultipleLeads(
      // document/literal (not wrapped: the element is not named after the operation), so
      // the argument is keyed by the body part's element.
      { paramsSyncMultipleLeads: { leadRecordList: { leadRecord }, dedupEnabled: true } },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

async function fault(call) {
  try {
    await call();
  } catch (err) {
    // strong-soap throws an Error carrying the parsed envelope as err.root.
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
  const client = await createClient(WSDL);
  client.on('request', (xml) => {
    if (process.env.LEADSYNC_TRACE) console.error(`request: ${xml}`);
  });

  for (const step of ['create', 'update']) {
    authenticate(client, SECRET);
    const result = await sync(client, LEADS);
    console.log(JSON.stringify({ step, statuses: statuses(result) }));
  }

  authenticate(client, 'wrong-' + SECRET);
  const wrong = await fault(() => sync(client, LEADS));
  console.log(JSON.stringify({ step: 'wrong_key', fault: wrong }));

  const bulk = [];
  for (let i = 0; i < 301; i++) bulk.push({ Email: `${PREFIX}-bulk-${i}@example.com` });
  authenticate(client, SECRET);
  const tooMany = await fault(() => sync(client, bulk));
  console.log(JSON.stringify({ step: 'too_many', fault: tooMany }));
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  if (err && err.body) console.error(err.body);
  process.exit(1);
});
