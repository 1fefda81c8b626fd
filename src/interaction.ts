/**
 * `onMessageAdded` -> exactly one Flex Interaction per conversation.
 *
 * Conversations calls `/interaction` for every message, retries failed
 * deliveries, and may deliver several at once. Functions keep no memory
 * between requests, so "only once" must be decided by an atomic operation on
 * Twilio's side. That operation is deleting the conversation's scoped webhook
 * (the one `/start-chat` registered, or in address mode the one the Chat
 * Address attached): Twilio deletes a resource once, and
 * answers every other delete of it with 404.
 *
 *   round 1  fetch the conversation  ||  list its webhooks
 *            (not our customer, already handed off, or no webhook of ours left:
 *            nothing to do)
 *   round 2  DELETE our webhook      204: we own the hand-off; 404: someone else does
 *   round 3  POST /v1/Interactions   Channel: the conversation; Routing: TaskRouter
 *   round 4  record the Interaction SID in the conversation attributes
 *            (X-Twilio-Webhook-Enabled: false)
 *
 * 4 sequential round trips, 5 requests, for the one delivery that hands off;
 * every other delivery stops after round 1 or 2 (and the webhook is gone, so
 * later messages do not call us at all).
 *
 * Why it is safe:
 * - Duplicates, retries, concurrent messages: only one delete can succeed, so
 *   only one invocation ever creates an Interaction.
 * - The Interaction create fails: the owner re-registers the webhook (giving
 *   the claim back) and answers 502, so Twilio's retry, or the next message,
 *   hands off instead. Exactly one, as long as the failed create really
 *   created nothing.
 * - The create fails ambiguously (timeout or 5xx: Twilio may have created it):
 *   before giving the claim back, TaskRouter is asked for a task carrying this
 *   conversation's SID (our routing attributes put it there). If there is one,
 *   the hand-off happened. Only an Interaction that Twilio finishes creating
 *   after that lookup could still lead to a second one.
 * - The delete itself fails ambiguously: if our webhook is still listed,
 *   nothing happened (502, Twilio retries); if it is gone, we proceed as the
 *   owner, because only a lost delete answer or a concurrent owner can explain
 *   it, and leaving the chat with no webhook and no Interaction would strand it.
 */
import type { Twilio } from 'twilio';
import type { ConversationContext } from 'twilio/lib/rest/conversations/v1/service/conversation';
import type { WebhookInstance } from 'twilio/lib/rest/conversations/v1/service/conversation/webhook';
import { DEFAULT_CUSTOMER_NAME, parseAttributes } from './chat-attributes';
import type { Config } from './config';
import { BadRequestError, UpstreamError } from './errors';
import type { InteractionRoute } from './modes';
import { interactionWebhook } from './modes/route';
import { parseIdentity } from './identity';
import { log } from './log';
import { isAmbiguousFailure, nullIfGone, toHttpError, upstreamStatus } from './twilio-errors';

/** The parts of a Conversations `onMessageAdded` webhook we act on. */
export interface MessageAddedEvent {
  eventType: string;
  conversationSid: string;
  chatServiceSid?: string;
  author: string;
  retryCount: number;
}

export type IgnoredReason =
  | 'not_message_added'
  | 'other_service'
  | 'not_customer'
  | 'conversation_gone'
  | 'already_handed_off'
  | 'claimed_elsewhere';

export type HandoffOutcome =
  | { outcome: 'handed_off'; interactionSid?: string; recorded: boolean }
  | { outcome: 'ignored'; reason: IgnoredReason };

type InteractionConfig = Pick<Config, 'conversationsServiceSid'> & {
  interaction: InteractionRoute;
};

/** What a conversation's attributes say about its hand-off (see chat-attributes.ts). */
interface StoredAttributes {
  from?: unknown;
  pre_engagement_data?: unknown;
  interactionSid?: unknown;
  [key: string]: unknown;
}

const CONVERSATION_SID = /^CH[0-9a-f]{32}$/i;

