/**
 * The same chat on every device: a signed-in customer who already has a chat
 * in progress gets that conversation back from `/start-chat` (another device,
 * another tab, cleared storage) instead of a second conversation, a second
 * webhook and a second task. Owns the lookup, the resume, and the claim that
 * makes two devices starting at once end in ONE conversation (what it keeps
 * in Sync is in continuity-sync.ts; reading the customer's conversation list
 * is customer-chats.ts).
 *
 *   round 1  side by side:
 *            `GET …/ParticipantConversations?Identity=cust_…` (PageSize 50):
 *              the first page of the customer's conversations, with their
 *              state and attributes (Twilio sorts them by SID, not by date);
 *            `POST …/Documents` `webchat-customer-<identity>` (TTL about 30 s): the
 *              creation claim, which exists only while a start is making the
 *              customer's chat;
 *            `GET …/Documents/webchat-customer-chat-<identity>`: the pointer
 *              to the customer's newest chat.
 *            The chat in progress (not closed, and not ended by the mode's
 *            reading, `hasEnded`: e.g. a legacy channel marked INACTIVE) is
 *            the pointed one; one more round (`GET …/Conversations/{CH}`)
 *            reads it when the first page does not show it (a customer with
 *            more than 50 conversations). With no pointer (a customer new to
 *            this version, or back after 30 days), or a pointed chat that has
 *            ended while the list goes on and no other start holds the claim,
 *            the list is read on, page by page, until a chat in progress
 *            shows (at most 20 pages).
 *   resume   a chat in progress that is FINISHED (its hand-off exists): the
 *            pointed one, or any while no other start holds the claim. The
 *            question, if any, is posted to it as the customer (webhooks on,
 *            so a chat not yet handed off is handed off by it), beside the
 *            release of the claim this start made for nothing. Without a
 *            question, a pointed chat's resume keeps that claim (see
 *            `resume`). No conversation, no webhook, no task; the budget is
 *            not spent; no pointer is written (only the start that made a
 *            chat points at it).
 *   start    no chat in progress, and the claim is ours: the guard's spending
 *            (the budget, a Chat Address's challenge claim: the round the
 *            anonymous start pays too), then the mode's start. Once its
 *            hand-off exists, beside the question's post (its last round),
 *            the pointer is written and the claim deleted (`onHandedOff`).
 *   wait     another start holds the claim and its chat is missing or not
 *            finished (a chat in progress, not pointed to: its webhook may
 *            not exist yet, and a question posted now would reach nobody):
 *            look again after 0.3, 0.6 and 1.2 s (`LOSER_WAITS_MS`); still
 *            not finished: 503 `chat_starting` with Retry-After, which the
 *            widget's start retry waits out; its retry resumes the chat.
 *
 * Costs: a resume is 1 round trip, plus the question's post (2 round trips
 * before the post when a pointed chat is not on the first page, and the
 * whole list, page by page, for a chat found without a pointer); a new chat
 * is the anonymous start plus round 1 (for a customer with more than 50
 * conversations, plus the pointed chat's read and the rest of the list).
 * Without a question the winner's release follows the webhook (the webhook
 * is the start's last round, and the release must not come before it): one
 * round trip more.
 *
 * Decided here:
 * - The challenge is still required for a resume (the handler checks it
 *   first): a stolen customer token alone cannot post into a chat. A resume
 *   does not use up the proof (nothing is created), so the widget's retry
 *   after `chat_starting` can send the same body.
 * - The lookup failing is the start failing (502, or 503 for Twilio's 429):
 *   without it, a second chat could be started next to the first.
 * - Sync failing without an answer: the start goes on unclaimed, and without
 *   the pointer (the whole list is read), as for the challenge's claim: an
 *   outage must not stop chats (logged `continuity.claim_unavailable`); two
 *   devices in that very moment may then get two chats. Sync's 429 on the
 *   claim or the pointer does not stop a resume either; it refuses only a new
 *   chat (503 `upstream_rate_limited`, retried by the widget), before any
 *   spending (continuity-sync.ts).
 * - A pointed chat that has ended does not prove the customer's newest start
 *   is over: a newer chat's pointer write may have failed (Sync 429/5xx,
 *   logged `continuity.pointer_not_saved`), or be landing just after the
 *   claim's release (they go side by side, so neither waits for the other).
 *   So a start free to create reads the rest of the list first; a chat
 *   started while Sync was out is found there too.
 * - A chat found through the list (not pointed) is resumed, never pointed
 *   to: a list cannot tell a chat whose start crashed before its hand-off,
 *   which a pointer would make the customer's finished chat for 30 days.
 *   Such a dead chat is resumed only while no start holds the claim, until
 *   the conversation's timers close it.
 * - A failed start gives the claim back (the mode removed what it made); a
 *   crashed one holds it for its TTL at most. A start whose question fails
 *   after `onHandedOff` keeps its chat (other devices may have joined it) and
 *   fails; the widget's retry resumes it and posts the question.
 * - Not chosen: creating the conversation in round 1, beside a fixed-name
 *   claim, and deleting it when the claim is lost. Round 1 must be read
 *   before anything is created (a resume creates nothing), so every resume
 *   and every lost race would create and delete a conversation (a Flex web
 *   chat, or in flex-flow a channel whose task cannot be taken back), and a
 *   budget's refusal would need the same undo; it saves no round trip over
 *   this design, which writes only Sync documents.
 *
 * @example
 *   const chat = await startOrResume(twilio, config, { customer, question, spend, create });
 *   chat.resumed; // true: the customer's chat in progress, no new chat made
 */
