/**
 * verifyCustomer on its own: each check, one token at a time (the HTTP side,
 * with Twilio write counts: tests/contract/start-chat-customer.test.ts).
 */
import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { loadConfig } from '../config';
import { CUSTOMER_ENV, mintCustomerToken } from '../../dev/customer-token';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { CustomerTokenError } from '../errors';
import { customerIdentity } from '../identity';
import { verifyCustomer } from './verify';

const NOW = Date.UTC(2026, 11, 3, 9, 0, 0);

function configWith(env: Record<string, string> = {}) {
  return loadConfig({ ...TEST_ENV, ...CUSTOMER_ENV, ...env }, {}, ['customer']);
}

async function refusal(token: string, env: Record<string, string> = {}): Promise<string> {
  try {
    await verifyCustomer(configWith(env), token, NOW);
  } catch (error) {
    if (error instanceof CustomerTokenError) return `${error.status} ${error.code}`;
    throw error;
  }
  throw new Error('accepted');
}

const mint = (claims: Record<string, unknown> = {}, lifetimeSeconds?: number) =>
  mintCustomerToken(claims, {
    nowMs: NOW,
    ...(lifetimeSeconds !== undefined && { lifetimeSeconds }),
  });

describe('verifyCustomer: HS256', () => {
  it('accepts a valid token: identity from (iss, sub), name, email, allowlisted claims', async () => {
    const token = await mint({ name: ' Ana ', email: 'ana@example.com', plan: 'gold', vip: true });
    const config = configWith({ CUSTOMER_CLAIMS: 'plan,vip,missing' });
    const customer = await verifyCustomer(config, token, NOW);
    expect(customer).toEqual({
      identity: customerIdentity(TEST_ENV.API_SECRET, CUSTOMER_ENV.CUSTOMER_TOKEN_ISSUER, 'cus_42'),
      claims: {
        sub: 'cus_42',
        iss: CUSTOMER_ENV.CUSTOMER_TOKEN_ISSUER,
        name: 'Ana',
        email: 'ana@example.com',
        extra: { plan: 'gold', vip: true },
      },
      tokenExpiresAt: NOW / 1000 + 300,
      verifiedAt: NOW / 1000,
      signature: expect.stringMatching(/^v2\.[A-Za-z0-9_-]{43}$/) as unknown,
    });
  });

  it('passes on no claim it was not told to, and drops values that are not plain', async () => {
    const token = await mint({
      name: 'x'.repeat(65),
      email: 'nope',
      plan: { a: 1 },
      role: 'admin',
    });
    const customer = await verifyCustomer(configWith({ CUSTOMER_CLAIMS: 'plan' }), token, NOW);
    expect(customer.claims).toEqual({
      sub: 'cus_42',
      iss: CUSTOMER_ENV.CUSTOMER_TOKEN_ISSUER,
      extra: {},
    });
  });

  it('accepts an audience list that contains ours', async () => {
    const token = await mint({ aud: ['other', CUSTOMER_ENV.CUSTOMER_TOKEN_AUDIENCE] });
    await expect(verifyCustomer(configWith(), token, NOW)).resolves.toBeDefined();
  });

  it.each([
    [
      'signed with another secret',
      () => mintCustomerToken({}, { nowMs: NOW, key: new TextEncoder().encode('y'.repeat(40)) }),
    ],
    ['of another issuer', () => mint({ iss: 'https://evil.example' })],
    ['for another audience', () => mint({ aud: 'someone-else' })],
    ['without sub', () => mint({ sub: undefined })],
    ['with an empty sub', () => mint({ sub: ' ' })],
    ['with a numeric sub', () => mint({ sub: 42 })],
    ['without exp', () => mint({ exp: undefined })],
    ['without iat', () => mint({ iat: undefined })],
    ['living longer than the maximum', () => mint({}, 601)],
    [
      'issued beyond the skew in the future',
      () => mint({ iat: NOW / 1000 + 61, exp: NOW / 1000 + 300 }),
    ],
    ['not valid before a time beyond the skew', () => mint({ nbf: NOW / 1000 + 61 })],
    ['longer than 4 KB', () => mint({ pad: 'x'.repeat(4096) })],
    ['unparseable', () => Promise.resolve('not.a.jwt')],
    ['empty', () => Promise.resolve('')],
  ])('refuses a token %s: 401 customer_token_invalid', async (_, make) => {
    expect(await refusal(await make())).toBe('401 customer_token_invalid');
  });

  it('refuses an expired token beyond the skew as expired, and accepts one within it', async () => {
    const expired = await mint({ iat: NOW / 1000 - 400, exp: NOW / 1000 - 61 });
    expect(await refusal(expired)).toBe('401 customer_token_expired');
    const justExpired = await mint({ iat: NOW / 1000 - 400, exp: NOW / 1000 - 59 });
    await expect(verifyCustomer(configWith(), justExpired, NOW)).resolves.toBeDefined();
  });

  it('tolerates clocks 60 s apart for iat and nbf', async () => {
    const token = await mint({ iat: NOW / 1000 + 59, exp: NOW / 1000 + 300, nbf: NOW / 1000 + 59 });
    await expect(verifyCustomer(configWith(), token, NOW)).resolves.toBeDefined();
  });

  it('refuses alg none', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const valid = await mint();
    const payload = valid.split('.')[1] ?? '';
    expect(await refusal(`${header}.${payload}.`)).toBe('401 customer_token_invalid');
  });

  it('refuses every token when no key is configured, saying so', async () => {
    const token = await mint();
    const config = loadConfig({ ...TEST_ENV }, {}, ['customer']);
    await expect(verifyCustomer(config, token, NOW)).rejects.toThrow(
      /does not accept customer tokens/,
    );
  });
});

