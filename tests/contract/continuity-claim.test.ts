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
  LIVE_START_MAX_MS,
  pointerKey,
} from '../../src/customer/continuity-sync';
import { ChatStartingError } from '../../src/errors';
import { newIdentity } from '../../src/identity';
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
  seedChat,
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
  options: { question?: string; sleep?: (ms: number) => Promise<void>; now?: () => number } = {},
  customer = customerOf(),
) => beginStart(mock, env, options, customer);

/** What a start sends: a question, none (an API call), or none but the widget's details. */
const BODIES = {
  'with a question': { question: 'Where is my order?' },
  'without a question': {},
  'without a question, with the widget’s details': { locale: 'en' },
};
type BodyKind = keyof typeof BODIES;

/** POST /start-chat, anonymous or as `sub`; its requests and round trips. */
async function measuredStart(env: Env, sub?: string, kind: BodyKind = 'with a question') {
  const withCustomer = { ...env, ...CUSTOMER_ENV };
  const customerToken = sub ? await mintCustomerToken({ sub, name: 'Ana' }) : undefined;
  const body = await withProof(
    { friendlyName: 'Ana', ...BODIES[kind], ...(customerToken && { customerToken }) },
    { env: withCustomer },
  );
  mock.recorded.splice(0);
  // Long enough that requests sent side by side overlap on a loaded machine.
  mock.latencyMs = 40;
  const res = await invoke(startChat, { mock, env: withCustomer, body });
  mock.latencyMs = 0;
  expect(res.status).toBe(200);
  const made = mock.requests();
  return { requests: made.length, roundTrips: mock.sequentialRoundTrips(made), body: res.body };
}

