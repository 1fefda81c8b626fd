/**
 * Verifies a signed-in customer's token: a JWT the company's backend signs
 * (HS256 with CUSTOMER_TOKEN_SECRET, or RS256/ES256 with a public key or a
 * JWKS URL; src/config/customer.ts), checked with `jose`, never by hand.
 *
 * A token is accepted only when all of these hold:
 *   - at most 4 KB (checked before anything is parsed);
 *   - signed with the algorithm its key is for (verify-keys.ts);
 *   - `iss` and `aud` are the configured ones;
 *   - `sub` is a non-empty string (the company's customer id);
 *   - `exp` and `iat` are present, `exp - iat` at most
 *     CUSTOMER_TOKEN_MAX_LIFETIME_SECONDS, so a long-lived token cannot be
 *     passed off as a login;
 *   - not expired, not issued in the future, `nbf` (if any) reached, each
 *     with CLOCK_SKEW_SECONDS of tolerance for clocks that disagree.
 *
 * Refusals are 401 `customer_token_expired` (expired) or
 * `customer_token_invalid` (everything else), with a general message; the
 * log says which check failed. A JWKS URL that does not answer, or answers
 * no usable key, is 503 `customer_keys_unavailable`.
 *
 * @example
 *   const customer = await verifyCustomer(config, body.customerToken, Date.now());
 *   customer.identity; // 'cust_3f2a…', the same for this (iss, sub) every time
 */
import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import type { Config } from '../config';
import { customerTokensOn } from '../config/customer';
import { CUSTOMER_ATTRIBUTE_MAX_BYTES, customerAttribute } from '../chat-attributes';
import { customerSignature } from '../customer-signature';
import { CustomerTokenError } from '../errors';
import type { FieldParser } from '../fields';
import { customerIdentity } from '../identity';
import { LIMITS } from '../limits';
import { log } from '../log';
import type { VerifiedClaims, VerifiedCustomer } from './types';
import { hasKeyFor, keyFor, type VerificationKey } from './verify-keys';

/** The longest customer token read at all, in characters (ASCII). */
export const CUSTOMER_TOKEN_MAX_LENGTH = 4096;
/** How far the company's clock and ours may disagree. */
export const CLOCK_SKEW_SECONDS = 60;
/** Longest verified string passed on to agents (an allowlisted claim's value). */
const CLAIM_VALUE_MAX_LENGTH = 256;
const SUB_MAX_LENGTH = 256;
const EMAIL_MAX_LENGTH = 254;

export type CustomerConfig = Pick<Config, 'customer' | 'apiSecret'>;

/**
 * The customer of a chat start: verified when a token came, none when it did
 * not, and a 401 `customer_token_required` when REQUIRE_SIGNED_IN wants one.
 */
export async function startingCustomer(
  config: CustomerConfig,
  token: string | undefined,
  nowMs: number,
): Promise<VerifiedCustomer | undefined> {
  if (token !== undefined) return verifyCustomer(config, token, nowMs);
  if (config.customer.requireSignedIn) throw new CustomerTokenError('customer_token_required');
  return undefined;
}

export async function verifyCustomer(
  config: CustomerConfig,
  token: string,
  nowMs: number,
): Promise<VerifiedCustomer> {
  const settings = config.customer;
  if (!customerTokensOn(settings)) {
    throw new CustomerTokenError(
      'customer_token_invalid',
      'This chat service does not accept customer tokens: it has no CUSTOMER_TOKEN_SECRET, CUSTOMER_PUBLIC_KEY or CUSTOMER_JWKS_URL.',
    );
  }
  if (token.length > CUSTOMER_TOKEN_MAX_LENGTH) refuse('too_long');
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    refuse('malformed');
  }
  const key = await keyFor(settings, alg).catch((error: unknown) => {
    if (error instanceof CustomerTokenError) refuse('no_key_for_alg');
    throw error;
  });
  const payload = await verifySignatureAndTimes(config, token, key, nowMs);
  const claims = withinAttributeSize(verifiedClaims(payload, settings.claims));
  const exp = payload.exp as number;
  const iat = payload.iat as number;
  if (exp - iat > settings.maxLifetimeSeconds) refuse('lifetime_too_long');
  if (iat > nowMs / 1000 + CLOCK_SKEW_SECONDS) refuse('issued_in_future');
  const identity = customerIdentity(config.apiSecret, claims.iss, claims.sub);
  // Signed for its identity and now, so the claims are checkable where they
  // travel, for one session (src/customer-signature.ts).
  const verifiedAt = Math.floor(nowMs / 1000);
  const signature = customerSignature(
    config.apiSecret,
    identity,
    customerAttribute({ claims, verifiedAt }),
  );
  return { identity, claims, tokenExpiresAt: exp, verifiedAt, signature };
}

/** jose's checks: signature, algorithm, iss, aud, exp, nbf, and that sub/exp/iat exist. */
async function verifySignatureAndTimes(
  { customer: settings }: CustomerConfig,
  token: string,
  key: VerificationKey,
  nowMs: number,
): Promise<JWTPayload> {
  const options = {
    algorithms: [key.algorithm],
    issuer: settings.issuer,
    audience: settings.audience,
    clockTolerance: CLOCK_SKEW_SECONDS,
    currentDate: new Date(nowMs),
    requiredClaims: ['sub', 'exp', 'iat'],
  };
  try {
    if (key.jwks) return await verifyWithKeySet(token, key.jwks, options);
    return (await jwtVerify(token, key.key, options)).payload;
  } catch (error) {
    throw refusalFor(error, key);
  }
}

