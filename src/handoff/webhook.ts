/**
 * `HANDOFF_MODE=webhook`: the customer's first message goes to this service's
 * own `/interaction` function, which creates the Flex Interaction itself
 * (see `src/interaction.ts`). Chosen to skip Studio, to add routing attributes
 * or to run logic before the hand-off.
 */
import type { Twilio } from 'twilio';
import type { Config, WebhookHandoffConfig } from '../config';
import { startConversationChat, type ScopedWebhook } from './conversation';
import type { ChatStart, Handoff, StartedChat } from './types';

/** The conversation-scoped webhook that points a conversation at `/interaction`. */
export function interactionWebhook(interactionUrl: string): ScopedWebhook {
  return {
    target: 'webhook',
    'configuration.url': interactionUrl,
    // Lower case: the API spec's enum is `get | post`.
    'configuration.method': 'post',
    'configuration.filters': ['onMessageAdded'],
  };
}

export function webhookHandoff(
  client: Twilio,
  config: Pick<Config, 'conversationsServiceSid' | 'timers'>,
  handoff: WebhookHandoffConfig,
): Handoff {
  return {
    startChat: (chat: ChatStart): Promise<StartedChat> =>
      startConversationChat(client, config, chat, interactionWebhook(handoff.interactionUrl)),
  };
}
