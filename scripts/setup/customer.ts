/**
 * Signed-in customers (src/config/customer.ts) in setup and doctor.
 *
 * Setup, with `--customer-tokens` (or `--customer-issuer` / `--customer-audience`):
 *   CUSTOMER_TOKEN_SECRET    a new random 32-byte secret (base64url), unless .env
 *                            has a usable one (kept: the website's backend signs
 *                            with it; --force makes a new one, and the backend
 *                            must then change too); never printed
 *   CUSTOMER_TOKEN_ISSUER    --customer-issuer, else .env's, else asked (proposed:
 *                            the first allowed origin)
 *   CUSTOMER_TOKEN_AUDIENCE  --customer-audience, else .env's, else asked (proposed:
 *                            flex-webchat)
 *
 * Doctor, when customer tokens are on (malformed values are the configuration
 * row's business): how tokens are verified; for CUSTOMER_JWKS_URL, one GET
 * without credentials, as the functions make it, and which of RS256/ES256
 * its keys can verify. A key set that answers with no usable key (or not
 * 200, or not JSON) is a problem: every signed-in start would be a 503; one
 * that cannot be reached from here is a warning (this machine may not reach
 * the company's site).
 */
import { randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import type { Env } from '../../src/config';
import { customerTokensOn, MIN_SECRET_BYTES, readCustomer } from '../../src/config/customer';
import { EnvReader } from '../../src/config/reader';
import { usableAlgorithms } from '../../src/customer/verify-keys';
import type { Add } from './checks';
import type { Steps } from './context';
import { asked } from './plan';
import { askText } from './terminal';

const PROBE_TIMEOUT_MS = 5000;
export const DEFAULT_AUDIENCE = 'flex-webchat';

export async function decideCustomerTokens({ opts, term, file, plan }: Steps): Promise<void> {
  const { customerIssuer, customerAudience } = opts;
  if (!opts.customerTokens && customerIssuer === undefined && customerAudience === undefined) {
    return;
  }
  const current = file.values.CUSTOMER_TOKEN_SECRET ?? '';
  if (Buffer.byteLength(current) >= MIN_SECRET_BYTES && !opts.force) {
    term.say('✔ CUSTOMER_TOKEN_SECRET: keeping the one in .env (--force makes a new one)');
  } else {
    plan.decide('CUSTOMER_TOKEN_SECRET', randomBytes(32).toString('base64url'), 'created');
    term.say(
      `✔ CUSTOMER_TOKEN_SECRET: a new random secret, written to ${opts.envFile}: give your ` +
        "website's backend the same value to sign customer tokens with (docs/signed-in.md)",
    );
  }
  const check = (value: string) =>
    value === '' || value.length > 256 ? 'must be 1 to 256 characters' : undefined;
  const firstOrigin = (plan.decisions.get('ALLOWED_ORIGINS')?.value ?? file.values.ALLOWED_ORIGINS)
    ?.toString()
    .split(',')[0]
    ?.trim();
  const ask = async (
    name: 'CUSTOMER_TOKEN_ISSUER' | 'CUSTOMER_TOKEN_AUDIENCE',
    given: string | undefined,
    question: string,
    proposed: string | undefined,
  ) => {
    if (given !== undefined) return plan.decide(name, given, 'flag');
    const inFile = file.values[name] || undefined;
    if (inFile !== undefined && !check(inFile)) return;
    const flag = name === 'CUSTOMER_TOKEN_ISSUER' ? '--customer-issuer' : '--customer-audience';
    const value = await askText(term, question, {
      flag,
      ...(proposed && { proposed }),
      check,
    });
    plan.decide(name, value, asked(term));
  };
  const origin = firstOrigin && firstOrigin !== '*' ? firstOrigin : undefined;
  await ask('CUSTOMER_TOKEN_ISSUER', customerIssuer, "Customer tokens' iss (your site)", origin);
  await ask('CUSTOMER_TOKEN_AUDIENCE', customerAudience, "Customer tokens' aud", DEFAULT_AUDIENCE);
}

export async function checkCustomerTokens(
  env: Env,
  add: Add,
  fetchImpl: typeof fetch = fetch,
): Promise<void> {
  const read = new EnvReader(env);
  const settings = readCustomer(read);
  if (!read.ok || !customerTokensOn(settings)) return;
  const required = settings.requireSignedIn ? '; only signed-in customers can chat' : '';
  if (settings.secret !== undefined) {
    add('CUSTOMER_TOKEN_SECRET', 'ok', `HS256 customer tokens are verified${required}`);
  }
  if (settings.publicKey) {
    const { algorithm } = settings.publicKey;
    add('CUSTOMER_PUBLIC_KEY', 'ok', `${algorithm} customer tokens are verified${required}`);
  }
  if (settings.jwksUrl) await checkJwks(settings.jwksUrl, add, required, fetchImpl);
}

async function checkJwks(url: string, add: Add, required: string, fetchImpl: typeof fetch) {
  const fix =
    'publish your public keys there as a JSON Web Key Set: {"keys": [...]} (RS256 or ES256)';
  let res: Response;
  try {
    res = await fetchImpl(url, {
      method: 'GET',
      redirect: 'manual',
      headers: { accept: 'application/json, application/jwk-set+json' },
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
  } catch (error) {
    const why = error instanceof Error ? error.message : 'no answer';
    add(
      'CUSTOMER_JWKS_URL',
      'warn',
      `could not be reached from here (${why}); while the service cannot reach it, signed-in chats are refused (503)`,
    );
    return;
  }
  let keys: JWK[] | undefined;
  try {
    const body = (await res.json()) as { keys?: unknown };
    keys = Array.isArray(body.keys) ? (body.keys as JWK[]) : undefined;
  } catch {
    keys = undefined;
  }
  if (res.status !== 200 || keys === undefined) {
    add('CUSTOMER_JWKS_URL', 'problem', `answered ${res.status} without a key set`, fix);
    return;
  }
  const algorithms = usableAlgorithms(keys);
  if (algorithms.length === 0) {
    add(
      'CUSTOMER_JWKS_URL',
      'problem',
      `its ${keys.length} key(s) can verify neither RS256 nor ES256`,
      fix,
    );
    return;
  }
  add(
    'CUSTOMER_JWKS_URL',
    'ok',
    `${algorithms.join(' and ')} customer tokens are verified with its ${keys.length} key(s)${required}`,
  );
}
