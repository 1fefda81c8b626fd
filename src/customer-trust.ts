/**
 * The one rule for trusting a chat's `customer` wherever a task is made from
 * it: `/interaction` (src/interaction/task-attributes.ts) and the Studio
 * flow's `/check-customer` (src/customer-check.ts). A stored `customer`
 * (src/chat-attributes.ts: at the top of the attributes, or in the
 * pre-engagement data where Flex creates the conversation) passes only when
 * this service's signature holds for the author of the message being handed
 * off (src/customer-signature.ts), and, in the pre-engagement data, which
 * anyone on a Chat Address or Flex Flow can fill, is no older than a session;
 * and then
 * only as the fields the signature covers, marked verified: a key added
 * beside them is dropped, and the signature itself stays behind (agents need
 * `verified`, not the MAC, and a task is read by more people and systems).
 *
 * @example
 *   const read = trustedCustomer(attributes, trustFor(config, author, Date.now()));
 *   if ('customer' in read) task.customer = read.customer; // else log read.dropped
 */
import { CUSTOMER_KEY, storedCustomer, type CustomerAttribute } from './chat-attributes';
import type { Config } from './config';
import { checkCustomerSignature, signedOnly } from './customer-signature';

/** What a `customer` is checked against. */
export interface CustomerTrust {
  /** API_SECRET, whose derived key signed it. */
  apiSecret: string;
  /** The customer's chat identity: the author of the message being handed off. */
  identity: string;
  nowMs: number;
  /** A session's longest life: SESSION_MAX_AGE_SECONDS and the renewal grace. */
  maxAgeSeconds: number;
}

export type TrustConfig = Pick<
  Config,
  'apiSecret' | 'sessionMaxAgeSeconds' | 'refreshGraceSeconds'
>;

export function trustFor(config: TrustConfig, identity: string, nowMs: number): CustomerTrust {
  const maxAgeSeconds = config.sessionMaxAgeSeconds + config.refreshGraceSeconds;
  return { apiSecret: config.apiSecret, identity, nowMs, maxAgeSeconds };
}

/** What agents are shown: the signed fields, without the signature. */
export type TrustedCustomer = Omit<CustomerAttribute, 'signature'>;

/** Why a stored `customer` was not passed on (logged as `reason`, never the claims). */
export type DroppedBecause = 'unsigned' | 'bad_signature' | 'expired';

export type CustomerReading =
  { customer: TrustedCustomer } | { dropped: DroppedBecause } | { none: true };

/** See the module header. `stored`: a conversation's attributes, parsed. */
export function trustedCustomer(
  stored: Record<string, unknown>,
  { apiSecret, identity, nowMs, maxAgeSeconds }: CustomerTrust,
): CustomerReading {
  const top = storedCustomer({ [CUSTOMER_KEY]: stored[CUSTOMER_KEY] });
  const customer = top ?? storedCustomer(stored);
  if (!customer) return { none: true };
  if (customer.signature === undefined) return { dropped: 'unsigned' };
  // Hazard: the pre-engagement data of a Chat Address or Flex Flow is anyone's
  // to fill, a genuine `customer` copied from an old chat included: there it
  // counts for one session. At the top of the attributes only this service
  // writes it (doctor checks customers cannot edit attributes), and a chat may
  // outlive a session (a signed-in session renews while the site vouches).
  const age = top ? Number.POSITIVE_INFINITY : maxAgeSeconds;
  const check = checkCustomerSignature(apiSecret, identity, customer, customer.signature, {
    nowMs,
    maxAgeSeconds: age,
  });
  if (check !== 'ok') return { dropped: check };
  return { customer: { verified: true, ...signedOnly(customer) } };
}