describe('verifyCustomer: RS256 and ES256 with a public key', () => {
  let rsa: { publicKey: CryptoKey; privateKey: CryptoKey; pem: string };
  let ec: { publicKey: CryptoKey; privateKey: CryptoKey; pem: string };

  beforeAll(async () => {
    const r = await generateKeyPair('RS256', { extractable: true });
    rsa = { ...r, pem: await exportSPKI(r.publicKey) };
    const e = await generateKeyPair('ES256', { extractable: true });
    ec = { ...e, pem: await exportSPKI(e.publicKey) };
  });

  it('accepts an ES256 token with the EC public key, and an RS256 one with the RSA key', async () => {
    const es = await mintCustomerToken({}, { nowMs: NOW, alg: 'ES256', key: ec.privateKey });
    const ecEnv = { CUSTOMER_TOKEN_SECRET: '', CUSTOMER_PUBLIC_KEY: ec.pem };
    expect((await verifyCustomer(configWith(ecEnv), es, NOW)).claims.sub).toBe('cus_42');
    const rs = await mintCustomerToken({}, { nowMs: NOW, alg: 'RS256', key: rsa.privateKey });
    const rsaEnv = {
      CUSTOMER_TOKEN_SECRET: '',
      CUSTOMER_PUBLIC_KEY: rsa.pem.replace(/\n/g, '\\n'),
    };
    expect((await verifyCustomer(configWith(rsaEnv), rs, NOW)).claims.sub).toBe('cus_42');
  });

  it('refuses HS/RS confusion: an HS256 token whose secret is the RSA public key', async () => {
    const forged = await new SignJWT({ sub: 'cus_1', iss: CUSTOMER_ENV.CUSTOMER_TOKEN_ISSUER })
      .setProtectedHeader({ alg: 'HS256' })
      .setAudience(CUSTOMER_ENV.CUSTOMER_TOKEN_AUDIENCE)
      .setIssuedAt(NOW / 1000)
      .setExpirationTime(NOW / 1000 + 300)
      .sign(new TextEncoder().encode(rsa.pem));
    const env = { CUSTOMER_TOKEN_SECRET: '', CUSTOMER_PUBLIC_KEY: rsa.pem };
    expect(await refusal(forged, env)).toBe('401 customer_token_invalid');
  });

  it('refuses an RS256 token when the key is EC, and an HS256 one when only a public key is set', async () => {
    const rs = await mintCustomerToken({}, { nowMs: NOW, alg: 'RS256', key: rsa.privateKey });
    const env = { CUSTOMER_TOKEN_SECRET: '', CUSTOMER_PUBLIC_KEY: ec.pem };
    expect(await refusal(rs, env)).toBe('401 customer_token_invalid');
    expect(await refusal(await mint(), env)).toBe('401 customer_token_invalid');
  });
});
