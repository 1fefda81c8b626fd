/**
 * POST /start-chat under the service-wide chat budget (MAX_CHATS_PER_MINUTE),
 * end to end through the real `twilio` library and the local mock, whose
 * Sync API (like every other) is checked against Twilio's OpenAPI specs.
 */
import { handler as startChat } from '../../functions/start-chat';
import { handler as status } from '../../functions/status';
import { withProof } from '../../dev/challenge';
import { SITE_ORIGIN, TEST_ENV } from '../../dev/twilio-fake/env';
import { headerOf, invoke, type InvokeResult } from '../../dev/invoke';
import { conversations, syncService } from '../../dev/twilio-fake/apis';
import { ADDRESS_ENV, seedChatAddress } from '../../dev/twilio-fake/modes';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { captureLogsPerTest } from '../support/logs';

const mock = TwilioMock.perTest();
const logs = captureLogsPerTest();

const BUDGET_ENV = { ...TEST_ENV, MAX_CHATS_PER_MINUTE: '3' };
/** A start as the widget makes it: with a freshly solved challenge. */
const start = async (
  env: Record<string, string | undefined> = BUDGET_ENV,
  body: object = {},
  twilioTimeoutMs?: number,
) =>
  invoke(startChat, {
    mock,
    env,
    body: await withProof({ friendlyName: 'Ana', ...body }, { env: { ...TEST_ENV, ...env } }),
    ...(twilioTimeoutMs !== undefined && { twilioTimeoutMs }),
  });
/**
 * Many starts at once share this process with the fake: on a loaded machine
 * a Sync answer can take longer than the function's timeout, and the budget
 * rightly lets a start through when Sync does not answer. These tests are
 * about counting, so they wait for Sync.
 */
const startAtOnce = (env: Record<string, string | undefined> = BUDGET_ENV) =>
  start(env, {}, 30_000);

type ErrorBody = { error: { code: string; message: string; fields?: { field: string }[] } };
const codeOf = (res: InvokeResult) => (res.body as ErrorBody).error.code;
const fieldsOf = (res: InvokeResult) => (res.body as ErrorBody).error.fields?.map((f) => f.field);

const syncRequests = () => mock.requests().filter((r) => r.host === 'sync.twilio.com');
/** Every request that is not Sync's: the conversation (or Flex) side of a start. */
const chatRequests = () => mock.requests().filter((r) => r.host !== 'sync.twilio.com');

