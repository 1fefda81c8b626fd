/**
 * Continuity (src/customer/continuity.ts) when Twilio or Sync fail in the
 * middle of two devices' starts, through the real `twilio` library and the
 * spec-validating fake: no live chat removed, no question posted before its
 * chat's webhook, no device left in a chat its start then deletes, a
 * conversation this mode did not make left alone. (From a fresh-eyed
 * review's reproductions: each failed before its fix.)
 */
import {
  claimKey,
  CREATION_CLAIM_TTL_SECONDS,
  pointerKey,
} from '../../src/customer/continuity-sync';
import { endChat } from '../../src/end-chat';
import { loadConfig } from '../../src/config';
import { sharedState } from '../../src/guard/shared-state';
import { account, conversations, syncService, tasks } from '../../dev/twilio-fake/apis';
import { SERVICE_DOMAIN, TEST_ENV } from '../../dev/twilio-fake/env';
import {
  ADDRESS_ENV,
  FLEX_FLOW_ENV,
  seedChatAddress,
  seedFlexFlow,
} from '../../dev/twilio-fake/modes';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { WEBHOOK_ENV } from '../../dev/twilio-fake/webhooks';
import { beginStart, configFor, customerOf, seedChat, type Env } from '../support/continuity';
import { captureLogsPerTest } from '../support/logs';

const mock = TwilioMock.perTest((m) => {
  seedChatAddress(m);
  seedFlexFlow(m);
});
const logs = captureLogsPerTest();

const begin = (
  env: Env,
  options: { question?: string; sleep?: (ms: number) => Promise<void>; now?: () => number } = {},
  customer = customerOf(),
) => beginStart(mock, env, options, customer);

const hasDoc = (name: string) =>
  Boolean(syncService(mock, 'default')?.documents.some((d) => d.uniqueName === name));
const until = async (cond: () => boolean) => {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
};

describe('Sync refusing or failing the second device’s claim', () => {
  it.each([
    ['studio, Sync 429 on the claim', TEST_ENV, { status: 429, code: 54009 }],
    ['studio, Sync 503 on the claim', TEST_ENV, { status: 503 }],
    ['webhook, Sync 429 on the claim', WEBHOOK_ENV, { status: 429, code: 54009 }],
  ])(
    '%s: the laptop, between conversation and webhook, keeps its chat',
    async (_, env, failure) => {
      const customer = customerOf();
      const hold = mock.holdNext('webhooks.create');
      const laptop = begin(env, { question: 'From the laptop' }, customer);
      await hold.reached; // the laptop's conversation exists; its webhook does not yet
      const laptopSid = [...conversations(mock).keys()][0] as string;
      mock.failNext('sync.documents.create', failure); // only the phone's claim
      const phone = await begin(env, { question: 'From the phone' }, customer).then(
        (c) => ({ ok: c }),
        (e: unknown) => ({ error: e }),
      );
      hold.release();
      const laptopResult = await laptop.then(
        (c) => ({ ok: c }),
        (e: unknown) => ({ error: e }),
      );
      // Evidence (printed on failure):
      const deleted = mock.requests('conversations.delete').map((r) => r.path.split('/').at(-1));
      expect({
        deleted,
        laptop: 'error' in laptopResult ? String(laptopResult.error) : 'ok',
        phone: 'error' in phone ? String(phone.error) : 'ok',
      }).toEqual({
        deleted: [],
        laptop: 'ok',
        phone: expect.stringContaining('ChatStartingError'),
      });
      expect(conversations(mock).has(laptopSid)).toBe(true);
      expect(logs.events()).not.toContain('continuity.unfinished_chat_removed');
    },
  );
});

