/**
 * The attributes of the task `/interaction` creates (through the Interaction's
 * routing), as Flex shows them to agents: the customer's name, the channel,
 * the conversation, the pre-engagement answers and, for a signed-in customer,
 * the verified claims under `customer` (src/chat-attributes.ts), apart from
 * what was typed.
 *
 * `customer` reaches the task only with a valid signature for the author of
 * the message being handed off (src/customer-signature.ts): in address mode
 * the claims travel in pre-engagement data that anything using the same Chat
 * Address can fill, so a `customer` object there proves nothing by itself.
 * One without a valid signature is dropped (and logged, without its content):
 * the task then shows the chat as anonymous, never a claim nobody vouched for.
 * Either way `customer` (and the start's seal, src/chat-seal.ts) is taken out
 * of the pre-engagement data the task gets: a forged one there would look
 * verified to whoever reads it. A valid one reaches the task only at the top,
 * rebuilt from the fields the signature covers: a key added beside them
 * (`"plan": "enterprise"`) is signed by nobody and never passed on.
 *
 * @example
 *   taskAttributes('CH…', { from: 'Ana', pre_engagement_data: { topic: 'billing' } }, trust);
 *   // {from: 'Ana', customerName: 'Ana', channelType: 'web', conversationSid: 'CH…',
 *   //  pre_engagement_data: {topic: 'billing'}}
 */
import {
  CUSTOMER_KEY,
  DEFAULT_CUSTOMER_NAME,
  storedCustomer,
  type CustomerAttribute,
} from '../chat-attributes';
import { SEAL_KEY } from '../chat-seal';
import { verifyCustomerSignature } from '../customer-signature';
import { log } from '../log';
import type { StoredAttributes } from './event';

/** What a `customer`'s signature is checked against. */
export interface CustomerTrust {
  /** API_SECRET, whose derived key signed it (src/customer-signature.ts). */
  apiSecret: string;
  /** The customer's chat identity: the author of the message being handed off. */
  identity: string;
}

/**
 * The task attributes Flex shows agents: the customer's name (not the opaque
 * identity), the channel, the conversation, the pre-engagement answers, and
 * `customer` when its signature holds.
 */
export function taskAttributes(
  conversationSid: string,
  stored: StoredAttributes,
  trust: CustomerTrust,
): Record<string, unknown> {
  const asStored =
    stored.pre_engagement_data !== null && typeof stored.pre_engagement_data === 'object'
      ? (stored.pre_engagement_data as Record<string, unknown>)
      : {};
  // The answers, without the server's keys: `customer` passes only below.
  const preEngagement = Object.fromEntries(
    Object.entries(asStored).filter(([key]) => key !== CUSTOMER_KEY && key !== SEAL_KEY),
  );
  // `from` on our own conversations; in address mode, the name travels in
  // the pre-engagement data (where Flex's own web chat puts it).
  const given = [stored.from, (preEngagement as { friendlyName?: unknown }).friendlyName];
  const name =
    given.find((value): value is string => typeof value === 'string' && value.trim() !== '') ??
    DEFAULT_CUSTOMER_NAME;
  // A signed-in customer's verified claims (src/chat-attributes.ts), apart.
  const customer = signedCustomer(conversationSid, stored, trust);
  return {
    from: name,
    customerName: name,
    channelType: 'web',
    conversationSid,
    pre_engagement_data: preEngagement,
    ...(customer && { customer }),
  };
}

/** The stored `customer`, if this service signed it for this identity; else undefined. */
function signedCustomer(
  conversationSid: string,
  stored: StoredAttributes,
  { apiSecret, identity }: CustomerTrust,
): CustomerAttribute | undefined {
  const customer = storedCustomer(stored);
  if (!customer) return undefined;
  if (verifyCustomerSignature(apiSecret, identity, customer, customer.signature)) {
    return signedFields(customer);
  }
  // Neither the claims nor the identity: the conversation says where to look.
  const reason = customer.signature === undefined ? 'unsigned' : 'bad_signature';
  log.warn('customer_claims_dropped', { conversationSid, reason });
  return undefined;
}

/**
 * Only what the signature covers, and the signature: nothing added beside
 * them. Shared with /check-customer (src/customer-check.ts), the same rule
 * for the Studio flow setup creates.
 */
export function signedFields(customer: CustomerAttribute): CustomerAttribute {
  const { id, issuer, name, email, claims, signature } = customer;
  return {
    verified: true,
    id,
    issuer,
    ...(name !== undefined && { name }),
    ...(email !== undefined && { email }),
    ...(claims !== undefined && { claims }),
    ...(signature !== undefined && { signature }),
  };
}
