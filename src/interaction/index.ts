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
 *
 * Here the hand-off's path; in claim.ts the claim and its release; in flex.ts
 * what is read and written beside the Interaction (the task that proves a
 * hand-off, the record, the recovery); in event.ts the webhook's payload.
 */
import type { Twilio } from 'twilio';
import type { ConversationContext } from 'twilio/lib/rest/conversations/v1/service/conversation';
import type { WebhookInstance } from 'twilio/lib/rest/conversations/v1/service/conversation/webhook';
import { DEFAULT_CUSTOMER_NAME, parseAttributes } from '../chat-attributes';
import { UpstreamError } from '../errors';
import { parseIdentity } from '../identity';
import { log } from '../log';
import { nullIfGone } from '../twilio-errors';
import { claim, isInteractionWebhook, releaseClaim } from './claim';
import type {
  HandoffOutcome,
  IgnoredReason,
  InteractionConfig,
  MessageAddedEvent,
  StoredAttributes,
} from './event';
import { recordInteraction, recoverFromFailedCreate, someoneElseHandedOff } from './flex';

export { parseMessageAddedEvent } from './event';
export type { HandoffOutcome, IgnoredReason, MessageAddedEvent } from './event';

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
  const notOurs = ignoredFromEvent(config, event);
  if (notOurs) return ignored(notOurs);
  const { conversationSid } = event;
  const logFields = { conversationSid, retryCount: event.retryCount };
  const conversation = client.conversations.v1
    .services(config.conversationsServiceSid)
    .conversations(conversationSid);

  const found = await readHandoff(config, event, conversation, logFields); // round 1
  if ('reason' in found) return ignored(found.reason);
  const { attributes, ours } = found;
  const { interactionUrl } = config.interaction;
  const claimed = await claim(conversation, ours, interactionUrl, logFields); // round 2
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
    await releaseClaim(conversation, interactionUrl, logFields);
    throw new UpstreamError(
      'Could not hand the chat to Flex in time; Twilio will retry.',
      'hand off in time',
      undefined,
      undefined,
    );
  }

  let interaction: { sid: string; channel?: unknown };
  try {
    interaction = await createInteraction(client, config, conversationSid, attributes); // round 3
  } catch (error) {
    return recoverFromFailedCreate(client, config, conversation, attributes, error, logFields);
  }

  // Round 4, in what is left of the answer's time.
  const channelSid = (interaction.channel as { sid?: unknown } | null)?.sid;
  const recordClient = clientWithTimeout?.(recordTimeoutMs(Date.now() - startedAt));
  const recordOn =
    recordClient?.conversations.v1
      .services(config.conversationsServiceSid)
      .conversations(conversationSid) ?? conversation;
  const recorded = await recordInteraction(recordOn, attributes, {
    interactionSid: interaction.sid,
    ...(typeof channelSid === 'string' && { interactionChannelSid: channelSid }),
  });
  log.info('handed_off', { ...logFields, interactionSid: interaction.sid, recorded });
  return { outcome: 'handed_off', interactionSid: interaction.sid, recorded };
}

const ignored = (reason: IgnoredReason): HandoffOutcome => ({ outcome: 'ignored', reason });

/** Decided from the event alone: no Twilio call for agents' or system messages. */
function ignoredFromEvent(
  config: InteractionConfig,
  event: MessageAddedEvent,
): IgnoredReason | undefined {
  if (event.eventType !== 'onMessageAdded') return 'not_message_added';
  if (event.chatServiceSid && event.chatServiceSid !== config.conversationsServiceSid) {
    return 'other_service';
  }
  if (!parseIdentity(event.author)) return 'not_customer';
  return undefined;
}

/** Round 1: the conversation and its webhooks, and whether there is a hand-off to claim. */
async function readHandoff(
  config: InteractionConfig,
  event: MessageAddedEvent,
  conversation: ConversationContext,
  logFields: Record<string, unknown>,
): Promise<{ reason: IgnoredReason } | { attributes: StoredAttributes; ours: WebhookInstance[] }> {
  const [fetched, webhooks] = await Promise.all([
    conversation.fetch().catch(nullIfGone('read the conversation', logFields)),
    conversation.webhooks.list({ limit: 5 }).catch(nullIfGone('read the webhooks', logFields)),
  ]);
  if (!fetched || !webhooks) return { reason: 'conversation_gone' };
  // Our own conversations are named after their customer's identity.
  const { namedAfterCustomer, interactionUrl } = config.interaction;
  if (namedAfterCustomer && fetched.uniqueName !== event.author) return { reason: 'not_customer' };
  const attributes: StoredAttributes = parseAttributes(fetched.attributes);
  if (typeof attributes.interactionSid === 'string') return { reason: 'already_handed_off' };
  const ours = webhooks.filter((w) => isInteractionWebhook(w, interactionUrl));
  if (ours.length === 0) return { reason: 'claimed_elsewhere' };
  return { attributes, ours };
}

/** Round 3: the Interaction, routed to TaskRouter with the task attributes agents see. */
function createInteraction(
  client: Twilio,
  { interaction: route }: InteractionConfig,
  conversationSid: string,
  attributes: StoredAttributes,
): Promise<{ sid: string; channel?: unknown }> {
  return client.flexApi.v1.interaction.create({
    channel: {
      type: 'web',
      initiated_by: 'customer',
      properties: { media_channel_sid: conversationSid },
    },
    routing: {
      properties: {
        workspace_sid: route.workspaceSid,
        workflow_sid: route.workflowSid,
        task_channel_unique_name: route.taskChannel,
        attributes: taskAttributes(conversationSid, attributes),
      },
    },
  });
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