describe('a start without a question that Sync let go on unclaimed', () => {
  it.each([
    ['studio', TEST_ENV],
    ['webhook', WEBHOOK_ENV],
  ])(
    '%s: writes no pointer beside its webhook; a device with a question waits for the webhook, then posts',
    async (_, env) => {
      const customer = customerOf();
      mock.failNext('sync.documents.create', { status: 503 }); // the laptop's claim: unavailable
      const hold = mock.holdNext('webhooks.create');
      const laptop = begin(env, {}, customer);
      await hold.reached;
      let whileHeld: { pointer: boolean; posts: number } | undefined;
      const phone = begin(
        env,
        {
          question: 'From the phone',
          sleep: async () => {
            whileHeld ??= {
              pointer: hasDoc(pointerKey(customer.identity)),
              posts: mock.requests('messages.create').length,
            };
            hold.release();
            await laptop;
          },
        },
        customer,
      );
      const [a, b] = await Promise.all([laptop, phone]);
      expect(whileHeld).toEqual({ pointer: false, posts: 0 });
      expect(b).toEqual({ ...a, resumed: true });
      const webhook = mock.requests('webhooks.create')[0];
      const post = mock.requests('messages.create')[0];
      expect(post?.startedAt).toBeGreaterThanOrEqual(webhook?.endedAt ?? Infinity);
    },
  );
});

describe('address, flex-flow: an ambiguous create while another device looks', () => {
  it.each([
    ['address', ADDRESS_ENV, 'webchats.create'],
    ['flex-flow', FLEX_FLOW_ENV, 'flexChannels.create'],
  ])(
    '%s: the chat the phone joined is kept, and the laptop goes on with it',
    async (_, env, route) => {
      const customer = customerOf();
      let cleanup: ReturnType<typeof mock.holdNext> | undefined;
      mock.failNext(route, {
        status: 500,
        when: 'after',
        // Twilio made the chat; before the laptop hears, hold its clean-up's list.
        then: () => {
          cleanup = mock.holdNext('participantConversations.list');
        },
      });
      const laptop = begin(env, { question: 'From the laptop' }, customer).catch((e: unknown) => e);
      await until(() => cleanup !== undefined);
      await (cleanup as NonNullable<typeof cleanup>).reached;
      const phone = await begin(env, { question: 'From the phone' }, customer);
      expect(phone.resumed).toBe(true); // joined the laptop's half-failed chat
      (cleanup as NonNullable<typeof cleanup>).release();
      expect(await laptop).toEqual({ ...phone, resumed: false });
      const deleted =
        mock.requests('conversations.delete').length + mock.requests('flexChannels.delete').length;
      expect({ deleted, phoneChatExists: conversations(mock).has(phone.conversationSid) }).toEqual({
        deleted: 0,
        phoneChatExists: true,
      });
    },
  );
});

describe('Sync failing the phone’s claim while the laptop’s webhook is landing', () => {
  it.each([
    ['studio, 429', TEST_ENV, { status: 429, code: 54009 }],
    ['webhook, 503', WEBHOOK_ENV, { status: 503 }],
  ])(
    '%s: the phone’s question is posted only after the webhook exists',
    async (_, env, failure) => {
      const customer = customerOf();
      const hold = mock.holdNext('webhooks.create');
      const laptop = begin(env, {}, customer);
      await hold.reached;
      await until(() => hasDoc(pointerKey(customer.identity)));
      mock.failNext('sync.documents.create', failure); // the phone's claim
      const phone = begin(
        env,
        {
          question: 'From the phone',
          sleep: async () => {
            hold.release();
            await laptop;
          },
        },
        customer,
      );
      await Promise.all([laptop, phone]);
      // It read the hand-off (no webhook yet), waited, and posted after the webhook.
      expect(mock.requests('webhooks.list').length).toBeGreaterThanOrEqual(1);
      const webhook = mock.requests('webhooks.create')[0];
      const post = mock.requests('messages.create')[0];
      expect(post?.startedAt).toBeGreaterThanOrEqual(webhook?.endedAt ?? Infinity);
    },
  );
});

describe('a start Sync let go on unclaimed, and a second device that holds the claim', () => {
  it('studio: the laptop’s claim failed (Sync 503), the phone’s succeeds: the laptop keeps its chat', async () => {
    const customer = customerOf();
    mock.failNext('sync.documents.create', { status: 503 }); // the laptop's claim
    const hold = mock.holdNext('webhooks.create');
    const laptop = begin(TEST_ENV, { question: 'From the laptop' }, customer).catch(
      (e: unknown) => e,
    );
    await hold.reached;
    // The phone finds the laptop's young chat without its webhook: it waits
    // (503 chat_starting here, where waits are instant; the widget retries).
    const phone = await begin(TEST_ENV, { question: 'From the phone' }, customer).then(
      (c) => c.resumed,
      (e: unknown) => String(e),
    );
    hold.release();
    const laptopResult = await laptop;
    expect({
      deleted: mock.requests('conversations.delete').length,
      laptopFailed: laptopResult instanceof Error,
      chats: conversations(mock).size,
      phone,
    }).toEqual({
      deleted: 0,
      laptopFailed: false,
      chats: 1,
      phone: expect.stringContaining('ChatStartingError'),
    });
  });
});

