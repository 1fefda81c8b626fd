/**
 * POST /start-chat, end to end through the real `twilio` library and a local
 * Twilio mock that validates every request against Twilio's OpenAPI specs.
 * Each request carries a freshly solved challenge, as the widget's do (the
 * challenge itself: challenge.test.ts), so the requests and round trips
 * counted here are the ones a real start makes with CHALLENGE on.
 */
import { handler } from '../../functions/start-chat';
import { SERVICE_DOMAIN, SITE_ORIGIN, TEST_ENV } from '../../dev/twilio-fake/env';
import { withProof } from '../../dev/challenge';
import { headerOf, invoke, type InvokeOptions } from '../../dev/invoke';
import { captureLogsPerTest } from '../support/logs';
import { conversations, type MockConversation } from '../../dev/twilio-fake/apis';
import { verifyTestToken } from '../support/tokens';
import {
  TWILIO_FAILURES,
  TwilioMock,
  type RecordedRequest,
} from '../../dev/twilio-fake/twilio-mock';
import { sealed } from '../support/seal';

const mock = TwilioMock.perTest();
const logs = captureLogsPerTest();

/** /start-chat with a solved challenge added to an object body (`proven: false`: as given). */
async function start(options: InvokeOptions & { proven?: boolean } = {}) {
  const { proven = true, ...rest } = options;
  const { body, env, domainName } = rest;
  const origin = rest.headers?.origin;
  const proofFor = origin === undefined ? {} : { origin };
  const proven_ =
    proven && body !== null && typeof body === 'object' && !Array.isArray(body)
      ? await withProof(body, {
          ...proofFor,
          ...(env && { env }),
          ...(domainName && { domainName }),
        })
      : body;
  return invoke(handler, { mock, ...rest, body: proven_ });
}

type ErrorBody = { error: { code: string; message: string; fields?: { field: string }[] } };
type StartBody = { conversationSid: string; identity: string; token: string; expiresAt: string };

function onlyConversation(): MockConversation {
  const all = [...conversations(mock).values()];
  expect(all).toHaveLength(1);
  return all[0] as MockConversation;
}

function form(request: RecordedRequest | undefined): Record<string, string[]> {
  if (!request) throw new Error('request not made');
  return request.form;
}