/** Reads the webhook's form fields; a payload that is not Conversations' is a 400. */
export function parseMessageAddedEvent(fields: Record<string, unknown>): MessageAddedEvent {
  const text = (name: string) => (typeof fields[name] === 'string' ? fields[name] : undefined);
  const conversationSid = text('ConversationSid');
  const eventType = text('EventType');
  // Another event (signed, so Twilio's): nothing to do, whatever else it carries.
  if (eventType && eventType !== 'onMessageAdded') {
    return { eventType, conversationSid: conversationSid ?? '', author: '', retryCount: 0 };
  }
  const missing = [
    ...(eventType ? [] : ['EventType']),
    ...(conversationSid && CONVERSATION_SID.test(conversationSid) ? [] : ['ConversationSid']),
  ];
  if (missing.length > 0) {
    throw new BadRequestError(
      'Not a Conversations webhook.',
      missing.map((field) => ({ field, problem: 'is missing or malformed' })),
    );
  }
  const chatServiceSid = text('ChatServiceSid');
  return {
    eventType: eventType ?? '',
    conversationSid: conversationSid ?? '',
    ...(chatServiceSid !== undefined && { chatServiceSid }),
    author: text('Author') ?? '',
    retryCount: Number(text('RetryCount') ?? 0) || 0,
  };
}

export interface HandoffOptions {
  /** When the delivery arrived (ms): the Interaction is only created in time. */
  startedAt?: number;
  /**
   * A client whose requests time out sooner, for the last step (recording the
   * Interaction), which gets only what is left of ANSWER_WITHIN_MS. Without
   * it, the main client is used.
   */
  clientWithTimeout?: (timeoutMs: number) => Twilio;
}

/**
 * Twilio waits 5 s for a webhook's answer. The hand-off is 4 round trips;
 * the last (recording the Interaction on the conversation) is bookkeeping
 * end-chat can do without, so it gets only what is left of this budget (at
 * least RECORD_MIN_TIMEOUT_MS): with Twilio answering each call within about
 * 1.2 s, the answer comes within 5 s.
 */
export const ANSWER_WITHIN_MS = 4700;
export const RECORD_MIN_TIMEOUT_MS = 300;
export const RECORD_MAX_TIMEOUT_MS = 2000;

/** The record's timeout: what is left of the budget, within the bounds above. */
export function recordTimeoutMs(elapsedMs: number): number {
  const left = ANSWER_WITHIN_MS - elapsedMs;
  return Math.min(RECORD_MAX_TIMEOUT_MS, Math.max(RECORD_MIN_TIMEOUT_MS, left));
}

/**
 * How long to wait, after a claim whose answer was lost, for a concurrent
 * owner's Interaction to show (its create takes a few hundred milliseconds).
 */
export const CLAIM_SETTLE_MS = 1000;

/**
 * No Interaction create starts later than this after the delivery arrived:
 * the create and its record (2 s each at most) must end within the
 * Function's 10 s, or a claimed chat could be left with neither.
 */
export const CREATE_DEADLINE_MS = 5000;

export async function handOffToFlex(
  client: Twilio,
  config: InteractionConfig,
  event: MessageAddedEvent,
  { startedAt = Date.now(), clientWithTimeout }: HandoffOptions = {},
): Promise<HandoffOutcome> {
  const ignored = (reason: IgnoredReason): HandoffOutcome => ({ outcome: 'ignored', reason });
  // Decided from the event alone: no Twilio call for agents' or system messages.
  if (event.eventType !== 'onMessageAdded') return ignored('not_message_added');
  if (event.chatServiceSid && event.chatServiceSid !== config.conversationsServiceSid) {
    return ignored('other_service');
  }
  if (!parseIdentity(event.author)) return ignored('not_customer');

  const { conversationSid } = event;
  const logFields = { conversationSid, retryCount: event.retryCount };
  const conversation = client.conversations.v1
    .services(config.conversationsServiceSid)
    .conversations(conversationSid);

  // Round 1.
  const [fetched, webhooks] = await Promise.all([
    conversation.fetch().catch(nullIfGone('read the conversation', logFields)),
    conversation.webhooks.list({ limit: 5 }).catch(nullIfGone('read the webhooks', logFields)),
  ]);
  if (!fetched || !webhooks) return ignored('conversation_gone');
  // Our own conversations are named after their customer's identity.
  const { namedAfterCustomer } = config.interaction;
  if (namedAfterCustomer && fetched.uniqueName !== event.author) return ignored('not_customer');
  const attributes: StoredAttributes = parseAttributes(fetched.attributes);
  if (typeof attributes.interactionSid === 'string') return ignored('already_handed_off');
  const ours = webhooks.filter((w) => isInteractionWebhook(w, config.interaction.interactionUrl));
  if (ours.length === 0) return ignored('claimed_elsewhere');

  // Round 2.
  const claimed = await claim(conversation, ours, config.interaction.interactionUrl, logFields);
  if (claimed === 'lost') return ignored('claimed_elsewhere');
  if (
    claimed === 'uncertain' &&
    (await someoneElseHandedOff(client, config, conversation, logFields))
  ) {
    return ignored('claimed_elsewhere');
  }
  if (Date.now() - startedAt > CREATE_DEADLINE_MS) {
    // Too late to create and record before the Function's time runs out:
    // give the claim back and let Twilio's retry start afresh.
    await releaseClaim(conversation, config.interaction.interactionUrl, logFields);
    throw new UpstreamError(
      'Could not hand the chat to Flex in time; Twilio will retry.',
      'hand off in time',
      undefined,
      undefined,
    );
  }

  // Round 3.
  let interaction: { sid: string; channel?: unknown };
  try {
    interaction = await client.flexApi.v1.interaction.create({
      channel: {
        type: 'web',
        initiated_by: 'customer',
        properties: { media_channel_sid: conversationSid },
      },
      routing: {
        properties: {
          workspace_sid: config.interaction.workspaceSid,
          workflow_sid: config.interaction.workflowSid,
          task_channel_unique_name: config.interaction.taskChannel,
          attributes: taskAttributes(conversationSid, attributes),
        },
      },
    });
  } catch (error) {
    return recoverFromFailedCreate(client, config, conversation, attributes, error, logFields);
  }

  // Round 4, in what is left of the answer's time.
  const channelSid = (interaction.channel as { sid?: unknown } | null)?.sid;
  const recordClient = clientWithTimeout?.(recordTimeoutMs(Date.now() - startedAt));
  const recordOn = recordClient
    ? recordClient.conversations.v1
        .services(config.conversationsServiceSid)
        .conversations(conversationSid)
    : conversation;
  const recorded = await recordInteraction(recordOn, attributes, {
    interactionSid: interaction.sid,
    ...(typeof channelSid === 'string' && { interactionChannelSid: channelSid }),
  });
  log.info('handed_off', { ...logFields, interactionSid: interaction.sid, recorded });
  return { outcome: 'handed_off', interactionSid: interaction.sid, recorded };
}