/**
 * A JWKS may hold several keys that fit a token without a `kid` (during a
 * key rotation, say): jose then hands them over one by one, and the token
 * is valid when any of them verifies it.
 */
async function verifyWithKeySet(
  token: string,
  jwks: NonNullable<VerificationKey['jwks']>,
  options: Parameters<typeof jwtVerify>[2],
): Promise<JWTPayload> {
  try {
    return (await jwtVerify(token, jwks, options)).payload;
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
    for await (const candidate of error) {
      try {
        return (await jwtVerify(token, candidate, options)).payload;
      } catch (next) {
        if (!(next instanceof errors.JWSSignatureVerificationFailed)) throw next;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }
}

/** jose's error -> ours: what failed is logged, the caller gets the general code. */
function refusalFor(error: unknown, key: VerificationKey): CustomerTokenError {
  if (error instanceof CustomerTokenError) return error;
  if (keysUnavailable(error, key)) {
    log.warn('customer_token.keys_unavailable', { error });
    return new CustomerTokenError('customer_keys_unavailable');
  }
  const reason = error instanceof errors.JOSEError ? error.code : 'unexpected';
  log.info('customer_token.refused', { reason, algorithm: key.algorithm });
  return new CustomerTokenError(
    error instanceof errors.JWTExpired ? 'customer_token_expired' : 'customer_token_invalid',
  );
}

/**
 * Whether a JWKS failure is the key set's fault: no answer, a timeout, not
 * a 200, not a key set, or a set without any key for this algorithm. An
 * unknown `kid` in a set that has usable keys is the token's fault.
 */
function keysUnavailable(error: unknown, key: VerificationKey): boolean {
  if (!key.jwks) return false;
  if (error instanceof errors.JWKSNoMatchingKey) return !hasKeyFor(key.jwks, key.algorithm);
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return true;
  if (!(error instanceof errors.JOSEError)) return true; // fetch failed: refused, reset, DNS
  // jose's own words for "not 200" and "not JSON" (plain JOSEErrors, no subclass).
  return error.code === 'ERR_JOSE_GENERIC';
}

/** The claims agents may see, from a payload jose has verified. */
function verifiedClaims(payload: JWTPayload, allowed: readonly string[]): VerifiedClaims {
  const { sub, iss } = payload;
  if (typeof sub !== 'string' || sub.trim() === '' || sub.length > SUB_MAX_LENGTH) {
    refuse('bad_sub');
  }
  const name = text(payload.name, LIMITS.friendlyNameMaxLength);
  const email = text(payload.email, EMAIL_MAX_LENGTH);
  const extra: VerifiedClaims['extra'] = {};
  for (const claim of allowed) {
    const value = payload[claim];
    if (typeof value === 'number' || typeof value === 'boolean') extra[claim] = value;
    else if (text(value, CLAIM_VALUE_MAX_LENGTH) !== undefined) extra[claim] = value as string;
  }
  return {
    sub,
    iss: iss as string, // jose checked it equals CUSTOMER_TOKEN_ISSUER
    ...(name !== undefined && { name }),
    ...(email !== undefined && email.includes('@') && { email }),
    extra,
  };
}

/**
 * Drops allowlisted claims, last first, until the `customer` attribute fits
 * CUSTOMER_ATTRIBUTE_MAX_BYTES (the room /start-chat reserved for it within
 * Twilio's 16 KB). sub, iss, name and email are bounded well below it.
 */
function withinAttributeSize(claims: VerifiedClaims): VerifiedClaims {
  const extra = { ...claims.extra };
  const size = () =>
    Buffer.byteLength(
      JSON.stringify(customerAttribute({ claims: { ...claims, extra }, verifiedAt: 0 })),
    );
  const names = Object.keys(extra);
  while (size() > CUSTOMER_ATTRIBUTE_MAX_BYTES && names.length > 0) {
    delete extra[names.pop() as string];
    log.info('customer_token.claim_dropped', { reason: 'attributes_full' });
  }
  return { ...claims, extra };
}

/** A single-line, non-empty string of at most `max` characters, trimmed; else undefined. */
function text(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  // eslint-disable-next-line no-control-regex
  if (trimmed === '' || trimmed.length > max || /[\u0000-\u001f\u007f]/.test(trimmed)) {
    return undefined;
  }
  return trimmed;
}

function refuse(reason: string): never {
  log.info('customer_token.refused', { reason });
  throw new CustomerTokenError('customer_token_invalid');
}

/**
 * The request field: a string, or absent. Its length is not a 400 here: a
 * token over 4 KB is refused by `verifyCustomer` as invalid (401), like any
 * other token this service will not accept.
 */
export const optionalCustomerToken: FieldParser<string | undefined> = (value) => {
  if (value === undefined || value === null || value === '') return { ok: true, value: undefined };
  if (typeof value === 'string') return { ok: true, value };
  return { ok: false, problem: "must be the customer token (a JWT) your website's backend signed" };
};

/** What /start-chat tells the widget about its verified customer, to show. */
export function shownCustomer({ claims }: VerifiedCustomer): { name?: string; email?: string } {
  return {
    ...(claims.name !== undefined && { name: claims.name }),
    ...(claims.email !== undefined && { email: claims.email }),
  };
}
