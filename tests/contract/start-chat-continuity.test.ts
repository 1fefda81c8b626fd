/**
 * POST /start-chat for a signed-in customer on several devices, end to end:
 * the handler, the guard, continuity (src/customer/continuity.ts), the modes
 * and /interaction, through the real `twilio` library and the spec-validating
 * fake. Each "device" solves its own challenge and sends its own customer
 * token for the same `sub`.
 */
import { handler as endChatHandler } from '../../functions/end-chat';
import { handler as interaction } from '../../functions/interaction.protected';
import { handler as previousChatHandler } from '../../functions/previous-chat';
import { handler as refreshToken } from '../../functions/refresh-token';
import { handler as startChat } from '../../functions/start-chat';
import { assertChatOpen } from '../../src/chat-open';
import { loadConfig } from '../../src/config';
import { claimKey } from '../../src/customer/continuity-sync';
import { endChat } from '../../src/end-chat';
import { sharedState } from '../../src/guard/shared-state';
import { customerIdentity } from '../../src/identity';
import { SERVICE_DOMAIN, TEST_ENV } from '../../dev/twilio-fake/env';
import { withProof } from '../../dev/challenge';
import { CUSTOMER_ENV, mintCustomerToken } from '../../dev/customer-token';
import { invoke } from '../../dev/invoke';
import {
  conversations,
  interactions,
  syncService,
  tasks,
  type MockConversation,
} from '../../dev/twilio-fake/apis';
import {
  ADDRESS_ENV,
  FLEX_FLOW_ENV,
  seedChatAddress,
  seedFlexFlow,
} from '../../dev/twilio-fake/modes';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import {
  WEBHOOK_ENV,
  messageAddedParams,
  scopedWebhookSid,
  signedDelivery,
} from '../../dev/twilio-fake/webhooks';
import { captureLogsPerTest } from '../support/logs';
import { verifyTestToken } from '../support/tokens';

const mock = TwilioMock.perTest((m) => {
  seedChatAddress(m);
  seedFlexFlow(m);
});
captureLogsPerTest();

type Env = Record<string, string | undefined>;
const MODES: [string, Env][] = [
  ['studio', { ...TEST_ENV, ...CUSTOMER_ENV }],
  ['webhook', { ...WEBHOOK_ENV, ...CUSTOMER_ENV }],
  ['address', { ...ADDRESS_ENV, ...CUSTOMER_ENV }],
  ['flex-flow', { ...FLEX_FLOW_ENV, ...CUSTOMER_ENV }],
];
const STUDIO = MODES[0]?.[1] as Env;

interface Started {
  conversationSid: string;
  identity: string;
  token: string;
  resumed: boolean;
}
type ErrorBody = { error: { code: string } };

/** One device's start: its own proof, its own customer token for `sub`. */
async function device(env: Env, body: Record<string, unknown> = {}, sub = 'cus_42') {
  const customerToken = await mintCustomerToken({ sub, name: 'Ana' });
  const proven = await withProof({ friendlyName: 'Ana', customerToken, ...body }, { env });
  return { body: proven, send: () => invoke(startChat, { mock, env: env, body: proven }) };
}

async function startOn(env: Env, body: Record<string, unknown> = {}, sub?: string) {
  const res = await (await device(env, body, sub)).send();
  expect(res.status).toBe(200);
  return res.body as Started;
}

function only(): MockConversation {
  const all = [...conversations(mock).values()];
  expect(all).toHaveLength(1);
  return all[0] as MockConversation;
}

const CREATES = ['conversations.create', 'webchats.create', 'flexChannels.create'];

