/**
 * POST /start-chat with customer tokens signed by keys a JWKS URL publishes
 * (CUSTOMER_JWKS_URL), served on 127.0.0.1 by dev/jwks-fake.ts: ES256 and
 * RS256 starts, the key set fetched once and then reused from the process's
 * cache, the request the service makes (GET, the path, no credentials), and
 * a key set that is down, slow, unreadable or keyless: 503
 * customer_keys_unavailable, never a 500, with zero Twilio requests.
 */
import { handler } from '../../functions/start-chat';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { withProof } from '../../dev/challenge';
import { headerOf, invoke } from '../../dev/invoke';
import { JWKS_PATH, JwksFake, type JwksMode } from '../../dev/jwks-fake';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { forgetKeySets } from '../../src/customer/verify-keys';
import { customerIdentity } from '../../src/identity';
import { CUSTOMER_ENV } from '../../dev/customer-token';
import { captureLogsPerTest } from '../support/logs';
import { sealed } from '../support/seal';

const mock = TwilioMock.perTest();
const logs = captureLogsPerTest();
let jwks: JwksFake;

beforeAll(async () => {
  jwks = await JwksFake.start();
});
afterAll(() => jwks.stop());
beforeEach(() => {
  // Each test starts as a fresh Function instance would: no keys cached.
  forgetKeySets();
  jwks.requests.length = 0;
  jwks.mode = 'ok';
});

type ErrorBody = { error: { code: string; message: string } };

async function start(body: Record<string, unknown>) {
  const env = { ...TEST_ENV, ...jwks.env() };
  return invoke(handler, { mock, env, body: await withProof(body, { env }) });
}

describe('POST /start-chat: customer tokens verified with a JWKS URL', () => {
  it.each(['ES256', 'RS256'] as const)('starts a chat for a %s token', async (alg) => {
    const res = await start({ customerToken: await jwks.mint({ name: 'Ana' }, alg) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ customer: { name: 'Ana' } });
    expect(jwks.requests).toEqual([{ method: 'GET', path: JWKS_PATH, credentials: false }]);
  });

  it('stores the verified customer on the conversation, exactly', async () => {
    const claims = { sub: 'cus_7', name: 'Bo', email: 'bo@example.com' };
    const res = await start({ friendlyName: 'typed', customerToken: await jwks.mint(claims) });
    expect(res.status).toBe(200);
    const create = mock.requests('conversations.create')[0];
    expect(JSON.parse(create?.form.Attributes?.[0] ?? '')).toEqual({
      from: 'Bo',
      channel_type: 'web',
      pre_engagement_data: {},
      customer: {
        verified: true,
        id: 'cus_7',
        issuer: CUSTOMER_ENV.CUSTOMER_TOKEN_ISSUER,
        name: 'Bo',
        email: 'bo@example.com',
        verifiedAt: expect.any(Number) as unknown,
        signature: expect.stringMatching(/^v2\./) as unknown,
      },
      webchat_seal: sealed('bo@example.com'),
    });
  });

  it('fetches the key set once per process: the next starts reuse it', async () => {
    for (const sub of ['cus_1', 'cus_2', 'cus_3']) {
      const res = await start({ customerToken: await jwks.mint({ sub }, 'ES256') });
      expect(res.status).toBe(200);
    }
    expect(jwks.requests).toHaveLength(1);
  });

  it('gives a customer the same identity whichever of the keys signed their token', async () => {
    const { verifyCustomer } = await import('../../src/customer/verify');
    const { loadConfig } = await import('../../src/config');
    const config = loadConfig({ ...TEST_ENV, ...jwks.env() }, {}, ['customer']);
    const es = await verifyCustomer(config, await jwks.mint({}, 'ES256'), Date.now());
    const rs = await verifyCustomer(config, await jwks.mint({}, 'RS256'), Date.now());
    const expected = customerIdentity(
      TEST_ENV.API_SECRET,
      CUSTOMER_ENV.CUSTOMER_TOKEN_ISSUER,
      'cus_42',
    );
    expect([es.identity, rs.identity]).toEqual([expected, expected]);
  });

  it('refuses a token whose kid the key set does not have: 401, not 503', async () => {
    const customerToken = await jwks.mint({}, 'ES256', { kid: 'unknown-kid' });
    const res = await start({ customerToken });
    expect(res.status).toBe(401);
    expect((res.body as ErrorBody).error.code).toBe('customer_token_invalid');
    expect(mock.requests()).toHaveLength(0);
  });

  it('refuses an HS256 token when only a JWKS URL is configured', async () => {
    const { mintCustomerToken } = await import('../../dev/customer-token');
    const res = await start({ customerToken: await mintCustomerToken() });
    expect(res.status).toBe(401);
    expect((res.body as ErrorBody).error.code).toBe('customer_token_invalid');
    expect(jwks.requests).toHaveLength(0);
  });

  it.each<[JwksMode, string]>([
    ['down', 'answers 500'],
    ['garbage', 'answers HTML'],
    ['empty', 'has no keys'],
    ['foreign', 'has only a key of a kind it cannot use'],
    ['hang', 'does not answer within 1.5 s'],
  ])(
    'a key set in mode %s, which %s: 503 customer_keys_unavailable, Retry-After 30',
    async (mode) => {
      jwks.mode = mode;
      const res = await start({ customerToken: await jwks.mint({}, 'ES256') });
      expect(res.status).toBe(503);
      expect((res.body as ErrorBody).error.code).toBe('customer_keys_unavailable');
      expect(headerOf(res, 'retry-after')).toBe('30');
      expect(mock.requests()).toHaveLength(0);
      expect(logs.events()).toContain('customer_token.keys_unavailable');
    },
  );

  it('a key set nobody listens at: 503', async () => {
    const gone = await JwksFake.start();
    const env = { ...TEST_ENV, ...gone.env() };
    const customerToken = await gone.mint({}, 'ES256');
    await gone.stop();
    const body = await withProof({ customerToken }, { env });
    const res = await invoke(handler, { mock, env, body });
    expect(res.status).toBe(503);
    expect((res.body as ErrorBody).error.code).toBe('customer_keys_unavailable');
    expect(mock.requests()).toHaveLength(0);
  });

  it('recovers when the key set is back: a failure is not cached', async () => {
    jwks.mode = 'down';
    expect((await start({ customerToken: await jwks.mint() })).status).toBe(503);
    jwks.mode = 'ok';
    expect((await start({ customerToken: await jwks.mint() })).status).toBe(200);
    expect(jwks.requests).toHaveLength(2);
  });
});
