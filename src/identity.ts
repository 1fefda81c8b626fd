/**
 * Customer identities, chosen by the server: `web_<session start>_<random>`
 * for anonymous chats, `cust_<hmac>` for signed-in customers (below).
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
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';

const IDENTITY = /^web_([0-9a-z]{1,11})_([0-9a-f]{32})$/;
const CUSTOMER_IDENTITY = /^cust_[0-9a-f]{32}$/;
/** HKDF label: the identity key is API_SECRET's, but used for nothing else. */
const CUSTOMER_IDENTITY_LABEL = 'flex-webchat customer identity v1';

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

/**
 * A signed-in customer's identity: `cust_` and 128 bits of an HMAC of the
 * token's (iss, sub) under a key derived from API_SECRET. The same customer
 * always gets the same identity (so the same chat on every device), and the
 * identity reveals neither who they are nor which company id they have.
 * Rotating API_SECRET gives every customer a new identity: chats open at that
 * moment are not found again (their tokens stop renewing anyway).
 */
export function customerIdentity(apiSecret: string, iss: string, sub: string): string {
  const key = Buffer.from(hkdfSync('sha256', apiSecret, '', CUSTOMER_IDENTITY_LABEL, 32));
  // Length-prefixed, so ("ab", "c") and ("a", "bc") never collide.
  const message = `${iss.length}:${iss}${sub}`;
  return `cust_${createHmac('sha256', key).update(message).digest('hex').slice(0, 32)}`;
}

/** Whether an identity is a signed-in customer's (`customerIdentity`). */
export function isCustomerIdentity(identity: string): boolean {
  return CUSTOMER_IDENTITY.test(identity);
}
