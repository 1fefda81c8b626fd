/**
 * The same chat on every device: a signed-in customer who already has a chat
 * in progress gets that conversation back from `/start-chat` (another device,
 * another tab, cleared storage) instead of a second conversation, a second
 * webhook and a second task. Owns the lookup, the resume, and the claim that
 * makes two devices starting at once end in ONE conversation.
 *
 *   round 1  `GET …/ParticipantConversations?Identity=cust_…` (PageSize 50):
 *            the customer's conversations, with their state and attributes.
 *            One in progress (not closed, and not ended by the mode's
 *            reading: `hasEnded`, e.g. a legacy channel marked INACTIVE):
 *            RESUME it. The question, if any, is posted to it as the
 *            customer (webhooks on, so a chat not yet handed off is handed
 *            off by it). No conversation, no webhook, no task; the chat
 *            budget is not spent (the guard's spending comes after this).
 *            That is 1 round trip before the question's post.
 *   round 2  none in progress: the creation claim in Sync, side by side with
 *            the guard's own spending (the budget, a Chat Address's
 *            challenge claim): a Document named
 *            `webchat-customer-<identity>-<fingerprint of the conversations
 *            just listed>`, so two requests that saw the same conversations
 *            race for the same name and Twilio lets one create it.
 *   then     the winner creates the chat (src/modes/). It does not release
 *            the claim: once its conversation exists, the list differs and
 *            so does the next start's name. A start that fails and leaves no
 *            conversation behind gives the claim back (the list is as before).
 *            The loser waits a little and looks again (`LOSER_WAITS_MS`):
 *            the winner's chat in progress is then resumed. Still not
 *            there: 503 `chat_starting` with Retry-After, which the widget's
 *            start retry waits out; its retry resumes the chat.
 *
 * Costs: a resume is 1 round trip (+1 for the question); a new chat of a
 * signed-in customer is the anonymous start plus round 1, plus round 2 when
 * the guard spends nothing itself (no budget, a unique-name mode).
 *
 * Decided here:
 * - The challenge is still required for a resume (the handler checks it
 *   first): a stolen customer token alone cannot post into a chat. A resume
 *   does not use up the proof (nothing is created), so the widget's retry
 *   after `chat_starting` can send the same body.
 * - The lookup failing is the start failing (502, or 503 for Twilio's 429):
 *   without it, a second chat could be started next to the first.
 * - Sync failing without an answer for the claim: the start goes on unclaimed
 *   (as for the challenge's claim: an outage must not stop chats) and logs
 *   `continuity.claim_unavailable`; two devices in that very moment may then
 *   get two chats.
 * - Lists longer than a page (a customer with more than 50 conversations)
 *   cost a round trip per page until a chat in progress shows, at most 20
 *   pages: Twilio keeps at most 1,000 not-closed conversations per identity.
 *
 * @example
 *   const chat = await startOrResume(twilio, config, { customer, question, spend, create });
 *   chat.resumed; // true: the customer's chat in progress, no new chat made
 */
import { createHash } from 'node:crypto';
import type { Twilio } from 'twilio';
import type { ParticipantConversationInstance } from 'twilio/lib/rest/conversations/v1/service/participantConversation';
import { parseAttributes } from '../chat-attributes';
import type { Config, ConfigOf } from '../config';
import { ChatStartingError, UpstreamError } from '../errors';
import { isSyncUnavailable, sharedState } from '../guard/shared-state';
import { log } from '../log';
import { postQuestion } from '../modes/conversation';
import type { StartedChat } from '../modes/types';
import { toHttpError, twilioStep, upstreamStatus } from '../twilio-errors';
import type { VerifiedCustomer } from './types';

/** Twilio's largest page of ParticipantConversations. */
export const PAGE_SIZE = 50;
/** 20 pages of 50: the 1,000 not-closed conversations Twilio allows an identity. */
export const MAX_PAGES = 20;
/** A creation claim outlives any start holding it (a Function runs 10 s at most). */
export const CREATION_CLAIM_TTL_SECONDS = 30;
/** How long a loser waits before each new look for the winner's chat. */
export const LOSER_WAITS_MS = [300, 600, 1200] as const;
/** The Retry-After of `chat_starting`. */
export const CHAT_STARTING_RETRY_SECONDS = 2;

