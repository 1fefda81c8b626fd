/**
 * POST /refresh-token: renews only tokens this service minted, only within
 * the grace window and the session's maximum age, and only while the chat is
 * open (one Twilio request: the identity's conversations).
 */
import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { handler as refresh } from '../../functions/refresh-token';
import { handler as startChat } from '../../functions/start-chat';
import { newIdentity } from '../../src/identity';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { proven } from '../../dev/challenge';
import { headerOf, invoke, type InvokeOptions } from '../../dev/invoke';
import {
  ADDRESS_ENV,
  FLEX_FLOW_ENV,
  seedChatAddress,
  seedFlexFlow,
} from '../../dev/twilio-fake/modes';
import { signTestToken, verifyTestToken } from '../support/tokens';
import { conversations } from '../../dev/twilio-fake/apis';
import { sid, TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { captureLogs } from '../support/logs';

const mock = TwilioMock.perTest();

type ErrorBody = { error: { code: string; message: string } };
type TokenBody = { identity: string; token: string; expiresAt: string };

const renew = (token: unknown, options: InvokeOptions = {}) =>
  invoke(refresh, { mock, body: { token }, ...options });

const now = () => Math.floor(Date.now() / 1000);

/** An open conversation with `identity` as its participant, as /start-chat leaves it. */
function seedChat(identity: string, state = 'active'): string {
  const conversationSid = sid('CH');
  conversations(mock).set(conversationSid, {
    sid: conversationSid,
    serviceSid: TEST_ENV.CONVERSATIONS_SERVICE_SID,
    uniqueName: identity,
    friendlyName: null,
    attributes: '{}',
    timers: {},
    state,
    participants: [{ sid: sid('MB'), identity, attributes: '{}' }],
    webhooks: [],
    messages: [],
  });
  return conversationSid;
}

/** A token for a fresh identity whose chat is open. */
function openChatToken(identity = newIdentity(Date.now()), claims: object = {}): string {
  seedChat(identity);
  return signTestToken(identity, claims);
}

describe('POST /refresh-token: renewing', () => {
  it('renews a token from /start-chat for the same identity and grant: one Twilio read', async () => {
    const started = (await invoke(startChat, await proven({ mock, body: {} }))).body as TokenBody;
    const before = mock.requests().length;

    const res = await renew(started.token);
    expect(res.status).toBe(200);
    const body = res.body as TokenBody;
    expect(body.identity).toBe(started.identity);
    const { header, payload } = verifyTestToken(body.token);
    expect(header.cty).toBe('twilio-fpa;v=1');
    expect(payload.grants).toEqual({
      identity: started.identity,
      chat: { service_sid: TEST_ENV.CONVERSATIONS_SERVICE_SID },
    });
    expect(payload.iss).toBe(TEST_ENV.API_KEY);
    expect(payload.sub).toBe(TEST_ENV.ACCOUNT_SID);
    expect(payload.exp - payload.iat).toBe(3600);
    expect(body.expiresAt).toBe(new Date(payload.exp * 1000).toISOString());
    expect(headerOf(res, 'access-control-allow-origin')).toBe('https://www.example.com');
    const made = mock.requests().slice(before);
    expect(made.map((r) => r.name)).toEqual(['participantConversations.list']);
    expect(made[0]?.path).toBe(
      `/v1/Services/${TEST_ENV.CONVERSATIONS_SERVICE_SID}/ParticipantConversations`,
    );
    expect(made[0]?.query).toEqual({ Identity: [started.identity], PageSize: ['20'] });
  });

  it.each([
    ['address', ADDRESS_ENV, seedChatAddress],
    ['flex-flow', FLEX_FLOW_ENV, seedFlexFlow],
  ] as const)('renews a token from a chat Flex created (%s mode)', async (_, env, seed) => {
    seed(mock);
    const started = await invoke(
      startChat,
      await proven({ mock, env, body: { friendlyName: 'Ana' } }),
    );
    expect(started.status).toBe(200);
    const { identity, token } = started.body as TokenBody;
    const before = mock.requests().length;

    const res = await renew(token, { env });
    expect(res.status).toBe(200);
    expect((res.body as TokenBody).identity).toBe(identity);
    expect(verifyTestToken((res.body as TokenBody).token).payload.grants).toEqual({
      identity,
      chat: { service_sid: TEST_ENV.CONVERSATIONS_SERVICE_SID },
    });
    expect(
      mock
        .requests()
        .slice(before)
        .map((r) => r.name),
    ).toEqual(['participantConversations.list']);
  });

  it('renews a token that expired within the grace window', async () => {
    const token = openChatToken(newIdentity(Date.now() - 7200_000), {
      iat: now() - 3900,
      exp: now() - 280,
    });
    expect((await renew(token)).status).toBe(200);
  });

  it('refuses a token that expired an hour ago', async () => {
    const token = signTestToken(newIdentity(Date.now() - 7200_000), {
      iat: now() - 7200,
      exp: now() - 3600,
    });
    const res = await renew(token);
    expect(res.status).toBe(401);
    expect((res.body as ErrorBody).error.code).toBe('token_expired');
  });

  it('honours REFRESH_GRACE_SECONDS', async () => {
    const token = signTestToken(newIdentity(Date.now() - 60_000), {
      iat: now() - 60,
      exp: now() - 5,
    });
    const res = await renew(token, { env: { ...TEST_ENV, REFRESH_GRACE_SECONDS: '0' } });
    expect(res.status).toBe(401);
  });

  it('refuses once the session is older than SESSION_MAX_AGE_SECONDS', async () => {
    const identity = newIdentity(Date.now() - 25 * 3600_000);
    const res = await renew(openChatToken(identity));
    expect(res.status).toBe(403);
    expect((res.body as ErrorBody).error.code).toBe('session_expired');
    expect(mock.requests()).toHaveLength(0);
  });

  it('never extends a token past the end of its session', async () => {
    const identity = newIdentity(Date.now() - (86_400 - 120) * 1000);
    const res = await renew(openChatToken(identity));
    expect(res.status).toBe(200);
    const { payload } = verifyTestToken((res.body as TokenBody).token);
    expect(payload.exp - payload.iat).toBeLessThanOrEqual(120);
    expect(payload.exp - payload.iat).toBeGreaterThan(100);
  });
});

describe('POST /refresh-token: no renewal for an ended chat', () => {
  it.each([
    ['closed', (identity: string) => seedChat(identity, 'closed')],
    ['deleted (no conversation for the identity)', () => undefined],
    [
      'a legacy channel marked INACTIVE',
      (identity: string) => {
        const chat = conversations(mock).get(seedChat(identity));
        if (chat) chat.attributes = JSON.stringify({ status: 'INACTIVE' });
      },
    ],
  ])('refuses a token whose chat is %s: 403 chat_ended, nothing written', async (_, seed) => {
    const identity = newIdentity(Date.now());
    seed(identity);
    const res = await renew(signTestToken(identity));
    expect(res.status).toBe(403);
    expect((res.body as ErrorBody).error.code).toBe('chat_ended');
    expect(res.text).not.toContain('"token"');
    expect(mock.requests().map((r) => r.name)).toEqual(['participantConversations.list']);
    expect(mock.writes()).toEqual([]);
  });

  it('stops renewing once /end-chat has closed the chat', async () => {
    const started = (await invoke(startChat, await proven({ mock, body: {} })))
      .body as TokenBody & {
      conversationSid: string;
    };
    expect((await renew(started.token)).status).toBe(200);
    const { handler: endChat } = await import('../../functions/end-chat');
    const body = { token: started.token, conversationSid: started.conversationSid };
    expect((await invoke(endChat, { mock, body })).status).toBe(200);
    const res = await renew(started.token);
    expect(res.status).toBe(403);
    expect((res.body as ErrorBody).error.code).toBe('chat_ended');
  });

  it('renews when Twilio cannot say (an outage must not end chats), and logs it', async () => {
    const token = openChatToken();
    mock.failNext('participantConversations.list', { status: 503 });
    const logs = captureLogs();
    const res = await renew(token);
    logs.restore();
    expect(res.status).toBe(200);
    expect(logs.events()).toContain('refresh_token.chat_check_failed');
  });
});

describe('POST /refresh-token: what it refuses (401, no token minted)', () => {
  const ours = () => newIdentity(Date.now());
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const unsignedNone = () => {
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const claims = {
      grants: { identity: ours(), chat: { service_sid: TEST_ENV.CONVERSATIONS_SERVICE_SID } },
      iat: now(),
      exp: now() + 3600,
      iss: TEST_ENV.API_KEY,
      sub: TEST_ENV.ACCOUNT_SID,
    };
    return `${enc({ alg: 'none', typ: 'JWT', cty: 'twilio-fpa;v=1' })}.${enc(claims)}.`;
  };

  const cases: [string, () => string][] = [
    ['alg: none', unsignedNone],
    ['HS512 with our secret', () => signTestToken(ours(), {}, { algorithm: 'HS512' })],
    [
      'RS256 with another key',
      () =>
        jwt.sign(
          {
            grants: { identity: ours(), chat: { service_sid: TEST_ENV.CONVERSATIONS_SERVICE_SID } },
            iss: TEST_ENV.API_KEY,
            sub: TEST_ENV.ACCOUNT_SID,
          },
          privateKey,
          { algorithm: 'RS256', expiresIn: 3600, header: { alg: 'RS256', cty: 'twilio-fpa;v=1' } },
        ),
    ],
    ['another secret', () => signTestToken(ours(), {}, { secret: 'someone-elses-secret' })],
    ['another API key as issuer', () => signTestToken(ours(), { iss: 'SK' + '9'.repeat(32) })],
    ['another account as subject', () => signTestToken(ours(), { sub: 'AC' + '9'.repeat(32) })],
    [
      'another Conversations service',
      () =>
        signTestToken(ours(), {
          grants: { identity: ours(), chat: { service_sid: 'IS' + '9'.repeat(32) } },
        }),
    ],
    [
      'an identity we did not choose (an agent)',
      () => signTestToken('agent.smith@company.example'),
    ],
    ['no identity', () => signTestToken(undefined)],
    ['no content type header', () => signTestToken(ours(), {}, { header: { cty: undefined } })],
    ['an iat in the future', () => signTestToken(ours(), { iat: now() + 3600, exp: now() + 7200 })],
    [
      'a tampered payload',
      () => {
        const [h, , s] = signTestToken(ours()).split('.');
        const forged = Buffer.from(
          JSON.stringify({ grants: { identity: ours() }, iat: now(), exp: now() + 3600 }),
        ).toString('base64url');
        return `${h}.${forged}.${s}`;
      },
    ],
    ['garbage', () => 'not-a-token'],
    ['three dots of nothing', () => '..'],
  ];

  it.each(cases)('%s', async (_, make) => {
    const res = await renew(make());
    expect(res.status).toBe(401);
    expect((res.body as ErrorBody).error.code).toBe('invalid_token');
    expect(res.text).not.toContain('token":"ey');
  });
});

describe('POST /refresh-token: request shape', () => {
  it.each([
    ['no token', {}],
    ['an empty token', { token: '' }],
    ['a numeric token', { token: 42 }],
    ['an oversized token', { token: 'x'.repeat(5000) }],
    ['a caller-named identity', { token: 'x.y.z', identity: 'web_abc_' + '0'.repeat(32) }],
  ])('refuses %s with 400', async (_, body) => {
    const res = await invoke(refresh, { mock, body });
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.code).toBe('invalid_request');
  });

  it('applies the same origin rules as /start-chat', async () => {
    const res = await renew(signTestToken(newIdentity(Date.now())), {
      headers: { origin: 'https://evil.example' },
    });
    expect(res.status).toBe(403);
    expect(headerOf(res, 'access-control-allow-origin')).toBeUndefined();
  });

  it.each([
    ['with an empty JSON body', {}, {}],
    ['with no body at all (a GET)', undefined, { 'content-length': undefined }],
    ['beside a short JSON body', { note: 1 }, {}],
  ])('refuses a token in the URL %s: 400, no Twilio call', async (_, body, headers) => {
    const token = openChatToken();
    mock.reset();
    const res = await invoke(refresh, { mock, query: { token }, body, headers });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        code: 'invalid_request',
        message: 'Send the token in the JSON body, never in the URL.',
        fields: [{ field: 'token', problem: 'must be sent in the JSON body, not the URL' }],
      },
    });
    expect(mock.requests()).toHaveLength(0);
  });

  it('takes the token from a JSON body, even when a stale one is also in the URL', async () => {
    const token = openChatToken();
    const res = await invoke(refresh, { mock, query: { token: 'stale' }, body: { token } });
    expect(res.status).toBe(200);
  });

  it('refuses a form body with 415', async () => {
    const res = await renew('x', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(415);
  });
});
