/**
 * HANDOFF_MODE=webhook: /start-chat registers our webhook, and /interaction
 * turns the customer's first message into exactly one Flex Interaction,
 * whatever Twilio does: duplicates, retries, concurrency, failures.
 */
import { handler as interaction } from '../../functions/interaction.protected';
import { handler as startChat } from '../../functions/start-chat';
import { loadConfig } from '../../src/config';
import {
  ANSWER_WITHIN_MS,
  CREATE_DEADLINE_MS,
  RECORD_MAX_TIMEOUT_MS,
  RECORD_MIN_TIMEOUT_MS,
  handOffToFlex,
  parseMessageAddedEvent,
  recordTimeoutMs,
} from '../../src/interaction';
import { SERVICE_DOMAIN, TEST_ENV } from '../../dev/twilio-fake/env';
import { proven } from '../../dev/challenge';
import { invoke, type InvokeOptions, type InvokeResult } from '../../dev/invoke';
import { captureLogsPerTest } from '../support/logs';
import { conversations, interactions, type MockConversation } from '../../dev/twilio-fake/apis';
import type { WebhookListInstanceCreateOptions } from 'twilio/lib/rest/conversations/v1/service/conversation/webhook';
import { TwilioMock, type RecordedRequest } from '../../dev/twilio-fake/twilio-mock';
import {
  INTERACTION_URL,
  WEBHOOK_ENV,
  messageAddedParams,
  signedDelivery,
  type MessageAdded,
} from '../../dev/twilio-fake/webhooks';
import { sealed } from '../support/seal';

const mock = TwilioMock.perTest();
const logs = captureLogsPerTest();

type Outcome = { outcome: string; reason?: string; interactionSid?: string; recorded?: boolean };
type ErrorBody = { error: { code: string; fields?: { field: string }[] } };

interface Chat {
  conversationSid: string;
  identity: string;
  /** The webhook /start-chat registered: the one Twilio's deliveries name. */
  webhookSid: string;
}

/** A run on this machine (`npm start`), reached by Twilio through a tunnel. */
const LOCAL_RUN = { domainName: 'localhost:3000', headers: { origin: 'http://localhost:3000' } };

async function startWebhookChat(
  body: object = {},
  env: object = WEBHOOK_ENV,
  options: InvokeOptions = {},
): Promise<Chat> {
  const res = await invoke(
    startChat,
    await proven({ mock, env: env as Record<string, string>, body, ...options }),
  );
  expect(res.status).toBe(200);
  const { conversationSid, identity } = res.body as Chat;
  const webhookSid = conversation(conversationSid).webhooks[0]?.sid ?? '';
  registered.set(conversationSid, webhookSid);
  return { conversationSid, identity, webhookSid };
}

/** Each chat's webhook as /start-chat registered it (the one its first deliveries name). */
const registered = new Map<string, string>();

/**
 * A signed delivery as Twilio sends it: naming the webhook the chat started
 * with, unless the message says which (`webhookSid: undefined`: none).
 */
function deliver(message: MessageAdded, options: Parameters<typeof signedDelivery>[1] = {}) {
  const webhookSid = registered.get(message.conversationSid);
  const sent = 'webhookSid' in message ? message : { ...message, webhookSid };
  return invoke(interaction, {
    mock,
    env: WEBHOOK_ENV,
    ...signedDelivery(messageAddedParams(sent), options),
  });
}

/** A delivery that names no webhook (`WebhookSid` absent). */
const deliverUnnamed = (message: MessageAdded) => deliver({ ...message, webhookSid: undefined });

function conversation(sid: string): MockConversation {
  const c = conversations(mock).get(sid);
  if (!c) throw new Error(`no conversation ${sid}`);
  return c;
}

/**
 * Request names round trip by round trip (from the mock's timestamps, so set
 * a latency), each round's sorted: concurrent requests reach the mock in
 * either order.
 */
function byRound(made: RecordedRequest[]): string[][] {
  const rounds: string[][] = [];
  for (const r of made) {
    const depth = mock.sequentialRoundTrips(made.filter((x) => x.endedAt <= r.startedAt));
    (rounds[depth] ??= []).push(r.name);
  }
  return rounds.map((names) => names.sort());
}

const webhookPath = (conversationSid: string, webhookSid: string) =>
  `/v1/Services/${TEST_ENV.CONVERSATIONS_SERVICE_SID}/Conversations/${conversationSid}/Webhooks/${webhookSid}`;

/** The paths of the webhook deletes among these requests (all so far by default). */
const deletes = (made = mock.requests()) =>
  made.filter((r) => r.name === 'webhooks.delete').map((r) => r.path);

const ourWebhooks = (sid: string) =>
  conversation(sid).webhooks.filter((w) => w.target === 'webhook' && w.url === INTERACTION_URL);

