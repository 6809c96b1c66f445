'use strict';
// node-marketo-rest (npm), a real third-party REST client, through the flows of
// tests/clients/test_rest_python.py as far as it has calls for them: its token, leads
// written, read by filter (paged with nextPage) and by id, described, their activities
// and changes, list membership, a campaign request and a merge. One JSON line a step:
// {"step": NAME, "answer": ...} with the library's answer less its random requestId (or
// every page's, for paged calls), or {"step": NAME, "error": {status, errors}} when the
// library rejected the call; read by test_rest_node.py.
//
// The environment: LEADSYNC_BASE_URL (the server), LEADSYNC_CLIENT_ID and
// LEADSYNC_CLIENT_SECRET (a REST client), LEADSYNC_LIST_ID (an empty static list) and
// LEADSYNC_CAMPAIGN_ID (a requestable campaign whose program has {{my.greeting}}).

const Marketo = require('node-marketo-rest');

const BASE = process.env.LEADSYNC_BASE_URL;
const LIST = Number(process.env.LEADSYNC_LIST_ID);
const CAMPAIGN = Number(process.env.LEADSYNC_CAMPAIGN_ID);

const marketo = new Marketo({
  endpoint: `${BASE}/rest`,
  identity: `${BASE}/identity`,
  clientId: process.env.LEADSYNC_CLIENT_ID,
  clientSecret: process.env.LEADSYNC_CLIENT_SECRET,
  retry: { maxRetries: 1, initialDelay: 100, maxDelay: 200 },
});

const withoutRequestId = ({ requestId, ...rest }) => rest;

function emit(step, values) {
  console.log(JSON.stringify({ step, ...values }));
}

function failure(err) {
  // The library's HttpError: the HTTP status and Marketo's errors [{code, message}].
  if (err && err.name === 'HttpError') return { status: err.code, errors: err.errors };
  return { message: String(err && err.message ? err.message : err) };
}

// One call: its answer, or null when the library rejected it (the error is printed).
async function step(name, promise, show = withoutRequestId) {
  try {
    const answer = await promise;
    emit(name, { answer: show(answer) });
    return answer;
  } catch (err) {
    emit(name, { error: failure(err) });
    return null;
  }
}

// A paged call: every page's answer, following the library's nextPage while the answer
// says there is more (nextPageToken for leads; moreResult for the activity streams).
async function pages(name, promise) {
  const answers = [];
  try {
    let answer = await promise;
    for (;;) {
      answers.push(withoutRequestId(answer));
      const more = 'moreResult' in answer ? answer.moreResult : 'nextPageToken' in answer;
      if (!more || answers.length > 20) break;
      answer = await answer.nextPage();
    }
    emit(name, { answer: answers });
  } catch (err) {
    emit(name, { answer: answers, error: failure(err) });
  }
  return answers;
}

async function main() {
  await step('token', marketo.getOAuthToken(), (token) => ({
    token_type: token.token_type,
    expires_in: token.expires_in,
    scope: token.scope,
    access_token_shape: /^[0-9a-f]{32}:default$/.test(token.access_token),
  }));
  const lead = marketo.lead;
  await step(
    'create',
    lead.createOrUpdate([
      { email: 'ann@x.test', firstName: 'Ann', lastName: 'Lee' },
      { email: 'bo@x.test', firstName: 'Bo' },
      { email: 'cy@x.test', firstName: 'Cy', leadScore: 7 },
    ]),
  );
  await step(
    'update',
    lead.createOrUpdate(
      [
        { email: 'ann@x.test', firstName: 'Anna' },
        { email: 'd@x.test', noSuch: 1 },
      ],
      { action: 'createOrUpdate', lookupField: 'email' },
    ),
  );
  await step('create_only', lead.createOrUpdate([{ email: 'bo@x.test' }], { action: 'createOnly' }));

  await pages(
    'find_email',
    lead.find('email', ['ann@x.test', 'bo@x.test', 'cy@x.test'], {
      fields: ['id', 'email', 'firstName', 'lastName', 'leadScore'],
      batchSize: 2,
    }),
  );
  await pages('find_id', lead.find('id', [3, 1, 2, 999], { fields: ['email'], batchSize: 1 }));
  const ann = await step('by_id', lead.byId(1));
  await step('by_id_fields', lead.byId(3, { fields: ['firstName', 'leadScore'] }));
  await step('by_id_missing', lead.byId(999));
  await step('describe', lead.describe());
  await step('times', lead.find('id', [1, 2, 3], { fields: ['id', 'createdAt', 'updatedAt'] }));

  // Lead 1's creation time (to the second): every activity of this run is at or after it.
  const since = ann ? ann.result[0].createdAt : '2000-01-01T00:00:00Z';
  const token = await step('paging_token', lead.getPageToken(since), (answer) => ({
    token: typeof answer.nextPageToken === 'string' && answer.nextPageToken.length > 0,
  }));
  const first = token ? token.nextPageToken : '';
  await pages('activities', lead.getActivities([1, 2], [12, 13], first, { batchSize: 2 }));
  await pages('changes', lead.getChanges(first, { fields: ['firstName'] }));

  const list = marketo.list;
  await step('list_add', list.addLeadsToList(LIST, [1, 2, 999]));
  await pages('list_leads', list.getLeads(LIST, { fields: 'id,email,firstName', batchSize: 1 }));
  // isMember and removeLeadsFromList send several ids as one query value ("2&id=3",
  // percent-encoded by restler): one lead a call.
  for (const id of [2, 3]) await step(`list_remove_${id}`, list.removeLeadsFromList(LIST, [id]));
  await pages('list_leads_after', list.getLeads(LIST, { fields: 'email' }));
  for (const id of [1, 2, 999]) await step(`is_member_${id}`, list.isMember(LIST, [id]));

  await step('campaign', marketo.campaign.request(CAMPAIGN, [{ id: 1 }]));
  await step(
    'campaign_tokens',
    marketo.campaign.request(CAMPAIGN, [{ id: 1 }, { id: 2 }], [{ name: '{{my.greeting}}', value: 'Hi' }]),
  );
  await step('campaign_missing', marketo.campaign.request(999, [{ id: 1 }]));

  await step(
    'merge_create',
    lead.createOrUpdate([
      { email: 'win@x.test', firstName: 'Wu' },
      { email: 'lose@x.test', city: 'Kyiv', firstName: 'Lo' },
    ]),
  );
  await step('merge', lead.mergeLead(4, [5], {}));
  await step('merged_winner', lead.byId(4, { fields: ['email', 'firstName', 'city'] }));
  await step('merged_loser', lead.byId(5));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
