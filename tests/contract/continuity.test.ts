/**
 * The same chat on every device (src/customer/continuity.ts) in every mode,
 * through the real modes, the real `twilio` library and the spec-validating
 * fake: a signed-in customer's second start resumes their chat in progress
 * (no conversation, no webhook, no task, no budget), two devices at once end
 * in one conversation, the modes use the customer's `cust_` identity, and
 * Twilio's 1,000-conversations limit is a clear 409.
 */
import { handler as interaction } from '../../functions/interaction.protected';
import { CHAT_STARTING_RETRY_SECONDS, LOSER_WAITS_MS } from '../../src/customer/continuity';
import {
  claimKey,
  CREATION_CLAIM_TTL_SECONDS,
  pointerKey,
} from '../../src/customer/continuity-sync';
import type { VerifiedCustomer } from '../../src/customer/types';
import { ChatStartingError, CustomerChatLimitError, type HttpError } from '../../src/errors';
import { sharedState } from '../../src/guard/shared-state';
import { newIdentity } from '../../src/identity';
import { startChat, type HandoffMode } from '../../src/modes';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { invoke } from '../../dev/invoke';
import {
  account,
  conversations,
  interactions,
  syncService,
  tasks,
  type MockConversation,
} from '../../dev/twilio-fake/apis';
import {
  ADDRESS_ENV,
  ADDRESS_WEBHOOK_ENV,
  FLEX_FLOW_ENV,
  seedChatAddress,
  seedFlexFlow,
} from '../../dev/twilio-fake/modes';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import {
  INTERACTION_URL,
  WEBHOOK_ENV,
  messageAddedParams,
  scopedWebhookSid,
  signedDelivery,
} from '../../dev/twilio-fake/webhooks';
import { beginStart, configFor, customerOf, seedChat, type Env } from '../support/continuity';
import { captureLogsPerTest } from '../support/logs';

const mock = TwilioMock.perTest((m) => {
  seedChatAddress(m);
  seedFlexFlow(m);
});
const logs = captureLogsPerTest();

const ENVS: Record<HandoffMode, Record<string, string | undefined>> = {
  studio: TEST_ENV,
  webhook: WEBHOOK_ENV,
  address: ADDRESS_ENV,
  'flex-flow': FLEX_FLOW_ENV,
};
const MODES = Object.keys(ENVS) as HandoffMode[];

interface Device {
  spent: number;
}

/** One device's /start-chat of a signed-in customer, at the src level (a fresh key each). */
function begin(
  env: Env,
  options: {
    customer?: VerifiedCustomer;
    question?: string;
    device?: Device;
    /** Wait as in production (the winner of a race needs the time to create). */
    realWaits?: boolean;
  } = {},
) {
  const { customer = customerOf(), question, device = { spent: 0 }, realWaits = false } = options;
  const spend = () => {
    device.spent++;
    return Promise.resolve();
  };
  const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  return beginStart(
    mock,
    env,
    { ...(question !== undefined && { question }), spend, ...(realWaits && { sleep: realSleep }) },
    customer,
  );
}

/** Forgets the requests made so far (not the fake's state). */
const forget = () => mock.recorded.splice(0);

/** The Sync documents left, by unique name, with their data. */
function documents(): Record<string, unknown> {
  const docs = syncService(mock, 'default')?.documents ?? [];
  return Object.fromEntries(docs.map((d): [string, unknown] => [d.uniqueName ?? d.sid, d.data]));
}

/** Names of the requests made, round by round (each round sorted). */
function rounds(made = mock.requests()): string[][] {
  const byRound: string[][] = [];
  for (const r of made) {
    const round = mock.sequentialRoundTrips(made.filter((o) => o.startedAt <= r.startedAt));
    (byRound[round - 1] ??= []).push(r.name);
  }
  return byRound.map((names) => names.sort());
}

function only(): MockConversation {
  const all = [...conversations(mock).values()];
  expect(all).toHaveLength(1);
  return all[0] as MockConversation;
}

