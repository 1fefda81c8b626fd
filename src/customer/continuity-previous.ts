/**
 * A returning customer's previous chat, read-only (`SHOW_PREVIOUS_CHAT=true`,
 * POST /previous-chat): the most recent ended conversation of their `cust_`
 * identity other than the chat in progress, its last
 * PREVIOUS_CHAT_MESSAGES messages, read with REST (the customer's Access
 * Token could read it with the SDK too, but the widget then needs no second
 * SDK conversation, and the service decides what is shown):
 *
 *   round 1  `GET …/ParticipantConversations?Identity=` (every page: the
 *            ended ones are wanted, at most 20 pages)
 *   round 2  `GET …/Conversations/{CH}/Messages?Order=desc&PageSize=50`
 *
 * 2 round trips; 1 when there is no previous chat. An anonymous identity has
 * none (each anonymous chat is its own identity): no request at all.
 *
 * What is shown: each message's text, who wrote it (`customer`: the
 * customer's identity; `agent`: anyone else), when, and how many attachments
 * it had (`media`: the files themselves are not served here). The notice
 * end-chat posts for the agent ("The customer ended the chat.") is left out.
 *
 * @example
 *   const shown = await previousChat(twilio(), config, identity); // null | {endedAt, messages}
 */
import type { Twilio } from 'twilio';
import type { MessageInstance } from 'twilio/lib/rest/conversations/v1/service/conversation/message';
import { parseAttributes } from '../chat-attributes';
import type { Config } from '../config';
import { isCustomerIdentity } from '../identity';
import { hasEndedInAnyMode } from '../modes';
import { twilioStep } from '../twilio-errors';
import { findCustomerChats, inProgress, type ListedConversation } from './customer-chats';

/** The most messages a previous chat shows (its last ones). */
export const PREVIOUS_CHAT_MESSAGES = 50;

export interface PreviousMessage {
  from: 'customer' | 'agent';
  body: string;
  /** ISO 8601. */
  dateCreated: string;
  /** How many attachments the message had; absent when none. */
  media?: number;
}

export interface PreviousChat {
  /** When the conversation was last changed (its closing, for a closed one); ISO 8601. */
  endedAt: string | null;
  messages: PreviousMessage[];
}

/** The event end-chat's notice carries (src/end-chat.ts), for the agent only. */
const ENDED_NOTICE_EVENT = 'customer_ended_chat';

export async function previousChat(
  client: Twilio,
  config: Pick<Config, 'conversationsServiceSid'>,
  identity: string,
): Promise<PreviousChat | null> {
  if (!isCustomerIdentity(identity)) return null;
  const { listed } = await findCustomerChats(client, config, identity, hasEndedInAnyMode, {
    untilInProgress: false,
  });
  const open = inProgress(hasEndedInAnyMode);
  const previous = listed.filter((c) => !open(c)).sort((a, b) => endedAtMs(b) - endedAtMs(a))[0];
  if (!previous) return null;
  const logFields = { conversationSid: previous.conversationSid };
  const newestFirst = await twilioStep({ step: 'read the previous chat', logFields }, () =>
    client.conversations.v1
      .services(config.conversationsServiceSid)
      .conversations(previous.conversationSid)
      .messages.list({
        order: 'desc',
        limit: PREVIOUS_CHAT_MESSAGES,
        pageSize: PREVIOUS_CHAT_MESSAGES,
      }),
  );
  const messages = newestFirst
    .reverse()
    .filter((m) => parseAttributes(m.attributes).event !== ENDED_NOTICE_EVENT)
    .map((m) => shown(m, identity));
  const endedAt = previous.conversationDateUpdated ?? previous.conversationDateCreated;
  return { endedAt: endedAt ? endedAt.toISOString() : null, messages };
}

const endedAtMs = (c: ListedConversation) =>
  (c.conversationDateUpdated ?? c.conversationDateCreated)?.getTime() ?? 0;

function shown(message: MessageInstance, identity: string): PreviousMessage {
  const media = Array.isArray(message.media) ? message.media.length : 0;
  return {
    from: message.author === identity ? 'customer' : 'agent',
    body: message.body ?? '',
    dateCreated: (message.dateCreated ?? new Date(0)).toISOString(),
    ...(media > 0 && { media }),
  };
}
