/**
 * Customer identities, chosen by the server: `web_<session start>_<random>`.
 *
 * - Random and opaque: 128 random bits, nothing the customer typed, so no
 *   personal data ends up in Twilio's user list or our logs.
 * - Self-describing: the session's start time (seconds, base 36) travels
 *   inside the identity, which the Access Token signs. Refreshes can then
 *   enforce a maximum session age without storing anything.
 * - Recognisable: `/refresh-token` only renews identities of this shape, so a
 *   token minted by anything else with the same API key (an agent's, say) is
 *   never renewed here.
 *
 * @example
 *   const identity = newIdentity(Date.now());
 *   parseIdentity(identity)?.sessionStartedAt; // seconds since the epoch
 */
import { randomBytes } from 'node:crypto';

const IDENTITY = /^web_([0-9a-z]{1,11})_([0-9a-f]{32})$/;

export function newIdentity(nowMs: number): string {
  const startedAt = Math.floor(nowMs / 1000);
  return `web_${startedAt.toString(36)}_${randomBytes(16).toString('hex')}`;
}

/**
 * The identity of a chat started with a challenge: the challenge's issue time
 * and its random id (src/guard/challenge.ts), so one challenge always names
 * the same customer, and so the same conversation (see SingleUse in
 * src/modes/types.ts). The id is as random as `newIdentity`'s; the session
 * starts when the challenge was issued, a few minutes early at most.
 */
export function challengeIdentity(issuedAt: number, id: string): string {
  return `web_${issuedAt.toString(36)}_${id}`;
}

export interface ParsedIdentity {
  /** When the chat session began, in seconds since the epoch. */
  sessionStartedAt: number;
}

export function parseIdentity(identity: string): ParsedIdentity | undefined {
  const match = IDENTITY.exec(identity);
  if (!match?.[1]) return undefined;
  return { sessionStartedAt: parseInt(match[1], 36) };
}
