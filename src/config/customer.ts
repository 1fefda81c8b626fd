/**
 * The `customer` section: how this service verifies a signed-in customer's
 * token (a JWT the company's backend signs; src/customer/verify.ts checks it).
 *
 *   CUSTOMER_TOKEN_SECRET      HS256 shared secret, at least 32 bytes
 *   CUSTOMER_PUBLIC_KEY        RS256/ES256: the company's public key (PEM)
 *   CUSTOMER_JWKS_URL          RS256/ES256: where the company publishes its keys
 *   CUSTOMER_TOKEN_ISSUER      the `iss` tokens must carry (required with a key)
 *   CUSTOMER_TOKEN_AUDIENCE    the `aud` tokens must carry (required with a key)
 *   CUSTOMER_TOKEN_MAX_LIFETIME_SECONDS  longest `exp - iat` accepted (600)
 *   CUSTOMER_CLAIMS            other claims agents may see, comma separated
 *   REQUIRE_SIGNED_IN          true: chats need a valid customer token
 *   SHOW_PREVIOUS_CHAT         true: a returning customer sees their last chat
 *
 * No key set: customer tokens are off (anonymous chats only). Each key is
 * checked for its shape here, so a swapped or truncated key is named at once
 * instead of failing every start; a private key pasted where the public one
 * belongs is refused (it must never sit on this server).
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { EnvReader } from './reader';

/** The asymmetric algorithms accepted; HS256 is the only symmetric one. */
export type PublicKeyAlgorithm = 'RS256' | 'ES256';

export interface CustomerPublicKey {
  /** PEM (SPKI), as configured, with `\n` escapes turned into newlines. */
  pem: string;
  /** What the key's type allows: RSA -> RS256, EC P-256 -> ES256. */
  algorithm: PublicKeyAlgorithm;
}

export interface CustomerSettings {
  /** HS256 secret; undefined: HS256 tokens are refused. */
  secret: string | undefined;
  /** A fixed public key; undefined: none. */
  publicKey: CustomerPublicKey | undefined;
  /** Where RS256/ES256 keys are fetched from; undefined: none. */
  jwksUrl: string | undefined;
  issuer: string;
  audience: string;
  maxLifetimeSeconds: number;
  /** Claims beyond sub/name/email that go to agents (strings, numbers, booleans). */
  claims: readonly string[];
  requireSignedIn: boolean;
  showPreviousChat: boolean;
}

export const CUSTOMER_VARIABLES = [
  'CUSTOMER_TOKEN_SECRET',
  'CUSTOMER_PUBLIC_KEY',
  'CUSTOMER_JWKS_URL',
  'CUSTOMER_TOKEN_ISSUER',
  'CUSTOMER_TOKEN_AUDIENCE',
  'CUSTOMER_TOKEN_MAX_LIFETIME_SECONDS',
  'CUSTOMER_CLAIMS',
  'REQUIRE_SIGNED_IN',
  'SHOW_PREVIOUS_CHAT',
] as const;

export const CUSTOMER_DEFAULTS = { maxLifetimeSeconds: 600 } as const;

/** HS256's key should be as long as its hash (RFC 7518, 3.2). */
export const MIN_SECRET_BYTES = 32;
const MIN_RSA_BITS = 2048;
const MAX_CLAIMS = 20;
/** Claims with a meaning of their own, never passed on as "other" claims. */
const RESERVED_CLAIMS = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'name', 'email']);
const CLAIM_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;
const LOOPBACK = new Set(['127.0.0.1', 'localhost']);

/** Whether this service verifies customer tokens at all. */
export function customerTokensOn(settings: CustomerSettings): boolean {
  return Boolean(settings.secret ?? settings.publicKey ?? settings.jwksUrl);
}

export function readCustomer(read: EnvReader): CustomerSettings {
  const secret = readSecret(read);
  const publicKey = readPublicKey(read);
  const jwksUrl = readJwksUrl(read);
  if (read.isSet('CUSTOMER_PUBLIC_KEY') && read.isSet('CUSTOMER_JWKS_URL')) {
    read.problem(
      'CUSTOMER_JWKS_URL',
      'set either CUSTOMER_PUBLIC_KEY or CUSTOMER_JWKS_URL, not both (a JWKS can hold several keys)',
    );
  }
  const on = Boolean(secret ?? publicKey ?? jwksUrl);
  const requireSignedIn = readBoolean(read, 'REQUIRE_SIGNED_IN');
  if (requireSignedIn && !on && !anyKeyGiven(read)) {
    read.problem(
      'REQUIRE_SIGNED_IN',
      'needs a way to verify customer tokens: CUSTOMER_TOKEN_SECRET, CUSTOMER_PUBLIC_KEY or CUSTOMER_JWKS_URL',
    );
  }
  return {
    secret,
    publicKey,
    jwksUrl,
    issuer: readRequiredWithKey(read, 'CUSTOMER_TOKEN_ISSUER', on, 'the iss your backend writes'),
    audience: readRequiredWithKey(
      read,
      'CUSTOMER_TOKEN_AUDIENCE',
      on,
      'the aud your backend writes',
    ),
    maxLifetimeSeconds: read.integer(
      'CUSTOMER_TOKEN_MAX_LIFETIME_SECONDS',
      CUSTOMER_DEFAULTS.maxLifetimeSeconds,
      60,
      3600,
    ),
    claims: readClaims(read),
    requireSignedIn,
    showPreviousChat: readBoolean(read, 'SHOW_PREVIOUS_CHAT'),
  };
}

