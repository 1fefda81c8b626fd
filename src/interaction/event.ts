/**
 * The Conversations webhook `/interaction` receives, read into what the
 * hand-off acts on, and what the hand-off answers.
 */
import type { Config } from '../config';
import { BadRequestError } from '../errors';
import type { InteractionRoute } from '../modes';

/** The parts of a Conversations `onMessageAdded` webhook we act on. */
export interface MessageAddedEvent {
  eventType: string;
  conversationSid: string;
  chatServiceSid?: string;
  author: string;
  retryCount: number;
  /**
   * The conversation-scoped webhook that sent this delivery (`WebhookSid`),
   * when it names one of the kind that posts to a URL: the one the claim can
   * delete without listing first (see index.ts). Absent when the delivery
   * names none, names it malformed, or says (`WebhookType`) it came from a
   * webhook of another target.
   */
  webhookSid?: string;
}

export type IgnoredReason =
  | 'not_message_added'
  | 'other_service'
  | 'not_customer'
  | 'conversation_gone'
  | 'already_handed_off'
  | 'claimed_elsewhere';

export type HandoffOutcome =
  | { outcome: 'handed_off'; interactionSid?: string; recorded: boolean }
  | { outcome: 'ignored'; reason: IgnoredReason };

/**
 * What the hand-off needs of the configuration (API_SECRET and a session's
 * longest life: checking `customer`'s signature, src/customer-trust.ts).
 */
export type InteractionConfig = Pick<
  Config,
  'conversationsServiceSid' | 'apiSecret' | 'sessionMaxAgeSeconds' | 'refreshGraceSeconds'
> & {
  interaction: InteractionRoute;
};

/** What a conversation's attributes say about its hand-off (see chat-attributes.ts). */
export interface StoredAttributes {
  from?: unknown;
  pre_engagement_data?: unknown;
  interactionSid?: unknown;
  [key: string]: unknown;
}

const CONVERSATION_SID = /^CH[0-9a-f]{32}$/i;
const WEBHOOK_SID = /^WH[0-9a-f]{32}$/i;

/**
 * Scoped webhooks of these targets never post to a URL of ours (`studio`)
 * or are not the kind we register (`trigger`, which fires on keywords).
 * `WebhookType` names the target in Programmable Chat's scoped deliveries,
 * and Conversations runs on the same webhooks; nothing depends on it but
 * this: a delivery that says it came from one of these is claimed the slow
 * way, by list.
 */
const OTHER_WEBHOOK_TYPES = new Set(['studio', 'trigger']);

/** Reads the webhook's form fields; a payload that is not Conversations' is a 400. */
export function parseMessageAddedEvent(fields: Record<string, unknown>): MessageAddedEvent {
  const text = (name: string) => (typeof fields[name] === 'string' ? fields[name] : undefined);
  const conversationSid = text('ConversationSid');
  const eventType = text('EventType');
  // Another event (signed, so Twilio's): nothing to do, whatever else it carries.
  if (eventType && eventType !== 'onMessageAdded') {
    return { eventType, conversationSid: conversationSid ?? '', author: '', retryCount: 0 };
  }
  const missing = [
    ...(eventType ? [] : ['EventType']),
    ...(conversationSid && CONVERSATION_SID.test(conversationSid) ? [] : ['ConversationSid']),
  ];
  if (missing.length > 0) {
    throw new BadRequestError(
      'Not a Conversations webhook.',
      missing.map((field) => ({ field, problem: 'is missing or malformed' })),
    );
  }
  const chatServiceSid = text('ChatServiceSid');
  const webhookSid = text('WebhookSid');
  const namesOurKind =
    webhookSid !== undefined &&
    WEBHOOK_SID.test(webhookSid) &&
    !OTHER_WEBHOOK_TYPES.has((text('WebhookType') ?? '').toLowerCase());
  return {
    eventType: eventType ?? '',
    conversationSid: conversationSid ?? '',
    ...(chatServiceSid !== undefined && { chatServiceSid }),
    author: text('Author') ?? '',
    retryCount: Number(text('RetryCount') ?? 0) || 0,
    ...(namesOurKind && { webhookSid }),
  };
}
