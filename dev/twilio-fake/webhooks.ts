/**
 * Builds Conversations webhook deliveries the way Twilio sends them: form
 * parameters, signed with `X-Twilio-Signature` over the registered URL
 * (`twilio.getExpectedTwilioSignature`).
 */
import twilio from 'twilio';
import { SERVICE_DOMAIN, TEST_ENV } from './env';

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
    WebhookType: 'conversation',
    ...(message.retryCount !== undefined && { RetryCount: String(message.retryCount) }),
  };
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