/** Whether a conversation has ended by the mode's reading (src/modes/: `hasEnded`). */
export type HasEnded = (state: string, attributes: Record<string, unknown>) => boolean;

export type ListedConversation = Pick<
  ParticipantConversationInstance,
  | 'conversationSid'
  | 'conversationState'
  | 'conversationAttributes'
  | 'conversationDateCreated'
  | 'conversationDateUpdated'
  | 'conversationUniqueName'
>;

export interface CustomerChats {
  /** The customer's chat in progress (the newest, should there be several). */
  inProgress?: ListedConversation;
  /** Every conversation listed (closed ones included), in the order Twilio gave. */
  listed: ListedConversation[];
}

type ServiceConfig = Pick<Config, 'conversationsServiceSid'>;

/** Whether a listed conversation is still in progress: not closed, not ended. */
export function inProgress(hasEnded: HasEnded) {
  return (c: ListedConversation): boolean =>
    c.conversationState !== 'closed' &&
    !hasEnded(c.conversationState, parseAttributes(c.conversationAttributes));
}

/**
 * The customer's conversations, page by page, until one in progress shows
 * (then the rest is not needed) or the list ends. `untilInProgress: false`
 * reads it all (at most MAX_PAGES).
 */
export async function findCustomerChats(
  client: Twilio,
  config: ServiceConfig,
  identity: string,
  hasEnded: HasEnded,
  { untilInProgress = true }: { untilInProgress?: boolean } = {},
): Promise<CustomerChats> {
  const isOpen = inProgress(hasEnded);
  const listed: ListedConversation[] = [];
  const step = {
    step: "read the customer's conversations",
    notFoundMeans: 'CONVERSATIONS_SERVICE_SID',
  };
  let page: { instances: ListedConversation[]; nextPage(): Promise<unknown> | undefined } =
    await twilioStep(step, () =>
      client.conversations.v1
        .services(config.conversationsServiceSid)
        .participantConversations.page({ identity, pageSize: PAGE_SIZE }),
    );
  for (let pages = 1; ; pages++) {
    listed.push(...page.instances);
    if (untilInProgress && page.instances.some(isOpen)) break;
    const next = pages < MAX_PAGES ? page.nextPage() : undefined;
    if (!next) break;
    // The library types the next page loosely; it is the same resource's page.
    page = (await twilioStep(step, () => next)) as typeof page;
  }
  const open = listed.filter(isOpen);
  const newest = open.sort((a, b) => dateOf(b) - dateOf(a))[0];
  return { listed, ...(newest && { inProgress: newest }) };
}

const dateOf = (c: ListedConversation): number => c.conversationDateCreated?.getTime() ?? 0;

/**
 * The name two starts race for: the identity and a fingerprint of the
 * conversations they saw. Same list, same name; a start that made a
 * conversation changes the list, so the next start has a name of its own.
 */
export function creationKey(
  identity: string,
  listed: readonly { conversationSid: string }[],
): string {
  const sids = listed.map((c) => c.conversationSid).sort();
  const fingerprint = createHash('sha256').update(sids.join(',')).digest('hex').slice(0, 16);
  return `webchat-customer-${identity}-${fingerprint}`;
}

export type CreationClaim = 'claimed' | 'taken' | 'unavailable';

async function claimCreation(
  client: Twilio,
  config: ConfigOf<'sync'>,
  key: string,
): Promise<CreationClaim> {
  try {
    const claimed = await sharedState(client, config).claimOnce(key, CREATION_CLAIM_TTL_SECONDS);
    return claimed ? 'claimed' : 'taken';
  } catch (error) {
    if (!isSyncUnavailable(error)) throw error;
    log.warn('continuity.claim_unavailable', { upstreamStatus: error.upstreamStatus });
    return 'unavailable';
  }
}

async function releaseCreation(client: Twilio, config: ConfigOf<'sync'>, key: string) {
  await sharedState(client, config)
    .release(key)
    .catch((error: unknown) =>
      log.warn('continuity.release_failed', { upstreamStatus: upstreamStatus(error) }),
    );
}

/**
 * Posts the question (if any) to the customer's chat in progress, as the
 * customer. Undefined when that chat closed in the meantime (Twilio refuses
 * a message to a closed conversation, 50437 / 50377, or it is gone): the
 * start then makes a new chat instead.
 */