describe('/start-chat in webhook mode', () => {
  it("registers a scoped webhook to this service's /interaction", async () => {
    const chat = await startWebhookChat({ friendlyName: 'Ana' });
    const [request] = mock.requests('webhooks.create');
    expect(request?.form).toEqual({
      Target: ['webhook'],
      'Configuration.Url': [INTERACTION_URL],
      'Configuration.Method': ['post'],
      'Configuration.Filters': ['onMessageAdded'],
    });
    expect(ourWebhooks(chat.conversationSid)).toHaveLength(1);
  });

  it('uses PUBLIC_BASE_URL when set (a tunnel to a local run)', async () => {
    await startWebhookChat(
      {},
      { ...WEBHOOK_ENV, PUBLIC_BASE_URL: 'https://abc123.ngrok.app/' },
      LOCAL_RUN,
    );
    expect(mock.requests('webhooks.create')[0]?.form['Configuration.Url']).toEqual([
      'https://abc123.ngrok.app/interaction',
    ]);
  });

  it('asks for PUBLIC_BASE_URL when running locally without one', async () => {
    const res = await invoke(startChat, {
      mock,
      env: WEBHOOK_ENV,
      domainName: 'localhost:3000',
      headers: { origin: 'http://localhost:3000' },
      body: {},
    });
    expect(res.status).toBe(503);
    expect((res.body as ErrorBody).error.fields?.map((f) => f.field)).toEqual(['PUBLIC_BASE_URL']);
    expect(mock.requests()).toHaveLength(0);
  });

  it('names missing TaskRouter SIDs', async () => {
    const res = await invoke(startChat, {
      mock,
      env: { ...TEST_ENV, HANDOFF_MODE: 'webhook', TASKROUTER_WORKFLOW_SID: 'WS' + '6'.repeat(32) },
      body: {},
    });
    expect(res.status).toBe(503);
    expect(res.text).toMatch(/TASKROUTER_WORKSPACE_SID/);
    expect(res.text).toMatch(/TaskRouter Workflow SID.*but this is a TaskRouter Workspace SID/);
  });
});

describe('POST /interaction: the hand-off', () => {
  it("creates one Interaction with the customer's name and data: 3 round trips, 4 requests", async () => {
    const fresh = await startWebhookChat({
      friendlyName: 'Ana López',
      preEngagement: { email: 'ana@example.com', plan: 'gold' },
    });
    const before = mock.requests().length;
    mock.latencyMs = 60; // wide enough that concurrent requests always overlap

    const res = await deliver({ conversationSid: fresh.conversationSid, author: fresh.identity });
    expect(res.status).toBe(200);
    const outcome = res.body as Outcome;
    expect(outcome).toEqual({
      outcome: 'handed_off',
      interactionSid: expect.stringMatching(/^KD/),
      recorded: true,
    });

    // Round 1: the read beside the claim, which deletes the webhook the delivery names.
    const made = mock.requests().slice(before);
    expect(byRound(made)).toEqual([
      ['conversations.fetch', 'webhooks.delete'],
      ['interactions.create'],
      ['conversations.update'],
    ]);
    expect(deletes(made)).toEqual([webhookPath(fresh.conversationSid, fresh.webhookSid)]);

    const [create] = mock.requests('interactions.create');
    expect(create?.path).toBe('/v1/Interactions');
    expect(Object.keys(create?.form ?? {}).sort()).toEqual(['Channel', 'Routing']);
    expect(JSON.parse(create?.form.Channel?.[0] ?? '')).toEqual({
      type: 'web',
      initiated_by: 'customer',
      properties: { media_channel_sid: fresh.conversationSid },
    });
    const routing = JSON.parse(create?.form.Routing?.[0] ?? '') as {
      properties: { attributes: unknown };
    };
    expect(routing).toEqual({
      properties: {
        workspace_sid: WEBHOOK_ENV.TASKROUTER_WORKSPACE_SID,
        workflow_sid: WEBHOOK_ENV.TASKROUTER_WORKFLOW_SID,
        task_channel_unique_name: 'chat',
        attributes: {
          from: 'Ana López',
          customerName: 'Ana López',
          channelType: 'web',
          conversationSid: fresh.conversationSid,
          pre_engagement_data: { email: 'ana@example.com', plan: 'gold' },
        },
      },
    });
    // An object, not a JSON string inside the JSON.
    expect(typeof routing.properties.attributes).toBe('object');

    const [update] = mock.requests('conversations.update');
    expect(update?.headers['x-twilio-webhook-enabled']).toBe('false');
    expect(JSON.parse(conversation(fresh.conversationSid).attributes)).toEqual({
      from: 'Ana López',
      channel_type: 'web',
      pre_engagement_data: { email: 'ana@example.com', plan: 'gold' },
      interactionSid: outcome.interactionSid,
      interactionChannelSid: expect.stringMatching(/^UO/),
      webchat_seal: sealed('ana@example.com'),
    });
    expect(ourWebhooks(fresh.conversationSid)).toHaveLength(0);
    expect(interactions(mock)).toHaveLength(1);
  });

  it('claims by list when the delivery names no webhook: 4 round trips, 5 requests', async () => {
    const chat = await startWebhookChat();
    const before = mock.requests().length;
    mock.latencyMs = 60;

    const res = await deliverUnnamed({
      conversationSid: chat.conversationSid,
      author: chat.identity,
    });
    expect(res.body).toMatchObject({ outcome: 'handed_off', recorded: true });
    const made = mock.requests().slice(before);
    expect(byRound(made)).toEqual([
      ['conversations.fetch', 'webhooks.list'],
      ['webhooks.delete'],
      ['interactions.create'],
      ['conversations.update'],
    ]);
    expect(deletes(made)).toEqual([webhookPath(chat.conversationSid, chat.webhookSid)]);
    expect(ourWebhooks(chat.conversationSid)).toHaveLength(0);
    expect(interactions(mock)).toHaveLength(1);
  });

  it('uses TASK_CHANNEL', async () => {
    const env = { ...WEBHOOK_ENV, TASK_CHANNEL: 'web-chat' };
    const chat = await startWebhookChat({}, env);
    const res = await invoke(interaction, {
      mock,
      env,
      ...signedDelivery(
        messageAddedParams({ conversationSid: chat.conversationSid, author: chat.identity }),
      ),
    });
    expect(res.status).toBe(200);
    const routing = JSON.parse(
      mock.requests('interactions.create')[0]?.form.Routing?.[0] ?? '',
    ) as {
      properties: { task_channel_unique_name: string; attributes: { from: string } };
    };
    expect(routing.properties.task_channel_unique_name).toBe('web-chat');
    expect(routing.properties.attributes.from).toBe('Customer');
  });

  it('ignores later messages once handed off, changing nothing: 1 round trip', async () => {
    const chat = await startWebhookChat();
    await deliver({ conversationSid: chat.conversationSid, author: chat.identity });
    const attributes = conversation(chat.conversationSid).attributes;
    const before = mock.requests().length;
    mock.latencyMs = 20;
    const again = await deliver({
      conversationSid: chat.conversationSid,
      author: chat.identity,
      index: 1,
    });
    expect(again.body).toEqual({ outcome: 'ignored', reason: 'already_handed_off' });
    // The read, and the delete of the webhook the delivery names, long gone (404).
    const made = mock.requests().slice(before);
    expect(byRound(made)).toEqual([['conversations.fetch', 'webhooks.delete']]);
    expect(conversation(chat.conversationSid).attributes).toBe(attributes);
    expect(interactions(mock)).toHaveLength(1);
  });

  it('ignores later messages once handed off, reading only, when they name no webhook', async () => {
    const chat = await startWebhookChat();
    await deliver({ conversationSid: chat.conversationSid, author: chat.identity });
    const before = mock.requests().length;
    const again = await deliverUnnamed({
      conversationSid: chat.conversationSid,
      author: chat.identity,
      index: 1,
    });
    expect(again.body).toEqual({ outcome: 'ignored', reason: 'already_handed_off' });
    expect(
      mock
        .requests()
        .slice(before)
        .map((r) => r.name)
        .sort(),
    ).toEqual(['conversations.fetch', 'webhooks.list']);
    expect(interactions(mock)).toHaveLength(1);
  });
});

