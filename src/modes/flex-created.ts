/**
 * Starts a chat that Flex creates in one request (`HANDOFF_MODE=address` and
 * `flex-flow`): Flex makes the conversation (or chat channel), the customer's
 * user and participant, and connects it to routing. This module wraps that
 * one request with what both modes share:
 *
 *   1. the mode's create request, with our server-chosen identity;
 *   2. a check that Twilio used that identity (tokens are only renewable,
 *      and sessions only bounded, for identities of our own shape);
 *   3. only with a question: `POST …/Messages` as the customer, with
 *      `X-Twilio-Webhook-Enabled: true` (the one extra round trip).
 *
 * 1 round trip, 2 with a question.
 *
 * No orphans: if step 2 or 3 fails, the mode deletes what step 1 created
 * before the error is returned; but a signed-in customer's chat is kept when
 * step 3 fails (it is handed off, their other devices may have joined it,
 * and the widget's retry resumes it with the question, making no new task).
 * If step 1 fails ambiguously (timeout or 5xx: Twilio may have created it
 * anyway), the customer's conversations are looked up
 * (`GET …/ParticipantConversations?Identity=`) for this attempt's: for an
 * anonymous chat all of them (its identity is fresh), deleted. For a
 * verified customer, whose identity is stable, this attempt's is the one
 * named after its key (flex-flow's `ChatUniqueName`) or, with no such name
 * (address mode), one not closed and not among the conversations the
 * customer had before (`chat.knownConversations`), never their other chats;
 * and it is kept, never removed: the start goes on with it (see
 * `afterAmbiguousCreate`). A failed clean-up is logged with the SID (or the
 * identity, which is opaque).
 * A TaskRouter task Flex made with the chat (a Flex Flow's task integration)
 * is not cancelled, as Twilio advises for Flex tasks: it is logged as
 * `cleanup_needed` with its SID.
 */
import type { Twilio } from 'twilio';
import type { ParticipantConversationInstance } from 'twilio/lib/rest/conversations/v1/service/participantConversation';
import { detailsAttributes, mergeChatDetails } from '../chat-details';
import { participantIdentity, type ChatsConfig, type ChatStart, type StartedChat } from './types';
import { UpstreamError } from '../errors';
import { log } from '../log';
import {
  challengeReused,
  customerChatLimit,
  isAmbiguousFailure,
  toHttpError,
} from '../twilio-errors';
import { postQuestion } from './conversation';

/** What a mode's create request returned. */
export interface CreatedChat {
  conversationSid: string;
  /** The identity Twilio gave the customer; undefined if the API does not say. */
  identity?: string | null;
  /**
   * The TaskRouter task Flex made with the chat, if any (a Flex Flow with a
   * task integration): removing the chat does not end it.
   */
  taskSid?: string | null;
}

export interface FlexCreation {
  /** The step's name in logs and errors, e.g. "create the web chat". */
  step: string;
  /** The variable to blame when Twilio says the address or flow does not exist. */
  notFoundMeans: string;
  create(chat: ChatStart): Promise<CreatedChat>;
  /**
   * Deletes a chat this mode created, by conversation SID (with what create
   * returned, when known). May throw.
   */
  remove(conversationSid: string, created?: CreatedChat): Promise<void>;
}

type ServiceConfig = Pick<ChatsConfig, 'conversationsServiceSid'>;

export async function startFlexCreatedChat(
  client: Twilio,
  config: ServiceConfig,
  chat: ChatStart,
  mode: FlexCreation,
): Promise<StartedChat> {
  const created = await mode.create(chat).catch(async (error: unknown) => {
    const refused = challengeReused(error, mode.step) ?? customerChatLimit(error, mode.step);
    if (refused) throw refused;
    const failure = toHttpError(error, { step: mode.step, notFoundMeans: mode.notFoundMeans });
    const made =
      isAmbiguousFailure(error) && (await afterAmbiguousCreate(client, config, chat, mode));
    if (made) return made;
    throw failure;
  });

  const { conversationSid } = created;
  const identity = participantIdentity(chat);
  if (created.identity !== undefined && created.identity !== identity) {
    const refused = identityRefused(mode.step, conversationSid);
    await removeQuietly(mode, created, 'failed_start');
    throw refused;
  }
  // Flex wrote the attributes: the site's details are merged in (best effort),
  // beside the question.
  const [, posted] = await Promise.allSettled([
    mergeChatDetails(client, config, conversationSid, chat.details),
    chat.question !== undefined &&
      postQuestion(client, config, conversationSid, identity, chat.question, {
        shared: Boolean(chat.customer),
      }),
    // Flex's routing came with the create: the start is finished (see ChatStart).
    hasLastRound(chat) && chat.onLastRound?.(conversationSid, true),
  ]);
  if (posted.status === 'rejected') {
    // A signed-in customer's chat is kept: it is their chat in progress now,
    // which other devices may have joined; the widget's retry resumes it.
    if (chat.onLastRound) {
      log.warn('question_not_posted', { conversationSid, kept: true });
      throw posted.reason;
    }
    await removeQuietly(mode, created, 'failed_start');
    throw leftSomething(posted.reason, created);
  }
  return { conversationSid, identity };
}

/** Whether the start makes a round after its create (the details' merge, the question's post). */
function hasLastRound(chat: Pick<ChatStart, 'question' | 'details'>): boolean {
  return chat.question !== undefined || Object.keys(detailsAttributes(chat.details)).length > 0;
}