describe('POST /start-chat: the happy path', () => {
  it('creates the conversation with its participant, then the Studio webhook: 2 round trips', async () => {
    mock.latencyMs = 15;
    const res = await start({
      body: {
        friendlyName: 'Ana',
        preEngagement: { email: 'ana@example.com', vip: true, orders: 3 },
      },
    });

    expect(res.status).toBe(200);
    const body = res.body as StartBody;
    expect(body.conversationSid).toMatch(/^CH[0-9a-f]{32}$/);
    expect(body.identity).toMatch(/^web_[0-9a-z]+_[0-9a-f]{32}$/);

    expect(mock.requests().map((r) => r.name)).toEqual(['conversations.create', 'webhooks.create']);
    expect(mock.sequentialRoundTrips()).toBe(2);

    const create = mock.requests('conversations.create')[0];
    expect(create?.path).toBe(
      `/v1/Services/${TEST_ENV.CONVERSATIONS_SERVICE_SID}/ConversationWithParticipants`,
    );
    expect(form(create)).toEqual({
      FriendlyName: ['Web chat with Ana'],
      UniqueName: [body.identity],
      Attributes: [expect.any(String)],
      'Timers.Closed': ['P1D'],
      Participant: [expect.any(String)],
    });
    expect(JSON.parse(form(create).Attributes?.[0] ?? '')).toEqual({
      from: 'Ana',
      channel_type: 'web',
      pre_engagement_data: { email: 'ana@example.com', vip: true, orders: 3 },
      webchat_seal: sealed('ana@example.com'),
    });
    const participant = JSON.parse(form(create).Participant?.[0] ?? '') as Record<string, string>;
    expect(participant).toEqual({ identity: body.identity, attributes: expect.any(String) });
    expect(JSON.parse(participant.attributes ?? '')).toEqual({ friendlyName: 'Ana' });
    expect(create?.headers['x-twilio-webhook-enabled']).toBeUndefined();

    const webhook = mock.requests('webhooks.create')[0];
    expect(webhook?.path).toBe(
      `/v1/Services/${TEST_ENV.CONVERSATIONS_SERVICE_SID}/Conversations/${body.conversationSid}/Webhooks`,
    );
    expect(form(webhook)).toEqual({
      Target: ['studio'],
      'Configuration.FlowSid': [TEST_ENV.STUDIO_FLOW_SID],
      'Configuration.Filters': ['onMessageAdded'],
    });

    const conversation = onlyConversation();
    expect(conversation.sid).toBe(body.conversationSid);
    expect(conversation.participants.map((p) => p.identity)).toEqual([body.identity]);
    expect(conversation.webhooks).toHaveLength(1);
    expect(conversation.messages).toHaveLength(0);
  });

  it('posts the question as the customer, with webhooks enabled, after the webhook exists: 3 round trips', async () => {
    mock.latencyMs = 15;
    const res = await start({ body: { friendlyName: 'Ana', question: 'Where is my order #123?' } });
    expect(res.status).toBe(200);
    const { identity } = res.body as StartBody;

    expect(mock.requests().map((r) => r.name)).toEqual([
      'conversations.create',
      'webhooks.create',
      'messages.create',
    ]);
    expect(mock.sequentialRoundTrips()).toBe(3);
    const [webhook] = mock.requests('webhooks.create');
    const [message] = mock.requests('messages.create');
    expect(message?.startedAt).toBeGreaterThanOrEqual(webhook?.endedAt ?? Infinity);
    expect(form(message)).toEqual({ Author: [identity], Body: ['Where is my order #123?'] });
    expect(message?.headers['x-twilio-webhook-enabled']).toBe('true');
    expect(onlyConversation().messages).toMatchObject([{ author: identity, webhookEnabled: true }]);
  });

  it('mints a Conversations token for that identity, expiring exactly at expiresAt', async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await start({ body: {} });
    const body = res.body as StartBody;
    const { header, payload } = verifyTestToken(body.token);

    expect(header).toMatchObject({ alg: 'HS256', typ: 'JWT', cty: 'twilio-fpa;v=1' });
    expect(payload.iss).toBe(TEST_ENV.API_KEY);
    expect(payload.sub).toBe(TEST_ENV.ACCOUNT_SID);
    expect(payload.grants).toEqual({
      identity: body.identity,
      chat: { service_sid: TEST_ENV.CONVERSATIONS_SERVICE_SID },
    });
    expect(payload.exp - payload.iat).toBe(3600);
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(body.expiresAt).toBe(new Date(payload.exp * 1000).toISOString());
  });

  it('honours TOKEN_TTL_SECONDS and the configured timers', async () => {
    const res = await start({
      env: {
        ...TEST_ENV,
        TOKEN_TTL_SECONDS: '600',
        CONVERSATION_INACTIVE_TIMER: 'PT5M',
        CONVERSATION_CLOSED_TIMER: 'PT30M',
      },
      body: {},
    });
    const { payload } = verifyTestToken((res.body as StartBody).token);
    expect(payload.exp - payload.iat).toBe(600);
    const create = form(mock.requests('conversations.create')[0]);
    expect(create['Timers.Inactive']).toEqual(['PT5M']);
    expect(create['Timers.Closed']).toEqual(['PT30M']);
  });

  it('names an anonymous customer "Customer"', async () => {
    await start({ body: { friendlyName: '   ', question: '  ' } });
    const create = form(mock.requests('conversations.create')[0]);
    expect(JSON.parse(create.Attributes?.[0] ?? '')).toEqual({
      from: 'Customer',
      channel_type: 'web',
      pre_engagement_data: {},
      webchat_seal: sealed(),
    });
    expect(mock.requests('messages.create')).toHaveLength(0);
  });

  it('chooses a fresh, opaque identity every time, whatever the body says', async () => {
    const a = (
      await start({
        body: { friendlyName: 'Ana López', preEngagement: { email: 'ana@example.com' } },
      })
    ).body as StartBody;
    const b = (
      await start({
        body: { friendlyName: 'Ana López', preEngagement: { email: 'ana@example.com' } },
      })
    ).body as StartBody;
    expect(a.identity).not.toBe(b.identity);
    for (const identity of [a.identity, b.identity]) {
      expect(identity.toLowerCase()).not.toMatch(/ana|example|l[oó]pez/);
    }
    const named = await start({ body: { identity: 'admin@example.com' } });
    expect(named.status).toBe(400);
  });
});

