/**
 * Starts a chat the Flex Conversations way, on the configured service:
 *
 *   1. `POST /v1/Services/{IS}/ConversationWithParticipants`: the conversation,
 *      its attributes and timers, and the customer participant, in one request.
 *   2. `POST …/Conversations/{CH}/Webhooks`: the conversation-scoped webhook
 *      that hands the first customer message to Flex (Studio flow or our own
 *      `/interaction` handler, depending on the mode).
 *   3. Only with a question: `POST …/Conversations/{CH}/Messages` as the
 *      customer, with `X-Twilio-Webhook-Enabled: true`, after the webhook exists,
 *      so the question itself reaches Flex.
 *
 * Each step needs the one before, so that is 2 sequential round trips (3 with
 * a question), the fewest the API allows. A signed-in customer's start runs
 * `chat.onLastRound` beside step 3, or beside step 2 without a question
 * (then with `handedOff: false`: the webhook is landing in that round).
 *
 * The unique name is the start's key (`chat.identity`), which the start's
 * challenge determines (src/guard/admission.ts): Twilio refuses a second
 * conversation of that name (50353), which makes each challenge start one
 * chat at most, at no extra request. That refusal is a 409 `challenge_used`.
 * The participant is the customer (`participantIdentity`): the same key for
 * an anonymous chat, the verified customer's stable `cust_` identity
 * otherwise, which is why clean-up goes by the unique name, never by the
 * participant's identity (a customer's other conversations are not this
 * attempt's).
 *
 * No orphans: if step 2 or 3 fails, the conversation is deleted before the
 * error is returned (unless step 3's answer was lost and the question is
 * there after all: then Flex already has it, and the start succeeds). A
 * signed-in customer's conversation is kept when step 3 fails: it is
 * handed off, and their other devices may have joined it (`failedQuestion`).
 * If step 1 fails ambiguously (timeout or 5xx: Twilio may have created it
 * anyway), it is deleted by its unique name (the start's key). A failed
 * clean-up is logged with the SID; the closed timer
 * (`CONVERSATION_CLOSED_TIMER`) then ends it.
 */
import type { Twilio } from 'twilio';
import type { WebhookListInstanceCreateOptions } from 'twilio/lib/rest/conversations/v1/service/conversation/webhook';
import {
  conversationAttributes,
  conversationFriendlyName,
  participantAttributes,
} from '../chat-attributes';
import type { Config } from '../config';
import { log } from '../log';
import {
  challengeReused,
  customerChatLimit,
  isAmbiguousFailure,
  nullIfGone,
  toHttpError,
  twilioStep,
  upstreamStatus,
} from '../twilio-errors';
import {
  participantIdentity,
  type ChatStart,
  type HandedOffCheck,
  type StartedChat,
} from './types';

export type ScopedWebhook = WebhookListInstanceCreateOptions;

type ConversationConfig = Pick<Config, 'conversationsServiceSid' | 'timers'>;

export async function startConversationChat(
  client: Twilio,
  config: ConversationConfig,
  chat: ChatStart,
  webhook: ScopedWebhook,
): Promise<StartedChat> {
  const service = client.conversations.v1.services(config.conversationsServiceSid);
  const identity = participantIdentity(chat);
  // Built before any request, so an oversized body fails with no side effect.
  const attributes = conversationAttributes(chat);

  const conversation = await service.conversationWithParticipants
    .create({
      friendlyName: conversationFriendlyName(chat),
      uniqueName: chat.identity,
      attributes,
      ...(config.timers.inactive && { 'timers.inactive': config.timers.inactive }),
      ...(config.timers.closed && { 'timers.closed': config.timers.closed }),
      participant: [JSON.stringify({ identity, attributes: participantAttributes(chat) })],
    })
    .catch(async (error: unknown) => {
      const refused =
        challengeReused(error, 'create the conversation') ??
        customerChatLimit(error, 'create the conversation');
      if (refused) throw refused;
      // Hazard: the name is the challenge's, so a concurrent request with the
      // same challenge may own it; only whoever holds the challenge can race.
      const failure = toHttpError(error, {
        step: 'create the conversation',
        notFoundMeans: 'CONVERSATIONS_SERVICE_SID',
      });
      if (isAmbiguousFailure(error)) {
        await removeConversation(client, config, chat.identity, 'ambiguous_create');
      }
      throw failure;
    });

  const conversationSid = conversation.sid;
  const thisConversation = service.conversations(conversationSid);
  const { question } = chat;
  // Settled both: the start's clean-up (a pointer written beside the webhook
  // is taken back) must come after that write, never before it lands.
  const [connected] = await Promise.allSettled([
    twilioStep({ step: 'connect the conversation to Flex', logFields: { conversationSid } }, () =>
      thisConversation.webhooks.create(webhook),
    ),
    question === undefined && chat.onLastRound?.(conversationSid, false),
  ]);
  if (connected.status === 'rejected') {
    await removeConversation(client, config, conversationSid, 'failed_start');
    throw connected.reason;
  }
  if (question === undefined) return { conversationSid, identity };
  // The hand-off exists: the start is finished for the customer's other
  // devices (src/customer/continuity.ts), beside the question's post.
  const [posted] = await Promise.allSettled([
    postQuestion(client, config, conversationSid, identity, question, {
      shared: Boolean(chat.customer),
    }),
    chat.onLastRound?.(conversationSid, true),
  ]);
  if (posted.status === 'rejected') {
    await failedQuestion(client, config, chat, conversationSid);
    throw posted.reason;
  }
  return { conversationSid, identity };
}

