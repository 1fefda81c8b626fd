/**
 * `onMessageAdded` -> exactly one Flex Interaction per conversation.
 *
 * Conversations calls `/interaction` for every message, retries failed
 * deliveries, and may deliver several at once. Functions keep no memory
 * between requests, so "only once" must be decided by an atomic operation on
 * Twilio's side. That operation is deleting the conversation's scoped webhook
 * (the one `/start-chat` registered, or in address mode the one the Chat
 * Address attached): Twilio deletes a resource once, and answers every other
 * delete of it with 404.
 *
 * A scoped webhook's delivery names the webhook that sent it (`WebhookSid`),
 * so the claim need not wait for a list of the webhooks:
 *
 *   round 1  fetch the conversation  ||  DELETE the webhook the delivery names
 *            204: we own the hand-off; 404: see below
 *   round 2  POST /v1/Interactions   Channel: the conversation; Routing: TaskRouter
 *   round 3  record the Interaction SID in the conversation attributes
 *            (X-Twilio-Webhook-Enabled: false)
 *
 * 3 sequential round trips, 4 requests, for the one delivery that hands off.
 * A delivery that names no webhook (or one of another target, or a malformed
 * SID) is claimed as before this path existed, listing first:
 *
 *   round 1  fetch the conversation  ||  list its webhooks
 *            (not our customer, already handed off, or no webhook of ours left:
 *            nothing to do)
 *   round 2  DELETE our webhook(s)   204: we own the hand-off; 404: someone else does
 *   round 3, 4  as rounds 2 and 3 above      (4 round trips, 5 requests)
 *
 * Every other delivery stops after round 1 or 2, and once the webhook is gone
 * later messages do not call us at all.
 *
 * Why deleting the named webhook, unlisted, is safe:
 * - It is ours. The signature is checked over our exact `/interaction` URL,
 *   and Conversations posts a scoped webhook's deliveries to that webhook's
 *   own `Configuration.Url`: the webhook a signed delivery names points here,
 *   which is what makes a webhook ours (claim.ts). A delivery of anyone
 *   else's webhook went to their URL and cannot be signed for ours (403,
 *   nothing done). One saying `WebhookType` studio or trigger is claimed by
 *   list, so its webhook is never deleted by name (event.ts); the SID must be
 *   WH + 32 hex, as it goes into a URL; and the DELETE is under this
 *   conversation's path, so another conversation's webhook answers 404 and
 *   stays.
 * - There is one webhook of ours per conversation: `/start-chat` registers
 *   one, a Chat Address attaches one, and only the one owner gives a claim
 *   back, never leaving two (claim.ts). It matters: each webhook sends its
 *   own delivery of a message, so with two of ours two deliveries would each
 *   delete their own and both own the hand-off. The list path is immune
 *   (everyone deletes all it saw in one order); this one is not, so a second
 *   webhook to `/interaction` added by hand is not supported.
 * - A 404 does not end it: the webhook is gone because another delivery
 *   (a duplicate, a retry, another message: all name the same webhook) owns
 *   the hand-off, or because an owner that failed gave the claim back as a
 *   new webhook, which Twilio's retry of that delivery does not name. So
 *   unless the read says it is done, the webhooks are listed and any of ours
 *   claimed as on the list path. A delivery that loses still costs 3
 *   requests in 2 round trips; a retry after a failed owner hands off in 5.
 * - The claim no longer waits for the read, so it may be won for a delivery
 *   the read then says must not hand off. Already handed off: the webhook
 *   was a leftover, rightly gone. Conversation gone: nothing to do. Read
 *   failed, or an author shaped like a customer who is not this
 *   conversation's (its unique name; of the participants /start-chat and
 *   Flex add, only the customer has that shape; a verified customer's
 *   `cust_` identity, unlike the `web_` key the conversation is named
 *   after, is this conversation's customer when the name is a key of ours:
 *   isNamedCustomer): the claim is given back (502 for the failure, so
 *   Twilio retries). A customer message delivered while such a claim is
 *   away is ignored if its list comes before the webhook is back; the next
 *   message then hands off.
 *
 * Why it is safe on either path:
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
 * - The delete itself fails ambiguously: if the webhook is still listed,
 *   nothing happened (502, Twilio retries); if it is gone, we proceed as the
 *   owner unless another delivery's Interaction shows within a second,
 *   because only a lost delete answer or a concurrent owner can explain it,
 *   and leaving the chat with no webhook and no Interaction would strand it.
 *
 * Here the hand-off's path; in claim.ts the claim and its release; in flex.ts
 * what is read and written beside the Interaction (the task that proves a
 * hand-off, the record, the recovery); in event.ts the webhook's payload.
 */