describe.each(MODES)('continuity, HANDOFF_MODE=%s', (mode) => {
  const env = ENVS[mode];

  it("creates a signed-in customer's chat with the cust_ identity, named after the start's key", async () => {
    const customer = customerOf();
    mock.latencyMs = 10;
    const chat = await begin(env, { customer, question: 'Where is my order?' });

    expect(chat).toEqual({
      conversationSid: expect.stringMatching(/^CH/),
      identity: customer.identity,
      resumed: false,
    });
    const conversation = only();
    expect(conversation.participants.map((p) => p.identity)).toEqual([customer.identity]);
    if (mode !== 'address') expect(conversation.uniqueName).toMatch(/^web_[0-9a-z]+_[0-9a-f]{32}$/);
    expect(conversation.messages.map((m) => [m.author, m.body])).toEqual([
      [customer.identity, 'Where is my order?'],
    ]);
    // Round 1 the lookup, the claim and the pointer, side by side; then the mode's own.
    expect(rounds()[0]).toEqual([
      'participantConversations.list',
      'sync.documents.create',
      'sync.documents.fetch',
    ]);
    const lookup = mock.requests('participantConversations.list')[0];
    expect(lookup?.path).toBe(
      `/v1/Services/${TEST_ENV.CONVERSATIONS_SERVICE_SID}/ParticipantConversations`,
    );
    expect(lookup?.query).toEqual({ Identity: [customer.identity], PageSize: ['50'] });
    const [claim, pointer] = mock.requests('sync.documents.create');
    expect(claim?.form).toEqual({
      UniqueName: [claimKey(customer.identity)],
      Data: ['{}'],
      Ttl: [String(CREATION_CLAIM_TTL_SECONDS)],
    });
    expect(mock.requests('sync.documents.fetch')[0]?.path).toMatch(
      new RegExp(`/Documents/${pointerKey(customer.identity)}$`),
    );
    // Once handed off: the pointer written, the claim deleted, beside the question.
    expect(pointer?.form.UniqueName).toEqual([pointerKey(customer.identity)]);
    expect(documents()).toEqual({
      [pointerKey(customer.identity)]: { conversationSid: chat.conversationSid },
    });
    const last = rounds().at(-1);
    expect(last).toEqual(['messages.create', 'sync.documents.create', 'sync.documents.delete']);
  });

  it('resumes the chat in progress on a second device: one lookup, the question, nothing else', async () => {
    const laptop = { spent: 0 };
    const phone = { spent: 0 };
    const first = await begin(env, { question: 'First question', device: laptop });
    const writesBefore = mock.writes().length;
    forget();
    mock.latencyMs = 10;

    const second = await begin(env, { question: 'Second question', device: phone });

    expect(second).toEqual({ ...first, resumed: true });
    // One look; then the question, beside the claim given back (nobody was starting).
    expect(rounds()).toEqual([
      ['participantConversations.list', 'sync.documents.create', 'sync.documents.fetch'],
      ['messages.create', 'sync.documents.delete'],
    ]);
    const post = mock.requests('messages.create')[0];
    expect(post?.path).toBe(
      `/v1/Services/${TEST_ENV.CONVERSATIONS_SERVICE_SID}/Conversations/${first.conversationSid}/Messages`,
    );
    expect(post?.form).toEqual({ Author: [first.identity], Body: ['Second question'] });
    expect(post?.headers['x-twilio-webhook-enabled']).toBe('true');
    expect(writesBefore).toBeGreaterThan(0);
    expect(phone.spent).toBe(0); // the budget is not spent on a resume
    expect(laptop.spent).toBe(1);
    expect(only().messages.map((m) => m.body)).toEqual(['First question', 'Second question']);
  });

  it('never posts twice to a chat Twilio calls closed while a stale list shows it open', async () => {
    const first = await begin(env, { question: 'One' });
    forget();
    // The list still shows it in progress; Twilio refuses the post as closed.
    mock.failNext('messages.create', { status: 400, code: 50437 });
    const second = await begin(env, { question: 'Two' });
    expect(second.resumed).toBe(false);
    expect(second.conversationSid).not.toBe(first.conversationSid);
    const posts = mock.requests('messages.create').map((r) => r.path.split('/')[5]);
    expect(posts).toEqual([first.conversationSid, second.conversationSid]);
  });

  it('without a question: one round more than the mode’s own; the claim is kept, and other devices still join', async () => {
    const handOffSecond = mode === 'studio' || mode === 'webhook';
    mock.latencyMs = 10;
    const first = await begin(env);
    const look = ['participantConversations.list', 'sync.documents.create', 'sync.documents.fetch'];
    // studio, webhook: the pointer beside the webhook (the hand-off, landing in
    // that round); address, flex-flow: no round after Flex's create to write it in.
    expect(rounds()).toEqual(
      handOffSecond
        ? [look, ['conversations.create'], ['sync.documents.create', 'webhooks.create']]
        : [look, [mode === 'address' ? 'webchats.create' : 'flexChannels.create']],
    );
    expect(documents()).toEqual({
      [claimKey(first.identity)]: {},
      ...(handOffSecond && {
        [pointerKey(first.identity)]: { conversationSid: first.conversationSid },
      }),
    });

    // Another device, no question: the look, nothing written.
    forget();
    const again = await begin(env);
    expect(again).toEqual({ ...first, resumed: true });
    expect(rounds()).toEqual([look]);
    expect(mock.writes()).toEqual([]);

    // A third, with a question, while the claim is held: in studio and webhook
    // mode the hand-off is read first (the webhook might still be landing).
    forget();
    const third = await begin(env, { question: 'Three' });
    expect(third).toEqual({ ...first, resumed: true });
    // In address and flex-flow mode, the chat found through the list is
    // pointed at beside the question (any chat there has its hand-off).
    expect(rounds()).toEqual([
      look,
      ...(handOffSecond
        ? [['messages.list', 'webhooks.list'], ['messages.create']]
        : [['messages.create', 'sync.documents.create']]),
    ]);
    expect(documents()[pointerKey(first.identity)]).toEqual({
      conversationSid: first.conversationSid,
    });
    expect(only().messages.map((m) => m.body)).toEqual(['Three']);
  });

  it('starts a new chat once the one in progress has ended, by the mode’s reading', async () => {
    const first = await begin(env, { question: 'One' });
    const ended = conversations(mock).get(first.conversationSid) as MockConversation;
    if (mode === 'flex-flow') {
      ended.attributes = JSON.stringify({ ...JSON.parse(ended.attributes), status: 'INACTIVE' });
    } else {
      ended.state = 'closed';
    }
    const second = await begin(env, { question: 'Two' });
    expect(second.resumed).toBe(false);
    expect(second.conversationSid).not.toBe(first.conversationSid);
    expect(conversations(mock).size).toBe(2);
    // The same fixed-name claim both times (the first was deleted), and the pointer moved on.
    const claims = mock.requests('sync.documents.create').filter((r) => r.form.Ttl?.[0] === '30');
    expect(claims.map((r) => [r.form.UniqueName?.[0], r.status])).toEqual([
      [claimKey(first.identity), 201],
      [claimKey(first.identity), 201],
    ]);
    expect(documents()).toEqual({
      [pointerKey(first.identity)]: { conversationSid: second.conversationSid },
    });
  });

  it('two devices at once end in ONE conversation with both questions', async () => {
    const [a, b] = await Promise.all([
      begin(env, { question: 'From the laptop', realWaits: true }),
      begin(env, { question: 'From the phone', realWaits: true }),
    ]);
    expect(a.conversationSid).toBe(b.conversationSid);
    expect([a.resumed, b.resumed].sort()).toEqual([false, true]);
    const conversation = only();
    expect(conversation.messages.map((m) => m.body).sort()).toEqual([
      'From the laptop',
      'From the phone',
    ]);
    const creates = mock
      .requests()
      .filter((r) =>
        ['conversations.create', 'webchats.create', 'flexChannels.create'].includes(r.name),
      );
    expect(creates).toHaveLength(1);
    // Both saw no chat and raced for the same claim: one created, one waited and joined.
    const [firstTwo, ...later] = mock
      .requests('sync.documents.create')
      .filter((r) => r.form.UniqueName?.[0] === claimKey(a.identity));
    expect(firstTwo?.status).toBe(201);
    expect(later[0]?.status).toBe(409);
    if (mode === 'studio' || mode === 'webhook') {
      expect(mock.requests('webhooks.create')).toHaveLength(1);
    }
    // Nothing left in Sync but the pointer to the one chat.
    expect(documents()).toEqual({
      [pointerKey(a.identity)]: { conversationSid: a.conversationSid },
    });
  });

  it('the loser of the claim answers 503 chat_starting when the chat does not show in time, having made nothing', async () => {
    const customer = customerOf();
    // Another request of the customer holds the claim, and has not created yet.
    await sharedState(mock.client(), configFor(env)).claimOnce(claimKey(customer.identity), 30);
    forget();
    const device = { spent: 0 };
    const refused = await begin(env, { customer, question: 'Hello?', device }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ChatStartingError);
    const error = refused as HttpError;
    expect(error.status).toBe(503);
    expect(error.code).toBe('chat_starting');
    expect(error.headers['Retry-After']).toBe(String(CHAT_STARTING_RETRY_SECONDS));
    // One look, then one more after each wait; the claim tried each time.
    expect(mock.requests('participantConversations.list')).toHaveLength(LOSER_WAITS_MS.length + 1);
    expect(mock.requests('sync.documents.create')).toHaveLength(LOSER_WAITS_MS.length + 1);
    expect(mock.writes()).toEqual([]); // each claim refused: taken
    expect(conversations(mock).size).toBe(0);
    expect(device.spent).toBe(0); // only the start that creates spends
  });
});