describe.each(MODES)('POST /start-chat, one customer on two devices: HANDOFF_MODE=%s', (_, env) => {
  it('the second device joins the first one’s chat: one conversation, one webhook, both questions', async () => {
    const laptop = await startOn(env, { question: 'Where is my order?' });
    expect(laptop.resumed).toBe(false);
    expect(laptop.identity).toMatch(/^cust_[0-9a-f]{32}$/);
    const webhooksBefore = only().webhooks.length;
    const before = mock.requests().length;
    mock.latencyMs = 15;

    const phone = await startOn(env, { question: 'It was order #123' });

    expect(phone).toMatchObject({
      conversationSid: laptop.conversationSid,
      identity: laptop.identity,
      resumed: true,
    });
    expect(verifyTestToken(phone.token).payload.grants.identity).toBe(laptop.identity);
    const made = mock.requests().slice(before);
    // Round 1: the list, the claim (made for nothing: nobody is starting) and
    // the pointer; round 2: the question, beside the claim given back.
    expect(made.map((r) => r.name).sort()).toEqual([
      'messages.create',
      'participantConversations.list',
      'sync.documents.create',
      'sync.documents.delete',
      'sync.documents.fetch',
    ]);
    expect(mock.sequentialRoundTrips(made)).toBe(2);
    const conversation = only();
    expect(conversation.webhooks).toHaveLength(webhooksBefore);
    expect(conversation.participants.map((p) => p.identity)).toEqual([laptop.identity]);
    expect(conversation.messages.map((m) => [m.author, m.body])).toEqual([
      [laptop.identity, 'Where is my order?'],
      [laptop.identity, 'It was order #123'],
    ]);
    expect(mock.requests().filter((r) => CREATES.includes(r.name))).toHaveLength(1);
  });

  it('two devices at once: one conversation, one create, both questions', async () => {
    const [a, b] = await Promise.all([
      device(env, { question: 'From the laptop' }),
      device(env, { question: 'From the phone' }),
    ]);
    const [ra, rb] = await Promise.all([a.send(), b.send()]);
    expect([ra.status, rb.status]).toEqual([200, 200]);
    const [sa, sb] = [ra.body as Started, rb.body as Started];
    expect(sa.conversationSid).toBe(sb.conversationSid);
    expect([sa.resumed, sb.resumed].sort()).toEqual([false, true]);
    expect(
      only()
        .messages.map((m) => m.body)
        .sort(),
    ).toEqual(['From the laptop', 'From the phone']);
    expect(mock.requests().filter((r) => CREATES.includes(r.name))).toHaveLength(1);
  });

  it('another customer gets a chat of their own', async () => {
    const ana = await startOn(env, {}, 'cus_42');
    const bob = await startOn(env, {}, 'cus_43');
    expect(bob.resumed).toBe(false);
    expect(bob.conversationSid).not.toBe(ana.conversationSid);
    expect(bob.identity).not.toBe(ana.identity);
  });
});

describe('POST /start-chat continuity: the guard', () => {
  it('a resume spends no budget: MAX_CHATS_PER_MINUTE=1 lets the second device in', async () => {
    const env = { ...STUDIO, MAX_CHATS_PER_MINUTE: '1' };
    const first = await startOn(env, { question: 'One' });
    const second = await startOn(env, { question: 'Two' });
    expect(second).toMatchObject({ conversationSid: first.conversationSid, resumed: true });
    // Another customer is still refused: the budget's one place went to the first chat.
    const other = await (await device(env, {}, 'cus_43')).send();
    expect(other.status).toBe(429);
  });

  it('still needs the challenge to resume', async () => {
    await startOn(STUDIO);
    const customerToken = await mintCustomerToken({ sub: 'cus_42' });
    const before = mock.requests().length;
    const res = await invoke(startChat, { mock, env: STUDIO, body: { customerToken } });
    expect(res.status).toBe(403);
    expect((res.body as ErrorBody).error.code).toBe('challenge_required');
    expect(mock.requests().length).toBe(before);
  });

  it('address mode: 503 chat_starting releases the challenge claim, so the retry with the same proof joins', async () => {
    const env = { ...ADDRESS_ENV, ...CUSTOMER_ENV };
    const config = loadConfig(env, { domainName: SERVICE_DOMAIN }, ['sync', 'tokens']);
    const first = await device(env, { question: 'Hello' });
    await startOn(env, {}, 'cus_other');
    // Another device of cus_42 holds the creation claim and has not created yet.
    const key = claimKey(
      customerIdentity(config.apiSecret, CUSTOMER_ENV.CUSTOMER_TOKEN_ISSUER, 'cus_42'),
    );
    await sharedState(mock.client(), config).claimOnce(key, 30);
    const refused = await first.send();
    expect(refused.status).toBe(503);
    expect((refused.body as ErrorBody).error.code).toBe('chat_starting');
    expect(refused.headers['retry-after'] ?? refused.headers['Retry-After']).toBe('2');
    expect(conversations(mock).size).toBe(1); // cus_other's only

    await sharedState(mock.client(), config).release(key); // that device gave up
    const retried = await first.send();
    expect(retried.status).toBe(200);
    expect((retried.body as Started).resumed).toBe(false);
  }, 15_000);

  it('a lookup Twilio fails is a 502 that leaves nothing: the claim made beside it is given back', async () => {
    mock.failNext('participantConversations.list', { status: 500 });
    const res = await (await device(STUDIO)).send();
    expect(res.status).toBe(502);
    expect(mock.writes().map((r) => r.name)).toEqual([
      'sync.documents.create',
      'sync.documents.delete',
    ]);
    expect(syncService(mock, 'default')?.documents).toEqual([]);
    expect(conversations(mock).size).toBe(0);
  });
});

