/**
 * Signed-in customers in setup and doctor (scripts/setup/customer.ts):
 * `--customer-tokens` writes a fresh CUSTOMER_TOKEN_SECRET (never printed)
 * with the tokens' iss and aud; doctor says how tokens are verified and asks
 * a JWKS URL (dev/jwks-fake.ts, on 127.0.0.1) for usable keys, with one GET
 * and no credentials.
 */
import { CUSTOMER_ENV } from '../../dev/customer-token';
import { JWKS_PATH, JwksFake, type JwksMode } from '../../dev/jwks-fake';
import { DOCTOR_BASE, doctorPerTest, type DoctorEnv } from '../support/doctor';
import { CREDENTIAL_FLAGS, setupCli } from '../support/setup-cli';

const { mock, doctor, dir } = doctorPerTest();

const BASE: DoctorEnv = DOCTOR_BASE;

describe('doctor: customer tokens', () => {
  it('adds no row while they are off', async () => {
    const res = await doctor(BASE);
    expect(res.rows.map((r) => r.name).filter((n) => n.startsWith('CUSTOMER'))).toEqual([]);
  });

  it('HS256: says the secret verifies tokens, and whether signing in is required', async () => {
    const res = await doctor({ ...BASE, ...CUSTOMER_ENV, REQUIRE_SIGNED_IN: 'true' });
    expect(res.problems).toEqual([]);
    expect(res.row('CUSTOMER_TOKEN_SECRET')).toEqual({
      status: '✔ OK',
      name: 'CUSTOMER_TOKEN_SECRET',
      detail: 'HS256 customer tokens are verified; only signed-in customers can chat',
    });
    expect(res.stdout).not.toContain(CUSTOMER_ENV.CUSTOMER_TOKEN_SECRET);
  });

  it('names the configuration problems, never the values', async () => {
    const res = await doctor({ ...BASE, CUSTOMER_TOKEN_SECRET: 'too-short-secret' });
    expect(res.code).toBe(1);
    expect(res.problems.map((p) => p.detail).join('\n')).toMatch(/CUSTOMER_TOKEN_SECRET/);
    expect(res.stdout).not.toContain('too-short-secret');
  });

  it('a JWKS URL with usable keys: OK, after one GET without credentials', async () => {
    const jwks = await JwksFake.start();
    try {
      const res = await doctor({ ...BASE, ...jwks.env() });
      expect(res.problems).toEqual([]);
      expect(res.row('CUSTOMER_JWKS_URL')).toMatchObject({
        status: '✔ OK',
        detail: 'RS256 and ES256 customer tokens are verified with its 2 key(s)',
      });
      expect(jwks.requests).toEqual([{ method: 'GET', path: JWKS_PATH, credentials: false }]);
    } finally {
      await jwks.stop();
    }
  });

  it.each<[JwksMode, RegExp]>([
    ['down', /answered 500 without a key set/],
    ['garbage', /answered 200 without a key set/],
    ['empty', /its 0 key\(s\) can verify neither/],
    ['foreign', /its 1 key\(s\) can verify neither/],
  ])('a JWKS URL in mode %s: a problem', async (mode, detail) => {
    const jwks = await JwksFake.start();
    try {
      jwks.mode = mode;
      const res = await doctor({ ...BASE, ...jwks.env() });
      expect(res.problems.map((p) => p.name)).toEqual(['CUSTOMER_JWKS_URL']);
      expect(res.row('CUSTOMER_JWKS_URL')?.detail).toMatch(detail);
      expect(res.code).toBe(1);
    } finally {
      await jwks.stop();
    }
  });

  it('a JWKS URL out of reach: a warning', async () => {
    const jwks = await JwksFake.start();
    const env = { ...BASE, ...jwks.env() };
    await jwks.stop();
    const res = await doctor(env);
    expect(res.row('CUSTOMER_JWKS_URL')?.status).toBe('! WARN');
    expect(res.code).toBe(0);
  });
});

describe('npm run setup --customer-tokens', () => {
  const SETUP = [...CREDENTIAL_FLAGS, '--yes', '--customer-tokens'];

  it('writes a new random secret, never printed, with the iss and aud given', async () => {
    const res = await setupCli(mock, dir(), [
      ...SETUP,
      '--customer-issuer',
      'https://shop.example.com',
      '--customer-audience',
      'support-chat',
    ]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.env).toMatchObject({
      CUSTOMER_TOKEN_SECRET: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      CUSTOMER_TOKEN_ISSUER: 'https://shop.example.com',
      CUSTOMER_TOKEN_AUDIENCE: 'support-chat',
    });
    expect(res.stdout).not.toContain(res.env.CUSTOMER_TOKEN_SECRET);
    expect(res.stdout).toMatch(/CUSTOMER_TOKEN_SECRET.*HS256 customer tokens are verified/);
  });

  it('proposes the first allowed origin as iss and flex-webchat as aud (--yes)', async () => {
    const res = await setupCli(mock, dir(), [
      ...SETUP,
      '--allowed-origins',
      'https://shop.example.com,https://www.example.com',
    ]);
    expect(res.code).toBe(0);
    expect(res.env).toMatchObject({
      CUSTOMER_TOKEN_ISSUER: 'https://shop.example.com',
      CUSTOMER_TOKEN_AUDIENCE: 'flex-webchat',
    });
  });

  it('keeps the secret .env has (the backend signs with it), unless --force', async () => {
    const flags = [...SETUP, '--customer-issuer', 'https://shop.example.com'];
    const first = await setupCli(mock, dir(), flags);
    const secret = first.env.CUSTOMER_TOKEN_SECRET;
    const again = await setupCli(mock, dir(), flags);
    expect(again.env.CUSTOMER_TOKEN_SECRET).toBe(secret);
    const forced = await setupCli(mock, dir(), [...flags, '--force']);
    expect(forced.code).toBe(0);
    expect(forced.env.CUSTOMER_TOKEN_SECRET).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(forced.env.CUSTOMER_TOKEN_SECRET).not.toBe(secret);
    expect(forced.stdout).not.toContain(secret);
  });

  it('without an issuer to propose, --yes asks for --customer-issuer', async () => {
    const res = await setupCli(mock, dir(), SETUP);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/--customer-issuer/);
  });
});
