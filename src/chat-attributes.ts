/**
 * What a chat stores on Twilio about its customer, in the shape Flex's own web
 * chat uses (`from`, `channel_type`, `pre_engagement_data`), so existing
 * Studio flows and Flex plugins that read those keys keep working.
 *
 * @example
 *   conversationAttributes({ friendlyName: 'Ana', preEngagement: { email: 'a@b.c' } });
 *   // '{"from":"Ana","channel_type":"web","pre_engagement_data":{"email":"a@b.c"}}'
 */
import { detailsAttributes, type ChatDetails } from './chat-details';
import { BadRequestError } from './errors';
import type { FlatObject } from './fields';
import { LIMITS } from './limits';

/** The name agents see when the customer gave none. */
export const DEFAULT_CUSTOMER_NAME = 'Customer';

export interface CustomerDetails {
  friendlyName: string;
  preEngagement: FlatObject;
  /** The site's context, the page, the language (src/chat-details.ts). */
  details?: ChatDetails;
}

export interface ConversationAttributes {
  from: string;
  channel_type: 'web';
  pre_engagement_data: FlatObject;
}

/** JSON for the conversation's `Attributes`, within Twilio's 16 KB limit. */
export function conversationAttributes(customer: CustomerDetails): string {
  const attributes: ConversationAttributes & Record<string, unknown> = {
    from: customer.friendlyName,
    channel_type: 'web',
    pre_engagement_data: customer.preEngagement,
    ...detailsAttributes(customer.details),
  };
  const json = JSON.stringify(attributes);
  if (Buffer.byteLength(json) > LIMITS.conversationAttributesMaxBytes) {
    throw new BadRequestError('Invalid request: check preEngagement.', [
      {
        field: 'preEngagement',
        problem: `together with friendlyName must fit Twilio's ${
          LIMITS.conversationAttributesMaxBytes / 1024
        } KB conversation attributes`,
      },
    ]);
  }
  return json;
}

/**
 * A resource's `attributes` JSON as an object: `{}` when absent, malformed or
 * not an object (attributes are written by others too, so never trusted).
 */
export function parseAttributes(json: string | null | undefined): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(json ?? '{}');
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** JSON for the customer participant's `Attributes`. */
export function participantAttributes(customer: Pick<CustomerDetails, 'friendlyName'>): string {
  return JSON.stringify({ friendlyName: customer.friendlyName });
}

/** The conversation's friendly name, as listed in Twilio's Console. */
export function conversationFriendlyName(customer: Pick<CustomerDetails, 'friendlyName'>): string {
  return `Web chat with ${customer.friendlyName}`;
}

/**
 * `PreEngagementData` for the chats Flex creates itself (Chat Address and
 * Flex Flow modes): the customer's answers plus `friendlyName`, which is where
 * Flex's own web chat puts the name and Flex's default chat Studio flow reads
 * it (`pre_engagement_data.friendlyName`). Within Twilio's 16 KB limit
 * (error 45731), checked before any request.
 */
export function preEngagementData(customer: CustomerDetails): string {
  const json = JSON.stringify({ ...customer.preEngagement, friendlyName: customer.friendlyName });
  if (Buffer.byteLength(json) > LIMITS.preEngagementMaxBytes) {
    throw new BadRequestError('Invalid request: check preEngagement.', [
      {
        field: 'preEngagement',
        problem: `together with friendlyName must fit Twilio's ${
          LIMITS.preEngagementMaxBytes / 1024
        } KB pre-engagement data`,
      },
    ]);
  }
  return json;
}
