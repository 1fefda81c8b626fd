/**
 * `HANDOFF_MODE=studio`: the customer's first message runs the Flex Studio
 * flow (its "Send to Flex" widget creates the task). This is the path Twilio's
 * "Integrate a Custom Chat Client with Flex" guide describes.
 *
 *   STUDIO_FLOW_SID  FW…: the flow, on a conversation-scoped `studio` webhook
 *
 * Start: 2 round trips, 3 with a question (see conversation.ts). `/interaction`
 * is never called. End: the Flex conversation is closed (see close.ts).
 */
import type { WebhookListInstanceCreateOptions } from 'twilio/lib/rest/conversations/v1/service/conversation/webhook';
import { FLEX_CONVERSATION_ENDING } from './close';
import { hasHandOff, startConversationChat } from './conversation';
import type { HandoffModule } from './types';

export interface StudioSettings {
  studioFlowSid: string;
}

export function studioWebhook(studioFlowSid: string): WebhookListInstanceCreateOptions {
  return {
    target: 'studio',
    'configuration.flowSid': studioFlowSid,
    'configuration.filters': ['onMessageAdded'],
  };
}

export const studio = {
  singleUse: 'unique-name',
  variables: ['STUDIO_FLOW_SID'] as const,
  readStart: (read) => ({ studioFlowSid: read.sid('STUDIO_FLOW_SID', 'FW') }),
  readInteraction: () => undefined,
  startChat: (client, config, { studioFlowSid }, chat) =>
    startConversationChat(client, config, chat, studioWebhook(studioFlowSid)),
  ...FLEX_CONVERSATION_ENDING,
  isHandedOff: hasHandOff,
} satisfies HandoffModule<StudioSettings>;
