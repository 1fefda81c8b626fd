/**
 * Which key may verify a customer token, decided by the configuration and
 * the token's `alg` together, never by the token alone:
 *
 *   HS256          only CUSTOMER_TOKEN_SECRET (bytes, for HMAC);
 *   RS256, ES256   only CUSTOMER_PUBLIC_KEY (when its type is that
 *                  algorithm's) or the keys at CUSTOMER_JWKS_URL;
 *   anything else  (`none`, HS384, PS256, ...) no key at all.
 *
 * Each key goes to jose with `algorithms` set to the one algorithm it is for,
 * so a public key can never be used as an HMAC secret (the classic HS/RS
 * confusion) and an HMAC secret never meets an RS256 token.
 *
 * JWKS: one `createRemoteJWKSet` per URL, kept in module scope. A warm
 * Function instance serves many requests from one process, so keys fetched
 * once are reused until jose's cache expires (10 minutes) or an unknown `kid`
 * arrives (a refetch at most every 30 s). Twilio may recycle an instance at
 * any time, and `twilio-run start` runs each request in a fresh process: then
 * every start fetches the keys again (one request, 1.5 s at most). The fetch
 * is a plain GET without credentials; redirects are not followed.
 */
import { createRemoteJWKSet, importSPKI, type CryptoKey, type JWK, type RemoteJWKSet } from 'jose';
import type { CustomerSettings } from '../config/customer';
import { CustomerTokenError } from '../errors';

/** How long the JWKS URL may take: a chat start has 10 s in all, most of it for Twilio. */
export const JWKS_TIMEOUT_MS = 1500;

export type TokenAlgorithm = 'HS256' | 'RS256' | 'ES256';

/** A key and the one algorithm it verifies; `jwks` when it came from a JWKS URL. */
export type VerificationKey =
  | { algorithm: 'HS256'; key: Uint8Array; jwks?: undefined }
  | { algorithm: 'RS256' | 'ES256'; key: CryptoKey; jwks?: undefined }
  | { algorithm: 'RS256' | 'ES256'; key: RemoteJWKSet; jwks: RemoteJWKSet };

const remoteSets = new Map<string, RemoteJWKSet>();

/** The JWKS resolver for a URL, created once per process (see above). */
export function remoteKeySet(url: string): RemoteJWKSet {
  let set = remoteSets.get(url);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), { timeoutDuration: JWKS_TIMEOUT_MS });
    remoteSets.set(url, set);
  }
  return set;
}

/** For tests: forget every fetched key set, as a recycled instance would. */
export function forgetKeySets(): void {
  remoteSets.clear();
}

/**
 * The key for a token whose header says `alg`, or a 401 when this service
 * has none for it: a forger cannot choose which key checks their token.
 */
export async function keyFor(
  settings: Pick<CustomerSettings, 'secret' | 'publicKey' | 'jwksUrl'>,
  alg: unknown,
): Promise<VerificationKey> {
  if (alg === 'HS256' && settings.secret !== undefined) {
    return { algorithm: 'HS256', key: new TextEncoder().encode(settings.secret) };
  }
  if (alg === 'RS256' || alg === 'ES256') {
    if (settings.publicKey?.algorithm === alg) {
      return { algorithm: alg, key: await importSPKI(settings.publicKey.pem, alg) };
    }
    if (settings.jwksUrl !== undefined) {
      const jwks = remoteKeySet(settings.jwksUrl);
      return { algorithm: alg, key: jwks, jwks };
    }
  }
  throw new CustomerTokenError('customer_token_invalid');
}

/**
 * Whether a key set holds any key that could verify `alg` at all (by key
 * type and curve, ignoring `kid`): a token whose `kid` matches none of them
 * is refused as invalid, but a set with no such key means the company's keys
 * are unusable, which is this service's problem to report, not the customer's.
 */
export function hasKeyFor(jwks: RemoteJWKSet, alg: 'RS256' | 'ES256'): boolean {
  return usableAlgorithms(jwks.jwks()?.keys ?? []).includes(alg);
}

/** The algorithms (of RS256 and ES256) a key set's keys can verify (doctor names them). */
export function usableAlgorithms(keys: readonly JWK[]): ('RS256' | 'ES256')[] {
  const usable = (alg: 'RS256' | 'ES256') =>
    keys.some(
      (jwk) =>
        (jwk.use === undefined || jwk.use === 'sig') &&
        (jwk.alg === undefined || jwk.alg === alg) &&
        (alg === 'RS256' ? jwk.kty === 'RSA' : jwk.kty === 'EC' && jwk.crv === 'P-256'),
    );
  return (['RS256', 'ES256'] as const).filter(usable);
}
