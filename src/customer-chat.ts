/**
 * A customer's own chat, read for what they ask after it (the survey, the
 * emailed transcript): the conversation and its participants, in one round
 * trip (two reads at once), plus any other read the caller needs beside
 * them. The token's identity must be a participant: an unknown conversation
 * and somebody else's get the same 403 (`notYourChat`), after the same reads,
 * so nobody learns which conversations exist. And it must be a chat this
 * service started, for this identity: one without a valid seal
 * (src/chat-seal.ts; one the customer made themselves, with attributes of
 * their choosing, or one from before the seal) gets the same 403.
 *
 * @example
 *   const chat = await readCustomerChat(client, config, identity, conversationSid);
 *   chat.attributes.pre_engagement_data; // what the start stored
 */
import type { Twilio } from 'twilio';
import type { ConversationContext } from 'twilio/lib/rest/conversations/v1/service/conversation';
import { parseAttributes } from './chat-attributes';
import { verifiedSeal, type SealedChat } from './chat-seal';
import type { Config } from './config';
import { notYourChat } from './end-chat';
import { nullIfGone } from './twilio-errors';

export interface CustomerChat<T> {
  conversation: ConversationContext;
  /** The conversation's attributes, parsed (`{}` when unreadable). */
  attributes: Record<string, unknown>;
  state: string;
  /** What this service sealed at the start: the start's key, the address on record. */
  sealed: SealedChat;
  /** What `alsoRead` read, at the same time. */
  extra: T;
}

export async function readCustomerChat<T = undefined>(
  client: Twilio,
  config: Pick<Config, 'conversationsServiceSid' | 'apiSecret'>,
  identity: string,
  conversationSid: string,
  alsoRead?: (conversation: ConversationContext) => Promise<T>,
): Promise<CustomerChat<T>> {
  const conversation = client.conversations.v1
    .services(config.conversationsServiceSid)
    .conversations(conversationSid);
  const logFields = { conversationSid };
  const [fetched, participants, extra] = await Promise.all([
    conversation.fetch().catch(nullIfGone('read the conversation', logFields)),
    conversation.participants
      .list({ limit: 50 })
      .catch(nullIfGone('read the participants', logFields)),
    alsoRead ? alsoRead(conversation) : (undefined as T),
  ]);
  if (!fetched || !participants?.some((p) => p.identity === identity)) throw notYourChat();
  const attributes = parseAttributes(fetched.attributes);
  const sealed = verifiedSeal(config.apiSecret, identity, attributes);
  if (!sealed) throw notYourChat();
  return { conversation, attributes, state: fetched.state, sealed, extra };
}
