/**
 * Builds Conversations webhook deliveries the way Twilio sends them: form
 * parameters, signed with `X-Twilio-Signature` over the registered URL
 * (`twilio.getExpectedTwilioSignature`).
 *
 * A conversation-scoped webhook's delivery names the webhook that sent it:
 * `WebhookSid`, and `WebhookType`, its target (`webhook` here). Twilio's own
 * Flex project template deletes that webhook by `event.WebhookSid` from a
 * scoped `onMessageAdded` webhook (its park-interaction feature); a captured
 * Programmable Chat delivery carries both, `WebhookType` being the target
 * (`studio` there). Pass `webhookSid` (see `scopedWebhookSid`); a delivery
 * built without one is one that names no webhook.
 */
import twilio from 'twilio';
import { conversations } from './apis/conversations';
import { SERVICE_DOMAIN, TEST_ENV } from './env';
import type { TwilioMock } from './twilio-mock';

export const WEBHOOK_ENV = {
  ...TEST_ENV,
  HANDOFF_MODE: 'webhook',
  TASKROUTER_WORKSPACE_SID: 'WS' + '5'.repeat(32),
  TASKROUTER_WORKFLOW_SID: 'WW' + '6'.repeat(32),
} as const;

/** Where /start-chat registers the webhook for a deployed service in tests. */
export const INTERACTION_URL = `https://${SERVICE_DOMAIN}/interaction`;

export interface MessageAdded {
  conversationSid: string;
  author: string;
  body?: string;
  index?: number;
  retryCount?: number;
  /** The scoped webhook that sends this delivery (Twilio's `WebhookSid`). */
  webhookSid?: string;
}

/** The form parameters of an `onMessageAdded` delivery. */
export function messageAddedParams(message: MessageAdded): Record<string, string> {
  return {
    AccountSid: TEST_ENV.ACCOUNT_SID,
    ChatServiceSid: TEST_ENV.CONVERSATIONS_SERVICE_SID,
    ConversationSid: message.conversationSid,
    EventType: 'onMessageAdded',
    MessageSid: 'IM' + String(message.index ?? 0).padStart(32, '0'),
    Index: String(message.index ?? 0),
    Author: message.author,
    Body: message.body ?? 'Hello',
    Attributes: '{}',
    Source: 'SDK',
    DateCreated: '2026-11-21T10:00:00.000Z',
    ...(message.webhookSid !== undefined && {
      WebhookSid: message.webhookSid,
      WebhookType: 'webhook',
    }),
    ...(message.retryCount !== undefined && { RetryCount: String(message.retryCount) }),
  };
}

/**
 * The SID of the conversation's scoped webhook that posts to `url` (the one
 * whose deliveries name it), or undefined when it has none.
 */
export function scopedWebhookSid(
  mock: TwilioMock,
  conversationSid: string,
  url: string = INTERACTION_URL,
): string | undefined {
  const webhooks = conversations(mock).get(conversationSid)?.webhooks ?? [];
  return webhooks.find((w) => w.target === 'webhook' && w.url === url)?.sid;
}

export function sign(
  params: Record<string, string>,
  url = INTERACTION_URL,
  authToken: string = TEST_ENV.AUTH_TOKEN,
): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

/** Headers and body for `invoke`: a signed form post, no Origin. */
export function signedDelivery(
  params: Record<string, string>,
  options: { url?: string; authToken?: string; signature?: string | null } = {},
) {
  const signature =
    options.signature === undefined
      ? sign(params, options.url, options.authToken)
      : options.signature;
  return {
    body: params,
    headers: {
      origin: undefined,
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signature ?? undefined,
    },
  };
}
