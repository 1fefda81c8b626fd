/**
 * GET /availability (and /status's hours), with a fixed clock (only `Date`
 * is faked), through the real `twilio` library and the local mock, whose
 * TaskRouter statistics route is checked against Twilio's OpenAPI spec.
 */
import { handler as availability } from '../../functions/availability';
import { handler as status } from '../../functions/status';
import { TEST_ENV, type TestEnv } from '../../dev/twilio-fake/env';
import { headerOf, invoke, type InvokeResult } from '../../dev/invoke';
import { account, ACCOUNT } from '../../dev/twilio-fake/apis';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { captureLogsPerTest } from '../support/logs';

const mock = TwilioMock.perTest();
const logs = captureLogsPerTest();

const HOURS = 'Europe/Madrid; Mon-Fri 09:00-18:00; closed 2030-01-01';
const LIVE = {
  TASKROUTER_WORKSPACE_SID: ACCOUNT.workspaceSid,
  AVAILABILITY_QUEUE_SID: ACCOUNT.taskQueueSid,
};

function clockAt(iso: string): void {
  jest.useFakeTimers({
    now: Date.parse(iso),
    doNotFake: [
      'nextTick',
      'setImmediate',
      'setTimeout',
      'clearTimeout',
      'setInterval',
      'clearInterval',
      'queueMicrotask',
      'hrtime',
      'performance',
    ],
  });
}
afterEach(() => jest.useRealTimers());

const get = (env: TestEnv, headers: Record<string, string | undefined> = {}) =>
  invoke(availability, { mock, env, headers: { 'content-type': undefined, ...headers } });
const STATS = 'taskQueueRealTimeStatistics.fetch';
const maxAge = (res: InvokeResult) => headerOf(res, 'cache-control');

describe('GET /availability', () => {
  it('without OPENING_HOURS: always open, no request, cacheable for 30 s', async () => {
    clockAt('2030-01-05T12:00:00Z');
    const res = await get(TEST_ENV);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      open: true,
      timeZone: null,
      closesAt: null,
      opensAt: null,
      afterHours: 'closed',
      live: null,
    });
    expect(maxAge(res)).toBe('public, max-age=30');
    expect(headerOf(res, 'access-control-allow-origin')).toBe('https://www.example.com');
    expect(mock.requests()).toHaveLength(0);
  });

  it('open: until when, in UTC with the zone; cached no longer than until closing', async () => {
    clockAt('2030-01-07T16:59:50Z'); // Monday 17:59:50 in Madrid
    const res = await get({ ...TEST_ENV, OPENING_HOURS: HOURS, AFTER_HOURS: 'message' });
    expect(res.body).toEqual({
      open: true,
      timeZone: 'Europe/Madrid',
      closesAt: '2030-01-07T17:00:00.000Z',
      opensAt: null,
      afterHours: 'message',
      live: null,
    });
    expect(maxAge(res)).toBe('public, max-age=10');
  });

  it('closed: when it opens next, skipping closed dates; a same-origin GET needs no Origin', async () => {
    clockAt('2029-12-31T18:00:00Z'); // Monday 19:00; Tuesday 1 January is closed
    const res = await get(
      { ...TEST_ENV, OPENING_HOURS: HOURS, AFTER_HOURS: 'hide' },
      { origin: undefined },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      open: false,
      opensAt: '2030-01-02T08:00:00.000Z',
      afterHours: 'hide',
    });
    expect(mock.requests()).toHaveLength(0);
  });

  it('live figures from the TaskQueue, for the chat channel, in one request', async () => {
    const queue = account(mock).workspaces[0]?.taskQueues?.[0];
    Object.assign(queue ?? {}, {
      availableWorkers: 0,
      pending: 3,
      reserved: 1,
      longestWaitingAge: 245,
    });
    const res = await get({ ...TEST_ENV, ...LIVE });
    expect(res.body).toMatchObject({
      open: true,
      live: { availableAgents: 0, waitingChats: 4, longestWaitSeconds: 245 },
    });
    const made = mock.requests();
    expect(made.map((r) => r.name)).toEqual(['taskQueueRealTimeStatistics.fetch']);
    expect(made[0]?.query).toEqual({ TaskChannel: ['chat'] });
  });

  it('no live request while closed', async () => {
    clockAt('2030-01-05T12:00:00Z');
    const res = await get({ ...TEST_ENV, ...LIVE, OPENING_HOURS: HOURS });
    expect(res.body).toMatchObject({ open: false, live: null });
    expect(mock.requests()).toHaveLength(0);
  });

  it.each([
    [
      'a queue TaskRouter does not know (404)',
      () => ({ AVAILABILITY_QUEUE_SID: 'WQ' + 'c'.repeat(32) }),
    ],
    ['a TaskRouter outage (503)', () => (mock.failNext(STATS, { status: 503 }), {})],
    ['no answer (connection cut)', () => (mock.failNext(STATS, { status: 503, when: 'drop' }), {})],
  ])('%s: still answers, live null, logged', async (_, arrange) => {
    const res = await get({ ...TEST_ENV, ...LIVE, ...arrange() });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ open: true, live: null });
    expect(mock.requests(STATS)).toHaveLength(1);
    expect(logs.events()).toContain('availability.unavailable');
  });

  it('names a malformed configuration (and not its value), from an allowed origin only', async () => {
    const env = {
      ...TEST_ENV,
      OPENING_HOURS: 'Europe/Madrid; Mon-Fry 09:00',
      AVAILABILITY_QUEUE_SID: 'WQ1',
    };
    const res = await get(env);
    expect(res.status).toBe(503);
    const fields = (res.body as { error: { fields: { field: string; problem: string }[] } }).error
      .fields;
    expect(fields.map((f) => f.field)).toEqual([
      'OPENING_HOURS',
      'AVAILABILITY_QUEUE_SID',
      'TASKROUTER_WORKSPACE_SID',
    ]);
    expect(JSON.stringify(fields)).not.toContain('Fry');
    expect(maxAge(res)).toBe('no-store');
    expect((await get(env, { origin: 'https://evil.example' })).status).toBe(403);
  });
});

describe('GET /status with opening hours', () => {
  it('says the zone, how many closed dates, the after-hours choice and whether live figures are on', async () => {
    const res = await invoke(status, {
      mock,
      env: { ...TEST_ENV, ...LIVE, OPENING_HOURS: HOURS, AFTER_HOURS: 'message' },
    });
    expect(res.body).toMatchObject({
      openingHours: { timeZone: 'Europe/Madrid', closedDates: 1, afterHours: 'message' },
      availability: 'taskrouter',
    });
    expect(mock.requests()).toHaveLength(0);
  });
});