describe('continuity: a failed start', () => {
  it('gives the claim back when it left nothing, so the next start is not held up', async () => {
    const customer = customerOf();
    mock.failNext('conversations.create', { status: 400 });
    await expect(begin(TEST_ENV, { customer })).rejects.toMatchObject({ status: 502 });
    expect(mock.requests('sync.documents.delete')).toHaveLength(1);
    const again = await begin(TEST_ENV, { customer });
    expect(again.resumed).toBe(false);
  });

  it.each([
    ['address', ADDRESS_ENV, 'webchats.create', 500],
    ['flex-flow', FLEX_FLOW_ENV, 'flexChannels.create', 503],
  ] as const)(
    "%s: an ambiguous create keeps this attempt's chat and goes on with it (other devices may be in it), never touching the customer's others",
    async (mode, env, create, status) => {
      const customer = customerOf();
      const old = await begin(env, { customer, question: 'Old chat' });
      const oldChat = conversations(mock).get(old.conversationSid) as MockConversation;
      if (mode === 'flex-flow') oldChat.attributes = JSON.stringify({ status: 'INACTIVE' });
      else oldChat.state = 'closed';
      mock.failNext(create, { status, when: 'after' });
      const chat = await begin(env, { customer, question: 'New chat' });
      expect(chat.resumed).toBe(false);
      expect(chat.conversationSid).not.toBe(old.conversationSid);
      expect([...conversations(mock).keys()].sort()).toEqual(
        [old.conversationSid, chat.conversationSid].sort(),
      );
      expect(
        mock.writes().filter((r) => /delete/.test(r.name) && !r.name.startsWith('sync.')),
      ).toEqual([]);
      const kept = conversations(mock).get(chat.conversationSid) as MockConversation;
      expect(kept.messages.map((m) => m.body)).toEqual(['New chat']);
      expect(logs.events()).toContain('ambiguous_create_kept');
    },
  );
});