import type { Twilio } from 'twilio';
import type {
  ConversationContext,
  ConversationInstance,
} from 'twilio/lib/rest/conversations/v1/service/conversation';
import { parseAttributes } from '../chat-attributes';
import { UpstreamError } from '../errors';
import { isCustomerIdentity, parseIdentity } from '../identity';
import { log } from '../log';
import { nullIfGone } from '../twilio-errors';
import { claimListed, deleteWebhook, isInteractionWebhook, releaseClaim } from './claim';
import type {
  HandoffOutcome,
  IgnoredReason,
  InteractionConfig,
  MessageAddedEvent,
  StoredAttributes,
} from './event';
import { recordInteraction, recoverFromFailedCreate, someoneElseHandedOff } from './flex';
import { trustFor } from '../customer-trust';
import { taskAttributes } from './task-attributes';

export { parseMessageAddedEvent } from './event';
export { taskAttributes } from './task-attributes';
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
 * Twilio waits 5 s for a webhook's answer. The hand-off is 3 round trips (4
 * on the list path); the last (recording the Interaction on the
 * conversation) is bookkeeping end-chat can do without, so it gets only what
 * is left of this budget (at least RECORD_MIN_TIMEOUT_MS): with Twilio
 * answering each call within about 1.5 s (1.2 s on the list path), the
 * answer comes within 5 s.
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
  const conversation = conversationOf(client, config, conversationSid);
  const handoff: Handoff = { client, config, event, conversation, logFields };

  const claimed = event.webhookSid
    ? await claimNamed(handoff, event.webhookSid) // round 1
    : await claimAfterListing(handoff); // rounds 1 and 2
  if ('reason' in claimed) return ignored(claimed.reason);
  const { attributes } = claimed;
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

  let interaction: { sid: string; channel?: unknown };
  try {
    interaction = await createInteraction(client, config, event, attributes, startedAt);
  } catch (error) {
    return recoverFromFailedCreate(client, config, conversation, attributes, error, logFields);
  }

  // The last round trip, in what is left of the answer's time.
  const channelSid = (interaction.channel as { sid?: unknown } | null)?.sid;
  const recordClient = clientWithTimeout?.(recordTimeoutMs(Date.now() - startedAt));
  const recordOn = recordClient
    ? conversationOf(recordClient, config, conversationSid)
    : conversation;
  const recorded = await recordInteraction(recordOn, attributes, {
    interactionSid: interaction.sid,
    ...(typeof channelSid === 'string' && { interactionChannelSid: channelSid }),
  });
  log.info('handed_off', { ...logFields, interactionSid: interaction.sid, recorded });
  return { outcome: 'handed_off', interactionSid: interaction.sid, recorded };
}

/** One delivery's hand-off: what the claim works with. */
interface Handoff {
  client: Twilio;
  config: InteractionConfig;
  event: MessageAddedEvent;
  conversation: ConversationContext;
  logFields: Record<string, unknown>;
}

/** The claim's result: nothing to do (and why), or ours, with what the task needs. */
type Claimed = { reason: IgnoredReason } | { attributes: StoredAttributes };

const ignored = (reason: IgnoredReason): HandoffOutcome => ({ outcome: 'ignored', reason });

const conversationOf = (client: Twilio, config: InteractionConfig, sid: string) =>
  client.conversations.v1.services(config.conversationsServiceSid).conversations(sid);

/** Decided from the event alone: no Twilio call for agents' or system messages. */
function ignoredFromEvent(
  config: InteractionConfig,
  event: MessageAddedEvent,
): IgnoredReason | undefined {
  if (event.eventType !== 'onMessageAdded') return 'not_message_added';
  if (event.chatServiceSid && event.chatServiceSid !== config.conversationsServiceSid) {
    return 'other_service';
  }
  if (!isCustomerAuthor(event.author)) return 'not_customer';
  return undefined;
}

/**
 * Whether an author is shaped like a customer of ours: an anonymous `web_`
 * identity or a verified customer's `cust_` one (src/identity.ts). Agents,
 * `system` and Flex's own participants are neither.
 */
export function isCustomerAuthor(author: string): boolean {
  return parseIdentity(author) !== undefined || isCustomerIdentity(author);
}

/**
 * Whether the author is the customer of a conversation /start-chat created
 * (named after the start's key): the key itself for an anonymous chat; for a
 * verified customer, whose `cust_` identity differs from the key, any `cust_`
 * author in a conversation with a key of ours (only /start-chat adds `cust_`
 * participants, and only as the customer).
 */