/**
 * The task attributes Flex shows agents: the customer's name (not the opaque
 * identity), the channel, the conversation, and the pre-engagement answers.
 */
export function taskAttributes(
  conversationSid: string,
  stored: StoredAttributes,
): Record<string, unknown> {
  const preEngagement =
    stored.pre_engagement_data !== null && typeof stored.pre_engagement_data === 'object'
      ? stored.pre_engagement_data
      : {};
  // `from` on our own conversations; in address mode, the name travels in
  // the pre-engagement data (where Flex's own web chat puts it).
  const given = [stored.from, (preEngagement as { friendlyName?: unknown }).friendlyName];
  const name =
    given.find((value): value is string => typeof value === 'string' && value.trim() !== '') ??
    DEFAULT_CUSTOMER_NAME;
  return {
    from: name,
    customerName: name,
    channelType: 'web',
    conversationSid,
    pre_engagement_data: preEngagement,
  };
}

function isInteractionWebhook(webhook: WebhookInstance, interactionUrl: string): boolean {
  const configuration = webhook.configuration as { url?: unknown } | null;
  return webhook.target === 'webhook' && configuration?.url === interactionUrl;
}

/**
 * Deletes our webhook(s): `won` when this invocation owns the hand-off,
 * `lost` when another does. There is normally exactly one. Should there be
 * more, they are deleted in SID order and the first 404 loses: with one order
 * for everyone, two invocations cannot both delete all they saw.
 *
 * `uncertain`: a delete failed without a clear answer and the webhook is gone
 * since. Either our delete worked and its answer was lost, or another
 * delivery deleted it and owns the hand-off; the caller decides which.
 */
async function claim(
  conversation: ConversationContext,
  ours: WebhookInstance[],
  interactionUrl: string,
  logFields: Record<string, unknown>,
): Promise<'won' | 'lost' | 'uncertain'> {
  let result: 'won' | 'uncertain' = 'won';
  for (const webhook of [...ours].sort((a, b) => a.sid.localeCompare(b.sid))) {
    try {
      await conversation.webhooks(webhook.sid).remove();
    } catch (error) {
      if (upstreamStatus(error) === 404) return 'lost';
      const failure = toHttpError(error, { step: 'claim the hand-off', logFields });
      if (!isAmbiguousFailure(error)) throw failure;
      const after = await conversation.webhooks
        .list({ limit: 5 })
        .catch(nullIfGone('re-read the webhooks', logFields));
      const stillThere = after?.some(
        (w) => w.sid === webhook.sid && isInteractionWebhook(w, interactionUrl),
      );
      if (stillThere) throw failure; // nothing happened; Twilio retries the delivery
      result = 'uncertain';
    }
  }
  return result;
}