describe('POST /start-chat: who may call it', () => {
  it('answers allowed origins with their origin, Vary: Origin and no-store', async () => {
    const res = await start({ headers: { origin: 'https://shop.example.com' }, body: {} });
    expect(res.status).toBe(200);
    expect(headerOf(res, 'access-control-allow-origin')).toBe('https://shop.example.com');
    expect(headerOf(res, 'vary')).toBe('Origin');
    expect(headerOf(res, 'cache-control')).toBe('no-store');
  });

  it.each([
    ['another site', 'https://evil.example'],
    ['a look-alike', 'https://www.example.com.evil.example'],
    ['the right host over http', 'http://www.example.com'],
    ['a sandboxed frame', 'null'],
    ['no Origin at all', undefined],
  ])('refuses %s with 403 and no Twilio call', async (_, origin) => {
    const res = await start({ headers: { origin }, body: { friendlyName: 'Ana' }, proven: false });
    expect(res.status).toBe(403);
    expect((res.body as ErrorBody).error.code).toBe('origin_not_allowed');
    expect(headerOf(res, 'access-control-allow-origin')).toBeUndefined();
    expect(mock.requests()).toHaveLength(0);
  });

  it("always allows the service's own page", async () => {
    const res = await start({ headers: { origin: `https://${SERVICE_DOMAIN}` }, body: {} });
    expect(res.status).toBe(200);
    const local = await start({
      domainName: 'localhost:3000',
      headers: { origin: 'http://127.0.0.1:3000' },
      body: {},
    });
    expect(local.status).toBe(200);
  });

  it('sends * only when ALLOWED_ORIGINS is *', async () => {
    const res = await start({
      env: { ...TEST_ENV, ALLOWED_ORIGINS: '*' },
      headers: { origin: 'https://anyone.example' },
      body: {},
    });
    expect(res.status).toBe(200);
    expect(headerOf(res, 'access-control-allow-origin')).toBe('*');
  });

  it('answers a preflight that reaches it, for allowed origins only', async () => {
    const preflight = { 'access-control-request-method': 'POST', 'content-type': undefined };
    const ok = await start({ headers: preflight });
    expect(ok.status).toBe(204);
    expect(headerOf(ok, 'access-control-allow-origin')).toBe(SITE_ORIGIN);
    expect(headerOf(ok, 'access-control-allow-methods')).toBe('POST, OPTIONS');
    expect(headerOf(ok, 'access-control-allow-headers')).toBe('Content-Type');
    const refused = await start({
      headers: { ...preflight, origin: 'https://evil.example' },
      proven: false,
    });
    expect(refused.status).toBe(403);
    expect(mock.requests()).toHaveLength(0);
  });
});