/**
 * A later step's 429 means "try again" only when the start left nothing
 * behind. Flex may have made a task at the create (a Flex Flow with a task
 * integration), which the clean-up cannot take back: a retry with the same
 * proof would give agents a second task, so the start fails as a 502, which
 * the widget does not retry by itself.
 */
function leftSomething(error: unknown, created: CreatedChat): unknown {
  if (!created.taskSid || !(error instanceof UpstreamError) || error.upstreamStatus !== 429) {
    return error;
  }
  return new UpstreamError(error.message, error.step, undefined, error.twilioCode);
}

/**
 * Twilio gave the customer another identity than ours. A token for it could
 * not be renewed by /refresh-token, nor bounded by SESSION_MAX_AGE_SECONDS,
 * so the chat is refused (and removed) rather than half-working.
 */
function identityRefused(step: string, conversationSid: string): UpstreamError {
  log.error('handoff_identity_replaced', { step, conversationSid });
  return new UpstreamError(
    'Could not start the chat: Flex did not accept the customer identity. Please try again later.',
    step,
    undefined,
    undefined,
  );
}

/**
 * Deletes a chat; never throws (the caller is already failing). A task Flex
 * made with it is left alone: Flex tasks must never be cancelled through
 * TaskRouter (Flex keeps its own state about them), so it is logged, with
 * its SID only, for someone to close in Flex.
 */
async function removeQuietly(
  mode: FlexCreation,
  created: CreatedChat,
  reason: string,
): Promise<void> {
  const { conversationSid: conversation, taskSid } = created;
  try {
    await mode.remove(conversation, created);
    log.info('conversation_removed', { reason, conversation });
  } catch (error) {
    log.error('conversation_cleanup_failed', { reason, conversation, error });
  }
  if (taskSid) {
    log.warn('cleanup_needed', {
      reason,
      conversation,
      task: taskSid,
      action: 'complete or cancel this task in Flex (never through the TaskRouter API)',
    });
  }
}

/**
 * After an ambiguous create: whatever Twilio made for this attempt. An
 * anonymous identity is fresh and random, so anything found is this chat's,
 * and removed. A verified customer's is not (see the header:
 * `madeByThisAttempt`), and the one chat this attempt made is kept and the
 * start goes on with it: it is routed already (Flex made it with its
 * routing), and the customer's other devices may have found it through the
 * list and joined it (src/customer/continuity.ts), so removing it would
 * leave them in a deleted chat. Undefined when nothing is kept.
 */
async function afterAmbiguousCreate(
  client: Twilio,
  config: ServiceConfig,
  chat: ChatStart,
  mode: FlexCreation,
): Promise<CreatedChat | undefined> {
  const identity = participantIdentity(chat);
  let found: ParticipantConversationInstance[];
  try {
    found = await client.conversations.v1
      .services(config.conversationsServiceSid)
      // Twilio pages these by 50 at most; a customer may be in 1,000.
      .participantConversations.list(
        chat.customer ? { identity, limit: 1000, pageSize: 50 } : { identity, limit: 5 },
      );
  } catch (error) {
    log.error('conversation_cleanup_failed', {
      reason: 'ambiguous_create',
      conversation: identity,
      error,
    });
    return undefined;
  }
  const mine = found.filter(madeByThisAttempt(chat));
  if (chat.customer) return keptChat(chat, mine);
  for (const { conversationSid } of mine) {
    await removeQuietly(mode, { conversationSid }, 'ambiguous_create');
  }
  return undefined;
}

/**
 * The signed-in customer's chat an ambiguous create made, kept: the one
 * named after this start's key (flex-flow), else, with no name to go by
 * (a Chat Address), the newest unnamed one the customer did not have before.
 * More than one (Sync out, two devices creating at once): the newest, and
 * none is removed, for each may be another device's chat in progress.
 */
function keptChat(
  chat: ChatStart,
  mine: ParticipantConversationInstance[],
): CreatedChat | undefined {
  const named = mine.find((c) => c.conversationUniqueName === chat.identity);
  const unnamed = mine.filter((c) => !c.conversationUniqueName);
  const newest = unnamed.sort(
    (a, b) =>
      (b.conversationDateCreated?.getTime() ?? 0) - (a.conversationDateCreated?.getTime() ?? 0),
  )[0];
  const kept = named ?? newest;
  if (!kept) return undefined;
  log.warn('ambiguous_create_kept', {
    conversation: kept.conversationSid,
    ...(!named && unnamed.length > 1 && { candidates: unnamed.length }),
  });
  return { conversationSid: kept.conversationSid, identity: participantIdentity(chat) };
}

/**
 * Which of the customer's conversations this start may have made: one named
 * after its key (a Flex Flow's `ChatUniqueName`) always; for an anonymous
 * chat, any (its identity is this start's); for a verified customer, with no
 * name to go by (a Chat Address), only one that is not closed and that the
 * customer did not have before this start (`knownConversations`; unknown:
 * none, rather than risk the customer's chat in progress).
 */
export function madeByThisAttempt(
  chat: ChatStart,
): (
  found: Pick<
    ParticipantConversationInstance,
    'conversationSid' | 'conversationUniqueName' | 'conversationState'
  >,
) => boolean {
  const known = chat.knownConversations && new Set(chat.knownConversations);
  return (found) => {
    if (found.conversationUniqueName === chat.identity) return true;
    if (!chat.customer) return true;
    return (
      known !== undefined &&
      !known.has(found.conversationSid) &&
      found.conversationState !== 'closed'
    );
  };
}
