/**
 * The creation claim and the pointer of src/customer/continuity.ts, through
 * the real `twilio` library and the spec-validating fake: what a new
 * signed-in chat costs next to an anonymous one (round trips counted with
 * `mock.latencyMs`), a second device arriving while the winner is between
 * its conversation and its webhook, a claim left by a start that crashed,
 * a customer with many closed conversations, and Sync not answering.
 */
import { handler as startChat } from '../../functions/start-chat';
import {
  claimKey,
  CREATION_CLAIM_TTL_SECONDS,
  pointerKey,
} from '../../src/customer/continuity-sync';
import { ChatStartingError } from '../../src/errors';
import { sharedState } from '../../src/guard/shared-state';
import { withProof } from '../../dev/challenge';
import { CUSTOMER_ENV, mintCustomerToken } from '../../dev/customer-token';
import { invoke } from '../../dev/invoke';
import {
  conversations,
  setSyncClock,
  syncService,
  type MockConversation,
} from '../../dev/twilio-fake/apis';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import {
  ADDRESS_ENV,
  FLEX_FLOW_ENV,
  seedChatAddress,
  seedFlexFlow,
} from '../../dev/twilio-fake/modes';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { WEBHOOK_ENV } from '../../dev/twilio-fake/webhooks';
import {
  beginStart,
  configFor,
  customerOf,
  seedClosed as seedClosedOf,
  type Env,
} from '../support/continuity';
import { captureLogsPerTest } from '../support/logs';

const mock = TwilioMock.perTest((m) => {
  seedChatAddress(m);
  seedFlexFlow(m);
});
const logs = captureLogsPerTest();

const MODES: [string, Env][] = [
  ['studio', TEST_ENV],
  ['webhook', WEBHOOK_ENV],
  ['address', ADDRESS_ENV],
  ['flex-flow', FLEX_FLOW_ENV],
];
/** One device's start at the src level, as continuity-start.ts runs it. */
const begin = (
  env: Env,
  options: { question?: string; sleep?: (ms: number) => Promise<void> } = {},
  customer = customerOf(),
) => beginStart(mock, env, options, customer);

/** POST /start-chat with a question, anonymous or as `sub`; its requests and round trips. */
async function measuredStart(env: Env, sub?: string) {
  const withCustomer = { ...env, ...CUSTOMER_ENV };
  const customerToken = sub ? await mintCustomerToken({ sub, name: 'Ana' }) : undefined;
  const body = await withProof(
    {
      friendlyName: 'Ana',
      question: 'Where is my order?',
      ...(customerToken && { customerToken }),
    },
    { env: withCustomer },
  );
  mock.recorded.splice(0);
  mock.latencyMs = 10;
  const res = await invoke(startChat, { mock, env: withCustomer, body });
  mock.latencyMs = 0;
  expect(res.status).toBe(200);
  const made = mock.requests();
  return { requests: made.length, roundTrips: mock.sequentialRoundTrips(made), body: res.body };
}

describe.each(MODES)('what a signed-in start costs, HANDOFF_MODE=%s', (_, env) => {
  it.each([
    ['without a budget', {}],
    ['with a budget', { MAX_CHATS_PER_MINUTE: '100' }],
  ])(
    '%s: a new verified chat is at most one round trip more than an anonymous one; a resume is 2 with the question',
    async (_budget, budget) => {
      const withBudget = { ...env, ...budget };
      await measuredStart(withBudget); // the minute's first start makes the budget's list
      const anonymous = await measuredStart(withBudget);
      const verified = await measuredStart(withBudget, 'cus_new');
      const resumed = await measuredStart(withBudget, 'cus_new');
      expect(verified.roundTrips).toBeLessThanOrEqual(anonymous.roundTrips + 1);
      expect(verified.roundTrips).toBeGreaterThan(anonymous.roundTrips); // the look is real
      expect(resumed.body).toMatchObject({ resumed: true });
      expect(resumed.roundTrips).toBe(2);
    },
  );
});

describe('a second device joins only a finished start', () => {
  it.each([
    ['studio', TEST_ENV],
    ['webhook', WEBHOOK_ENV],
  ])(
    '%s: arriving between the conversation and its webhook, it waits, then posts into the handed-off chat',
    async (_, env) => {
      const hold = mock.holdNext('webhooks.create');
      const winner = begin(env, { question: 'From the laptop' });
      await hold.reached; // the conversation exists, its webhook does not
      const created = mock.requests('conversations.create')[0];
      let postsWhileHeld: number | undefined;
      const joiner = begin(env, {
        question: 'From the phone',
        sleep: async () => {
          // The joiner saw the chat (in progress, claimed, not pointed to) and waits.
          postsWhileHeld ??= mock.requests('messages.create').length;
          hold.release();
          await winner;
        },
      });
      const [a, b] = await Promise.all([winner, joiner]);

      expect(postsWhileHeld).toBe(0);
      expect(b).toEqual({ ...a, resumed: true });
      const webhook = mock.requests('webhooks.create')[0];
      const posts = mock.requests('messages.create');
      const phonePost = posts.find((r) => r.form.Body?.[0] === 'From the phone');
      // The joiner's first look came after the conversation existed: it saw it and waited.
      const firstLook = mock.requests('participantConversations.list')[1];
      expect(firstLook?.startedAt).toBeGreaterThanOrEqual(created?.endedAt ?? Infinity);
      expect(phonePost?.startedAt).toBeGreaterThanOrEqual(webhook?.endedAt ?? Infinity);
      const chat = conversations(mock).get(a.conversationSid) as MockConversation;
      expect(chat.webhooks).toHaveLength(1);
      expect(chat.messages.map((m) => m.body).sort()).toEqual([
        'From the laptop',
        'From the phone',
      ]);
    },
  );
});