/**
 * After an uncertain claim: waits for a concurrent owner's Interaction to
 * show (recorded on the conversation, or as a TaskRouter task), and says
 * whether there is one. If none shows, the lost answer was ours and we own
 * the hand-off; only an owner slower than CLAIM_SETTLE_MS could still make a
 * second Interaction.
 */
async function someoneElseHandedOff(
  client: Twilio,
  config: InteractionConfig,
  conversation: ConversationContext,
  logFields: Record<string, unknown>,
): Promise<boolean> {
  await new Promise((resolve) => setTimeout(resolve, CLAIM_SETTLE_MS));
  const conversationSid = logFields.conversationSid as string;
  const [fetched, task] = await Promise.all([
    conversation.fetch().catch(() => null),
    findTaskFor(client, config.interaction, conversationSid),
  ]);
  const recorded = typeof parseAttributes(fetched?.attributes).interactionSid === 'string';
  const elsewhere = recorded || task !== undefined;
  log.warn(elsewhere ? 'claim_conceded' : 'claim_assumed_after_lost_answer', logFields);
  return elsewhere;
}

async function recoverFromFailedCreate(
  client: Twilio,
  config: InteractionConfig,
  conversation: ConversationContext,
  attributes: StoredAttributes,
  error: unknown,
  logFields: Record<string, unknown>,
): Promise<HandoffOutcome> {
  const conversationSid = logFields.conversationSid as string;
  const failure = toHttpError(error, { step: 'create the Flex interaction', logFields });
  if (isAmbiguousFailure(error)) {
    const existing = await findTaskFor(client, config.interaction, conversationSid);
    if (existing) {
      log.warn('interaction_created_despite_error', { ...logFields, taskSid: existing.taskSid });
      const recorded = existing.interactionSid
        ? await recordInteraction(conversation, attributes, {
            interactionSid: existing.interactionSid,
            ...(existing.interactionChannelSid && {
              interactionChannelSid: existing.interactionChannelSid,
            }),
          })
        : false;
      return {
        outcome: 'handed_off',
        ...(existing.interactionSid && { interactionSid: existing.interactionSid }),
        recorded,
      };
    }
  }
  await releaseClaim(conversation, config.interaction.interactionUrl, logFields);
  throw failure;
}

/**
 * Gives the claim back (registers the webhook again), so Twilio's retry or
 * the customer's next message hands off. Tried twice: without it the chat
 * would never reach Flex. A duplicate webhook is harmless (see claim()).
 */
async function releaseClaim(
  conversation: ConversationContext,
  interactionUrl: string,
  logFields: Record<string, unknown>,
): Promise<void> {
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      await conversation.webhooks.create(interactionWebhook(interactionUrl));
      log.info('claim_released', logFields);
      return;
    } catch (error) {
      if (attempt === 2) log.error('handoff_stranded', { ...logFields, error });
    }
  }
}

/** A TaskRouter task already routing this conversation, if there is one. */
async function findTaskFor(
  client: Twilio,
  route: InteractionRoute,
  conversationSid: string,
): Promise<
  { taskSid: string; interactionSid?: string; interactionChannelSid?: string } | undefined
> {
  try {
    const [task] = await client.taskrouter.v1.workspaces(route.workspaceSid).tasks.list({
      evaluateTaskAttributes: `conversationSid == "${conversationSid}"`,
      limit: 1,
    });
    if (!task) return undefined;
    // Flex puts the Interaction's SIDs in the task it creates.
    const { flexInteractionSid, flexInteractionChannelSid } = parseAttributes(task.attributes);
    return {
      taskSid: task.sid,
      ...(typeof flexInteractionSid === 'string' && { interactionSid: flexInteractionSid }),
      ...(typeof flexInteractionChannelSid === 'string' && {
        interactionChannelSid: flexInteractionChannelSid,
      }),
    };
  } catch (error) {
    log.warn('task_lookup_failed', { conversationSid, error });
    return undefined;
  }
}

/** Stores the Interaction's SIDs with the conversation; never throws. */
async function recordInteraction(
  conversation: ConversationContext,
  attributes: StoredAttributes,
  sids: { interactionSid: string; interactionChannelSid?: string },
): Promise<boolean> {
  try {
    await conversation.update({
      attributes: JSON.stringify({ ...attributes, ...sids }),
      xTwilioWebhookEnabled: 'false',
    });
    return true;
  } catch (error) {
    // The hand-off happened; only the record is missing (end-chat then closes
    // the conversation itself).
    log.warn('interaction_not_recorded', { interactionSid: sids.interactionSid, error });
    return false;
  }
}