/** A conversation the customer is in, put straight into the fake. */
const seedConversation = (identity: string, attributes: object = {}, state = 'active') =>
  seedChat(mock, identity, { attributes, state });

describe("Twilio's 1,000 conversations per identity", () => {
  it('flex-flow: ended channels stay open conversations; at 1,000 the start is a 409 customer_chat_limit', async () => {
    const customer = customerOf();
    for (let i = 0; i < 1000; i++) seedConversation(customer.identity, { status: 'INACTIVE' });
    mock.latencyMs = 2;
    const refused = await begin(FLEX_FLOW_ENV, { customer }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CustomerChatLimitError);
    expect(refused).toMatchObject({ status: 409, code: 'customer_chat_limit' });
    // No pointer: all 20 pages of 50 were read (none in progress), then the refused create.
    expect(mock.requests('participantConversations.list')).toHaveLength(20);
    expect(mock.requests('flexChannels.create')).toHaveLength(1);
    expect(conversations(mock).size).toBe(1000);
  });

  it.each(['studio', 'webhook', 'address'] as const)(
    '%s: Twilio refusing the customer (50214) is a 409 customer_chat_limit with nothing left behind',
    async (mode) => {
      const customer = customerOf();
      for (let i = 0; i < 1000; i++) seedConversation(customer.identity);
      const config = configFor(ENVS[mode]);
      const refused = await startChat(mock.client(), config, config.handoff, {
        identity: newIdentity(Date.now()),
        friendlyName: 'Ana',
        preEngagement: {},
        customer,
      }).catch((e: unknown) => e);
      expect(refused).toMatchObject({ status: 409, code: 'customer_chat_limit' });
      expect(conversations(mock).size).toBe(1000);
      expect(mock.requests('conversations.delete')).toHaveLength(0);
    },
  );

  it('closed conversations do not count: a customer with 1,000 closed ones starts a chat', async () => {
    const customer = customerOf();
    for (let i = 0; i < 1000; i++) seedConversation(customer.identity, {}, 'closed');
    const chat = await begin(TEST_ENV, { customer });
    expect(chat.resumed).toBe(false);
  });
});