describe("POST /interaction: only the customer's messages count", () => {
  it.each(['agent.smith@company.example', 'system', '', 'web_'])(
    'ignores a message by %j without calling Twilio',
    async (author) => {
      const chat = await startWebhookChat();
      const before = mock.requests().length;
      const res = await deliver({ conversationSid: chat.conversationSid, author });
      expect(res.body).toEqual({ outcome: 'ignored', reason: 'not_customer' });
      expect(mock.requests().length).toBe(before);
      expect(ourWebhooks(chat.conversationSid)).toHaveLength(1);
      expect(interactions(mock)).toHaveLength(0);
    },
  );

  it("ignores a customer-shaped author who is not this conversation's customer", async () => {
    const chat = await startWebhookChat();
    const other = await startWebhookChat();
    const res = await deliver({ conversationSid: chat.conversationSid, author: other.identity });
    expect(res.body).toEqual({ outcome: 'ignored', reason: 'not_customer' });
    expect(ourWebhooks(chat.conversationSid)).toHaveLength(1);
    expect(interactions(mock)).toHaveLength(0);
  });

  it('ignores other event types without calling Twilio', async () => {
    const chat = await startWebhookChat();
    const params = {
      ...messageAddedParams({ conversationSid: chat.conversationSid, author: chat.identity }),
      EventType: 'onConversationUpdated',
    };
    const before = mock.requests().length;
    const res = await invoke(interaction, { mock, env: WEBHOOK_ENV, ...signedDelivery(params) });
    expect(res.body).toEqual({ outcome: 'ignored', reason: 'not_message_added' });
    expect(mock.requests().length).toBe(before);
  });

  it('answers 200 to another event type even when it has no conversation', async () => {
    const res = await invoke(interaction, {
      mock,
      env: WEBHOOK_ENV,
      ...signedDelivery({ EventType: 'onParticipantAdded', ChatServiceSid: 'IS' + '0'.repeat(32) }),
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ outcome: 'ignored', reason: 'not_message_added' });
    expect(mock.requests()).toHaveLength(0);
  });

  it('ignores a conversation that no longer exists', async () => {
    const chat = await startWebhookChat();
    conversations(mock).clear();
    const res = await deliver({ conversationSid: chat.conversationSid, author: chat.identity });
    expect(res.body).toEqual({ outcome: 'ignored', reason: 'conversation_gone' });
  });
});