describe('a conversation this mode did not make', () => {
  it('studio: an old active conversation made by a Chat Address (before HANDOFF_MODE changed), no message yet, is left alone, and a chat made beside it', async () => {
    const customer = customerOf();
    const { sid } = seedChat(mock, customer.identity, { createdMsAgo: 60_000 });
    const chat = await begin(TEST_ENV, { question: 'Hi' }, customer);
    expect(chat.resumed).toBe(false);
    expect(conversations(mock).has(sid)).toBe(true);
    expect(conversations(mock).size).toBe(2);
  });
});

const settle = <T>(p: Promise<T>) =>
  p.then(
    (ok) => ({ ok }),
    (error: unknown) => ({ error: String(error) }),
  );
const later = () => Date.now() + 60_000;

describe('a start without a question whose webhook fails, and whose clean-up fails too', () => {
  it.each([
    ['studio', TEST_ENV],
    ['webhook', WEBHOOK_ENV],
  ])(
    '%s: takes back the pointer it wrote beside the webhook; the next start removes that chat once no start can be making it',
    async (_, env) => {
      const customer = customerOf();
      mock.failNext('webhooks.create', { status: 500 });
      mock.failNext('conversations.delete', { status: 500 }); // Twilio is having a bad minute
      expect(await settle(begin(env, {}, customer))).toEqual({ error: expect.any(String) });
      const dead = [...conversations(mock).keys()][0] as string;
      expect(hasDoc(pointerKey(customer.identity))).toBe(false);
      expect(hasDoc(claimKey(customer.identity))).toBe(false);
      // Its retry at once: the chat (no webhook, no message) is young, so waited for.
      expect(await settle(begin(env, { question: 'Hello?' }, customer))).toEqual({
        error: expect.stringContaining('ChatStartingError'),
      });
      expect(mock.requests('messages.create')).toEqual([]);
      // Later: removed, and the question goes into a chat that reaches Flex.
      const next = await begin(env, { question: 'Hello?', now: later }, customer);
      expect(next.conversationSid).not.toBe(dead);
      expect(conversations(mock).has(dead)).toBe(false);
      expect(conversations(mock).get(next.conversationSid)?.webhooks).toHaveLength(1);
    },
  );
});

