/**
 * The `customer` section (src/config/customer.ts): what it accepts, and that
 * each problem names its variable without echoing its value.
 */
import { generateKeyPairSync } from 'node:crypto';
import { loadConfig } from '.';
import { ConfigError } from '../errors';
import { CUSTOMER_ENV } from '../../dev/customer-token';
import { TEST_ENV } from '../../dev/twilio-fake/env';

const read = (env: Record<string, string>) =>
  loadConfig({ ...TEST_ENV, ...env }, {}, ['customer']).customer;

function problems(env: Record<string, string>): Record<string, string> {
  try {
    read(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const value of Object.values(env)) {
      if (value.length > 4)
        expect(error.message + JSON.stringify(error.problems)).not.toContain(value);
    }
    return Object.fromEntries(error.problems.map((p) => [p.field, p.problem]));
  }
  throw new Error('no problem found');
}

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = (key: typeof ec.publicKey) => key.export({ type: 'spki', format: 'pem' }).toString();

describe('config: customer', () => {
  it('is off with no key: anonymous chats only, nothing else required', () => {
    expect(read({})).toMatchObject({ secret: undefined, publicKey: undefined, jwksUrl: undefined });
  });

  it('reads an HS256 setup with its defaults', () => {
    expect(
      read({ ...CUSTOMER_ENV, CUSTOMER_CLAIMS: ' plan, tier ,plan', SHOW_PREVIOUS_CHAT: 'true' }),
    ).toEqual({
      secret: CUSTOMER_ENV.CUSTOMER_TOKEN_SECRET,
      publicKey: undefined,
      jwksUrl: undefined,
      issuer: CUSTOMER_ENV.CUSTOMER_TOKEN_ISSUER,
      audience: CUSTOMER_ENV.CUSTOMER_TOKEN_AUDIENCE,
      maxLifetimeSeconds: 600,
      claims: ['plan', 'tier'],
      requireSignedIn: false,
      showPreviousChat: true,
    });
  });

  it('reads public keys (with \\n escapes) and knows their algorithm by their type', () => {
    const base = { ...CUSTOMER_ENV, CUSTOMER_TOKEN_SECRET: '' };
    const escaped = pem(ec.publicKey).replace(/\n/g, '\\n');
    expect(read({ ...base, CUSTOMER_PUBLIC_KEY: escaped }).publicKey?.algorithm).toBe('ES256');
    expect(read({ ...base, CUSTOMER_PUBLIC_KEY: pem(rsa.publicKey) }).publicKey?.algorithm).toBe(
      'RS256',
    );
  });

  it('accepts https JWKS URLs, and http only on this machine', () => {
    const base = { ...CUSTOMER_ENV, CUSTOMER_TOKEN_SECRET: '' };
    expect(
      read({ ...base, CUSTOMER_JWKS_URL: 'https://shop.example.com/.well-known/jwks.json' })
        .jwksUrl,
    ).toBe('https://shop.example.com/.well-known/jwks.json');
    expect(read({ ...base, CUSTOMER_JWKS_URL: 'http://127.0.0.1:4567/jwks' }).jwksUrl).toBe(
      'http://127.0.0.1:4567/jwks',
    );
  });

  it('names each malformed variable', () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(problems({ CUSTOMER_TOKEN_SECRET: 'short-secret' })).toEqual({
      CUSTOMER_TOKEN_SECRET: expect.stringContaining('at least 32 bytes'),
      CUSTOMER_TOKEN_ISSUER: expect.stringContaining('required'),
      CUSTOMER_TOKEN_AUDIENCE: expect.stringContaining('required'),
    });
    const base = { ...CUSTOMER_ENV, CUSTOMER_TOKEN_SECRET: '' };
    const privatePem = ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(problems({ ...base, CUSTOMER_PUBLIC_KEY: privatePem }).CUSTOMER_PUBLIC_KEY).toMatch(
      /private key/,
    );
    expect(
      problems({ ...base, CUSTOMER_PUBLIC_KEY: 'not a key at all' }).CUSTOMER_PUBLIC_KEY,
    ).toMatch(/PEM/);
    expect(
      problems({ ...base, CUSTOMER_PUBLIC_KEY: pem(weak.publicKey) }).CUSTOMER_PUBLIC_KEY,
    ).toMatch(/2048/);
    expect(
      problems({ ...base, CUSTOMER_JWKS_URL: 'http://shop.example.com/jwks' }).CUSTOMER_JWKS_URL,
    ).toMatch(/https/);
    expect(
      problems({
        ...base,
        CUSTOMER_PUBLIC_KEY: pem(ec.publicKey),
        CUSTOMER_JWKS_URL: 'https://a.example/j',
      }),
    ).toEqual({ CUSTOMER_JWKS_URL: expect.stringContaining('not both') });
    expect(problems({ REQUIRE_SIGNED_IN: 'true' })).toEqual({
      REQUIRE_SIGNED_IN: expect.stringContaining('needs a way to verify'),
    });
    expect(
      problems({ ...CUSTOMER_ENV, REQUIRE_SIGNED_IN: 'yes', SHOW_PREVIOUS_CHAT: '1' }),
    ).toEqual({
      REQUIRE_SIGNED_IN: expect.stringContaining('true, false'),
      SHOW_PREVIOUS_CHAT: expect.stringContaining('true, false'),
    });
    expect(problems({ ...CUSTOMER_ENV, CUSTOMER_CLAIMS: 'plan,email' }).CUSTOMER_CLAIMS).toMatch(
      /other claims/,
    );
    expect(
      problems({ ...CUSTOMER_ENV, CUSTOMER_CLAIMS: 'plan,has space' }).CUSTOMER_CLAIMS,
    ).toMatch(/claim names/);
    expect(problems({ ...CUSTOMER_ENV, CUSTOMER_TOKEN_MAX_LIFETIME_SECONDS: '7200' })).toEqual({
      CUSTOMER_TOKEN_MAX_LIFETIME_SECONDS: expect.stringContaining('60 to 3600'),
    });
  });
});
