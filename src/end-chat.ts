/**
 * Ends a chat at the customer's request, the way Flex expects, once:
 *
 *   round 1  fetch the conversation  ||  list its participants  ||  its newest message
 *            (the token's identity must be one of them: 403 otherwise;
 *            already closed or gone: nothing to do)
 *   round 2  post "The customer ended the chat." as `system`, so the agent
 *            sees why (webhooks off: it must not start a Studio flow)
 *   round 3  close: the Interaction Channel (`Status=closed`, which moves the
 *            agent's task to wrap-up) when the conversation attributes record
 *            one (webhook mode); otherwise, or if Flex refuses, the
 *            conversation itself (`State=closed`, webhooks on, so Flex hears of it).
 *            A legacy Flex Flow chat channel (Flex UI 1.x) is ended the way
 *            that Flex watches: its attributes' `status` becomes `INACTIVE`.
 *
 * Idempotent: a closed, inactive or deleted chat answers `{ended: true,
 * alreadyEnded: true}` and changes nothing; a chat whose notice is already
 * there (an earlier call whose close failed) is only closed, not told again.
 * Two calls at the very same moment may both post the notice.
 */
import type { Twilio } from 'twilio';
import { parseAttributes } from './chat-attributes';
import type { Config } from './config';
import { ForbiddenError } from './errors';
import { log } from './log';
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
  closed?: 'interaction' | 'conversation' | 'legacy-channel';
}

interface RecordedHandoff {
  interactionSid?: unknown;
  interactionChannelSid?: unknown;
  /** Legacy Flex chat channels: `ACTIVE` until ended. */
  status?: unknown;
}

export async function endChat(
  client: Twilio,
  config: Pick<Config, 'conversationsServiceSid' | 'handoff'>,
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
  const handoff: RecordedHandoff = parseAttributes(fetched.attributes);
  const legacy = config.handoff.mode === 'flex-flow';
  if (fetched.state === 'closed' || (legacy && handoff.status === 'INACTIVE')) {
    return { ended: true, alreadyEnded: true };
  }

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

  if (legacy) {
    await twilioStep({ step: 'end the chat channel', logFields }, () =>
      conversation.update({
        attributes: JSON.stringify({ ...handoff, status: 'INACTIVE' }),
        xTwilioWebhookEnabled: 'true',
      }),
    );
    log.info('chat_ended', { ...logFields, closed: 'legacy-channel' });
    return { ended: true, alreadyEnded, closed: 'legacy-channel' };
  }
  if (
    typeof handoff.interactionSid === 'string' &&
    typeof handoff.interactionChannelSid === 'string'
  ) {
    try {
      await client.flexApi.v1
        .interaction(handoff.interactionSid)
        .channels(handoff.interactionChannelSid)
        .update({ status: 'closed' });
      log.info('chat_ended', { ...logFields, closed: 'interaction' });
      return { ended: true, alreadyEnded, closed: 'interaction' };
    } catch (error) {
      // Already closed by the agent, or gone: close the conversation instead.
      log.warn('interaction_close_failed', { ...logFields, error });
    }
  }
  await twilioStep({ step: 'close the conversation', logFields }, () =>
    conversation.update({ state: 'closed', xTwilioWebhookEnabled: 'true' }),
  );
  log.info('chat_ended', { ...logFields, closed: 'conversation' });
  return { ended: true, alreadyEnded, closed: 'conversation' };
}
