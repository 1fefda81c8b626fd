/**
 * Opening hours and availability (src/guard/hours.ts, availability.ts):
 * GET /availability per configuration, and /start-chat refused outside
 * hours, in process against the local mock: Twilio requests and sequential
 * round trips with LATENCY_MS per request, and the handler's median time of
 * 200 runs (after 20 that warm the JIT) with the mock at zero latency.
 */
import { handler as availability } from '../../functions/availability';
import { handler as startChat } from '../../functions/start-chat';
import { withProof } from '../../dev/challenge';
import { invoke, type InvokeOptions } from '../../dev/invoke';
import { ACCOUNT } from '../../dev/twilio-fake/apis';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { type TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { fmt, LATENCY_MS, median, time } from './measure';
import { table } from './table';

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const day = (offset: number) =>
  new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
/** Closed all of today (UTC), open tomorrow: the next opening is found the next day. */
const CLOSED = `UTC; ${DAYS[new Date().getUTCDay()] ?? 'Mon'} 09:00-17:00`;
/** The worst case: closed for a year, so the search for an opening runs out (373 days). */
const CLOSED_YEAR = `UTC; Mon-Sun 09:00-17:00; closed ${day(0)}..${day(365)}`;
const WEEK = 'Europe/Madrid; Mon-Sun 00:00-24:00; closed 2030-12-25';
const LIVE = {
  TASKROUTER_WORKSPACE_SID: ACCOUNT.workspaceSid,
  AVAILABILITY_QUEUE_SID: ACCOUNT.taskQueueSid,
};
const GET = { headers: { 'content-type': undefined } };

async function figures(
  mock: TwilioMock,
  call: () => Promise<InvokeOptions>,
  handler = availability,
) {
  mock.reset();
  mock.latencyMs = LATENCY_MS;
  const res = await invoke(handler, { mock, ...(await call()) });
  const counts = `${mock.requests().length} / ${mock.sequentialRoundTrips()}`;
  mock.latencyMs = 0;
  const times: number[] = [];
  for (let i = 0; i < 220; i++) {
    const options = { mock, ...(await call()) };
    const ms = await time(() => invoke(handler, options));
    if (i >= 20) times.push(ms);
  }
  return [String(res.status), counts, `${fmt(median(times), 2)} ms`];
}

export async function availabilityCost(mock: TwilioMock): Promise<void> {
  const row = table(
    `Opening hours: Twilio requests / round trips (${LATENCY_MS} ms per request), and handler time with a zero-latency mock (median of 200)`,
    ['request', 'configuration'],
    ['status', 'requests / round trips', 'handler time'],
  );
  const get = (env: object) => () => Promise.resolve({ env: { ...TEST_ENV, ...env }, ...GET });
  row('GET /availability', 'no OPENING_HOURS', ...(await figures(mock, get({}))));
  row(
    'GET /availability',
    'OPENING_HOURS, open',
    ...(await figures(mock, get({ OPENING_HOURS: WEEK }))),
  );
  row(
    'GET /availability',
    'OPENING_HOURS, closed',
    ...(await figures(mock, get({ OPENING_HOURS: CLOSED }))),
  );
  row(
    'GET /availability',
    'OPENING_HOURS, closed for a year (worst case)',
    ...(await figures(mock, get({ OPENING_HOURS: CLOSED_YEAR }))),
  );
  row(
    'GET /availability',
    'OPENING_HOURS, open, AVAILABILITY_QUEUE_SID',
    ...(await figures(mock, get({ OPENING_HOURS: WEEK, ...LIVE }))),
  );
  const env = { ...TEST_ENV, OPENING_HOURS: CLOSED, MAX_CHATS_PER_MINUTE: '10' };
  const refused = async () => ({ env, body: await withProof({ friendlyName: 'Ana' }, { env }) });
  row(
    'POST /start-chat',
    'closed, AFTER_HOURS=closed, with a budget',
    ...(await figures(mock, refused, startChat)),
  );
}
