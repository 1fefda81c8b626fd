/**
 * The attributes of the task `/interaction` creates (through the Interaction's
 * routing), as Flex shows them to agents: the customer's name, the channel,
 * the conversation, the pre-engagement answers and, for a signed-in customer,
 * the verified claims under `customer` (src/chat-attributes.ts), apart from
 * what was typed.
 *
 * @example
 *   taskAttributes('CH…', { from: 'Ana', pre_engagement_data: { topic: 'billing' } });
 *   // {from: 'Ana', customerName: 'Ana', channelType: 'web', conversationSid: 'CH…',
 *   //  pre_engagement_data: {topic: 'billing'}}
 */
import { DEFAULT_CUSTOMER_NAME, storedCustomer } from '../chat-attributes';
import type { StoredAttributes } from './event';

/**
 * The task attributes Flex shows agents: the customer's name (not the opaque
 * identity), the channel, the conversation, and the pre-engagement answers.
 */
export function taskAttributes(
  conversationSid: string,
  stored: StoredAttributes,
): Record<string, unknown> {
  const preEngagement =
    stored.pre_engagement_data !== null && typeof stored.pre_engagement_data === 'object'
      ? stored.pre_engagement_data
      : {};
  // `from` on our own conversations; in address mode, the name travels in
  // the pre-engagement data (where Flex's own web chat puts it).
  const given = [stored.from, (preEngagement as { friendlyName?: unknown }).friendlyName];
  const name =
    given.find((value): value is string => typeof value === 'string' && value.trim() !== '') ??
    DEFAULT_CUSTOMER_NAME;
  // A signed-in customer's verified claims (src/chat-attributes.ts), apart.
  const customer = storedCustomer(stored);
  return {
    from: name,
    customerName: name,
    channelType: 'web',
    conversationSid,
    pre_engagement_data: preEngagement,
    ...(customer && { customer }),
  };
}