describe('POST /interaction: signatures (403, no Twilio call)', () => {
  let chat: Chat;
  let params: Record<string, string>;
  beforeEach(async () => {
    chat = await startWebhookChat();
    params = messageAddedParams({ conversationSid: chat.conversationSid, author: chat.identity });
  });

  function expectRefused(res: InvokeResult, before: number) {
    expect(res.status).toBe(403);
    expect((res.body as ErrorBody).error.code).toBe('forbidden');
    expect(mock.requests().length).toBe(before);
    expect(ourWebhooks(chat.conversationSid)).toHaveLength(1);
  }

  it('refuses an unsigned delivery', async () => {
    const before = mock.requests().length;
    expectRefused(
      await invoke(interaction, {
        mock,
        env: WEBHOOK_ENV,
        ...signedDelivery(params, { signature: null }),
      }),
      before,
    );
  });

  it('refuses a forged signature (another auth token)', async () => {
    const before = mock.requests().length;
    const res = await invoke(interaction, {
      mock,
      env: WEBHOOK_ENV,
      ...signedDelivery(params, { authToken: '0'.repeat(32) }),
    });
    expectRefused(res, before);
  });

  it('refuses a signature for another URL', async () => {
    const before = mock.requests().length;
    for (const url of [
      `http://${SERVICE_DOMAIN}/interaction`,
      `https://${SERVICE_DOMAIN}/start-chat`,
      'https://evil.example/interaction',
      `${INTERACTION_URL}?x=1`,
    ]) {
      expectRefused(
        await invoke(interaction, { mock, env: WEBHOOK_ENV, ...signedDelivery(params, { url }) }),
        before,
      );
    }
  });

  it('refuses a tampered body', async () => {
    const before = mock.requests().length;
    const delivery = signedDelivery(params);
    for (const body of [
      { ...params, Author: 'web_0_' + '0'.repeat(32) },
      { ...params, Extra: 'x' },
      Object.fromEntries(Object.entries(params).filter(([k]) => k !== 'Body')),
    ]) {
      expectRefused(
        await invoke(interaction, { mock, env: WEBHOOK_ENV, ...delivery, body }),
        before,
      );
    }
  });

  it('refuses a garbage signature of the right length', async () => {
    const before = mock.requests().length;
    const res = await invoke(interaction, {
      mock,
      env: WEBHOOK_ENV,
      ...signedDelivery(params, { signature: 'A'.repeat(28) }),
    });
    expectRefused(res, before);
  });
});

