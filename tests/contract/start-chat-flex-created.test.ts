/**
 * POST /start-chat when Flex creates the chat in one request:
 * HANDOFF_MODE=address (`POST /v2/WebChats`) and HANDOFF_MODE=flex-flow
 * (`POST /v1/Channels`), through the real `twilio` library and the local mock
 * that validates every request against Twilio's OpenAPI specs. Each start
 * carries a freshly solved challenge; address mode claims it in the fake's
 * Sync (src/guard/).
 */
import { handler } from '../../functions/start-chat';
import { withProof } from '../../dev/challenge';
import { TEST_ENV, type TestEnv } from '../../dev/twilio-fake/env';
import { headerOf, invoke } from '../../dev/invoke';
import { captureLogsPerTest } from '../support/logs';
import {
  ACCOUNT,
  account,
  conversations,
  tasks,
  type MockConversation,
} from '../../dev/twilio-fake/apis';
import {
  ADDRESS_ENV,
  ADDRESS_SID,
  FLEX_FLOW_ENV,
  FLEX_FLOW_SID,
  seedChatAddress,
  seedFlexFlow,
} from '../../dev/twilio-fake/modes';
import { verifyTestToken } from '../support/tokens';
import {
  TWILIO_FAILURES,
  TwilioMock,
  type RecordedRequest,
} from '../../dev/twilio-fake/twilio-mock';
import { sealed } from '../support/seal';

/**
 * The requests to Flex and Conversations: address mode's claim of the
 * challenge in Sync comes first in each start (its own tests are in
 * challenge.test.ts), and these tests are about what follows it.
 */
const flexRequests = () => mock.requests().filter((r) => !r.name.startsWith('sync.'));

/** A start as the widget makes it: with a solved challenge. */
const startIn = async (env: TestEnv, body: object) =>
  invoke(handler, { mock, env, body: await withProof(body, { env }) });

const mock = TwilioMock.perTest((m) => {
  seedChatAddress(m);
  seedFlexFlow(m);
});
const logs = captureLogsPerTest();

type ErrorBody = { error: { code: string; message: string; fields?: { field: string }[] } };
type StartBody = { conversationSid: string; identity: string; token: string; expiresAt: string };

function form(request: RecordedRequest | undefined): Record<string, string[]> {
  if (!request) throw new Error('request not made');
  return request.form;
}

function onlyConversation(): MockConversation {
  const all = [...conversations(mock).values()];
  expect(all).toHaveLength(1);
  return all[0] as MockConversation;
}

const customer = {
  friendlyName: 'Ana Secretname',
  question: 'my very private question',
  preEngagement: { email: 'ana.secret@example.com', vip: true },
};

function expectCleanLogs(): void {
  const text = logs.text();
  for (const secret of ['Secretname', 'very private', 'ana.secret', TEST_ENV.API_SECRET]) {
    expect(text).not.toContain(secret);
  }
}