describe('a failed start’s pointer, slow to land', () => {
  it('studio: is taken back only after its write landed, so it never outlives the failed chat', async () => {
    const customer = customerOf();
    const claimHold = mock.holdNext('sync.documents.create'); // round 1: the claim
    const pointerHold = mock.holdNext('sync.documents.create'); // beside the webhook: the pointer
    mock.failNext('webhooks.create', { status: 500 });
    mock.failNext('conversations.delete', { status: 500 }); // the clean-up fails too
    const first = settle(begin(TEST_ENV, {}, customer));
    await claimHold.reached;
    claimHold.release();
    await pointerHold.reached; // the pointer write is on its way; the webhook fails meanwhile
    while (mock.requests('webhooks.create').length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    pointerHold.release(); // it lands only now, after the webhook's failure
    // (Before the fix, the clean-up and the pointer's take-back ran here,
    // before this write landed, which then pointed at the failed chat.)
    expect(await first).toEqual({ error: expect.any(String) });
    expect(hasDoc(pointerKey(customer.identity))).toBe(false);
    const dead = [...conversations(mock).keys()][0] as string;
    // The retry, later: the chat without a hand-off is removed, the question reaches Flex.
    const next = await begin(TEST_ENV, { question: 'Hello?', now: later }, customer);
    expect(next.conversationSid).not.toBe(dead);
    expect(conversations(mock).get(next.conversationSid)?.webhooks).toHaveLength(1);
  });
});

describe('/end-chat and the creation claim', () => {
  it('deletes only the claim it saw in its first round, never one a new start made since', async () => {
    const customer = customerOf();
    const old = await begin(TEST_ENV, {}, customer); // no question: its claim is kept
    const kept = syncService(mock, 'default')?.documents.find(
      (d) => d.uniqueName === claimKey(customer.identity),
    );
    expect(kept).toBeDefined();
    const config = loadConfig(TEST_ENV as never, { domainName: SERVICE_DOMAIN }, [
      'service',
      'mode',
      'sync',
      'tokens',
    ]);
    const release = mock.holdNext('sync.documents.delete');
    const ending = endChat(mock.client(), config, customer.identity, old.conversationSid);
    await release.reached; // the chat is closed; the claim's deletion not yet landed
    // Meanwhile the kept claim is gone and a new start of the customer claimed.
    const docs = syncService(mock, 'default')?.documents ?? [];
    docs.splice(docs.indexOf(kept!), 1);
    const state = sharedState(mock.client(), configFor(TEST_ENV));
    expect(await state.claimOnce(claimKey(customer.identity), CREATION_CLAIM_TTL_SECONDS)).toBe(
      true,
    );
    release.release();
    await ending;
    expect(mock.requests('sync.documents.delete')[0]?.path.split('/').at(-1)).toBe(kept!.sid);
    expect(hasDoc(claimKey(customer.identity))).toBe(true); // the new start's, kept
  });
});

describe('after HANDOFF_MODE changed from flex-flow (end of life) to studio', () => {
  it('a task-integration chat an agent holds (no webhook, no message yet) is left alone, never removed', async () => {
    const customer = customerOf();
    const flow = account(mock).flexFlows[0]!;
    flow.integrationType = 'task';
    flow.integration = {
      workspace_sid: `WS${'a'.repeat(32)}`,
      workflow_sid: `WW${'a'.repeat(32)}`,
      channel: 'chat',
    };
    const legacy = await begin(FLEX_FLOW_ENV, {}, customer);
    expect(tasks(mock)).toHaveLength(1);
    await begin(TEST_ENV, { question: 'Still there?', now: later }, customer);
    expect(conversations(mock).has(legacy.conversationSid)).toBe(true);
    expect(mock.requests('conversations.delete')).toEqual([]);
  });

  it('a channel the customer ended (INACTIVE, for Flex UI 1.x) is not resumed: a new chat is made', async () => {
    const customer = customerOf();
    const legacy = await begin(FLEX_FLOW_ENV, { question: 'Old question' }, customer);
    const config = loadConfig(FLEX_FLOW_ENV as never, { domainName: SERVICE_DOMAIN }, [
      'service',
      'mode',
      'sync',
      'tokens',
    ]);
    await endChat(mock.client(), config, customer.identity, legacy.conversationSid);
    const next = await begin(TEST_ENV, { question: 'New question' }, customer);
    expect(next.resumed).toBe(false);
    expect(next.conversationSid).not.toBe(legacy.conversationSid);
  });
});

describe('Sync out, two devices creating at once, one create answered 500 after Twilio made it', () => {
  it.each([
    ['address', ADDRESS_ENV, 'webchats.create'],
    ['flex-flow', FLEX_FLOW_ENV, 'flexChannels.create'],
  ] as const)(
    '%s: the phone’s chat is never deleted (two chats at worst)',
    async (_, env, route) => {
      const customer = customerOf();
      mock.failNext('sync.documents.create', { status: 503 }); // the laptop's claim
      const hold = mock.holdNext(route);
      const laptop = settle(begin(env, { question: 'From the laptop' }, customer));
      await hold.reached;
      mock.failNext('sync.documents.create', { status: 503 }); // the phone's claim
      const phone = await begin(env, { question: 'From the phone' }, customer);
      mock.failNext(route, { status: 500, when: 'after' });
      hold.release();
      await laptop;
      expect(conversations(mock).has(phone.conversationSid)).toBe(true);
      expect([
        ...mock.requests('conversations.delete'),
        ...mock.requests('flexChannels.delete'),
      ]).toEqual([]);
    },
  );
});