function isNamedCustomer(uniqueName: string | null, author: string): boolean {
  if (uniqueName === author) return true;
  return isCustomerIdentity(author) && parseIdentity(uniqueName ?? '') !== undefined;
}

/** Decided from the conversation (null: gone): whether there is a hand-off to make. */
function ignoredFromConversation(
  { interaction }: InteractionConfig,
  event: MessageAddedEvent,
  fetched: ConversationInstance | null,
): IgnoredReason | undefined {
  if (!fetched) return 'conversation_gone';
  // Our own conversations are named after the start's key (isNamedCustomer).
  if (interaction.namedAfterCustomer && !isNamedCustomer(fetched.uniqueName, event.author)) {
    return 'not_customer';
  }
  const attributes: StoredAttributes = parseAttributes(fetched.attributes);
  if (typeof attributes.interactionSid === 'string') return 'already_handed_off';
  return undefined;
}

/**
 * Round 1 of the named path: the conversation is read while the webhook the
 * delivery names is deleted (see the header for why that is safe).
 */
async function claimNamed(handoff: Handoff, webhookSid: string): Promise<Claimed> {
  const { config, event, conversation, logFields } = handoff;
  const [read, deleted] = await Promise.allSettled([
    conversation.fetch().catch(nullIfGone('read the conversation', logFields)),
    deleteWebhook(conversation, webhookSid, logFields),
  ]);
  const skip =
    read.status === 'fulfilled' ? ignoredFromConversation(config, event, read.value) : undefined;
  if (deleted.status === 'rejected') {
    if (skip) return { reason: skip }; // nothing was deleted, and nothing is to be done
    throw deleted.reason;
  }
  if (deleted.value === 'gone') {
    if (read.status === 'rejected') throw read.reason;
    return skip ? { reason: skip } : claimAfterListing(handoff, read.value);
  }
  if (
    deleted.value === 'uncertain' &&
    (await someoneElseHandedOff(handoff.client, config, conversation, logFields))
  ) {
    return { reason: 'claimed_elsewhere' };
  }
  // The claim is ours, but it may not be wanted.
  const { interactionUrl } = config.interaction;
  if (read.status === 'rejected') {
    await releaseClaim(conversation, interactionUrl, logFields);
    throw read.reason;
  }
  if (skip === 'not_customer') await releaseClaim(conversation, interactionUrl, logFields);
  if (skip) {
    log.info('claim_not_needed', { ...logFields, reason: skip });
    return { reason: skip };
  }
  return { attributes: parseAttributes(read.value?.attributes) };
}

/**
 * The list path: the conversation (unless already read) and its webhooks,
 * then a delete of each webhook of ours, in SID order (claim.ts).
 */
async function claimAfterListing(
  handoff: Handoff,
  known?: ConversationInstance | null,
): Promise<Claimed> {
  const { client, config, event, conversation, logFields } = handoff;
  const [fetched, webhooks] = await Promise.all([
    known !== undefined
      ? known
      : conversation.fetch().catch(nullIfGone('read the conversation', logFields)),
    conversation.webhooks.list({ limit: 5 }).catch(nullIfGone('read the webhooks', logFields)),
  ]);
  const skip = ignoredFromConversation(config, event, webhooks ? fetched : null);
  if (skip || !fetched || !webhooks) return { reason: skip ?? 'conversation_gone' };
  const ours = webhooks.filter((w) => isInteractionWebhook(w, config.interaction.interactionUrl));
  if (ours.length === 0) return { reason: 'claimed_elsewhere' };
  const claimed = await claimListed(conversation, ours, logFields);
  if (claimed === 'lost') return { reason: 'claimed_elsewhere' };
  if (
    claimed === 'uncertain' &&
    (await someoneElseHandedOff(client, config, conversation, logFields))
  ) {
    return { reason: 'claimed_elsewhere' };
  }
  return { attributes: parseAttributes(fetched.attributes) };
}

/**
 * The Interaction, routed to TaskRouter with the task attributes agents see
 * (a `customer` only if signed for the message's author: task-attributes.ts).
 */
function createInteraction(
  client: Twilio,
  config: InteractionConfig,
  { conversationSid, author }: MessageAddedEvent,
  attributes: StoredAttributes,
  nowMs: number,
): Promise<{ sid: string; channel?: unknown }> {
  const route = config.interaction;
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
        attributes: taskAttributes(conversationSid, attributes, trustFor(config, author, nowMs)),
      },
    },
  });
}