describe('a start that crashed', () => {
  it('holds the customer up for the claim’s TTL at most', async () => {
    const customer = customerOf();
    let now = Date.now();
    setSyncClock(mock, () => now);
    // A start claimed, then its Function died: nothing else was made.
    await sharedState(mock.client(), configFor(TEST_ENV)).claimOnce(
      claimKey(customer.identity),
      CREATION_CLAIM_TTL_SECONDS,
    );
    await expect(begin(TEST_ENV, { question: 'Hello?' }, customer)).rejects.toBeInstanceOf(
      ChatStartingError,
    );
    expect(conversations(mock).size).toBe(0);

    now += (CREATION_CLAIM_TTL_SECONDS + 1) * 1000;
    const chat = await begin(TEST_ENV, { question: 'Hello?' }, customer);
    expect(chat.resumed).toBe(false);
    expect(conversations(mock).size).toBe(1);
  });
});

const seedClosed = (identity: string, count: number) => seedClosedOf(mock, identity, count);

describe('a customer with 120 closed conversations', () => {
  it('finds the chat in progress in 2 round trips before the question, by the pointer', async () => {
    const customer = customerOf();
    seedClosed(customer.identity, 120);
    const first = await begin(TEST_ENV, { question: 'One' }, customer);
    mock.recorded.splice(0);
    mock.latencyMs = 10;

    const again = await begin(TEST_ENV, { question: 'Two' }, customer);

    expect(again).toEqual({ ...first, resumed: true });
    // Listed by SID, the chat is on page 3: the pointer names it, one read confirms it is open.
    expect(mock.requests('participantConversations.list')).toHaveLength(1);
    expect(mock.requests('conversations.fetch').map((r) => r.path.split('/').pop())).toEqual([
      first.conversationSid,
    ]);
    const post = mock.requests('messages.create')[0];
    const beforePost = mock.requests().filter((r) => r.endedAt <= (post?.startedAt ?? 0));
    expect(mock.sequentialRoundTrips(beforePost)).toBe(2);
    expect(mock.sequentialRoundTrips()).toBe(3);
  });

  it('without a pointer (a chat from before it), reads the list on, and does not point at a chat it did not make', async () => {
    const customer = customerOf();
    seedClosed(customer.identity, 120);
    const first = await begin(TEST_ENV, { question: 'One' }, customer);
    await sharedState(mock.client(), configFor(TEST_ENV)).release(pointerKey(customer.identity));
    mock.recorded.splice(0);

    const again = await begin(TEST_ENV, { question: 'Two' }, customer);
    expect(again).toEqual({ ...first, resumed: true });
    expect(mock.requests('participantConversations.list')).toHaveLength(3); // 50 + 50 + 21
    // Only a start that made a chat, once handed off, points at it (a list
    // cannot tell a chat whose start crashed before its hand-off).
    const syncWrites = mock.writes().filter((r) => r.name.startsWith('sync.'));
    expect(syncWrites.map((r) => [r.name, r.form.UniqueName?.[0]])).toEqual([
      ['sync.documents.create', claimKey(customer.identity)],
      ['sync.documents.delete', undefined], // the claim, beside the question
    ]);
  });

  it('starts a new chat once the pointed one has ended, having read the rest of the list', async () => {
    const customer = customerOf();
    seedClosed(customer.identity, 120);
    const first = await begin(TEST_ENV, {}, customer);
    (conversations(mock).get(first.conversationSid) as MockConversation).state = 'closed';
    mock.recorded.splice(0);
    const next = await begin(TEST_ENV, {}, customer);
    expect(next.resumed).toBe(false);
    // A newer chat whose pointer was not written could be on any page (continuity-races.test.ts).
    expect(mock.requests('participantConversations.list')).toHaveLength(3);
    expect(syncService(mock, 'default')?.documents.map((d) => [d.uniqueName, d.data])).toEqual([
      [pointerKey(customer.identity), { conversationSid: next.conversationSid }],
    ]);
  });
});

describe('Sync not answering', () => {
  it('the start goes on unclaimed, reading the list, and logs it', async () => {
    mock.failNext('sync.documents.create', { status: 503, times: 2 });
    mock.failNext('sync.documents.fetch', { status: 503 });
    const chat = await begin(TEST_ENV, { question: 'Hello' });
    expect(chat.resumed).toBe(false);
    expect(conversations(mock).size).toBe(1);
    expect(logs.events()).toEqual(
      expect.arrayContaining([
        'continuity.claim_unavailable',
        'continuity.pointer_unavailable',
        'continuity.pointer_not_saved',
      ]),
    );
  });
});

describe('Sync’s rate limit (429)', () => {
  it('on the claim and the pointer, a resume goes on (through the list); a new chat is refused, having made nothing', async () => {
    const customer = customerOf();
    const first = await begin(TEST_ENV, { question: 'One' }, customer);
    mock.failNext('sync.documents.create', { status: 429, code: 54009 });
    mock.failNext('sync.documents.fetch', { status: 429, code: 54009 });
    const again = await begin(TEST_ENV, { question: 'Two' }, customer);
    expect(again).toEqual({ ...first, resumed: true });
    expect(logs.events()).toEqual(
      expect.arrayContaining(['continuity.claim_rate_limited', 'continuity.pointer_unavailable']),
    );

    (conversations(mock).get(first.conversationSid) as MockConversation).state = 'closed';
    mock.failNext('sync.documents.create', { status: 429, code: 54009 });
    mock.recorded.splice(0);
    await expect(begin(TEST_ENV, { question: 'Three' }, customer)).rejects.toMatchObject({
      status: 503,
      code: 'upstream_rate_limited',
    });
    expect(mock.writes().map((r) => r.name)).toEqual([]);
  });
});