describe('POST /interaction: exactly one Interaction, whatever Twilio does', () => {
  it('20 identical deliveries at once, plus 5 different customer messages at once: one Interaction', async () => {
    const chat = await startWebhookChat();
    mock.latencyMs = 10;
    const same = Array.from({ length: 20 }, () =>
      deliver({ conversationSid: chat.conversationSid, author: chat.identity, index: 0 }),
    );
    const different = Array.from({ length: 5 }, (_, i) =>
      deliver({ conversationSid: chat.conversationSid, author: chat.identity, index: i + 1 }),
    );
    const results = await Promise.all([...same, ...different]);
    expect(results.map((r) => r.status)).toEqual(Array(25).fill(200));
    const outcomes = results.map((r) => (r.body as Outcome).outcome);
    expect(outcomes.filter((o) => o === 'handed_off')).toHaveLength(1);
    expect(interactions(mock)).toHaveLength(1);
    expect(mock.requests('interactions.create')).toHaveLength(1);
    expect(ourWebhooks(chat.conversationSid)).toHaveLength(0);
  });

  it.each([
    [500, 502, 'upstream_error'],
    [400, 502, 'upstream_error'],
    [429, 503, 'upstream_rate_limited'],
  ])(
    'a failed Interaction create (%i -> %i) releases the claim; the retry hands off once',
    async (twilioStatus, status, code) => {
      const chat = await startWebhookChat();
      mock.failNext('interactions.create', { status: twilioStatus });

      const first = await deliver({ conversationSid: chat.conversationSid, author: chat.identity });
      expect(first.status).toBe(status);
      expect((first.body as ErrorBody).error.code).toBe(code);
      expect(interactions(mock)).toHaveLength(0);
      expect(ourWebhooks(chat.conversationSid)).toHaveLength(1); // released
      expect(logs.events()).toContain('claim_released');

      const retry = await deliver({
        conversationSid: chat.conversationSid,
        author: chat.identity,
        retryCount: 1,
      });
      expect(retry.status).toBe(200);
      expect((retry.body as Outcome).outcome).toBe('handed_off');
      expect(interactions(mock)).toHaveLength(1);
      expect(ourWebhooks(chat.conversationSid)).toHaveLength(0);
    },
  );

  it.each(['after', 'drop'] as const)(
    'an Interaction Twilio created although its answer was lost (%s) is found, not duplicated',
    async (when) => {
      const chat = await startWebhookChat();
      mock.failNext('interactions.create', { status: 500, when });

      const first = await deliver({ conversationSid: chat.conversationSid, author: chat.identity });
      expect(first.status).toBe(200);
      expect(first.body).toEqual({
        outcome: 'handed_off',
        interactionSid: interactions(mock)[0]?.sid,
        recorded: true,
      });
      expect(mock.requests('tasks.list')[0]?.query.EvaluateTaskAttributes).toEqual([
        `conversationSid == "${chat.conversationSid}"`,
      ]);
      expect(ourWebhooks(chat.conversationSid)).toHaveLength(0); // not released
      // Both SIDs recorded, from the task Flex made, so /end-chat can close the channel.
      const [made] = interactions(mock);
      expect(JSON.parse(conversation(chat.conversationSid).attributes)).toMatchObject({
        interactionSid: made?.sid,
        interactionChannelSid: made?.channelSid,
      });

      const retry = await deliver({
        conversationSid: chat.conversationSid,
        author: chat.identity,
        retryCount: 1,
      });
      expect((retry.body as Outcome).outcome).toBe('ignored');
      expect(interactions(mock)).toHaveLength(1);
    },
  );

  it('a 5xx that created nothing releases the claim after checking TaskRouter', async () => {
    const chat = await startWebhookChat();
    mock.failNext('interactions.create', { status: 503 });
    const first = await deliver({ conversationSid: chat.conversationSid, author: chat.identity });
    expect(first.status).toBe(502);
    expect(mock.requests('tasks.list')).toHaveLength(1);
    expect(ourWebhooks(chat.conversationSid)).toHaveLength(1);
    await deliver({ conversationSid: chat.conversationSid, author: chat.identity, retryCount: 1 });
    expect(interactions(mock)).toHaveLength(1);
  });

  it('a claim delete refused while another delivery claims: that one hands off, once', async () => {
    const chat = await startWebhookChat();
    mock.latencyMs = 10;
    mock.failNext('webhooks.delete', { status: 500 }); // the first delete; nothing is deleted
    const results = await Promise.all([
      deliver({ conversationSid: chat.conversationSid, author: chat.identity, index: 0 }),
      deliver({ conversationSid: chat.conversationSid, author: chat.identity, index: 1 }),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(results.map((r) => (r.body as Outcome).outcome).sort()).toEqual([
      'handed_off',
      'ignored',
    ]);
    expect(interactions(mock)).toHaveLength(1);
    expect(logs.events()).toContain('claim_conceded');
  });

  it('a claim delete refused by Twilio changes nothing: 502, and the retry hands off', async () => {
    const chat = await startWebhookChat();
    mock.failNext('webhooks.delete', { status: 500 });
    const first = await deliver({ conversationSid: chat.conversationSid, author: chat.identity });
    expect(first.status).toBe(502);
    expect(ourWebhooks(chat.conversationSid)).toHaveLength(1);
    expect(interactions(mock)).toHaveLength(0);
    const retry = await deliver({
      conversationSid: chat.conversationSid,
      author: chat.identity,
      retryCount: 1,
    });
    expect((retry.body as Outcome).outcome).toBe('handed_off');
    expect(interactions(mock)).toHaveLength(1);
  });

  it('a claim delete that succeeded with its answer lost still hands off, once', async () => {
    const chat = await startWebhookChat();
    mock.failNext('webhooks.delete', { status: 500, when: 'after' });
    const first = await deliver({ conversationSid: chat.conversationSid, author: chat.identity });
    expect(first.status).toBe(200);
    expect((first.body as Outcome).outcome).toBe('handed_off');
    expect(interactions(mock)).toHaveLength(1);
    const retry = await deliver({
      conversationSid: chat.conversationSid,
      author: chat.identity,
      retryCount: 1,
    });
    expect((retry.body as Outcome).outcome).toBe('ignored');
    expect(interactions(mock)).toHaveLength(1);
  });

  it('tries twice to give the claim back', async () => {
    const chat = await startWebhookChat();
    mock.failNext('interactions.create', { status: 400 });
    mock.failNext('webhooks.create', { status: 500 });
    const first = await deliver({ conversationSid: chat.conversationSid, author: chat.identity });
    expect(first.status).toBe(502);
    expect(ourWebhooks(chat.conversationSid)).toHaveLength(1);
    expect(logs.events()).toContain('claim_released');
    expect(logs.events()).not.toContain('handoff_stranded');
  });

  it('says loudly when the claim cannot be given back', async () => {
    const chat = await startWebhookChat();
    mock.failNext('interactions.create', { status: 400 });
    mock.failNext('webhooks.create', { status: 500, times: 2 });
    await deliver({ conversationSid: chat.conversationSid, author: chat.identity });
    expect(ourWebhooks(chat.conversationSid)).toHaveLength(0);
    expect(logs.events()).toContain('handoff_stranded');
  });

  it('does not start a create too late for the Function to finish it', async () => {
    const chat = await startWebhookChat();
    const config = loadConfig(WEBHOOK_ENV, { domainName: SERVICE_DOMAIN }, [
      'service',
      'interaction',
      'signing',
    ]);
    if (!config.interaction) throw new Error('webhook mode expected');
    const event = parseMessageAddedEvent(
      messageAddedParams({ conversationSid: chat.conversationSid, author: chat.identity }),
    );
    await expect(
      handOffToFlex(mock.client(), { ...config, interaction: config.interaction }, event, {
        startedAt: Date.now() - CREATE_DEADLINE_MS - 1,
      }),
    ).rejects.toMatchObject({ status: 502, code: 'upstream_error' });
    expect(interactions(mock)).toHaveLength(0);
    expect(ourWebhooks(chat.conversationSid)).toHaveLength(1); // given back
  });

  it('computes the record timeout from what is left of the 5 s answer', () => {
    expect(recordTimeoutMs(0)).toBe(RECORD_MAX_TIMEOUT_MS);
    expect(recordTimeoutMs(ANSWER_WITHIN_MS - 800)).toBe(800);
    expect(recordTimeoutMs(ANSWER_WITHIN_MS + 5000)).toBe(RECORD_MIN_TIMEOUT_MS);
  });

  // Twilio slow: the round trips before the record (2 on the named path, 3
  // on the list path) leave it ~1.3 s or ~1.1 s, less than one request takes,
  // so it times out and the hand-off stands unrecorded.
  it.each([
    ['names its webhook', 1700, true],
    ['names none', 1200, false],
  ])(
    'records the Interaction only in what is left of the 5 s answer (a delivery that %s, %i ms a request)',
    async (_, latencyMs, named) => {
      const chat = await startWebhookChat();
      mock.latencyMs = latencyMs;
      const message = { conversationSid: chat.conversationSid, author: chat.identity };
      const res = await (named ? deliver(message) : deliverUnnamed(message));
      expect(res.body).toEqual({
        outcome: 'handed_off',
        interactionSid: expect.any(String),
        recorded: false,
      });
      expect(interactions(mock)).toHaveLength(1);
      expect(mock.requests('conversations.update')).toHaveLength(1); // sent, answer too late
    },
    15_000,
  );

  it('a failed record of the SID does not undo the hand-off', async () => {
    const chat = await startWebhookChat();
    mock.failNext('conversations.update', { status: 500 });
    const res = await deliver({ conversationSid: chat.conversationSid, author: chat.identity });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      outcome: 'handed_off',
      interactionSid: expect.any(String),
      recorded: false,
    });
    expect(ourWebhooks(chat.conversationSid)).toHaveLength(0);
    const retry = await deliver({
      conversationSid: chat.conversationSid,
      author: chat.identity,
      retryCount: 1,
    });
    expect((retry.body as Outcome).outcome).toBe('ignored');
    expect(interactions(mock)).toHaveLength(1);
  });

  it('a failure reading the conversation is a 502 with nothing done', async () => {
    const chat = await startWebhookChat();
    mock.failNext('conversations.fetch', { status: 500 });
    const res = await deliver({ conversationSid: chat.conversationSid, author: chat.identity });
    expect(res.status).toBe(502);
    expect(ourWebhooks(chat.conversationSid)).toHaveLength(1);
  });

  it('a failure reading the conversation beside a won claim gives it back: 502, and the retry hands off', async () => {
    const chat = await startWebhookChat();
    mock.failNext('conversations.fetch', { status: 500 });
    const first = await deliver({ conversationSid: chat.conversationSid, author: chat.identity });
    expect(first.status).toBe(502);
    expect(logs.events()).toContain('claim_released');
    const [givenBack] = ourWebhooks(chat.conversationSid);
    expect(givenBack?.sid).not.toBe(chat.webhookSid);

    // Twilio's retry names the webhook it was sent by, deleted since: the
    // 404 leads to a list, and the webhook given back is claimed.
    const before = mock.requests().length;
    mock.latencyMs = 20;
    const retry = await deliver({
      conversationSid: chat.conversationSid,
      author: chat.identity,
      retryCount: 1,
    });
    expect((retry.body as Outcome).outcome).toBe('handed_off');
    const made = mock.requests().slice(before);
    expect(byRound(made)).toEqual([
      ['conversations.fetch', 'webhooks.delete'],
      ['webhooks.list'],
      ['webhooks.delete'],
      ['interactions.create'],
      ['conversations.update'],
    ]);
    expect(deletes(made)).toEqual([
      webhookPath(chat.conversationSid, chat.webhookSid), // 404
      webhookPath(chat.conversationSid, givenBack?.sid ?? ''),
    ]);
    expect(interactions(mock)).toHaveLength(1);
  });

  it('a failure reading the conversation, on the list path, leaves the webhook as it was', async () => {
    const chat = await startWebhookChat();
    mock.failNext('conversations.fetch', { status: 500 });
    const res = await deliverUnnamed({
      conversationSid: chat.conversationSid,
      author: chat.identity,
    });
    expect(res.status).toBe(502);
    expect(ourWebhooks(chat.conversationSid).map((w) => w.sid)).toEqual([chat.webhookSid]);
    expect(mock.requests('webhooks.delete')).toHaveLength(0);
  });

  it('named and unnamed deliveries at once, plus other messages: one Interaction', async () => {
    const chat = await startWebhookChat();
    mock.latencyMs = 10;
    const message = { conversationSid: chat.conversationSid, author: chat.identity };
    const results = await Promise.all([
      ...Array.from({ length: 10 }, () => deliver(message)),
      ...Array.from({ length: 10 }, () => deliverUnnamed(message)),
      ...Array.from({ length: 5 }, (_, i) => deliver({ ...message, index: i + 1 })),
    ]);
    expect(results.map((r) => r.status)).toEqual(Array(25).fill(200));
    expect(results.filter((r) => (r.body as Outcome).outcome === 'handed_off')).toHaveLength(1);
    expect(interactions(mock)).toHaveLength(1);
    expect(ourWebhooks(chat.conversationSid)).toHaveLength(0);
  });

  it('a next message after a failed hand-off names the webhook given back, and hands off', async () => {
    const chat = await startWebhookChat();
    mock.failNext('interactions.create', { status: 400 });
    expect(
      (await deliver({ conversationSid: chat.conversationSid, author: chat.identity })).status,
    ).toBe(502);
    const [givenBack] = ourWebhooks(chat.conversationSid);
    const before = mock.requests().length;
    mock.latencyMs = 20;
    const next = await deliver({
      conversationSid: chat.conversationSid,
      author: chat.identity,
      index: 1,
      webhookSid: givenBack?.sid,
    });
    expect((next.body as Outcome).outcome).toBe('handed_off');
    const made = mock.requests().slice(before);
    expect(byRound(made)).toEqual([
      ['conversations.fetch', 'webhooks.delete'],
      ['interactions.create'],
      ['conversations.update'],
    ]);
    expect(deletes(made)).toEqual([webhookPath(chat.conversationSid, givenBack?.sid ?? '')]);
    expect(interactions(mock)).toHaveLength(1);
  });
});

