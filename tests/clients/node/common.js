'use strict';
// What the node-soap scenario programs share: signing a call's AuthenticationHeader as
// Marketo's samples do, and node-soap's one-or-many values read back as lists.

const crypto = require('crypto');

const USER = process.env.LEADSYNC_USER;
const SECRET = process.env.LEADSYNC_SECRET;
const MKTOWS = 'http://www.marketo.com/mktows/';

function sign(client, secret = SECRET, requestTimestamp = new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00')) {
  const requestSignature = crypto
    .createHmac('sha1', secret)
    .update(requestTimestamp + USER)
    .digest('hex');
  client.clearSoapHeaders();
  client.addSoapHeader(
    { AuthenticationHeader: { mktowsUserId: USER, requestSignature, requestTimestamp } },
    '',
    'ns1',
    MKTOWS,
  );
}

const asList = (value) => (value === undefined || value === null ? [] : [].concat(value));

module.exports = { MKTOWS, USER, asList, sign };
