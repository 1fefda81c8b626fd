/**
 * Ends a chat at the customer's request, the way Flex expects, once:
 *
 *   round 1  fetch the conversation  ||  list its participants  ||  its newest message
 *            (|| for a signed-in customer, the SID of their creation claim)
 *            (the token's identity must be one of them; an unknown
 *            conversation and somebody else's get the same 403, after the
 *            same two requests; already closed: nothing to do)
 *   round 2  claim the notice in Sync (`webchat-ended-<CH…>`, a Document's
 *            unique name: Twilio creates it once, refuses the rest with 409),
 *            so however many calls arrive at once, one tells the agent
 *   round 3  the claim's winner posts "The customer ended the chat." as
 *            `system`, so the agent sees why (webhooks off: it must not start
 *            a Studio flow)
 *   round 4  close, the way the mode's Flex watches (src/modes/: the Interaction
 *            Channel or the conversation; a legacy Flex Flow channel's status);
 *            for a signed-in customer, beside it, the creation claim a start
 *            or resume without a question left, as round 1 saw it, is deleted
 *            (src/customer/continuity.ts)
 *
 * Idempotent: a closed chat answers `{ended: true, alreadyEnded: true}` and
 * changes nothing. A chat whose newest message is the notice (an earlier call
 * whose close failed) is only closed (3 requests fewer, no claim). A call
 * that loses the claim answers `alreadyEnded: true` and leaves the closing to
 * the winner: closing before the winner's notice lands would make Twilio
 * refuse the notice (a closed conversation takes no messages).
 *
 * Sync unavailable or refusing (an outage, a 429, a missing service): the
 * customer's end never depends on Sync. The call goes on as if it had won
 * the claim, after the newest-message check of round 1, and logs
 * `end_chat.claim_unavailable`: concurrent ends during such a failure may
 * then tell the agent twice, as before Sync was asked.
 */
import type { Twilio } from 'twilio';
import type { ConversationContext } from 'twilio/lib/rest/conversations/v1/service/conversation';
import { parseAttributes } from './chat-attributes';
import type { Config, ConfigOf } from './config';
import { claimIdOf, releaseClaimId } from './customer/continuity-sync';
import { ForbiddenError } from './errors';
import { sharedState } from './guard/shared-state';
import { isCustomerIdentity } from './identity';
import { log } from './log';
import { endingOf, type ClosedHow } from './modes';
import { nullIfGone, twilioStep, upstreamStatus } from './twilio-errors';

/** What the agent reads in the conversation when the customer leaves. */
export const CUSTOMER_ENDED_MESSAGE = 'The customer ended the chat.';
/** The notice's attributes mark it, so a later call knows the agent was told. */
const ENDED_EVENT = 'customer_ended_chat';

/** The Sync key whose creation is the right to tell the agent. */
export const noticeClaimKey = (conversationSid: string) => `webchat-ended-${conversationSid}`;

function isEndedNotice(attributes: unknown): boolean {
  const parsed = typeof attributes === 'string' ? parseAttributes(attributes) : {};
  return parsed.event === ENDED_EVENT;
}

/** The same answer for a chat that does not exist and for somebody else's. */
export const notYourChat = () =>
  new ForbiddenError(
    'forbidden',
    'This token is not for a participant of this chat, or the chat does not exist.',
  );

export interface EndChatResult {
  ended: true;
  /** The customer had already ended it: the agent was not told again. */
  alreadyEnded: boolean;
  /** How the chat was closed: Flex's Interaction Channel, the conversation, or a legacy channel. */
  closed?: ClosedHow;
}

type EndChatConfig = Pick<Config, 'conversationsServiceSid' | 'handoffMode'> &
  ConfigOf<'sync'> &
  Pick<Config, 'sessionMaxAgeSeconds' | 'refreshGraceSeconds'>;

