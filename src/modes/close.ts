/**
 * How a Flex Conversations chat ends when its customer ends it (studio,
 * webhook and address modes): Flex's Interaction Channel is closed
 * (`Status=closed`, which moves the agent's task to wrap-up) when the
 * conversation's attributes record one (`/interaction` records it);
 * otherwise, or if Flex refuses, the conversation itself (`State=closed`,
 * webhooks on, so Flex hears of it).
 */
import { log } from '../log';
import { twilioStep } from '../twilio-errors';
import type { ClosedHow, EndingChat } from './types';

export async function closeFlexConversation({
  client,
  conversation,
  attributes,
  logFields,
}: EndingChat): Promise<ClosedHow> {
  const { interactionSid, interactionChannelSid } = attributes;
  if (typeof interactionSid === 'string' && typeof interactionChannelSid === 'string') {
    try {
      await client.flexApi.v1
        .interaction(interactionSid)
        .channels(interactionChannelSid)
        .update({ status: 'closed' });
      return 'interaction';
    } catch (error) {
      // Already closed by the agent, or gone: close the conversation instead.
      log.warn('interaction_close_failed', { ...logFields, error });
    }
  }
  await twilioStep({ step: 'close the conversation', logFields }, () =>
    conversation.update({ state: 'closed', xTwilioWebhookEnabled: 'true' }),
  );
  return 'conversation';
}

/** The mode parts shared by every Flex Conversations mode: how its chats end. */
export const FLEX_CONVERSATION_ENDING = {
  hasEnded: (state: string): boolean => state === 'closed',
  close: closeFlexConversation,
};