/** Only `Date` is faked: the mock's latency timers and the HTTP stack keep real time. */
function clockAt(iso: string): void {
  jest.useFakeTimers({
    now: Date.parse(iso),
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
}
// Mid-minute, frozen: a test must not see the minute roll over unless it moves the clock.
beforeEach(() => clockAt('2030-01-01T12:00:15Z'));
afterEach(() => jest.useRealTimers());
const setClock = (iso: string) => jest.setSystemTime(Date.parse(iso));

function expectRefused(res: InvokeResult): void {
  expect(res.status).toBe(429);
  expect(codeOf(res)).toBe('budget_exceeded');
  expect((res.body as ErrorBody).error.message).toMatch(/try again/);
  const retryAfter = Number(headerOf(res, 'retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

describe('MAX_CHATS_PER_MINUTE=N: exactly N chats a minute', () => {
  it('N + k concurrent starts: N chats, k 429s with Retry-After, and no conversation write for them', async () => {
    const results = await Promise.all(Array.from({ length: 3 + 9 }, () => startAtOnce()));

    const started = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status !== 200);
    expect(started).toHaveLength(3);
    expect(refused).toHaveLength(9);
    refused.forEach(expectRefused);
    expect(conversations(mock).size).toBe(3);
    // Studio mode: a conversation and its webhook per chat, nothing else.
    expect(
      chatRequests()
        .map((r) => r.name)
        .sort(),
    ).toEqual([
      ...Array<string>(3).fill('conversations.create'),
      ...Array<string>(3).fill('webhooks.create'),
    ]);
    // Every start appended once (and the minute's list was made once).
    expect(syncService(mock, 'default')?.lists).toHaveLength(1);
    expect(syncService(mock, 'default')?.lists[0]?.nextIndex).toBe(12);
  });

  it('N + k sequential starts: the first N start, the others are refused', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = chatRequests().length;
      const res = await start();
      statuses.push(res.status);
      if (res.status === 429) {
        expectRefused(res);
        expect(headerOf(res, 'retry-after')).toBe('45');
        expect(chatRequests()).toHaveLength(before);
      }
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(logs.events().filter((e) => e === 'budget.exhausted')).toHaveLength(1);
  });

  it('a flood: 60 concurrent starts against a budget of 5 make exactly 5 chats', async () => {
    const env = { ...TEST_ENV, MAX_CHATS_PER_MINUTE: '5' };
    const results = await Promise.all(Array.from({ length: 60 }, () => startAtOnce(env)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    expect(results.filter((r) => r.status === 429)).toHaveLength(55);
    expect(mock.requests('conversations.create')).toHaveLength(5);
  });

  it('rolls over with the minute: a new list, and the budget again', async () => {
    const env = { ...TEST_ENV, MAX_CHATS_PER_MINUTE: '2' };
    setClock('2030-01-01T12:00:50Z');
    expect((await start(env)).status).toBe(200);
    expect((await start(env)).status).toBe(200);
    const over = await start(env);
    expectRefused(over);
    expect(headerOf(over, 'retry-after')).toBe('10');

    setClock('2030-01-01T12:01:00Z');
    expect((await start(env)).status).toBe(200);
    expect((await start(env)).status).toBe(200);
    expect((await start(env)).status).toBe(429);
    const lists = syncService(mock, 'default')?.lists.map((l) => l.uniqueName);
    const minute = Date.parse('2030-01-01T12:00:00Z') / 1000;
    expect(lists).toEqual([`webchat-chats-${minute}`, `webchat-chats-${minute + 60}`]);
    expect(conversations(mock).size).toBe(4);
  });

  it('in a mode where Flex creates the chat, a refused start reaches no Flex API either', async () => {
    seedChatAddress(mock);
    const env = { ...ADDRESS_ENV, MAX_CHATS_PER_MINUTE: '1' };
    expect((await start(env)).status).toBe(200);
    expectRefused(await start(env));
    expect(mock.requests('webchats.create')).toHaveLength(1);
  });

  it('spends nothing on a request that fails validation', async () => {
    const res = await start(BUDGET_ENV, { friendlyName: 42 });
    expect(res.status).toBe(400);
    expect(mock.requests()).toHaveLength(0);
  });

  it('lets the widget read Retry-After across origins', async () => {
    const env = { ...TEST_ENV, MAX_CHATS_PER_MINUTE: '1' };
    await start(env);
    const res = await start(env);
    expect(res.status).toBe(429);
    expect(headerOf(res, 'access-control-allow-origin')).toBe(SITE_ORIGIN);
    expect(headerOf(res, 'access-control-expose-headers')).toBe('Retry-After');
    expect(headerOf(res, 'cache-control')).toBe('no-store');
  });
});

describe('what the guard costs', () => {
  it('no budget: not a single Sync request', async () => {
    mock.latencyMs = 15;
    expect((await start(TEST_ENV)).status).toBe(200);
    expect(syncRequests()).toHaveLength(0);
    expect(mock.sequentialRoundTrips()).toBe(2);
  });

  it('within budget: one sequential round trip more (three for the start that opens the minute)', async () => {
    mock.latencyMs = 15;
    expect((await start()).status).toBe(200);
    expect(mock.requests().map((r) => r.name)).toEqual([
      'sync.listItems.create', // 404: no list for this minute yet
      'sync.lists.create',
      'sync.listItems.create',
      'conversations.create',
      'webhooks.create',
    ]);
    expect(mock.sequentialRoundTrips()).toBe(5);

    mock.recorded.length = 0;
    expect((await start()).status).toBe(200);
    expect(mock.requests().map((r) => r.name)).toEqual([
      'sync.listItems.create',
      'conversations.create',
      'webhooks.create',
    ]);
    expect(mock.sequentialRoundTrips()).toBe(3);
  });

  it('over budget: the Sync append is the only request', async () => {
    const env = { ...TEST_ENV, MAX_CHATS_PER_MINUTE: '1' };
    await start(env);
    mock.recorded.length = 0;
    mock.latencyMs = 15;
    expectRefused(await start(env));
    expect(mock.requests().map((r) => r.name)).toEqual(['sync.listItems.create']);
    expect(mock.sequentialRoundTrips()).toBe(1);
  });

  it('concurrent starts that open the minute race to create its list: one list, every start counted once', async () => {
    mock.latencyMs = 15;
    const env = { ...TEST_ENV, MAX_CHATS_PER_MINUTE: '10' };
    const results = await Promise.all(Array.from({ length: 6 }, () => startAtOnce(env)));
    expect(results.map((r) => r.status)).toEqual(Array<number>(6).fill(200));
    // All six found no list; all six tried to create it; one did, five got 409 (54301).
    expect(mock.requests('sync.lists.create')).toHaveLength(6);
    const lists = syncService(mock, 'default')?.lists ?? [];
    expect(lists).toHaveLength(1);
    expect(lists[0]?.items.map((i) => i.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('when Sync fails', () => {
  it('a 5xx or no answer: the chat starts (fail open), and the log says so', async () => {
    mock.failNext('sync.listItems.create', { status: 503 });
    expect((await start()).status).toBe(200);
    mock.failNext('sync.listItems.create', { status: 0, when: 'drop' });
    expect((await start()).status).toBe(200);
    expect(conversations(mock).size).toBe(2);
    expect(logs.events().filter((e) => e === 'budget.unavailable')).toHaveLength(2);
  });

  it("Sync's 429 (its list throttled, as in a flood): 429, and no conversation write", async () => {
    mock.failNext('sync.listItems.create', { status: 429, code: 54009 });
    const res = await start();
    expectRefused(res);
    expect(headerOf(res, 'retry-after')).toBe('5');
    expect(chatRequests()).toHaveLength(0);
  });

  it('a Sync service that does not exist: 503 naming SYNC_SERVICE_SID, and no conversation write', async () => {
    const env = { ...BUDGET_ENV, SYNC_SERVICE_SID: 'IS' + '0'.repeat(32) };
    const res = await start(env);
    expect(res.status).toBe(503);
    expect(codeOf(res)).toBe('not_configured');
    expect(fieldsOf(res)).toEqual(['SYNC_SERVICE_SID']);
    expect(chatRequests()).toHaveLength(0);
  });

  it('SYNC_SERVICE_SID names the service the budget is counted in', async () => {
    const created = await mock.client().sync.v1.services.create({ friendlyName: 'web chat' });
    mock.recorded.length = 0;
    expect((await start({ ...BUDGET_ENV, SYNC_SERVICE_SID: created.sid })).status).toBe(200);
    expect(syncRequests().every((r) => r.path.startsWith(`/v1/Services/${created.sid}/`))).toBe(
      true,
    );
    expect(syncService(mock, created.sid)?.lists).toHaveLength(1);
  });
});

describe('configuration', () => {
  it.each(['0', '-1', 'ten', '2.5', '1201'])(
    'refuses MAX_CHATS_PER_MINUTE=%s before any request',
    async (value) => {
      const res = await start({ ...TEST_ENV, MAX_CHATS_PER_MINUTE: value });
      expect(res.status).toBe(503);
      expect(fieldsOf(res)).toEqual(['MAX_CHATS_PER_MINUTE']);
      expect(mock.requests()).toHaveLength(0);
    },
  );

  it('refuses a SYNC_SERVICE_SID that is not a service SID', async () => {
    const res = await start({ ...BUDGET_ENV, SYNC_SERVICE_SID: 'WS' + '1'.repeat(32) });
    expect(fieldsOf(res)).toEqual(['SYNC_SERVICE_SID']);
    expect(mock.requests()).toHaveLength(0);
  });

  it('/status reports the budget and which Sync service, without calling Twilio', async () => {
    const env = { ...BUDGET_ENV, SYNC_SERVICE_SID: 'IS' + 'a'.repeat(32) };
    const res = await invoke(status, { mock, env });
    expect(res.body).toEqual({
      configured: true,
      handoffMode: 'studio',
      chatBudget: { maxPerMinute: 3 },
      syncService: 'SYNC_SERVICE_SID',
      challenge: 'on',
      captcha: null,
      openingHours: null,
      availability: 'off',
      customerTokens: null,
      survey: null,
      transcript: null,
    });
    const none = await invoke(status, { mock });
    expect(none.body).toMatchObject({ chatBudget: null, syncService: 'default' });
    expect(mock.requests()).toHaveLength(0);
  });
});
