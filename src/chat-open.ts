/**
 * Whether a customer's chat is still open, asked of Twilio by the identity a
 * verified token carries: `/refresh-token` renews only a token whose chat is
 * open, so a token from an ended chat stops at its own expiry instead of
 * renewing until the session's maximum age.
 *
 * One request (a participant's conversations, by identity: state and
 * attributes included), so one round trip. Each anonymous chat has its own
 * identity (src/identity.ts), so the list holds that one conversation. A
 * signed-in customer's `cust_` identity is the same on every device and in
 * every chat they had, so their list holds them all: it is read page by page
 * until one is open (src/customer/continuity.ts; one round trip while they
 * have at most 50). Their token is renewed while they have a chat open, the
 * one every device of theirs joins (ending it on one device ends it for all:
 * the others' renewals are refused). Refused with 403 `chat_ended` when it
 * is closed (by any mode's reading: a closed conversation, a legacy channel
 * marked INACTIVE) or when there is none (the customer was removed, or the
 * conversation deleted).
 *
 * Twilio failing to answer (a timeout, a 5xx, a 429) does not end the chat:
 * the token is renewed and `refresh_token.chat_check_failed` is logged, so an
 * outage of Conversations' REST API never signs customers out of a chat
 * whose messages may still be flowing. Wrong credentials are the 503 they
 * always are.
 *
 * @example
 *   await assertChatOpen(twilio(), config, session.identity); // or throws chat_ended
 */
import type { Twilio } from 'twilio';
import type { Config } from './config';
import { findCustomerChats, inProgress } from './customer/customer-chats';
import { ConfigError, ForbiddenError, UpstreamError } from './errors';
import { isCustomerIdentity } from './identity';
import { log } from './log';
import { hasEndedInAnyMode } from './modes';
import { toHttpError, upstreamStatus } from './twilio-errors';

export const chatEnded = () =>
  new ForbiddenError('chat_ended', 'This chat has ended. Please start a new chat.');

export async function assertChatOpen(
  client: Twilio,
  config: Pick<Config, 'conversationsServiceSid'>,
  identity: string,
): Promise<void> {
  let open: boolean;
  try {
    open = isCustomerIdentity(identity)
      ? (await findCustomerChats(client, config, identity, hasEndedInAnyMode)).inProgress !==
        undefined
      : (
          await client.conversations.v1
            .services(config.conversationsServiceSid)
            .participantConversations.list({ identity, limit: 20 })
        ).some(inProgress(hasEndedInAnyMode));
  } catch (error) {
    const mapped = toHttpError(error, {
      step: "read the customer's conversations",
      notFoundMeans: 'CONVERSATIONS_SERVICE_SID',
    });
    if (mapped instanceof ConfigError) throw mapped;
    const status = error instanceof UpstreamError ? error.upstreamStatus : upstreamStatus(error);
    log.warn('refresh_token.chat_check_failed', { upstreamStatus: status });
    return;
  }
  if (!open) throw chatEnded();
}