describe('webhook mode: one Interaction for one customer on two devices', () => {
  it.each([
    ['webhook', WEBHOOK_ENV],
    ['address (routes to /interaction)', ADDRESS_WEBHOOK_ENV],
  ])(
    '%s: the cust_ author hands off once; the second device’s question does not',
    async (_, env) => {
      if (env === ADDRESS_WEBHOOK_ENV) {
        const address = account(mock).addresses[0];
        if (address) {
          address.autoCreation = {
            ...address.autoCreation,
            type: 'webhook',
            webhook_url: INTERACTION_URL,
            webhook_method: 'POST',
          };
        }
      }
      const customer = customerOf();
      const first = await begin(env, { customer, question: 'From the laptop' });
      const webhookSid = scopedWebhookSid(mock, first.conversationSid);
      const deliver = (body: string, index: number) =>
        invoke(interaction, {
          mock,
          env: env,
          ...signedDelivery(
            messageAddedParams({
              conversationSid: first.conversationSid,
              author: customer.identity,
              body,
              index,
              ...(webhookSid !== undefined && { webhookSid }),
            }),
          ),
        });
      const handed = await deliver('From the laptop', 0);
      expect(handed.body).toMatchObject({ outcome: 'handed_off' });

      const second = await begin(env, { customer, question: 'From the phone' });
      expect(second).toEqual({ ...first, resumed: true });
      const again = await deliver('From the phone', 1);
      expect(again.body).toMatchObject({ outcome: 'ignored' });
      expect(interactions(mock)).toHaveLength(1);
      expect(tasks(mock)).toHaveLength(1);
    },
  );
});
