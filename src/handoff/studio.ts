/**
 * `HANDOFF_MODE=studio`: the customer's first message runs the Flex Studio
 * flow (its "Send to Flex" widget creates the task). This is the path Twilio's
 * "Integrate a Custom Chat Client with Flex" guide describes.
 */
import type { Twilio } from 'twilio';
import type { Config } from '../config';
import { startConversationChat, type ScopedWebhook } from './conversation';
import type { ChatStart, Handoff, StartedChat } from './types';

export function studioWebhook(studioFlowSid: string): ScopedWebhook {
  return {
    target: 'studio',
    'configuration.flowSid': studioFlowSid,
    'configuration.filters': ['onMessageAdded'],
  };
}

export function studioHandoff(
  client: Twilio,
  config: Pick<Config, 'conversationsServiceSid' | 'timers'>,
  studioFlowSid: string,
): Handoff {
  return {
    startChat: (chat: ChatStart): Promise<StartedChat> =>
      startConversationChat(client, config, chat, studioWebhook(studioFlowSid)),
  };
}