export async function endChat(
  client: Twilio,
  config: EndChatConfig,
  identity: string,
  conversationSid: string,
): Promise<EndChatResult> {
  const conversation = client.conversations.v1
    .services(config.conversationsServiceSid)
    .conversations(conversationSid);
  const logFields = { conversationSid };

  const signedIn = isCustomerIdentity(identity);
  const [fetched, participants, newest, claimId] = await Promise.all([
    conversation.fetch().catch(nullIfGone('read the conversation', logFields)),
    conversation.participants
      .list({ limit: 50 })
      .catch(nullIfGone('read the participants', logFields)),
    conversation.messages
      .list({ order: 'desc', limit: 1 })
      .catch(nullIfGone('read the last message', logFields)),
    signedIn ? claimIdOf(client, config, identity) : undefined,
  ]);
  if (!fetched || !participants?.some((p) => p.identity === identity)) throw notYourChat();
  const attributes = parseAttributes(fetched.attributes);
  const ending = endingOf(config.handoffMode);
  if (ending.hasEnded(fetched.state, attributes)) return { ended: true, alreadyEnded: true };

  // Told already (an earlier call whose close failed): only close.
  const told = newest?.[0]?.author === 'system' && isEndedNotice(newest[0].attributes);
  if (!told) {
    const claim = await claimNotice(client, config, conversationSid);
    // Another call is telling the agent and closing, right now.
    if (claim === 'taken') return { ended: true, alreadyEnded: true };
    await tellAgent(client, config, conversation, claim, logFields);
  }
  const [closed] = await Promise.all([
    ending.close({ client, conversation, attributes, logFields }),
    // A signed-in customer's start or resume without a question keeps the
    // creation claim it made (src/customer/continuity.ts): freed here, beside
    // the close, so their next chat is not held up until it lapses. Only the
    // claim round 1 saw, by its SID: one a start makes once it sees this chat
    // closed is that start's, and deleting it would let a second chat start.
    claimId !== undefined && releaseClaimId(client, config, claimId),
  ]);
  log.info('chat_ended', { ...logFields, closed });
  return { ended: true, alreadyEnded: told, closed };
}

type Claim = 'claimed' | 'taken' | 'unavailable';

/**
 * The right to tell the agent, once. Its TTL outlasts every token that could
 * end this chat (the session's maximum age, plus the grace for an expired
 * token), so no later call can claim it again while the chat is open.
 */
async function claimNotice(
  client: Twilio,
  config: EndChatConfig,
  conversationSid: string,
): Promise<Claim> {
  const ttlSeconds = config.sessionMaxAgeSeconds + config.refreshGraceSeconds;
  try {
    const claimed = await sharedState(client, config).claimOnce(
      noticeClaimKey(conversationSid),
      ttlSeconds,
    );
    return claimed ? 'claimed' : 'taken';
  } catch (error) {
    log.warn('end_chat.claim_unavailable', {
      conversationSid,
      upstreamStatus: upstreamStatus(error),
    });
    return 'unavailable';
  }
}

/**
 * Posts the notice. If that fails, the claim is given back (best effort), so
 * that trying again tells the agent; a notice that failed without an answer
 * may have been posted, and may then be posted twice.
 */
async function tellAgent(
  client: Twilio,
  config: EndChatConfig,
  conversation: ConversationContext,
  claim: Claim,
  logFields: { conversationSid: string },
): Promise<void> {
  try {
    await twilioStep({ step: 'tell the agent', logFields }, () =>
      conversation.messages.create({
        author: 'system',
        body: CUSTOMER_ENDED_MESSAGE,
        attributes: JSON.stringify({ event: ENDED_EVENT }),
        xTwilioWebhookEnabled: 'false',
      }),
    );
  } catch (error) {
    if (claim === 'claimed') {
      await sharedState(client, config)
        .release(noticeClaimKey(logFields.conversationSid))
        .catch(() => log.warn('end_chat.release_failed', logFields));
    }
    throw error;
  }
}