describe('HANDOFF_MODE=address: POST /v2/WebChats', () => {
  const start = (body: object) => startIn(ADDRESS_ENV, body);

  it('claims the challenge, then creates the chat in one round trip, with our identity, and mints its token', async () => {
    mock.latencyMs = 15;
    const res = await start({
      friendlyName: 'Ana',
      preEngagement: { email: 'ana@example.com', orders: 3 },
    });

    expect(res.status).toBe(200);
    const body = res.body as StartBody;
    expect(flexRequests().map((r) => r.name)).toEqual(['webchats.create']);
    expect(mock.sequentialRoundTrips()).toBe(2); // the claim, then the create

    const [create] = mock.requests('webchats.create');
    if (mock.validating) expect(create?.operationId).toBe('CreateWebChannel');
    expect(create?.path).toBe('/v2/WebChats');
    expect(form(create)).toEqual({
      AddressSid: [ADDRESS_SID],
      ChatFriendlyName: ['Web chat with Ana'],
      CustomerFriendlyName: ['Ana'],
      PreEngagementData: [expect.any(String)],
      Identity: [body.identity],
    });
    expect(JSON.parse(form(create).PreEngagementData?.[0] ?? '')).toEqual({
      email: 'ana@example.com',
      orders: 3,
      friendlyName: 'Ana',
      webchat_seal: sealed('ana@example.com'),
    });
    expect(create?.headers['ui-version']).toBeUndefined();

    expect(body.identity).toMatch(/^web_[0-9a-z]+_[0-9a-f]{32}$/);
    const conversation = onlyConversation();
    expect(body.conversationSid).toBe(conversation.sid);
    expect(conversation.participants.map((p) => p.identity)).toEqual([body.identity]);
    // The address's routing came with it: nothing for us to register.
    expect(conversation.webhooks).toMatchObject([
      { target: 'studio', flowSid: TEST_ENV.STUDIO_FLOW_SID },
    ]);

    const { payload } = verifyTestToken(body.token);
    expect(payload.grants).toEqual({
      identity: body.identity,
      chat: { service_sid: TEST_ENV.CONVERSATIONS_SERVICE_SID },
    });
    expect(body.expiresAt).toBe(new Date(payload.exp * 1000).toISOString());
  });

  it('posts the question as the customer, webhooks on: 3 round trips with the claim', async () => {
    mock.latencyMs = 15;
    const res = await start({ friendlyName: 'Ana', question: 'Where is my order?' });
    expect(res.status).toBe(200);
    const { identity, conversationSid } = res.body as StartBody;

    expect(flexRequests().map((r) => r.name)).toEqual(['webchats.create', 'messages.create']);
    expect(mock.sequentialRoundTrips()).toBe(3);
    const [message] = mock.requests('messages.create');
    expect(message?.path).toBe(
      `/v1/Services/${TEST_ENV.CONVERSATIONS_SERVICE_SID}/Conversations/${conversationSid}/Messages`,
    );
    expect(form(message)).toEqual({ Author: [identity], Body: ['Where is my order?'] });
    expect(message?.headers['x-twilio-webhook-enabled']).toBe('true');
  });

  it('names an anonymous customer "Customer" in every field Flex shows', async () => {
    await start({});
    const sent = form(mock.requests('webchats.create')[0]);
    expect(sent.CustomerFriendlyName).toEqual(['Customer']);
    expect(sent.ChatFriendlyName).toEqual(['Web chat with Customer']);
    expect(JSON.parse(sent.PreEngagementData?.[0] ?? '')).toEqual({
      friendlyName: 'Customer',
      webchat_seal: sealed(),
    });
  });

  it('refuses (502) and removes a chat for which Twilio chose another identity', async () => {
    account(mock).webChatIdentityOverride = 'guest-7d3f';
    const res = await start(customer);

    expect(res.status).toBe(502);
    expect((res.body as ErrorBody).error.code).toBe('upstream_error');
    expect(res.text).not.toContain('token');
    expect(conversations(mock).size).toBe(0);
    expect(flexRequests().map((r) => r.name)).toEqual(['webchats.create', 'conversations.delete']);
    expect(logs.events()).toEqual(['handoff_identity_replaced', 'conversation_removed']);
    expect(logs.text()).not.toContain('guest-7d3f');
    expectCleanLogs();
  });

  it('names ADDRESS_SID when Twilio does not know the address', async () => {
    account(mock).addresses.length = 0;
    const res = await start({});
    expect(res.status).toBe(503);
    expect((res.body as ErrorBody).error.fields?.map((f) => f.field)).toEqual(['ADDRESS_SID']);
    expect(flexRequests().map((r) => r.name)).toEqual(['webchats.create']);
  });

  it('refuses pre-engagement data that fits 16 KB alone but not with the name, before any request', async () => {
    const res = await start({
      friendlyName: 'n'.repeat(64),
      preEngagement: { notes: 'p'.repeat(16 * 1024 - 20) },
    });
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.fields?.map((f) => f.field)).toEqual(['preEngagement']);
    expect(mock.requests()).toHaveLength(0);
  });
});

