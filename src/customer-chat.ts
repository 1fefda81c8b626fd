/**
 * A customer's own chat, read for what they ask after it (the survey, the
 * emailed transcript): the conversation and its participants, in one round
 * trip (two reads at once), plus any other read the caller needs beside
 * them. The token's identity must be a participant: an unknown conversation
 * and somebody else's get the same 403 (`notYourChat`), after the same reads,
 * so nobody learns which conversations exist. And it must be a chat this
 * service started, for this identity: one without a valid seal
 * (src/chat-seal.ts; one the customer made themselves, with attributes of
 * their choosing, or one from before the seal) gets the same 403. The seal
 * is bound to its conversation where the start names it: in studio, webhook
 * and flex-flow mode the conversation's unique name is the start's key, so a
 * seal the customer copies into a conversation of their own does not pass
 * there (address mode: Flex names no conversation; see docs/api.md). And it
 * is good for one session: a seal older than SESSION_MAX_AGE_SECONDS plus the
 * grace is refused, so the per-start limits cannot come back for a
 * signed-in customer (whose identity outlives sessions) once their claims
 * in Sync expire.
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
import { ForbiddenError } from './errors';
import { parseIdentity } from './identity';
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

export type CustomerChatConfig = Pick<
  Config,
  | 'conversationsServiceSid'
  | 'apiSecret'
  | 'handoffMode'
  | 'sessionMaxAgeSeconds'
  | 'refreshGraceSeconds'
>;

/** A sealed chat whose session is over: nothing more is sent or stored for it. */
const chatTooOld = () =>
  new ForbiddenError(
    'forbidden',
    'This chat started too long ago: its transcript and survey are no longer available.',
  );

export async function readCustomerChat<T = undefined>(
  client: Twilio,
  config: CustomerChatConfig,
  identity: string,
  conversationSid: string,
  nowMs: number,
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
  if (config.handoffMode !== 'address' && fetched.uniqueName !== sealed.start) throw notYourChat();
  const started = parseIdentity(sealed.start)?.sessionStartedAt;
  const maxAge = config.sessionMaxAgeSeconds + config.refreshGraceSeconds;
  if (started === undefined || nowMs / 1000 - started > maxAge) throw chatTooOld();
  return { conversation, attributes, state: fetched.state, sealed, extra };
}
