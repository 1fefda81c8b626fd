/**
 * Ends a chat at the customer's request, the way Flex expects, once:
 *
 *   round 1  fetch the conversation  ||  list its participants  ||  its newest message
 *            (the token's identity must be one of them: 403 otherwise;
 *            already closed or gone: nothing to do)
 *   round 2  post "The customer ended the chat." as `system`, so the agent
 *            sees why (webhooks off: it must not start a Studio flow)
 *   round 3  close, the way the mode's Flex watches (src/modes/: the Interaction
 *            Channel or the conversation; a legacy Flex Flow channel's status)
 *
 * Idempotent: a closed, inactive or deleted chat answers `{ended: true,
 * alreadyEnded: true}` and changes nothing; a chat whose notice is already
 * there (an earlier call whose close failed) is only closed, not told again.
 * Two calls at the very same moment may both post the notice.
 */
import type { Twilio } from 'twilio';
import { parseAttributes } from './chat-attributes';
import type { Config } from './config';
import { endingOf } from './modes';
import { ForbiddenError } from './errors';
import { log } from './log';
import type { ClosedHow } from './modes';
import { nullIfGone, twilioStep } from './twilio-errors';

/** What the agent reads in the conversation when the customer leaves. */
export const CUSTOMER_ENDED_MESSAGE = 'The customer ended the chat.';
/** The notice's attributes mark it, so a second call knows the agent was told. */
const ENDED_EVENT = 'customer_ended_chat';

function isEndedNotice(attributes: unknown): boolean {
  const parsed = typeof attributes === 'string' ? parseAttributes(attributes) : {};
  return parsed.event === ENDED_EVENT;
}

export interface EndChatResult {
  ended: true;
  /** The customer had already ended it: the agent was not told again. */
  alreadyEnded: boolean;
  /** How the chat was closed: Flex's Interaction Channel, the conversation, or a legacy channel. */
  closed?: ClosedHow;
}

export async function endChat(
  client: Twilio,
  config: Pick<Config, 'conversationsServiceSid' | 'handoffMode'>,
  identity: string,
  conversationSid: string,
): Promise<EndChatResult> {
  const conversation = client.conversations.v1
    .services(config.conversationsServiceSid)
    .conversations(conversationSid);
  const logFields = { conversationSid };

  const [fetched, participants, newest] = await Promise.all([
    conversation.fetch().catch(nullIfGone('read the conversation', logFields)),
    conversation.participants
      .list({ limit: 50 })
      .catch(nullIfGone('read the participants', logFields)),
    conversation.messages
      .list({ order: 'desc', limit: 1 })
      .catch(nullIfGone('read the last message', logFields)),
  ]);
  if (!fetched || !participants) return { ended: true, alreadyEnded: true };
  if (!participants.some((p) => p.identity === identity)) {
    throw new ForbiddenError('forbidden', 'This token is not for a participant of this chat.');
  }
  const attributes = parseAttributes(fetched.attributes);
  const ending = endingOf(config.handoffMode);
  if (ending.hasEnded(fetched.state, attributes)) return { ended: true, alreadyEnded: true };

  // Told already (an earlier call whose close failed, or ran at the same
  // time): do not tell the agent twice, but do make sure it is closed.
  const alreadyEnded = newest?.[0]?.author === 'system' && isEndedNotice(newest[0].attributes);
  if (!alreadyEnded) {
    await twilioStep({ step: 'tell the agent', logFields }, () =>
      conversation.messages.create({
        author: 'system',
        body: CUSTOMER_ENDED_MESSAGE,
        attributes: JSON.stringify({ event: ENDED_EVENT }),
        xTwilioWebhookEnabled: 'false',
      }),
    );
  }

  const closed = await ending.close({ client, conversation, attributes, logFields });
  log.info('chat_ended', { ...logFields, closed });
  return { ended: true, alreadyEnded, closed };
}
