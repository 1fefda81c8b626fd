/**
 * POST /refresh-token for signed-in customers (`cust_` identities): every
 * renewal needs a fresh customer token for the same customer, and starts a
 * new session (its start travels in the Access Token's `nbf`); without one
 * it is 401 customer_token_required at any age (a signed-out page, an old
 * widget or a copied Access Token renews nothing); a customer token that
 * does not verify stops renewal. The answer says whether /previous-chat
 * answers (SHOW_PREVIOUS_CHAT). Through the real `twilio` library and the
 * fake; every refusal makes no Twilio request at all.
 */
import { handler as refresh } from '../../functions/refresh-token';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { invoke } from '../../dev/invoke';
import { CUSTOMER_ENV, mintCustomerToken } from '../../dev/customer-token';
import { JwksFake } from '../../dev/jwks-fake';
import { conversations } from '../../dev/twilio-fake/apis';
import { sid, TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { loadConfig } from '../../src/config';
import { forgetKeySets } from '../../src/customer/verify-keys';
import { customerIdentity, newIdentity } from '../../src/identity';
import { issueToken } from '../../src/tokens';
import { verifyTestToken } from '../support/tokens';
import { captureLogsPerTest } from '../support/logs';

const mock = TwilioMock.perTest();
captureLogsPerTest();

const ENV = { ...TEST_ENV, ...CUSTOMER_ENV };
const ANA = customerIdentity(TEST_ENV.API_SECRET, CUSTOMER_ENV.CUSTOMER_TOKEN_ISSUER, 'cus_42');
const HOUR = 3600;

type ErrorBody = { error: { code: string; message: string } };
type TokenBody = { identity: string; token: string; expiresAt: string };

const now = () => Math.floor(Date.now() / 1000);

/** An open conversation with `identity` as its participant. */
function seedChat(identity: string): void {
  const conversationSid = sid('CH');
  conversations(mock).set(conversationSid, {
    sid: conversationSid,
    serviceSid: TEST_ENV.CONVERSATIONS_SERVICE_SID,
    uniqueName: null,
    friendlyName: null,
    attributes: '{}',
    timers: {},
    state: 'active',
    participants: [{ sid: sid('MB'), identity, attributes: '{}' }],
    webhooks: [],
    messages: [],
  });
}

/**
 * An Access Token as /start-chat mints it for a signed-in customer whose
 * session began `sessionAgeSeconds` ago, minted `mintedAgoSeconds` ago.
 */
function accessToken(
  sessionAgeSeconds: number,
  mintedAgoSeconds = 0,
  env: Record<string, string> = ENV,
): string {
  const config = loadConfig(env, {}, ['tokens']);
  const t = now();
  return issueToken(config, ANA, t - sessionAgeSeconds, (t - mintedAgoSeconds) * 1000).token;
}

async function renew(body: Record<string, unknown>, env: Record<string, string> = ENV) {
  return invoke(refresh, { mock, env, body });
}

beforeEach(() => seedChat(ANA));

describe('/start-chat tokens of signed-in customers carry their session start', () => {
  it('as nbf, in the past, and never live past 24 h after it', () => {
    const env = { ...ENV, SESSION_MAX_AGE_SECONDS: String(7 * 86_400), TOKEN_TTL_SECONDS: '86400' };
    const { payload } = verifyTestToken(accessToken(20 * HOUR, 0, env));
    const claims = payload as unknown as { nbf: number; exp: number; iat: number };
    expect(Math.abs(claims.nbf - (now() - 20 * HOUR))).toBeLessThanOrEqual(1);
    expect(claims.exp - claims.nbf).toBe(86_400); // capped: Twilio's longest token
  });

  it('anonymous tokens have no nbf, as before', () => {
    const config = loadConfig(ENV, {}, ['tokens']);
    const { token } = issueToken(config, newIdentity(Date.now()), now(), Date.now());
    expect(verifyTestToken(token).payload).not.toHaveProperty('nbf');
  });
});

describe('POST /refresh-token: a signed-in customer', () => {
  it.each([
    ['within the session', 2 * HOUR, 0],
    // Minted 20 s before the session's end, so it expired 10 s ago (within the grace).
    ['past the session age', 4 * HOUR + 10, 20],
  ])(
    'refuses without a customer token %s: 401 customer_token_required, no request',
    async (_, age, mintedAgo) => {
      const env = { ...ENV, SESSION_MAX_AGE_SECONDS: String(4 * HOUR) };
      const res = await renew({ token: accessToken(age, mintedAgo, env) }, env);
      expect(res.status).toBe(401);
      expect((res.body as ErrorBody).error.code).toBe('customer_token_required');
      expect(mock.requests()).toHaveLength(0);
      expect(mock.writes()).toHaveLength(0);
    },
  );

  it('renews within the session with a fresh customer token: one read, a new session', async () => {
    const customerToken = await mintCustomerToken({ sub: 'cus_42' });
    const res = await renew({ token: accessToken(2 * HOUR), customerToken });
    expect(res.status).toBe(200);
    const body = res.body as TokenBody;
    expect(body.identity).toBe(ANA);
    expect(body).not.toHaveProperty('previousChat'); // SHOW_PREVIOUS_CHAT is off
    const { nbf } = verifyTestToken(body.token).payload as unknown as { nbf: number };
    expect(Math.abs(nbf - now())).toBeLessThanOrEqual(1);
    expect(mock.requests().map((r) => r.name)).toEqual(['participantConversations.list']);
    expect(mock.writes()).toHaveLength(0);
  });

  it('says previousChat: true with SHOW_PREVIOUS_CHAT=true (a reloaded widget knows to ask)', async () => {
    const env = { ...ENV, SHOW_PREVIOUS_CHAT: 'true' };
    const customerToken = await mintCustomerToken({ sub: 'cus_42' });
    const res = await renew({ token: accessToken(HOUR, 0, env), customerToken }, env);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      identity: ANA,
      token: expect.any(String),
      expiresAt: expect.any(String),
      previousChat: true,
    });
    expect(mock.requests().map((r) => r.name)).toEqual(['participantConversations.list']);
  });

  it('renews past the session age with a fresh customer token for the same customer: a new session', async () => {
    const env = { ...ENV, SESSION_MAX_AGE_SECONDS: String(4 * HOUR) };
    const customerToken = await mintCustomerToken({ sub: 'cus_42' });
    const res = await renew({ token: accessToken(4 * HOUR + 10, 20, env), customerToken }, env);
    expect(res.status).toBe(200);
    const claims = verifyTestToken((res.body as TokenBody).token).payload as unknown as {
      nbf: number;
      exp: number;
    };
    expect(Math.abs(claims.nbf - now())).toBeLessThanOrEqual(1);
    // TOKEN_TTL_SECONDS, the session being new. `nbf` is the handler's second and
    // `exp` the token library's own clock: a second may tick between the two.
    expect(claims.exp - claims.nbf - 3600).toBeGreaterThanOrEqual(0);
    expect(claims.exp - claims.nbf - 3600).toBeLessThanOrEqual(1);
  });

  it.each([
    ['for another customer', () => mintCustomerToken({ sub: 'cus_99' }), 'customer_token_invalid'],
    ['forged', () => mintCustomerToken({}, { key: new Uint8Array(40) }), 'customer_token_invalid'],
    [
      'expired',
      () => mintCustomerToken({}, { nowMs: Date.now() - 3_600_000 }),
      'customer_token_expired',
    ],
  ])(
    'refuses a customer token %s, even within the session: 401, no request',
    async (_, make, code) => {
      const res = await renew({ token: accessToken(HOUR), customerToken: await make() });
      expect(res.status).toBe(401);
      expect((res.body as ErrorBody).error.code).toBe(code);
      expect(mock.requests()).toHaveLength(0);
    },
  );

  it('refuses a cust_ token without nbf (none this service minted): 401 invalid_token', async () => {
    const { signTestToken } = await import('../support/tokens');
    const res = await renew({ token: signTestToken(ANA) });
    expect(res.status).toBe(401);
    expect((res.body as ErrorBody).error.code).toBe('invalid_token');
    expect(mock.requests()).toHaveLength(0);
  });

  it('refuses a customer token in the URL', async () => {
    const customerToken = await mintCustomerToken();
    const res = await invoke(refresh, {
      mock,
      env: ENV,
      body: { token: accessToken(HOUR) },
      query: { customerToken },
    });
    expect(res.status).toBe(400);
    expect(mock.requests()).toHaveLength(0);
  });

  it('ignores a customer token sent with an anonymous session', async () => {
    const identity = newIdentity(Date.now());
    seedChat(identity);
    const config = loadConfig(ENV, {}, ['tokens']);
    const { token } = issueToken(config, identity, now(), Date.now());
    const env = { ...ENV, SHOW_PREVIOUS_CHAT: 'true' };
    const res = await renew({ token, customerToken: await mintCustomerToken() }, env);
    expect(res.status).toBe(200);
    expect((res.body as TokenBody).identity).toBe(identity);
    expect(res.body).not.toHaveProperty('previousChat'); // anonymous: nothing to show
  });

  it('with a JWKS URL that is down: 503 customer_keys_unavailable, nothing renewed', async () => {
    const jwks = await JwksFake.start();
    try {
      forgetKeySets();
      const env = { ...TEST_ENV, ...jwks.env() };
      const customerToken = await jwks.mint({ sub: 'cus_42' });
      jwks.mode = 'down';
      const res = await renew({ token: accessToken(HOUR, 0, env), customerToken }, env);
      expect(res.status).toBe(503);
      expect((res.body as ErrorBody).error.code).toBe('customer_keys_unavailable');
      expect(mock.requests()).toHaveLength(0);
    } finally {
      await jwks.stop();
    }
  });
});
