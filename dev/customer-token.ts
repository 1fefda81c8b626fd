/**
 * Customer tokens as a company's backend would mint them, for tests, the
 * bench and local trials: `CUSTOMER_ENV` is a valid HS256 configuration to
 * spread over TEST_ENV, and `mintCustomerToken` signs a token for it with
 * jose (any claim can be overridden or removed, for the refusal tests).
 *
 * @example
 *   const env = { ...TEST_ENV, ...CUSTOMER_ENV };
 *   const customerToken = await mintCustomerToken({ sub: 'cus_42', name: 'Ana' });
 */
import { SignJWT, type CryptoKey } from 'jose';

export const CUSTOMER_ENV = {
  CUSTOMER_TOKEN_SECRET: 'test-customer-secret-0123456789abcdefghij',
  CUSTOMER_TOKEN_ISSUER: 'https://shop.example.com',
  CUSTOMER_TOKEN_AUDIENCE: 'flex-webchat',
} as const;

export interface MintOptions {
  /** Default: HS256 with CUSTOMER_ENV's secret. */
  alg?: string;
  key?: CryptoKey | Uint8Array;
  kid?: string;
  /** "now" for iat/exp, in ms. Default: Date.now(). */
  nowMs?: number;
  /** Seconds from iat to exp. Default: 300. */
  lifetimeSeconds?: number;
}

/**
 * A signed token with `iss`, `aud`, `iat`, `exp` from CUSTOMER_ENV and the
 * clock, plus `claims` (which win; `undefined` removes a claim).
 */
export async function mintCustomerToken(
  claims: Record<string, unknown> = {},
  options: MintOptions = {},
): Promise<string> {
  const iat = Math.floor((options.nowMs ?? Date.now()) / 1000);
  const payload: Record<string, unknown> = {
    iss: CUSTOMER_ENV.CUSTOMER_TOKEN_ISSUER,
    aud: CUSTOMER_ENV.CUSTOMER_TOKEN_AUDIENCE,
    sub: 'cus_42',
    iat,
    exp: iat + (options.lifetimeSeconds ?? 300),
    ...claims,
  };
  for (const [name, value] of Object.entries(payload)) {
    if (value === undefined) delete payload[name];
  }
  const alg = options.alg ?? 'HS256';
  const key = options.key ?? new TextEncoder().encode(CUSTOMER_ENV.CUSTOMER_TOKEN_SECRET);
  return new SignJWT(payload)
    .setProtectedHeader({ alg, typ: 'JWT', ...(options.kid !== undefined && { kid: options.kid }) })
    .sign(key);
}