describe('HANDOFF_MODE=flex-flow: POST /v1/Channels (legacy Flex UI 1.x)', () => {
  const start = (body: object) => startIn(FLEX_FLOW_ENV, body);

  it('creates the chat channel in one round trip, with our identity, and mints its token', async () => {
    mock.latencyMs = 15;
    const res = await start({ friendlyName: 'Ana', preEngagement: { email: 'ana@example.com' } });

    expect(res.status).toBe(200);
    const body = res.body as StartBody;
    expect(flexRequests().map((r) => r.name)).toEqual(['flexChannels.create']);
    expect(mock.sequentialRoundTrips()).toBe(1);
    const [create] = mock.requests('flexChannels.create');
    expect(create?.path).toBe('/v1/Channels');
    expect(form(create)).toEqual({
      FlexFlowSid: [FLEX_FLOW_SID],
      Identity: [body.identity],
      ChatUniqueName: [body.identity],
      ChatUserFriendlyName: ['Ana'],
      ChatFriendlyName: ['Web chat with Ana'],
      PreEngagementData: [expect.any(String)],
    });
    expect(JSON.parse(form(create).PreEngagementData?.[0] ?? '')).toEqual({
      email: 'ana@example.com',
      friendlyName: 'Ana',
      webchat_seal: sealed('ana@example.com'),
    });

    const conversation = onlyConversation();
    expect(body.conversationSid).toBe(conversation.sid);
    expect(conversation.participants.map((p) => p.identity)).toEqual([body.identity]);
    expect(verifyTestToken(body.token).payload.grants.identity).toBe(body.identity);
  });

  it('posts the question through the Conversations API: 2 round trips', async () => {
    mock.latencyMs = 15;
    const res = await start({ question: 'Hello?' });
    const { identity, conversationSid } = res.body as StartBody;
    expect(flexRequests().map((r) => r.name)).toEqual(['flexChannels.create', 'messages.create']);
    expect(mock.sequentialRoundTrips()).toBe(2);
    const [message] = mock.requests('messages.create');
    expect(message?.path).toContain(`/Conversations/${conversationSid}/Messages`);
    expect(form(message)).toEqual({ Author: [identity], Body: ['Hello?'] });
    expect(message?.headers['x-twilio-webhook-enabled']).toBe('true');
  });

  it('with a task integration: a failed start removes the channel and logs the task, never cancels it', async () => {
    const flow = account(mock).flexFlows[0]!;
    flow.integrationType = 'task';
    flow.integration = {
      workspace_sid: ACCOUNT.workspaceSid,
      workflow_sid: ACCOUNT.workflowSid,
      channel: 'chat',
    };
    mock.failNext('messages.create', { status: 500 });
    const res = await start(customer);

    expect(res.status).toBe(502);
    expect(conversations(mock).size).toBe(0);
    // The task Flex made is still there: nothing was asked of TaskRouter.
    const [task] = tasks(mock);
    expect(task?.sid).toMatch(/^WT[0-9a-f]{32}$/);
    expect(flexRequests().map((r) => r.name)).toEqual([
      'flexChannels.create',
      'messages.create',
      'messages.list', // a 500: was the question posted anyway? No.
      'flexChannels.delete',
    ]);
    expect(logs.events()).toEqual(['twilio_call_failed', 'conversation_removed', 'cleanup_needed']);
    const line = JSON.parse(logs.lines[2] ?? '{}') as Record<string, unknown>;
    expect(line).toEqual({
      level: 'warn',
      event: 'cleanup_needed',
      reason: 'failed_start',
      conversation: mock.requests('flexChannels.delete')[0]?.path.split('/').pop(),
      task: task?.sid,
      action: 'complete or cancel this task in Flex (never through the TaskRouter API)',
    });
    expectCleanLogs();
  });

  it("with a task integration, a 429 after Flex made the task is a 502: the widget's retry would make a second task", async () => {
    const flow = account(mock).flexFlows[0]!;
    flow.integrationType = 'task';
    flow.integration = {
      workspace_sid: ACCOUNT.workspaceSid,
      workflow_sid: ACCOUNT.workflowSid,
      channel: 'chat',
    };
    mock.failNext('messages.create', { status: 429, code: 20429 });
    const res = await start(customer);
    expect(res.status).toBe(502);
    expect((res.body as { error: { code: string } }).error.code).toBe('upstream_error');
    expect(tasks(mock)).toHaveLength(1);
    expect(logs.events()).toContain('cleanup_needed');
  });

  it('with a Studio integration there is no task to log', async () => {
    mock.failNext('messages.create', { status: 500 });
    await start(customer);
    expect(logs.events()).toEqual(['twilio_call_failed', 'conversation_removed']);
  });

  it('names FLEX_FLOW_SID when Twilio does not know the Flex Flow', async () => {
    account(mock).flexFlows.length = 0;
    const res = await start({});
    expect(res.status).toBe(503);
    expect((res.body as ErrorBody).error.fields?.map((f) => f.field)).toEqual(['FLEX_FLOW_SID']);
  });
});

/* ------------------------------------------------------------------------ */

const modes = [
  {
    mode: 'address',
    env: ADDRESS_ENV,
    create: 'webchats.create',
    remove: 'conversations.delete',
    removePath: new RegExp(`^/v1/Services/${TEST_ENV.CONVERSATIONS_SERVICE_SID}/Conversations/CH`),
  },
  {
    mode: 'flex-flow',
    env: FLEX_FLOW_ENV,
    create: 'flexChannels.create',
    remove: 'flexChannels.delete',
    removePath: /^\/v1\/Channels\/CH[0-9a-f]{32}$/,
  },
] as const;