import type { Twilio } from 'twilio';
import type { ConfigOf } from '../config';
import { ChatStartingError, UpstreamError } from '../errors';
import { log } from '../log';
import { postQuestion } from '../modes/conversation';
import type { StartedChat } from '../modes/types';
import { nullIfGone, toHttpError } from '../twilio-errors';
import {
  claimCreation,
  readPointer,
  releaseCreation,
  writePointer,
  type CreationClaim,
  type Pointer,
} from './continuity-sync';
import {
  firstPage,
  inProgress,
  newestOf,
  readOn,
  type HasEnded,
  type ListedConversation,
  type ListPage,
  type ServiceConfig,
} from './customer-chats';
import type { VerifiedCustomer } from './types';

/** How long a loser waits before each new look for the winner's chat. */
export const LOSER_WAITS_MS = [300, 600, 1200] as const;
/** The Retry-After of `chat_starting`. */
export const CHAT_STARTING_RETRY_SECONDS = 2;

/** Round 1: the first page, the claim and the pointer, side by side. */
interface Look {
  page: ListPage;
  claim: CreationClaim;
  pointer: Pointer;
}

async function look(client: Twilio, config: ContinuityConfig, identity: string): Promise<Look> {
  const [page, claim, pointer] = await Promise.allSettled([
    firstPage(client, config, identity),
    claimCreation(client, config, identity),
    readPointer(client, config, identity),
  ]);
  const failed = [page, claim, pointer].find((r) => r.status === 'rejected');
  if (failed) {
    if (claim.status === 'fulfilled' && claim.value === 'claimed') {
      await releaseCreation(client, config, identity);
    }
    throw failed.reason;
  }
  const value = <T>(r: PromiseSettledResult<T>) => (r as PromiseFulfilledResult<T>).value;
  return { page: value(page), claim: value(claim), pointer: value(pointer) };
}

interface Found {
  chat?: ListedConversation;
  /** Whether `chat` is the pointed one (so its start finished). */
  pointed: boolean;
  /** The customer's conversations, when the whole list was read (for a mode's clean-up). */
  known?: readonly string[];
}

/** The chat in progress from round 1's look (see the header). */
async function findInProgress(
  client: Twilio,
  config: ServiceConfig,
  hasEnded: HasEnded,
  { page, pointer, claim }: Look,
): Promise<Found> {
  const isOpen = inProgress(hasEnded);
  const readAll = async (): Promise<Found> => {
    const chats = await readOn(page, hasEnded, true);
    const known = chats.complete ? chats.listed.map((c) => c.conversationSid) : undefined;
    return { pointed: false, ...(known && { known }), ...withChat(chats.inProgress) };
  };
  if (typeof pointer !== 'object') return readAll();
  const listed = page.instances;
  const more = Boolean(page.nextPageUrl);
  const sid = pointer.conversationSid;
  const pointed =
    listed.find((c) => c.conversationSid === sid) ??
    (more ? await readConversation(client, config, sid) : undefined);
  const known = more ? undefined : listed.map((c) => c.conversationSid);
  if (pointed && isOpen(pointed)) return { chat: pointed, pointed: true, ...(known && { known }) };
  // Hazard: the pointed chat has ended, but a newer one may have no pointer
  // yet (its write failed, or it lands after the claim's release, which goes
  // beside it). A start free to create reads the rest of the list first, or
  // it would make a second chat; one that waits for another start need not.
  if (more && claim !== 'taken') return readAll();
  return { pointed: false, ...(known && { known }), ...withChat(newestOf(listed.filter(isOpen))) };
}

const withChat = (chat: ListedConversation | undefined) => (chat ? { chat } : {});

