/**
 * Who may start a chat: the one gate `/start-chat` passes before anything
 * touches Twilio. With CHALLENGE on (the default), a request needs a proof
 * (src/guard/challenge.ts) that is signed, unexpired, issued to its origin and
 * solved; the customer's identity then comes from the challenge, so a
 * challenge starts one chat at most:
 *
 * - `unique-name` modes: the identity is the unique name of what the mode
 *   creates, and Twilio refuses a second one (a 409 `challenge_used`);
 * - `claim` modes: the admission names a claim (a key and how long it must
 *   last), which src/guard/index.ts makes in Sync before the mode runs.
 *
 * With CHALLENGE=off (local tools, tests) anyone from an allowed origin is
 * admitted with a fresh random identity, as before challenges existed.
 *
 * @example
 *   const { identity, sessionStartedAt, claim } = await admitChat(config, {
 *     proof, origin, nowMs, singleUse: 'claim',
 *   });
 */
import type { Config } from '../config';
import { ChallengeError } from '../errors';
import { challengeIdentity, newIdentity, parseIdentity } from '../identity';
import type { SingleUse } from '../modes';
import { verifyProof, type Proof } from './challenge';

export interface AdmissionRequest {
  proof: Proof | undefined;
  /** The request's Origin, already allowed by the endpoint. */
  origin: string | undefined;
  nowMs: number;
  singleUse: SingleUse;
}

/** A claim that makes a challenge single use: refused while `key` is claimed. */
export interface ChallengeClaim {
  key: string;
  ttlSeconds: number;
}

export interface Admission {
  identity: string;
  /** Seconds since the epoch: what SESSION_MAX_AGE_SECONDS counts from. */
  sessionStartedAt: number;
  /** To be made before the mode runs (`claim` modes with the challenge on). */
  claim?: ChallengeClaim;
}

/** A claim outlives its challenge by this much, for clocks that disagree. */
const CLAIM_MARGIN_SECONDS = 60;

export async function admitChat(
  config: Pick<Config, 'challenge' | 'apiSecret'>,
  request: AdmissionRequest,
): Promise<Admission> {
  const now = Math.floor(request.nowMs / 1000);
  if (!config.challenge.enabled) {
    return { identity: newIdentity(request.nowMs), sessionStartedAt: now };
  }
  const challenge = await verifyProof(config, request.proof, request.origin);
  const identity = challengeIdentity(challenge.issuedAt, challenge.id);
  // Ours and signed, so it parses; checked anyway, as tokens rely on the shape.
  if (!parseIdentity(identity)) throw new ChallengeError('challenge_invalid');
  const admission = { identity, sessionStartedAt: challenge.issuedAt };
  if (request.singleUse === 'unique-name') return admission;
  const ttlSeconds = Math.max(1, challenge.expiresAt - now) + CLAIM_MARGIN_SECONDS;
  return { ...admission, claim: { key: `webchat-challenge-${challenge.id}`, ttlSeconds } };
}