describe('POST /start-chat: bad input gets a clear 400 and no Twilio call', () => {
  afterEach(() => expect(mock.requests()).toHaveLength(0));

  it.each([
    ['text/plain', 'text/plain'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['no content type', undefined],
  ])('refuses %s with 415', async (_, contentType) => {
    const res = await start({
      headers: { 'content-type': contentType },
      body: { friendlyName: 'Ana' },
    });
    expect(res.status).toBe(415);
    expect((res.body as ErrorBody).error.code).toBe('unsupported_media_type');
  });

  it('accepts application/json with a charset', async () => {
    const res = await start({
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: {},
    });
    expect(res.status).toBe(200);
    mock.reset(); // this one was meant to call Twilio
  });

  const cases: [string, unknown, string][] = [
    ['a 65-character name', { friendlyName: 'x'.repeat(65) }, 'friendlyName'],
    ['a name on two lines', { friendlyName: 'Ana\nBob' }, 'friendlyName'],
    ['a name with a tab', { friendlyName: 'Ana\tBob' }, 'friendlyName'],
    ['a numeric name', { friendlyName: 42 }, 'friendlyName'],
    ['a 1601-character question', { question: 'q'.repeat(1601) }, 'question'],
    ['a question object', { question: { text: 'hi' } }, 'question'],
    [
      'nested pre-engagement data',
      { preEngagement: { address: { city: 'Paris' } } },
      'preEngagement',
    ],
    ['a pre-engagement array', { preEngagement: ['a'] }, 'preEngagement'],
    ['a pre-engagement string', { preEngagement: 'email=a@b.c' }, 'preEngagement'],
    ['a NaN-like value', { preEngagement: { n: null } }, 'preEngagement'],
    ['a strange key', { preEngagement: { 'bad key!': 'x' } }, 'preEngagement'],
    [
      'a prototype key',
      JSON.parse('{"preEngagement":{"__proto__":{"admin":true}}}'),
      'preEngagement',
    ],
    [
      'pre-engagement over 16 KB',
      { preEngagement: { notes: 'n'.repeat(16 * 1024) } },
      'preEngagement',
    ],
    ['an unknown field', { friendlyName: 'Ana', identity: 'someone-else' }, 'identity'],
  ];
  it.each(cases)('refuses %s, naming the field', async (_, body, field) => {
    const res = await start({ body });
    expect(res.status).toBe(400);
    const { error } = res.body as ErrorBody;
    expect(error.code).toBe('invalid_request');
    expect(error.fields?.map((f) => f.field)).toContain(field);
    expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
  });

  it('names every bad field at once', async () => {
    const res = await start({ body: { friendlyName: 1, question: 2, colour: 'red' } });
    expect((res.body as ErrorBody).error.fields?.map((f) => f.field).sort()).toEqual([
      'colour',
      'friendlyName',
      'question',
    ]);
  });

  it("treats query parameters like body fields and ignores the runtime's own request key", async () => {
    const res = await start({ query: { debug: '1' }, body: {} });
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.fields).toEqual([
      { field: 'debug', problem: 'is not a known field' },
    ]);
  });

  it('refuses pre-engagement data that fits 16 KB alone but not with the name', async () => {
    const res = await start({
      body: { friendlyName: 'x'.repeat(64), preEngagement: { notes: 'n'.repeat(16 * 1024 - 20) } },
    });
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.fields?.[0]?.field).toBe('preEngagement');
  });
});

describe('POST /start-chat: at the limits', () => {
  it('accepts a 64-character name, a 1600-character question and 16 000 bytes of pre-engagement data', async () => {
    const res = await start({
      body: {
        friendlyName: 'n'.repeat(64),
        question: 'q'.repeat(1600),
        preEngagement: { notes: 'p'.repeat(16_000 - 12) },
      },
    });
    expect(res.status).toBe(200);
  });
});