/** A key variable was set, even if malformed (its own problem is named already). */
function anyKeyGiven(read: EnvReader): boolean {
  return ['CUSTOMER_TOKEN_SECRET', 'CUSTOMER_PUBLIC_KEY', 'CUSTOMER_JWKS_URL'].some((name) =>
    read.isSet(name),
  );
}

function readSecret(read: EnvReader): string | undefined {
  const secret = read.raw('CUSTOMER_TOKEN_SECRET');
  if (secret === undefined) return undefined;
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    read.problem(
      'CUSTOMER_TOKEN_SECRET',
      `must be at least ${MIN_SECRET_BYTES} bytes (npm run setup can generate one)`,
    );
    return undefined;
  }
  return secret;
}

/**
 * A PEM public key. `.env` files hold one line per variable, so `\n` escapes
 * are accepted for the line breaks (dotenv also expands them inside double
 * quotes).
 */
function readPublicKey(read: EnvReader): CustomerPublicKey | undefined {
  const raw = read.raw('CUSTOMER_PUBLIC_KEY');
  if (raw === undefined) return undefined;
  const pem = raw.replace(/\\n/g, '\n');
  if (/PRIVATE KEY/.test(pem)) {
    read.problem(
      'CUSTOMER_PUBLIC_KEY',
      'is a private key: give only the public key (-----BEGIN PUBLIC KEY-----); the private key stays with your backend',
    );
    return undefined;
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    read.problem('CUSTOMER_PUBLIC_KEY', 'must be a PEM public key (-----BEGIN PUBLIC KEY-----)');
    return undefined;
  }
  const algorithm = algorithmOf(key);
  if (!algorithm) {
    read.problem(
      'CUSTOMER_PUBLIC_KEY',
      `must be an RSA key of at least ${MIN_RSA_BITS} bits (RS256) or an EC P-256 key (ES256)`,
    );
    return undefined;
  }
  return { pem: key.export({ type: 'spki', format: 'pem' }).toString(), algorithm };
}

/** The one algorithm a public key may verify: its type decides, never the token. */
export function algorithmOf(key: KeyObject): PublicKeyAlgorithm | undefined {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= MIN_RSA_BITS) {
    return 'RS256';
  }
  if (key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1') return 'ES256';
  return undefined;
}

/** https only, but plain http on this machine (a local JWKS while developing). */
function readJwksUrl(read: EnvReader): string | undefined {
  const raw = read.raw('CUSTOMER_JWKS_URL');
  if (raw === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  const local = url?.protocol === 'http:' && LOOPBACK.has(url.hostname);
  if (!url || (url.protocol !== 'https:' && !local) || url.username || url.password) {
    read.problem(
      'CUSTOMER_JWKS_URL',
      'must be an https:// URL without credentials (http:// only on localhost or 127.0.0.1)',
    );
    return undefined;
  }
  return url.href;
}

function readRequiredWithKey(
  read: EnvReader,
  name: 'CUSTOMER_TOKEN_ISSUER' | 'CUSTOMER_TOKEN_AUDIENCE',
  on: boolean,
  what: string,
): string {
  const value = read.raw(name);
  if (value === undefined && (on || anyKeyGiven(read))) {
    read.problem(name, `is required with customer tokens: ${what}`);
  }
  if (value !== undefined && value.length > 256)
    read.problem(name, 'must be at most 256 characters');
  return value ?? '';
}

function readClaims(read: EnvReader): readonly string[] {
  const raw = read.raw('CUSTOMER_CLAIMS');
  if (raw === undefined) return [];
  const names = [...new Set(raw.split(',').map((name) => name.trim()))].filter(Boolean);
  if (names.length > MAX_CLAIMS || names.some((name) => !CLAIM_NAME.test(name))) {
    read.problem(
      'CUSTOMER_CLAIMS',
      `must be at most ${MAX_CLAIMS} claim names separated by commas (letters, digits, _ . : -)`,
    );
    return [];
  }
  if (names.some((name) => RESERVED_CLAIMS.has(name))) {
    read.problem(
      'CUSTOMER_CLAIMS',
      'lists only other claims: sub, name and email are passed on anyway, and iss, aud, exp, nbf, iat and jti never',
    );
    return [];
  }
  return names;
}

function readBoolean(read: EnvReader, name: 'REQUIRE_SIGNED_IN' | 'SHOW_PREVIOUS_CHAT'): boolean {
  return read.oneOf(name, ['true', 'false'], 'false') === 'true';
}

/** What /status says about customer tokens: how they are verified, never a key. */
export interface CustomerStatus {
  verifiedWith: 'secret' | 'public-key' | 'jwks';
  requireSignedIn: boolean;
  showPreviousChat: boolean;
}

export function customerStatus(settings: CustomerSettings): CustomerStatus | null {
  if (!customerTokensOn(settings)) return null;
  const verifiedWith = settings.jwksUrl ? 'jwks' : settings.publicKey ? 'public-key' : 'secret';
  return {
    verifiedWith,
    requireSignedIn: settings.requireSignedIn,
    showPreviousChat: settings.showPreviousChat,
  };
}
