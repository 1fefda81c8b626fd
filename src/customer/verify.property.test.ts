/**
 * Properties of verifyCustomer, over generated tokens (fast-check):
 *
 * - any change to a valid token's header, payload or signature bytes (one
 *   bit flipped anywhere, re-encoded) is refused with a CustomerTokenError,
 *   for HS256 and ES256 alike;
 * - any valid token, whatever its sub and iss, verifies to the identity
 *   `customerIdentity(API_SECRET, iss, sub)`: the same customer always gets
 *   the same identity, and different ones never share it.
 */
import fc from 'fast-check';
import { exportSPKI, generateKeyPair, type CryptoKey } from 'jose';
import { loadConfig } from '../config';
import { CUSTOMER_ENV, mintCustomerToken, type MintOptions } from '../../dev/customer-token';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { CustomerTokenError } from '../errors';
import { customerIdentity } from '../identity';
import { verifyCustomer } from './verify';

const NOW = Date.UTC(2026, 11, 3, 9, 0, 0);

/** Flips one bit of one part's decoded bytes and encodes it again. */
function flipBit(token: string, part: number, bit: number): string {
  const parts = token.split('.');
  const bytes = Buffer.from(parts[part] ?? '', 'base64url');
  const at = bit % (bytes.length * 8);
  const index = Math.floor(at / 8);
  bytes[index] = (bytes[index] ?? 0) ^ (1 << (at % 8));
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

async function refused(config: Parameters<typeof verifyCustomer>[0], token: string) {
  try {
    await verifyCustomer(config, token, NOW);
    return false;
  } catch (error) {
    if (error instanceof CustomerTokenError) return true;
    throw error;
  }
}

describe('verifyCustomer: properties', () => {
  let ec: { privateKey: CryptoKey; pem: string };

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    ec = { privateKey: pair.privateKey, pem: await exportSPKI(pair.publicKey) };
  });

  const setups = () =>
    [
      ['HS256', { ...TEST_ENV, ...CUSTOMER_ENV }, {}],
      [
        'ES256',
        { ...TEST_ENV, ...CUSTOMER_ENV, CUSTOMER_TOKEN_SECRET: '', CUSTOMER_PUBLIC_KEY: ec.pem },
        { alg: 'ES256', key: ec.privateKey },
      ],
    ] as const;

  it('refuses every token with one bit changed in its header, payload or signature', async () => {
    for (const [, env, mint] of setups()) {
      const config = loadConfig(env, {}, ['customer']);
      const claims = { name: 'Ana', email: 'ana@example.com' };
      const valid = await mintCustomerToken(claims, { nowMs: NOW, ...(mint as MintOptions) });
      await expect(verifyCustomer(config, valid, NOW)).resolves.toBeDefined();
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: 2 }), fc.nat(), async (part, bit) => {
          expect(await refused(config, flipBit(valid, part, bit))).toBe(true);
        }),
        { numRuns: 300 },
      );
    }
  });

  it('gives every valid token the identity of its (iss, sub), and nothing else', async () => {
    const text = (max: number) =>
      fc
        .string({ minLength: 1, maxLength: max, unit: 'grapheme' })
        .filter((s) => s.trim() === s && s !== '');
    await fc.assert(
      fc.asyncProperty(text(256), text(100), async (sub, iss) => {
        const env = { ...TEST_ENV, ...CUSTOMER_ENV, CUSTOMER_TOKEN_ISSUER: iss };
        const config = loadConfig(env, {}, ['customer']);
        const token = await mintCustomerToken({ sub, iss }, { nowMs: NOW });
        const customer = await verifyCustomer(config, token, NOW);
        expect(customer.identity).toBe(customerIdentity(TEST_ENV.API_SECRET, iss, sub));
        expect(customer.identity).toMatch(/^cust_[0-9a-f]{32}$/);
        expect(customer.claims).toMatchObject({ sub, iss });
      }),
      { numRuns: 200 },
    );
  });

  it('never gives two different (iss, sub) pairs the same identity', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (iss1, sub1, iss2, sub2) => {
        fc.pre(iss1 !== iss2 || sub1 !== sub2);
        const a = customerIdentity(TEST_ENV.API_SECRET, iss1, sub1);
        expect(a).not.toBe(customerIdentity(TEST_ENV.API_SECRET, iss2, sub2));
      }),
      { numRuns: 500 },
    );
  });
});