describe('POST /interaction: the webhook a delivery names', () => {
  const BOT_URL = 'https://bot.example.com/conversations';
  const webhooksOf = (sid: string) =>
    mock.client().conversations.v1.services(TEST_ENV.CONVERSATIONS_SERVICE_SID).conversations(sid)
      .webhooks;
  const sidsOf = (sid: string) => conversation(sid).webhooks.map((w) => w.sid);

  it("deletes nothing of another conversation's: its webhook is a 404 under this one", async () => {
    const chat = await startWebhookChat();
    const other = await startWebhookChat();
    const res = await deliver({
      conversationSid: chat.conversationSid,
      author: chat.identity,
      webhookSid: other.webhookSid,
    });
    expect((res.body as Outcome).outcome).toBe('handed_off'); // ours, claimed by list
    expect(sidsOf(other.conversationSid)).toEqual([other.webhookSid]);
    expect(ourWebhooks(chat.conversationSid)).toHaveLength(0);
    expect(deletes()).toEqual([
      webhookPath(chat.conversationSid, other.webhookSid), // 404
      webhookPath(chat.conversationSid, chat.webhookSid),
    ]);
    expect(interactions(mock)).toHaveLength(1);
  });

  it.each<[string, WebhookListInstanceCreateOptions]>([
    ['studio', { target: 'studio', 'configuration.flowSid': 'FW' + '7'.repeat(32) }],
    [
      'trigger',
      { target: 'trigger', 'configuration.url': BOT_URL, 'configuration.triggers': ['agent'] },
    ],
  ])(
    'never deletes by name a webhook whose delivery says WebhookType=%s; ours is claimed by list',
    async (type, options) => {
      const chat = await startWebhookChat();
      const theirs = await webhooksOf(chat.conversationSid).create({
        ...options,
        'configuration.filters': ['onMessageAdded'],
      });
      const params = {
        ...messageAddedParams({
          conversationSid: chat.conversationSid,
          author: chat.identity,
          webhookSid: theirs.sid,
        }),
        WebhookType: type,
      };
      const res = await invoke(interaction, { mock, env: WEBHOOK_ENV, ...signedDelivery(params) });
      expect((res.body as Outcome).outcome).toBe('handed_off');
      expect(sidsOf(chat.conversationSid)).toEqual([theirs.sid]);
      expect(deletes()).toEqual([webhookPath(chat.conversationSid, chat.webhookSid)]);
      expect(interactions(mock)).toHaveLength(1);
    },
  );

  it("refuses a delivery of another integration's webhook: Twilio signs it for that URL (403)", async () => {
    const chat = await startWebhookChat();
    const bot = await webhooksOf(chat.conversationSid).create({
      target: 'webhook',
      'configuration.url': BOT_URL,
      'configuration.method': 'post',
      'configuration.filters': ['onMessageAdded'],
    });
    const before = mock.requests().length;
    const res = await deliver(
      { conversationSid: chat.conversationSid, author: chat.identity, webhookSid: bot.sid },
      { url: BOT_URL },
    );
    expect(res.status).toBe(403);
    expect(mock.requests()).toHaveLength(before);
    expect(sidsOf(chat.conversationSid)).toEqual([chat.webhookSid, bot.sid]);
  });

  it.each(['', 'WH123', `WH${'0'.repeat(31)}/x`, 'IS' + '0'.repeat(32), '../Participants'])(
    'claims by list when WebhookSid is %j, and puts it in no URL',
    async (webhookSid) => {
      const chat = await startWebhookChat();
      const res = await deliver({
        conversationSid: chat.conversationSid,
        author: chat.identity,
        webhookSid,
      });
      expect((res.body as Outcome).outcome).toBe('handed_off');
      expect(deletes()).toEqual([webhookPath(chat.conversationSid, chat.webhookSid)]);
      expect(mock.requests('webhooks.list')).toHaveLength(1);
      expect(interactions(mock)).toHaveLength(1);
    },
  );

  it('a customer-shaped author who is not the customer: a claim won beside the read is given back', async () => {
    const chat = await startWebhookChat();
    const other = await startWebhookChat();
    const res = await deliver({ conversationSid: chat.conversationSid, author: other.identity });
    expect(res.body).toEqual({ outcome: 'ignored', reason: 'not_customer' });
    expect(logs.events()).toContain('claim_released');
    const [givenBack] = ourWebhooks(chat.conversationSid);
    expect(givenBack).toBeDefined();

    // The customer's own message, from the webhook given back, hands off.
    const customers = await deliver({
      conversationSid: chat.conversationSid,
      author: chat.identity,
      webhookSid: givenBack?.sid,
    });
    expect((customers.body as Outcome).outcome).toBe('handed_off');
    expect(interactions(mock)).toHaveLength(1);
  });

  it('a webhook of ours left on a conversation already handed off is deleted, and nothing else', async () => {
    const chat = await startWebhookChat();
    await deliver({ conversationSid: chat.conversationSid, author: chat.identity });
    const leftover = await webhooksOf(chat.conversationSid).create({
      target: 'webhook',
      'configuration.url': INTERACTION_URL,
      'configuration.method': 'post',
      'configuration.filters': ['onMessageAdded'],
    });
    const before = mock.requests().length;
    const res = await deliver({
      conversationSid: chat.conversationSid,
      author: chat.identity,
      index: 1,
      webhookSid: leftover.sid,
    });
    expect(res.body).toEqual({ outcome: 'ignored', reason: 'already_handed_off' });
    expect(ourWebhooks(chat.conversationSid)).toHaveLength(0);
    expect(
      mock
        .requests()
        .slice(before)
        .map((r) => r.name)
        .sort(),
    ).toEqual(['conversations.fetch', 'webhooks.delete']); // nothing given back
    expect(interactions(mock)).toHaveLength(1);
  });

  it('giving the claim back never leaves two webhooks of ours, even when its answer is lost', async () => {
    const chat = await startWebhookChat();
    mock.failNext('interactions.create', { status: 400 });
    mock.failNext('webhooks.create', { status: 500, when: 'after' }); // registered, answer lost
    const res = await deliver({ conversationSid: chat.conversationSid, author: chat.identity });
    expect(res.status).toBe(502);
    expect(ourWebhooks(chat.conversationSid)).toHaveLength(1);
    expect(mock.requests('webhooks.create')).toHaveLength(2); // /start-chat's and one give-back
    expect(logs.events()).toContain('claim_released');
  });

  it('two webhooks of ours (added by hand): deliveries that name none still make one Interaction', async () => {
    const chat = await startWebhookChat();
    await webhooksOf(chat.conversationSid).create({
      target: 'webhook',
      'configuration.url': INTERACTION_URL,
      'configuration.method': 'post',
      'configuration.filters': ['onMessageAdded'],
    });
    mock.latencyMs = 10;
    const message = { conversationSid: chat.conversationSid, author: chat.identity };
    const results = await Promise.all(Array.from({ length: 10 }, () => deliverUnnamed(message)));
    expect(results.filter((r) => (r.body as Outcome).outcome === 'handed_off')).toHaveLength(1);
    expect(interactions(mock)).toHaveLength(1);
    expect(ourWebhooks(chat.conversationSid)).toHaveLength(0);
  });
});