/** A pointed conversation the first page did not show, read as the list shows it. */
async function readConversation(
  client: Twilio,
  config: ServiceConfig,
  conversationSid: string,
): Promise<ListedConversation | undefined> {
  const step = 'read the customer’s chat';
  const c = await client.conversations.v1
    .services(config.conversationsServiceSid)
    .conversations(conversationSid)
    .fetch()
    .catch(nullIfGone(step, { conversationSid }));
  if (!c) return undefined;
  return {
    conversationSid: c.sid,
    // 'initializing' is not in the list's type; read as in progress, like 'active'.
    conversationState: c.state as ListedConversation['conversationState'],
    conversationAttributes: c.attributes,
    conversationDateCreated: c.dateCreated,
    conversationDateUpdated: c.dateUpdated,
    conversationUniqueName: c.uniqueName,
  };
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

/** What the winner's start is told (src/modes/: `ChatStart`). */
export interface Creation {
  /** The customer's conversations before this start, when all are known. */
  known?: readonly string[];
  /** To run once the chat's hand-off exists, beside the start's last round. Never throws. */
  onHandedOff: (conversationSid: string) => Promise<void>;
}

export interface StartOrResume {
  customer: VerifiedCustomer;
  question: string | undefined;
  /** The mode's reading of an ended chat. */
  hasEnded: HasEnded;
  /**
   * The guard's spending (the budget, a Chat Address's challenge claim), run
   * once, by the start that creates, before it creates. Throws to refuse.
   */
  spend: () => Promise<void>;
  /** Creates the chat (src/modes/). */
  create: (creation: Creation) => Promise<StartedChat>;
  /** For tests: how to wait. */
  sleep?: (ms: number) => Promise<void>;
}

export type ContinuedChat = StartedChat & { resumed: boolean };

type ContinuityConfig = ServiceConfig & ConfigOf<'sync'>;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** See the header: resume the finished chat in progress, or create one, once per customer. */
export async function startOrResume(
  twilio: () => Twilio,
  config: ContinuityConfig,
  request: StartOrResume,
): Promise<ContinuedChat> {
  const { customer, hasEnded, sleep = realSleep } = request;
  const client = twilio();
  const identity = customer.identity;
  // Chats Twilio refused the question for as closed: never tried twice, even
  // if a stale list still shows them in progress (else: a loop of lists and
  // posts until the Function times out).
  const closed = new Set<string>();
  for (let attempt = 0; ; attempt++) {
    const seen = await look(client, config, identity);
    const found = await findInProgress(client, config, hasEnded, seen).catch(async (error) => {
      if (seen.claim === 'claimed') await releaseCreation(client, config, identity);
      throw error;
    });
    const chat = found.chat && !closed.has(found.chat.conversationSid) ? found.chat : undefined;
    if (chat && (found.pointed || seen.claim !== 'taken')) {
      const resumed = await resume(client, config, request, chat, seen, found.pointed);
      if (resumed) return { ...resumed, resumed: true };
      closed.add(chat.conversationSid); // it closed between the look and the post: afresh
      continue;
    }
    if (!chat && seen.claim !== 'taken') {
      return { ...(await create(client, config, request, seen, found)), resumed: false };
    }
    // Another start of this customer holds the claim: its chat is not there, or not finished.
    const wait = LOSER_WAITS_MS[attempt];
    if (wait === undefined) {
      log.info('continuity.chat_starting', { attempts: attempt + 1 });
      throw new ChatStartingError(CHAT_STARTING_RETRY_SECONDS);
    }
    await sleep(wait);
  }
}

/**
 * Joins the chat; beside the question's post, gives back the claim this
 * start made for nothing. Without a question, the claim of a pointed chat's
 * resume is kept (a round trip of its own for nothing else): it lapses by its
 * TTL, or the customer's /end-chat deletes it beside its close (end-chat.ts),
 * and meanwhile other devices still resume the pointed chat. A chat the list
 * found is never pointed to here: only the start that made a chat, once it is
 * handed off, writes the pointer (a chat whose start crashed before its
 * hand-off must not become the customer's finished chat).
 */
async function resume(
  client: Twilio,
  config: ContinuityConfig,
  request: StartOrResume,
  chat: ListedConversation,
  seen: Look,
  pointed: boolean,
): Promise<StartedChat | undefined> {
  const identity = request.customer.identity;
  // Hazard: an unpointed chat is resumed only while no start holds the
  // claim, so a claim kept here would hold its other devices up.
  const release = seen.claim === 'claimed' && (request.question !== undefined || !pointed);
  const [resumed] = await Promise.allSettled([
    resumeChat(client, config, chat, identity, request.question),
    release && releaseCreation(client, config, identity),
  ]);
  if (resumed.status === 'rejected') throw resumed.reason;
  return resumed.value;
}

/**
 * The winner spends, then creates. Once the hand-off exists, the pointer is
 * written and the claim deleted, beside the start's last round. A start that
 * fails before that gives the claim back (the mode removed what it made).
 */
async function create(
  client: Twilio,
  config: ContinuityConfig,
  request: StartOrResume,
  seen: Look,
  found: Found,
): Promise<StartedChat> {
  const identity = request.customer.identity;
  // Sync's rate limit on the claim: a resume went on without it, a new chat waits.
  if (typeof seen.claim === 'object') throw seen.claim.limited;
  const ours = seen.claim === 'claimed';
  let handedOff = false;
  const giveBack = async () => {
    if (ours && !handedOff) await releaseCreation(client, config, identity);
  };
  try {
    await request.spend();
  } catch (error) {
    await giveBack();
    throw error;
  }
  const onHandedOff = async (conversationSid: string) => {
    handedOff = true;
    await Promise.all([
      writePointer(client, config, identity, conversationSid, seen.pointer),
      ours && releaseCreation(client, config, identity),
    ]);
  };
  try {
    return await request.create({ ...(found.known && { known: found.known }), onHandedOff });
  } catch (error) {
    await giveBack();
    throw toHttpError(error, { step: 'start the chat' });
  }
}