describe('POST /start-chat continuity: ending', () => {
  it.each(MODES)(
    '%s: ending on one device ends it for both; the next start makes a new chat',
    async (_, env) => {
      const laptop = await startOn(env, { question: 'One' });
      const phone = await startOn(env, { question: 'Two' });
      expect(phone.resumed).toBe(true);
      const config = loadConfig(env as never, { domainName: SERVICE_DOMAIN }, [
        'service',
        'mode',
        'sync',
        'tokens',
      ]);
      const ended = await endChat(mock.client(), config, phone.identity, phone.conversationSid);
      expect(ended).toMatchObject({ ended: true, alreadyEnded: false });
      // The laptop's renewal check: its chat (the same one) has ended.
      await expect(assertChatOpen(mock.client(), config, laptop.identity)).rejects.toMatchObject({
        status: 403,
        code: 'chat_ended',
      });
      const next = await startOn(env, { question: 'Three' });
      expect(next.resumed).toBe(false);
      expect(next.conversationSid).not.toBe(laptop.conversationSid);
    },
  );
});

describe('POST /start-chat continuity: a resume without a question', () => {
  it.each(MODES)(
    '%s: keeps its claim (one round trip); the customer’s /end-chat frees it beside the close, so the next chat starts at once',
    async (_, env) => {
      await startOn(env, { question: 'One' });
      const phone = await startOn(env); // opened on the phone: no question
      expect(phone.resumed).toBe(true);
      const identity = customerIdentity(
        TEST_ENV.API_SECRET,
        CUSTOMER_ENV.CUSTOMER_TOKEN_ISSUER,
        'cus_42',
      );
      const documents = () => syncService(mock, 'default')?.documents.map((d) => d.uniqueName);
      expect(documents()).toContain(claimKey(identity));

      const ended = await invoke(endChatHandler, {
        mock,
        env,
        body: { token: phone.token, conversationSid: phone.conversationSid },
      });
      expect(ended.status).toBe(200);
      expect(documents()).not.toContain(claimKey(identity));
      const next = await startOn(env, { question: 'Two' });
      expect(next.resumed).toBe(false);
      expect(mock.requests('sync.documents.create').filter((r) => r.status === 409)).toEqual([]);
    },
  );
});

describe('continuity end to end: /end-chat, /refresh-token, /previous-chat', () => {
  it.each(MODES)(
    '%s: ending on one device ends it on the other (its renewal is chat_ended); the next chat shows it as the previous one',
    async (_, env) => {
      const withPrevious = { ...env, SHOW_PREVIOUS_CHAT: 'true' } as never;
      const laptop = await startOn(env, { question: 'Where is my order?' });
      const phone = await startOn(env, { question: 'Order #123' });
      expect(phone.resumed).toBe(true);

      const ended = await invoke(endChatHandler, {
        mock,
        env: env,
        body: { token: phone.token, conversationSid: phone.conversationSid },
      });
      expect(ended.status).toBe(200);
      const renewed = await invoke(refreshToken, {
        mock,
        env: env,
        body: { token: laptop.token, customerToken: await mintCustomerToken({ sub: 'cus_42' }) },
      });
      expect(renewed.status).toBe(403);
      expect((renewed.body as ErrorBody).error.code).toBe('chat_ended');

      const next = await startOn(env, { question: 'Another question' });
      expect(next.resumed).toBe(false);
      const before = mock.requests().length;
      const shown = await invoke(previousChatHandler, {
        mock,
        env: withPrevious,
        body: { token: next.token },
      });
      expect(shown.status).toBe(200);
      expect(shown.body).toEqual({
        previousChat: {
          endedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          messages: [
            { from: 'customer', body: 'Where is my order?', dateCreated: expect.any(String) },
            { from: 'customer', body: 'Order #123', dateCreated: expect.any(String) },
          ],
        },
      });
      expect(
        mock
          .requests()
          .slice(before)
          .map((r) => r.name),
      ).toEqual(['participantConversations.list', 'messages.list']);
    },
  );
});

describe('POST /start-chat continuity, HANDOFF_MODE=webhook: one Interaction, one task', () => {
  it('both devices’ questions reach the one chat; /interaction hands off once', async () => {
    const env = { ...WEBHOOK_ENV, ...CUSTOMER_ENV };
    const laptop = await startOn(env, { question: 'From the laptop' });
    const webhookSid = scopedWebhookSid(mock, laptop.conversationSid);
    const deliver = (body: string, index: number) =>
      invoke(interaction, {
        mock,
        env: WEBHOOK_ENV,
        ...signedDelivery(
          messageAddedParams({
            conversationSid: laptop.conversationSid,
            author: laptop.identity,
            body,
            index,
            ...(webhookSid !== undefined && { webhookSid }),
          }),
        ),
      });
    expect((await deliver('From the laptop', 0)).body).toMatchObject({ outcome: 'handed_off' });
    const phone = await startOn(env, { question: 'From the phone' });
    expect(phone.resumed).toBe(true);
    expect((await deliver('From the phone', 1)).body).toMatchObject({ outcome: 'ignored' });
    expect(interactions(mock)).toHaveLength(1);
    expect(tasks(mock)).toHaveLength(1);
    expect(mock.requests('webhooks.create')).toHaveLength(1);
  });
});
