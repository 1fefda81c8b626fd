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
 * One without a valid signature, or older than a session, is dropped (and
 * logged, without its content):
 * the task then shows the chat as anonymous, never a claim nobody vouched for.
 * Either way `customer` (and the start's seal, src/chat-seal.ts) is taken out
 * of the pre-engagement data the task gets: a forged one there would look
 * verified to whoever reads it. A valid one reaches the task only at the top,
 * rebuilt from the fields the signature covers, without the signature: a key
 * added beside them (`"plan": "enterprise"`) is signed by nobody and never
 * passed on (src/customer-trust.ts, the rule /check-customer applies too).
 *
 * @example
 *   taskAttributes('CH…', { from: 'Ana', pre_engagement_data: { topic: 'billing' } }, trust);
 *   // {from: 'Ana', customerName: 'Ana', channelType: 'web', conversationSid: 'CH…',
 *   //  pre_engagement_data: {topic: 'billing'}}
 */
import { DEFAULT_CUSTOMER_NAME, typedAnswers } from '../chat-attributes';
import { trustedCustomer, type CustomerTrust } from '../customer-trust';
import { log } from '../log';
import type { StoredAttributes } from './event';

/**
 * The task attributes Flex shows agents: the customer's name (the verified
 * one when `customer` holds, else what the conversation says), the channel,
 * the conversation, the pre-engagement answers, and `customer` when its
 * signature holds (src/customer-trust.ts).
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
  const preEngagement = typedAnswers(asStored);
  const read = trustedCustomer(stored, trust);
  if ('dropped' in read) {
    // Neither the claims nor the identity: the conversation says where to look.
    log.warn('customer_claims_dropped', { conversationSid, reason: read.dropped });
  }
  const customer = 'customer' in read ? read.customer : undefined;
  // `from` on our own conversations; in address mode, the name travels in
  // the pre-engagement data (where Flex's own web chat puts it), which
  // anyone on the address can fill: a verified name comes first.
  const given = [
    customer?.name,
    stored.from,
    (preEngagement as { friendlyName?: unknown }).friendlyName,
  ];
  const name =
    given.find((value): value is string => typeof value === 'string' && value.trim() !== '') ??
    DEFAULT_CUSTOMER_NAME;
  return {
    from: name,
    customerName: name,
    channelType: 'web',
    conversationSid,
    pre_engagement_data: preEngagement,
    ...(customer && { customer }),
  };
}
