/**
 * Proof of work before any chat: the challenges `/challenge` issues and
 * `/start-chat` verifies, in ALTCHA's v2 format (`altcha-lib` on the server,
 * client/lib/challenge-solver.ts in the widget).
 *
 * A challenge is `{parameters, signature}`: a random `nonce` and `salt`, the
 * first 16 bytes (`keyPrefix`) of SHA-256(salt ‖ nonce ‖ counter) for a secret
 * counter drawn from 1..CHALLENGE_MAX_NUMBER, an expiry, and the website it
 * was issued to (`data.origin`), all signed with HMAC-SHA256. Solving means
 * trying counters from 0 until the hash matches: half of CHALLENGE_MAX_NUMBER
 * hashes on average. Verifying is one HMAC and one hash.
 *
 * The signing key is derived from API_SECRET with HKDF (its own label, so it
 * signs nothing else): nobody has to configure another secret, it never
 * leaves the server, and a new API secret simply voids the few challenges
 * outstanding (they live CHALLENGE_TTL_SECONDS).
 *
 * What a challenge does not do on its own is be single use: that is the
 * mode's job (src/guard/admission.ts). Its `nonce` is its id.
 *
 * @example
 *   const challenge = await issueChallenge(config, 'https://www.example.com', Date.now());
 *   const { id } = await verifyProof(config, proof, 'https://www.example.com'); // or throws
 */
import { hkdfSync } from 'node:crypto';
import { createChallenge, randomInt, verifySolution, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import type { Config } from '../config';
import type { EnvReader } from '../config/reader';
import { ChallengeError } from '../errors';
import type { FieldParser } from '../fields';

export interface ChallengeSettings {
  /** `CHALLENGE` (`on` unless `off`): /start-chat requires a solved challenge. */
  enabled: boolean;
  /** `CHALLENGE_MAX_NUMBER`: the secret counter's upper bound, i.e. the difficulty. */
  maxNumber: number;
}

type ChallengeConfig = Pick<Config, 'challenge' | 'apiSecret'>;

/**
 * Half a million SHA-256 hashes on average: about 0.3 s in a Web Worker in
 * Chromium on the machines `npm run bench` runs on (docs/performance.md),
 * well before anyone finishes a form.
 */
export const DEFAULT_CHALLENGE_MAX_NUMBER = 1_000_000;
const MAX_NUMBER_RANGE = [1_000, 100_000_000] as const;
/** Long enough to fill in the form; the widget fetches a new one after that. */
export const CHALLENGE_TTL_SECONDS = 300;
/** ALTCHA's cheapest key derivation: one SHA-256 per counter tried. */
export const CHALLENGE_ALGORITHM = 'SHA-256';
const HKDF_LABEL = 'flex-webchat challenge signing key v1';
/** A proof is about 600 bytes; anything much larger is not one. */
const PROOF_MAX_BYTES = 2048;

export function readChallenge(read: EnvReader): ChallengeSettings {
  const enabled = read.oneOf('CHALLENGE', ['on', 'off'], 'on') === 'on';
  const raw = read.raw('CHALLENGE_MAX_NUMBER');
  const [min, max] = MAX_NUMBER_RANGE;
  const maxNumber =
    raw === undefined ? DEFAULT_CHALLENGE_MAX_NUMBER : /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(maxNumber) || maxNumber < min || maxNumber > max) {
    read.problem('CHALLENGE_MAX_NUMBER', `must be a whole number from ${min} to ${max}`);
    return { enabled, maxNumber: DEFAULT_CHALLENGE_MAX_NUMBER };
  }
  return { enabled, maxNumber };
}

/** The challenges' HMAC key: HKDF-SHA256 of API_SECRET under this module's own label. */
export function challengeKey(apiSecret: string): string {
  return Buffer.from(hkdfSync('sha256', apiSecret, '', HKDF_LABEL, 32)).toString('hex');
}

/** A new challenge for `origin`, expiring CHALLENGE_TTL_SECONDS from `nowMs`. */
export function issueChallenge(
  config: ChallengeConfig,
  origin: string,
  nowMs: number,
): Promise<Challenge> {
  const issuedAt = Math.floor(nowMs / 1000);
  return createChallenge({
    algorithm: CHALLENGE_ALGORITHM,
    cost: 1,
    deriveKey,
    counter: randomInt(config.challenge.maxNumber),
    expiresAt: issuedAt + CHALLENGE_TTL_SECONDS,
    data: { origin: origin.toLowerCase(), issuedAt },
    hmacSignatureSecret: challengeKey(config.apiSecret),
  });
}

/** What `/start-chat` receives as `proof`: the challenge as issued, and its solution. */
export interface Proof {
  challenge: Required<Pick<Challenge, 'parameters' | 'signature'>>;
  solution: { counter: number; derivedKey: string };
}

export interface VerifiedChallenge {
  /** The challenge's random nonce (32 hex digits). */
  id: string;
  /** Seconds since the epoch. */
  issuedAt: number;
  expiresAt: number;
}

/**
 * Checks a proof for a request from `origin`: signed by us, unexpired, issued
 * to this origin, and solved. Throws a `ChallengeError` otherwise. Single use
 * is not checked here (see admission.ts).
 */
export async function verifyProof(
  config: ChallengeConfig,
  proof: Proof | undefined,
  origin: string | undefined,
): Promise<VerifiedChallenge> {
  if (!proof) throw new ChallengeError('challenge_required');
  const result = await verifySolution({
    challenge: proof.challenge,
    solution: proof.solution,
    deriveKey,
    hmacSignatureSecret: challengeKey(config.apiSecret),
  }).catch(() => undefined); // input altcha-lib cannot even read is no proof
  if (result?.expired) throw new ChallengeError('challenge_expired');
  if (!result?.verified) throw new ChallengeError('challenge_invalid');
  // Signed by us, so these are what issueChallenge put there.
  const { nonce, expiresAt, data } = proof.challenge.parameters;
  if (origin === undefined || data?.origin !== origin.toLowerCase()) {
    throw new ChallengeError('challenge_invalid');
  }
  return { id: nonce, issuedAt: Number(data.issuedAt), expiresAt: Number(expiresAt) };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The parameters altcha-lib reads, and their JSON types. */
const PARAMETER_TYPES = {
  algorithm: 'string',
  nonce: 'string',
  salt: 'string',
  cost: 'number',
  keyLength: 'number',
  keyPrefix: 'string',
  expiresAt: 'number',
  data: 'object',
} as const;

/**
 * The `proof` field's shape (its validity is `verifyProof`'s): a JSON object
 * whose solution counter is a number, so a proof can only come in a JSON
 * body, never in a query string or a form, whose values are all strings.
 */
export const optionalProof: FieldParser<Proof | undefined> = (value) => {
  if (value === undefined || value === null) return { ok: true, value: undefined };
  const fail = {
    ok: false,
    problem: 'must be {challenge, solution}: a challenge from /challenge and its solution',
  } as const;
  if (!isObject(value) || !isObject(value.challenge) || !isObject(value.solution)) return fail;
  if (JSON.stringify(value).length > PROOF_MAX_BYTES) return fail;
  const { parameters, signature } = value.challenge;
  const { counter, derivedKey } = value.solution;
  if (!isObject(parameters) || typeof signature !== 'string') return fail;
  if (typeof counter !== 'number' || typeof derivedKey !== 'string') return fail;
  for (const [name, type] of Object.entries(PARAMETER_TYPES)) {
    const actual = isObject(parameters[name]) ? 'object' : typeof parameters[name];
    if (actual !== type) return fail;
  }
  return { ok: true, value: value as unknown as Proof };
};