export async function resumeChat(
  client: Twilio,
  config: ServiceConfig,
  chat: Pick<ListedConversation, 'conversationSid'>,
  identity: string,
  question: string | undefined,
): Promise<StartedChat | undefined> {
  const { conversationSid } = chat;
  if (question !== undefined) {
    try {
      await postQuestion(client, config, conversationSid, identity, question, { inExisting: true });
    } catch (error) {
      if (error instanceof UpstreamError && closedMeanwhile(error)) return undefined;
      throw error;
    }
  }
  log.info('chat_resumed', { conversationSid, question: question !== undefined });
  return { conversationSid, identity };
}

const CLOSED_CODES = new Set([50437, 50377, 20404]);
function closedMeanwhile(error: UpstreamError): boolean {
  return error.upstreamStatus === 404 || CLOSED_CODES.has(error.twilioCode ?? 0);
}

export interface StartOrResume {
  customer: VerifiedCustomer;
  question: string | undefined;
  /** The mode's reading of an ended chat. */
  hasEnded: HasEnded;
  /**
   * The guard's spending (the budget, a Chat Address's challenge claim), run
   * once, side by side with the creation claim: only a start that may create
   * spends. Throws to refuse the start.
   */
  spend: () => Promise<void>;
  /** Creates the chat (src/modes/), told the conversations the customer had. */
  create: (known: readonly string[]) => Promise<StartedChat>;
  /** For tests: how to wait. */
  sleep?: (ms: number) => Promise<void>;
}

export type ContinuedChat = StartedChat & { resumed: boolean };

type ContinuityConfig = ServiceConfig & ConfigOf<'sync'>;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** See the header: resume the chat in progress, or create one, once per customer. */
export async function startOrResume(
  twilio: () => Twilio,
  config: ContinuityConfig,
  request: StartOrResume,
): Promise<ContinuedChat> {
  const { customer, question, hasEnded, sleep = realSleep } = request;
  const client = twilio();
  const identity = customer.identity;
  let spent = false;
  for (let attempt = 0; ; attempt++) {
    const chats = await findCustomerChats(client, config, identity, hasEnded);
    if (chats.inProgress) {
      const resumed = await resumeChat(client, config, chats.inProgress, identity, question);
      if (resumed) return { ...resumed, resumed: true };
      // It closed between the list and the post: start afresh (rare).
      continue;
    }
    const key = creationKey(identity, chats.listed);
    const [claim, spending] = await Promise.allSettled([
      claimCreation(client, config, key),
      spent ? undefined : request.spend(),
    ]);
    if (spending.status === 'rejected') {
      if (claim.status === 'fulfilled' && claim.value === 'claimed') {
        await releaseCreation(client, config, key);
      }
      throw spending.reason;
    }
    spent = true;
    if (claim.status === 'rejected') throw claim.reason;
    if (claim.value !== 'taken') {
      return {
        ...(await createClaimed(client, config, request, chats, key, claim.value)),
        resumed: false,
      };
    }
    // Another request of this customer is creating the chat right now.
    const wait = LOSER_WAITS_MS[attempt];
    if (wait === undefined) {
      log.info('continuity.chat_starting', { attempts: attempt + 1 });
      throw new ChatStartingError(CHAT_STARTING_RETRY_SECONDS);
    }
    await sleep(wait);
  }
}

/**
 * The winner creates. A start that failed and left nothing (the list is as
 * before) gives the claim back, so this customer's next start is not held
 * up; one that may have left a conversation keeps it (the list differs then).
 */
async function createClaimed(
  client: Twilio,
  config: ContinuityConfig,
  request: StartOrResume,
  chats: CustomerChats,
  key: string,
  claim: CreationClaim,
): Promise<StartedChat> {
  try {
    return await request.create(chats.listed.map((c) => c.conversationSid));
  } catch (error) {
    if (claim === 'claimed') {
      const after = await findCustomerChats(
        client,
        config,
        request.customer.identity,
        request.hasEnded,
        {
          untilInProgress: false,
        },
      ).catch(() => undefined);
      if (after && creationKey(request.customer.identity, after.listed) === key) {
        await releaseCreation(client, config, key);
      }
    }
    throw toHttpError(error, { step: 'start the chat' });
  }
}
