/**
 * POST /refresh-token for signed-in customers (`cust_` identities): the
 * session start travels in the Access Token's `nbf`; within
 * SESSION_MAX_AGE_SECONDS (at most 24 h) renewals need nothing more; past it
 * only a fresh customer token for the same customer renews (and starts a
 * new session); a customer token that does not verify stops renewal.
 * Through the real `twilio` library and the fake; every refusal makes no
 * Twilio request at all.
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
  it('renews within the session without a customer token, keeping the session start', async () => {
    const token = accessToken(2 * HOUR);
    const { nbf } = verifyTestToken(token).payload as unknown as { nbf: number };
    const res = await renew({ token });
    expect(res.status).toBe(200);
    const body = res.body as TokenBody;
    expect(body.identity).toBe(ANA);
    expect(verifyTestToken(body.token).payload).toMatchObject({ nbf });
    expect(mock.requests().map((r) => r.name)).toEqual(['participantConversations.list']);
  });

  it('refuses past the session age without a customer token: 401 customer_token_required, no request', async () => {
    const env = { ...ENV, SESSION_MAX_AGE_SECONDS: String(4 * HOUR) };
    // Minted 20 s before the session's end, so it expired 10 s ago (within the grace).
    const res = await renew({ token: accessToken(4 * HOUR + 10, 20, env) }, env);
    expect(res.status).toBe(401);
    expect((res.body as ErrorBody).error.code).toBe('customer_token_required');
    expect(mock.requests()).toHaveLength(0);
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
    const res = await renew({ token, customerToken: await mintCustomerToken() });
    expect(res.status).toBe(200);
    expect((res.body as TokenBody).identity).toBe(identity);
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