describe.each(modes)('HANDOFF_MODE=$mode: when Twilio fails, nothing is left behind', (m) => {
  const start = () => startIn(m.env, customer);
  const failures = TWILIO_FAILURES;

  it.each(failures)(
    'a failing question post (Twilio %i -> %i %s) removes the chat',
    async (twilioStatus, status, code) => {
      mock.failNext('messages.create', { status: twilioStatus });
      const res = await start();

      expect(res.status).toBe(status);
      expect((res.body as ErrorBody).error.code).toBe(code);
      if (twilioStatus === 429) expect(headerOf(res, 'retry-after')).toBe('1');
      expect(conversations(mock).size).toBe(0);
      const removes = mock.requests(m.remove);
      expect(removes).toHaveLength(1);
      expect(removes[0]?.path).toMatch(m.removePath);
      expect(logs.events()).toEqual(['twilio_call_failed', 'conversation_removed']);
      expectCleanLogs();
    },
  );

  it('a question posted although its answer was lost: the chat stands, nothing removed', async () => {
    mock.failNext('messages.create', { status: 500, when: 'after' });
    const res = await start();
    expect(res.status).toBe(200);
    expect(mock.requests(m.remove)).toHaveLength(0);
    expect(flexRequests().map((r) => r.name)).toEqual([
      m.create,
      'messages.create',
      'messages.list',
    ]);
    expect(logs.events()).toEqual(['twilio_call_failed', 'question_posted_despite_error']);
  });

  it.each([
    [400, 502],
    [429, 503],
  ])(
    'a create refused with %i: %i, nothing was created, nothing is looked up',
    async (twilioStatus, status) => {
      mock.failNext(m.create, { status: twilioStatus });
      const res = await start();
      expect(res.status).toBe(status);
      expect(flexRequests().map((r) => r.name)).toEqual([m.create]);
      expectCleanLogs();
    },
  );

  it('a create failing with 500 before acting: looked up by identity, nothing to remove', async () => {
    mock.failNext(m.create, { status: 500 });
    const res = await start();
    expect(res.status).toBe(502);
    expect(flexRequests().map((r) => r.name)).toEqual([m.create, 'participantConversations.list']);
    const [lookup] = mock.requests('participantConversations.list');
    expect(lookup?.query.Identity?.[0]).toMatch(/^web_[0-9a-z]+_[0-9a-f]{32}$/);
    expect(lookup?.query.Identity).toEqual(form(mock.requests(m.create)[0]).Identity);
  });

  it.each(['after', 'drop'] as const)(
    'a chat Twilio created although its answer was lost (%s) is found by identity and removed',
    async (when) => {
      mock.failNext(m.create, { status: 500, when });
      const res = await start();
      expect(res.status).toBe(502);
      expect(conversations(mock).size).toBe(0);
      expect(flexRequests().map((r) => r.name)).toEqual([
        m.create,
        'participantConversations.list',
        m.remove,
      ]);
      expect(mock.requests(m.remove)[0]?.path).toMatch(m.removePath);
      expect(logs.events()).toEqual(['twilio_call_failed', 'conversation_removed']);
      expectCleanLogs();
    },
  );

  it('still answers 502 when the clean-up fails, and logs the SID to clean', async () => {
    mock.failNext('messages.create', { status: 500 });
    mock.failNext(m.remove, { status: 500 });
    const res = await start();
    expect(res.status).toBe(502);
    const [leftover] = conversations(mock).values();
    expect(logs.events()).toEqual(['twilio_call_failed', 'conversation_cleanup_failed']);
    expect(logs.text()).toContain(leftover?.sid);
    expectCleanLogs();
  });

  it('logs, and still answers 502, when the lookup after an ambiguous create fails', async () => {
    mock.failNext(m.create, { status: 500, when: 'after' });
    mock.failNext('participantConversations.list', { status: 500 });
    const res = await start();
    expect(res.status).toBe(502);
    expect(logs.events()).toEqual(['twilio_call_failed', 'conversation_cleanup_failed']);
    expectCleanLogs();
  });

  it('turns credentials Twilio rejects into a 503 naming them', async () => {
    const res = await startIn({ ...m.env, AUTH_TOKEN: 'e'.repeat(32) }, {});
    expect(res.status).toBe(503);
    expect((res.body as ErrorBody).error.fields?.map((f) => f.field)).toEqual([
      'ACCOUNT_SID',
      'AUTH_TOKEN',
    ]);
    // The first request Twilio refuses: address mode's claim in Sync, or the create.
    const first = m.create === 'webchats.create' ? 'sync.documents.create' : m.create;
    expect(mock.requests().map((r) => r.name)).toEqual([first]);
  });
});