describe('POST /interaction: configuration and payload', () => {
  it('answers 503 outside webhook mode', async () => {
    const res = await invoke(interaction, {
      mock,
      env: TEST_ENV,
      ...signedDelivery(
        messageAddedParams({ conversationSid: 'CH' + 'a'.repeat(32), author: 'x' }),
      ),
    });
    expect(res.status).toBe(503);
    expect((res.body as ErrorBody).error.fields).toEqual([
      {
        field: 'HANDOFF_MODE',
        problem: 'names a mode that does not use this webhook, so Twilio should not be calling it',
      },
    ]);
    expect(res.text).not.toContain('studio'); // names the variable, never its value
    expect(mock.requests()).toHaveLength(0);
  });

  it('answers 400 to a signed payload that is not a Conversations event', async () => {
    const res = await invoke(interaction, {
      mock,
      env: WEBHOOK_ENV,
      ...signedDelivery({ Foo: 'bar' }),
    });
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.fields?.map((f) => f.field)).toEqual([
      'EventType',
      'ConversationSid',
    ]);
    expect(mock.requests()).toHaveLength(0);
  });

  it('refuses, deployed, a PUBLIC_BASE_URL that points elsewhere (a tunnel left in .env)', async () => {
    const env = { ...WEBHOOK_ENV, PUBLIC_BASE_URL: 'https://abc123.ngrok.app' };
    const res = await invoke(startChat, { mock, env, body: {} });
    expect(res.status).toBe(503);
    expect((res.body as ErrorBody).error.fields?.map((f) => f.field)).toEqual(['PUBLIC_BASE_URL']);
    expect(mock.requests()).toHaveLength(0);
  });

  it('verifies against PUBLIC_BASE_URL when set (locally)', async () => {
    const env = { ...WEBHOOK_ENV, PUBLIC_BASE_URL: 'https://abc123.ngrok.app' };
    const chat = await startWebhookChat({}, env, LOCAL_RUN);
    const params = messageAddedParams({
      conversationSid: chat.conversationSid,
      author: chat.identity,
    });
    const local = { domainName: LOCAL_RUN.domainName };
    const wrong = await invoke(interaction, { mock, env, ...local, ...signedDelivery(params) });
    expect(wrong.status).toBe(403);
    const right = await invoke(interaction, {
      mock,
      env,
      ...local,
      ...signedDelivery(params, { url: 'https://abc123.ngrok.app/interaction' }),
    });
    expect(right.status).toBe(200);
    expect((right.body as Outcome).outcome).toBe('handed_off');
  });
});