/**
 * The question's post failed. An anonymous start removes its conversation
 * (no orphans). A signed-in one keeps it: once `onLastRound` ran, the chat is
 * the customer's chat in progress, which their other devices may already
 * have joined; the widget's retry resumes it and posts the question.
 */
async function failedQuestion(
  client: Twilio,
  config: ConversationConfig,
  chat: Pick<ChatStart, 'onLastRound'>,
  conversationSid: string,
): Promise<void> {
  if (chat.onLastRound) log.warn('question_not_posted', { conversationSid, kept: true });
  else await removeConversation(client, config, conversationSid, 'failed_start');
}

/**
 * Posts the customer's question as their first message, with webhooks on so
 * that it reaches whatever hands the conversation to Flex.
 *
 * If the answer is lost (timeout, 5xx), Twilio may have posted it anyway, and
 * then the hand-off to Flex is already under way: deleting the conversation
 * would leave an agent a task with no chat and send the customer to start a
 * second one. So the first messages are read (one more round trip, only then):
 * if one is the customer's, the question was posted and the start succeeds;
 * otherwise, or if that read fails too, the original error stands.
 *
 * `inExisting`: the conversation is the customer's chat in progress (a resume,
 * src/customer/continuity.ts), where the customer has written before: the
 * newest messages are read instead, and only a message of theirs with this
 * very body counts as the question. `shared`: the identity is a signed-in
 * customer's, which their other devices write as too: the body must match.
 */
export async function postQuestion(
  client: Twilio,
  config: Pick<Config, 'conversationsServiceSid'>,
  conversationSid: string,
  identity: string,
  question: string,
  { inExisting = false, shared = false }: { inExisting?: boolean; shared?: boolean } = {},
): Promise<void> {
  const messages = client.conversations.v1
    .services(config.conversationsServiceSid)
    .conversations(conversationSid).messages;
  try {
    await messages.create({ author: identity, body: question, xTwilioWebhookEnabled: 'true' });
  } catch (error) {
    const failure = toHttpError(error, {
      step: 'post the question',
      logFields: { conversationSid },
    });
    if (!isAmbiguousFailure(error)) throw failure;
    // In a new anonymous conversation the customer has no token yet, so a
    // message of theirs can only be the question; a greeting the flow posts
    // may already follow it. A signed-in customer's identity is shared by
    // their devices, which may have joined already: the body must match too.
    // In their chat in progress, the newest ones are read.
    const read = inExisting ? { order: 'desc' as const, limit: 5 } : { limit: 5 };
    const seen = await messages.list(read).catch(() => []);
    const byBody = inExisting || shared;
    const isQuestion = (m: { author: string | null; body: string | null }) =>
      m.author === identity && (!byBody || m.body === question);
    if (!seen.some(isQuestion)) throw failure;
    log.info('question_posted_despite_error', { conversationSid });
  }
}

/**
 * Deletes a conversation (by SID or unique name). Never throws: the caller is
 * already failing, and its error is the one to report.
 */
export async function removeConversation(
  client: Twilio,
  config: Pick<Config, 'conversationsServiceSid'>,
  sidOrUniqueName: string,
  reason: string,
): Promise<void> {
  try {
    await client.conversations.v1
      .services(config.conversationsServiceSid)
      .conversations(sidOrUniqueName)
      .remove();
    log.info('conversation_removed', { reason, conversation: sidOrUniqueName });
  } catch (error) {
    if (upstreamStatus(error) === 404) return; // never created: nothing to undo
    log.error('conversation_cleanup_failed', { reason, conversation: sidOrUniqueName, error });
  }
}

/**
 * Whether a conversation this service made has its hand-off (`isHandedOff`
 * of studio and webhook mode): its webhook exists, or a message does. The
 * webhook comes second in a start, and the first message can only follow it
 * (a start posts its question after the webhook; the customer's token comes
 * with the start's answer); webhook mode's `/interaction` deletes the webhook
 * once Flex has the chat, which a message then shows. Neither: a start that
 * crashed (or is still running) between its two steps. Both reads side by
 * side: one round trip. A conversation gone meanwhile is not handed off.
 */
export const hasHandOff: HandedOffCheck = async (client, config, conversationSid) => {
  const conversation = client.conversations.v1
    .services(config.conversationsServiceSid)
    .conversations(conversationSid);
  const step = 'read the customer’s chat';
  const [webhooks, messages] = await Promise.all([
    conversation.webhooks.list({ limit: 1 }).catch(nullIfGone(step, { conversationSid })),
    conversation.messages.list({ limit: 1 }).catch(nullIfGone(step, { conversationSid })),
  ]);
  return Boolean(webhooks?.length || messages?.length);
};