describe('POST /start-chat: misconfiguration says what to fix', () => {
  it('answers 503 naming missing variables, without their values, and calls nobody', async () => {
    // No proof: /challenge names the same variables (challenge.test.ts).
    const res = await start({
      env: { ALLOWED_ORIGINS: TEST_ENV.ALLOWED_ORIGINS, API_SECRET: 'do-not-echo-me' },
      body: {},
      proven: false,
    });
    expect(res.status).toBe(503);
    const { error } = res.body as ErrorBody;
    expect(error.code).toBe('not_configured');
    expect(error.fields?.map((f) => f.field)).toEqual([
      'ACCOUNT_SID',
      'AUTH_TOKEN',
      'API_KEY',
      'CONVERSATIONS_SERVICE_SID',
      'STUDIO_FLOW_SID',
    ]);
    expect(error.message).toContain('.env.example');
    expect(res.text).not.toContain('do-not-echo-me');
    expect(headerOf(res, 'access-control-allow-origin')).toBe(SITE_ORIGIN);
    expect(mock.requests()).toHaveLength(0);
  });

  it('names a SID of the wrong kind', async () => {
    const res = await start({
      env: { ...TEST_ENV, CONVERSATIONS_SERVICE_SID: 'AD' + '3'.repeat(32) },
      body: {},
      proven: false,
    });
    expect(res.status).toBe(503);
    expect(res.text).toMatch(/CONVERSATIONS_SERVICE_SID.*Conversations Service SID \(IS/);
  });

  it('turns credentials Twilio rejects into a 503 naming them', async () => {
    const res = await start({ env: { ...TEST_ENV, AUTH_TOKEN: 'e'.repeat(32) }, body: {} });
    expect(res.status).toBe(503);
    expect((res.body as ErrorBody).error.fields?.map((f) => f.field)).toEqual([
      'ACCOUNT_SID',
      'AUTH_TOKEN',
    ]);
  });

  it('turns an unknown Conversations service into a 503 naming it', async () => {
    mock.failNext('conversations.create', { status: 404, code: 20404 });
    const res = await start({ body: {} });
    expect(res.status).toBe(503);
    expect((res.body as ErrorBody).error.fields?.map((f) => f.field)).toEqual([
      'CONVERSATIONS_SERVICE_SID',
    ]);
  });
});

describe('POST /start-chat: when Twilio fails, nothing is left behind', () => {
  const customer = {
    friendlyName: 'Ana Secretname',
    question: 'my very private question',
    preEngagement: { email: 'ana.secret@example.com' },
  };

  function expectCleanLogs(): void {
    const text = logs.text();
    for (const secret of [
      'Secretname',
      'very private',
      'ana.secret',
      TEST_ENV.API_SECRET,
      TEST_ENV.AUTH_TOKEN,
    ]) {
      expect(text).not.toContain(secret);
    }
  }

  const steps = ['webhooks.create', 'messages.create'] as const;
  const failures = TWILIO_FAILURES;

  describe.each(steps)('a failing %s', (step) => {
    it.each(failures)(
      'Twilio %i -> %i %s, conversation deleted',
      async (twilioStatus, status, code) => {
        mock.failNext(step, { status: twilioStatus });
        const res = await start({ body: customer });

        expect(res.status).toBe(status);
        expect((res.body as ErrorBody).error.code).toBe(code);
        if (twilioStatus === 429) expect(headerOf(res, 'retry-after')).toBe('1');
        expect(conversations(mock).size).toBe(0);
        const [created] = mock.requests('conversations.create');
        expect(created).toBeDefined();
        const deletes = mock.requests('conversations.delete');
        expect(deletes).toHaveLength(1);
        expect(deletes[0]?.path).toMatch(/\/Conversations\/CH[0-9a-f]{32}$/);
        expect(logs.events()).toEqual(['twilio_call_failed', 'conversation_removed']);
        expect(logs.text()).toContain(`"status":${twilioStatus}`);
        expectCleanLogs();
      },
    );
  });

  it.each(failures)(
    'a conversation create refused with %i -> %i %s, nothing to clean',
    async (twilioStatus, status, code) => {
      mock.failNext('conversations.create', { status: twilioStatus });
      const res = await start({ body: customer });
      expect(res.status).toBe(status);
      expect((res.body as ErrorBody).error.code).toBe(code);
      expect(conversations(mock).size).toBe(0);
      expect(mock.requests('webhooks.create')).toHaveLength(0);
      // A 5xx may hide a conversation Twilio created anyway: it is looked up by
      // its unique name and deleted if there. A 4xx or 429 means nothing was created.
      expect(mock.requests('conversations.delete')).toHaveLength(twilioStatus >= 500 ? 1 : 0);
      expectCleanLogs();
    },
  );

  it.each(['after', 'drop'] as const)(
    'deletes a conversation Twilio created although its answer was lost (%s)',
    async (when) => {
      mock.failNext('conversations.create', { status: 500, when });
      const res = await start({ body: customer });
      expect(res.status).toBe(502);
      expect(conversations(mock).size).toBe(0);
      const [cleanup] = mock.requests('conversations.delete');
      expect(cleanup?.path).toMatch(/\/Conversations\/web_[0-9a-z]+_[0-9a-f]{32}$/);
      expectCleanLogs();
    },
  );

  it('still answers 502 when the clean-up fails, and logs the SID to clean', async () => {
    mock.failNext('webhooks.create', { status: 500 });
    mock.failNext('conversations.delete', { status: 500 });
    const res = await start({ body: customer });
    expect(res.status).toBe(502);
    const [leftover] = conversations(mock).values();
    expect(logs.events()).toEqual(['twilio_call_failed', 'conversation_cleanup_failed']);
    expect(logs.text()).toContain(leftover?.sid);
    expectCleanLogs();
  });
});

describe('POST /start-chat: a question whose answer is lost', () => {
  const customer = { friendlyName: 'Ana', question: 'Where is my order?' };

  it.each(['after', 'drop'] as const)(
    'posted anyway (%s): the chat stands, Flex already has it, nothing is deleted',
    async (when) => {
      mock.failNext('messages.create', { status: 500, when });
      const res = await start({ body: customer });

      expect(res.status).toBe(200);
      const { conversationSid, identity } = res.body as {
        conversationSid: string;
        identity: string;
      };
      const conversation = conversations(mock).get(conversationSid);
      expect(conversation?.messages.map((m) => [m.author, m.body, m.webhookEnabled])).toEqual([
        [identity, 'Where is my order?', true],
      ]);
      expect(mock.requests().map((r) => r.name)).toEqual([
        'conversations.create',
        'webhooks.create',
        'messages.create',
        'messages.list',
      ]);
      const [check] = mock.requests('messages.list');
      expect(check?.query).toEqual({ PageSize: ['5'] });
      expect(logs.events()).toEqual(['twilio_call_failed', 'question_posted_despite_error']);
    },
  );

  it('posted anyway and already answered by the flow: still found, the chat stands', async () => {
    mock.failNext('messages.create', {
      status: 500,
      when: 'after',
      // What a Studio greeting does as soon as the question arrives.
      then: ({ sid }) => {
        const conversation = conversations(mock).get(sid!);
        conversation?.messages.push({
          sid: 'IM' + 'c'.repeat(32),
          index: conversation.messages.length,
          author: 'system',
          body: 'Thanks! An agent will be with you shortly.',
          attributes: '{}',
          webhookEnabled: false,
        });
      },
    });
    const res = await start({ body: customer });
    expect(res.status).toBe(200);
    const { conversationSid, identity } = res.body as { conversationSid: string; identity: string };
    expect(
      conversations(mock)
        .get(conversationSid)
        ?.messages.map((m) => m.author),
    ).toEqual([identity, 'system']);
    expect(mock.requests('conversations.delete')).toHaveLength(0);
  });

  it('not posted (a 500 before Twilio acted): looked for, not found, conversation deleted', async () => {
    mock.failNext('messages.create', { status: 500 });
    const res = await start({ body: customer });
    expect(res.status).toBe(502);
    expect(mock.requests().map((r) => r.name)).toEqual([
      'conversations.create',
      'webhooks.create',
      'messages.create',
      'messages.list',
      'conversations.delete',
    ]);
    expect(conversations(mock).size).toBe(0);
  });

  it('not knowable (the look fails too): 502, conversation deleted', async () => {
    mock.failNext('messages.create', { status: 503, when: 'after' });
    mock.failNext('messages.list', { status: 500 });
    const res = await start({ body: customer });
    expect(res.status).toBe(502);
    expect(conversations(mock).size).toBe(0);
    expect(logs.events()).toEqual(['twilio_call_failed', 'conversation_removed']);
  });

  it('refused (400): no look, conversation deleted', async () => {
    mock.failNext('messages.create', { status: 400 });
    const res = await start({ body: customer });
    expect(res.status).toBe(502);
    expect(mock.requests('messages.list')).toHaveLength(0);
    expect(conversations(mock).size).toBe(0);
  });
});

describe('POST /start-chat: prototype keys', () => {
  it('refuses a top-level "__proto__" field instead of inheriting from it', async () => {
    const body = JSON.parse('{"__proto__":{"friendlyName":"Injected"}}') as object;
    const res = await start({ body });
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.fields?.map((f) => f.field)).toEqual(['__proto__']);
    expect(mock.requests()).toHaveLength(0);
  });
});

describe('POST /start-chat: a caller-supplied "request" parameter', () => {
  // The runtime builds the event as {request, ...query, ...body}: a parameter
  // named "request" replaces the real headers with whatever the caller sent.
  // Whatever it holds, it is refused before anything else is looked at.
  it.each([
    ['allowed headers', { headers: { origin: SITE_ORIGIN, 'content-type': 'application/json' } }],
    ['a string', 'x'],
    ['headers of the wrong type', { headers: 'origin' }],
    [
      'an object-valued origin',
      { headers: { origin: { x: 1 }, 'content-type': 'application/json' } },
    ],
    [
      'an array of objects',
      { headers: { origin: [{ x: 1 }], 'content-type': ['application/json'] } },
    ],
    ['a numeric content type', { headers: { origin: SITE_ORIGIN, 'content-type': 42 } }],
  ])('with %s is a 400 naming it, and calls nobody', async (_, request) => {
    const res = await start({ body: { request } });
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.fields).toEqual([
      { field: 'request', problem: 'is reserved by the Functions runtime' },
    ]);
    expect(headerOf(res, 'access-control-allow-origin')).toBeUndefined();
    expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/);
    expect(mock.requests()).toHaveLength(0);
  });
});