describe.each(MODES)('what a signed-in start costs, HANDOFF_MODE=%s', (_, env) => {
  describe.each(Object.keys(BODIES) as BodyKind[])('%s', (kind) => {
    it.each([
      ['without a budget', {}],
      ['with a budget', { MAX_CHATS_PER_MINUTE: '100' }],
    ])(
      '%s: a new verified chat is at most one round trip more than an anonymous one; a resume is 1, and 1 more for a question',
      async (_budget, budget) => {
        const withBudget = { ...env, ...budget };
        // The minute's first start makes the budget's list (a round of its
        // own): measured again if a minute began during the measurement.
        const minute = () => Math.floor(Date.now() / 60_000);
        const measure = async (sub: string) => {
          const started = minute();
          await measuredStart(withBudget, undefined, kind);
          const anonymous = await measuredStart(withBudget, undefined, kind);
          const verified = await measuredStart(withBudget, sub, kind);
          const resumed = await measuredStart(withBudget, sub, kind);
          return { anonymous, verified, resumed, sameMinute: minute() === started };
        };
        let run = await measure('cus_new');
        if (!run.sameMinute) run = await measure('cus_again');
        const { anonymous, verified, resumed } = run;
        expect(verified.roundTrips).toBeLessThanOrEqual(anonymous.roundTrips + 1);
        expect(verified.roundTrips).toBeGreaterThan(anonymous.roundTrips); // the look is real
        expect(resumed.body).toMatchObject({ resumed: true });
        expect(resumed.roundTrips).toBe(kind === 'with a question' ? 2 : 1);
      },
    );
  });
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

describe('a start without a question, whose pointer lands beside its webhook', () => {
  it.each([
    ['studio', TEST_ENV],
    ['webhook', WEBHOOK_ENV],
  ])(
    '%s: a device with a question reads the hand-off first, waits for the webhook, then posts',
    async (_, env) => {
      const customer = customerOf();
      const hold = mock.holdNext('webhooks.create');
      const winner = begin(env, {}, customer);
      await hold.reached;
      // The pointer (beside the held webhook) is written: the chat looks finished.
      const pointed = () =>
        syncService(mock, 'default')?.documents.some(
          (d) => d.uniqueName === pointerKey(customer.identity),
        );
      while (!pointed()) await new Promise((resolve) => setTimeout(resolve, 5));
      let whileHeld: { checks: number; posts: number } | undefined;
      const phone = begin(
        env,
        {
          question: 'From the phone',
          sleep: async () => {
            whileHeld ??= {
              checks: mock.requests('webhooks.list').length,
              posts: mock.requests('messages.create').length,
            };
            hold.release();
            await winner;
          },
        },
        customer,
      );
      const [a, b] = await Promise.all([winner, phone]);

      expect(whileHeld).toEqual({ checks: 1, posts: 0 });
      expect(b).toEqual({ ...a, resumed: true });
      const webhook = mock.requests('webhooks.create')[0];
      const post = mock.requests('messages.create')[0];
      expect(post?.startedAt).toBeGreaterThanOrEqual(webhook?.endedAt ?? Infinity);
      const chat = conversations(mock).get(a.conversationSid) as MockConversation;
      expect(chat.webhooks).toHaveLength(1);
      expect(chat.messages.map((m) => m.body)).toEqual(['From the phone']);
    },
  );
});

describe('a start that crashed', () => {
  it('holds the customer up while it could still be running, then its claim is cleared', async () => {
    const customer = customerOf();
    let now = Date.now();
    setSyncClock(mock, () => now);
    // A start claimed, then its Function died: nothing else was made.
    await sharedState(mock.client(), configFor(TEST_ENV)).claimOnce(
      claimKey(customer.identity),
      CREATION_CLAIM_TTL_SECONDS,
    );
    const claimSid = syncService(mock, 'default')?.documents[0]?.sid;
    const clock = { now: () => now };
    await expect(
      begin(TEST_ENV, { question: 'Hello?', ...clock }, customer),
    ).rejects.toBeInstanceOf(ChatStartingError);
    expect(conversations(mock).size).toBe(0);
    expect(mock.requests('sync.documents.delete')).toEqual([]);

    // Older than any start can run, though Sync has not let it expire yet.
    now += LIVE_START_MAX_MS + 1000;
    mock.recorded.splice(0);
    const chat = await begin(TEST_ENV, { question: 'Hello?', ...clock }, customer);
    expect(chat.resumed).toBe(false);
    expect(conversations(mock).size).toBe(1);
    // Deleted by its SID: a claim made again meanwhile under the name is never the one deleted.
    const deletes = mock.requests('sync.documents.delete').map((r) => r.path.split('/').at(-1));
    expect(deletes[0]).toBe(claimSid);
    expect(logs.events()).toContain('continuity.stale_claim_removed');
  });

  it.each([
    ['studio', TEST_ENV],
    ['webhook', WEBHOOK_ENV],
  ])(
    '%s: a conversation it left without a webhook or a message is removed, and the customer gets a chat that reaches Flex',
    async (_, env) => {
      const customer = customerOf();
      const dead = seedConversation(customer.identity, { messages: false });
      const chat = await begin(env, { question: 'Anyone there?' }, customer);
      expect(chat.resumed).toBe(false);
      expect([...conversations(mock).keys()]).toEqual([chat.conversationSid]);
      expect(mock.requests('conversations.delete').map((r) => r.path.split('/').at(-1))).toEqual([
        dead,
      ]);
      const made = conversations(mock).get(chat.conversationSid) as MockConversation;
      expect(made.webhooks).toHaveLength(1);
      expect(made.messages.map((m) => m.body)).toEqual(['Anyone there?']);
      const removed = logs.lines.filter((l) => l.includes('continuity.unfinished_chat_removed'));
      expect(removed).toHaveLength(1);
      expect(removed[0]).toContain(dead);
    },
  );

  it('a younger one (a start Sync let go on unclaimed may be making it) is waited for, never removed', async () => {
    const customer = customerOf();
    mock.failNext('sync.documents.create', { status: 503, times: 8 }); // the claims: Sync out
    seedConversation(customer.identity, { messages: false }, 2_000);
    await expect(begin(TEST_ENV, { question: 'Hello?' }, customer)).rejects.toBeInstanceOf(
      ChatStartingError,
    );
    expect(mock.requests('conversations.delete')).toEqual([]);
    expect(mock.requests('conversations.create')).toEqual([]);
  });

  it('webhook mode: a chat Flex has (its webhook deleted by /interaction, a message there) is joined, never removed', async () => {
    const customer = customerOf();
    const handedOff = seedConversation(customer.identity, { messages: true });
    const chat = await begin(WEBHOOK_ENV, { question: 'Still there?' }, customer);
    expect(chat).toEqual({
      conversationSid: handedOff,
      identity: customer.identity,
      resumed: true,
    });
    expect(mock.requests('conversations.delete')).toEqual([]);
  });
});

/** An active conversation of `identity` with no webhook, found only through the list (no pointer), made a while ago. */
function seedConversation(
  identity: string,
  has: { messages: boolean },
  createdMsAgo = 60_000,
): string {
  const messages = has.messages
    ? [
        {
          sid: `IM${'d'.repeat(32)}`,
          index: 0,
          author: identity,
          body: 'Hello',
          attributes: '{}',
          webhookEnabled: true,
        },
      ]
    : [];
  return seedChat(mock, identity, {
    sid: `CH${'d'.repeat(32)}`,
    uniqueName: newIdentity(Date.now() - createdMsAgo),
    // What studio and webhook mode write: the start's seal in the attributes.
    attributes: { webchat_seal: { v: 1 } },
    createdMsAgo,
    messages,
  }).sid;
}

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

  it('without a pointer (a chat from before it), reads the list on, reads that the chat was handed off, and points at it', async () => {
    const customer = customerOf();
    seedClosed(customer.identity, 120);
    const first = await begin(TEST_ENV, { question: 'One' }, customer);
    await sharedState(mock.client(), configFor(TEST_ENV)).release(pointerKey(customer.identity));
    mock.recorded.splice(0);

    const again = await begin(TEST_ENV, { question: 'Two' }, customer);
    expect(again).toEqual({ ...first, resumed: true });
    expect(mock.requests('participantConversations.list')).toHaveLength(3); // 50 + 50 + 21
    // A list cannot tell a chat whose start crashed before its webhook: one
    // read of its webhook and first message says it was handed off.
    const check = [...mock.requests('webhooks.list'), ...mock.requests('messages.list')];
    expect(check.map((r) => [r.path.split('/')[5], r.query.PageSize?.[0]])).toEqual([
      [first.conversationSid, '1'],
      [first.conversationSid, '1'],
    ]);
    const post = mock.requests('messages.create')[0];
    expect(check.every((r) => r.endedAt <= (post?.startedAt ?? 0))).toBe(true);
    // Beside the question: the claim given back, and the chat pointed at.
    const syncWrites = mock.writes().filter((r) => r.name.startsWith('sync.'));
    expect(syncWrites.map((r) => [r.name, r.form.UniqueName?.[0]]).sort()).toEqual([
      ['sync.documents.create', pointerKey(customer.identity)],
      ['sync.documents.create', claimKey(customer.identity)],
      ['sync.documents.delete', undefined],
    ]);
    expect(syncService(mock, 'default')?.documents.map((d) => [d.uniqueName, d.data])).toEqual([
      [pointerKey(customer.identity), { conversationSid: first.conversationSid }],
    ]);
  });

  it('starts a new chat once the pointed one has ended, having read the rest of the list', async () => {
    const customer = customerOf();
    seedClosed(customer.identity, 120);
    const first = await begin(TEST_ENV, { question: 'One' }, customer);
    (conversations(mock).get(first.conversationSid) as MockConversation).state = 'closed';
    mock.recorded.splice(0);
    const next = await begin(TEST_ENV, {}, customer);
    expect(next.resumed).toBe(false);
    // A newer chat whose pointer was not written could be on any page (continuity-races.test.ts).
    expect(mock.requests('participantConversations.list')).toHaveLength(3);
    // The pointer moved on; the claim is kept (without a question, the
    // webhook is the start's last round, and the claim outlives it).
    expect(syncService(mock, 'default')?.documents.map((d) => [d.uniqueName, d.data])).toEqual([
      [pointerKey(customer.identity), { conversationSid: next.conversationSid }],
      [claimKey(customer.identity), {}],
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
