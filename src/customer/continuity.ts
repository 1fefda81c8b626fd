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
 *            ended while the list goes on and no other start holds the claim
 *            (in address and flex-flow mode, even if one does), the list is
 *            read on, page by page, until a chat in progress shows (at most
 *            20 pages).
 *   resume   a chat in progress that is FINISHED: its hand-off exists, so a
 *            question posted to it reaches Flex (`readChat`: in address and
 *            flex-flow mode any chat that exists; in studio and webhook mode
 *            the pointed one, except for a question while the claim may be
 *            another start's, else one read of its webhook and first
 *            message, `isHandedOff`). The question, if
 *            any, is posted to it as the customer (webhooks on), beside the
 *            release of the claim this start made for nothing and, for a chat
 *            the list found, the pointer to it. Without a question nothing is
 *            posted and nothing else waits for a round of its own (see
 *            `resume`). No conversation, no webhook, no task; the budget is
 *            not spent.
 *   start    no chat in progress, and the claim is ours: the guard's spending
 *            (the budget, a Chat Address's challenge claim: the round the
 *            anonymous start pays too), then the mode's start. Beside its last
 *            round (`onLastRound`) the pointer is written and, when the
 *            hand-off existed before that round, the claim deleted: with a
 *            question, beside its post; without one, in studio and webhook
 *            mode the pointer goes beside the webhook and the claim is kept
 *            (it says "the pointed chat may be landing" to a device with a
 *            question, which then reads the hand-off); in address and
 *            flex-flow mode beside the details' merge, or, with neither, not
 *            at all (the list finds the chat; the claim is kept).
 *   wait     another start holds the claim and its chat is missing or not
 *            finished: look again after 0.3, 0.6 and 1.2 s (`LOSER_WAITS_MS`);
 *            still not finished: 503 `chat_starting` with Retry-After, which
 *            the widget's start retry waits out; its retry resumes the chat.
 *            While waiting the first time, a claim older than any start can
 *            run (15 s) is deleted (a crashed start's, or one kept above,
 *            which Sync's approximate TTL may keep for minutes).
 *   remove   a chat the list found, with no webhook and no message, no start
 *            holding the claim, and older than any start can run (studio,
 *            webhook): a start that crashed between its conversation and its
 *            webhook. It is deleted, and this start makes the customer's chat.
 *            A younger one may be an unclaimed start's (Sync out): waited for.
 *            One not named after a start's key is not this mode's (a Chat
 *            Address's, from before HANDOFF_MODE changed): left alone.
 *
 * Costs: a resume is 1 round trip, plus the question's post (2 round trips
 * before the post when a pointed chat is not on the first page; 1 more in
 * studio and webhook mode for a question while the claim is held, or a chat
 * found without a pointer, whose hand-off is read; the whole list, page by
 * page, without a pointer); a new chat is the anonymous start plus round 1,
 * with or without a question (for a customer with more than 50
 * conversations, plus the pointed chat's read and the rest of the list).
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
 * - A chat found through the list (not pointed) is joined only once its
 *   hand-off is known (above), and then pointed at: a list alone cannot tell
 *   a chat whose start crashed before its hand-off, which a pointer would
 *   make the customer's chat for 30 days.
 * - Posting nothing into a pointed chat whose webhook is landing (a device
 *   without a question, beside a winner without one) is harmless: the
 *   customer's first message comes later, from the widget. Not guarded (rare
 *   twice over, and not worth a round trip on every such join): if that
 *   webhook then fails, the winner removes the chat the device joined, whose
 *   widget then finds it gone and offers a new one; a winner whose Function
 *   dies between its pointer's write and its webhook's request (sent side by
 *   side) leaves a pointed chat without a hand-off.
 * - A failed start gives the claim back (the mode removed what it made); a
 *   crashed one holds it up to 15 s (see wait). A start whose question fails
 *   after `onLastRound` ran, handed off, keeps its chat (other devices may have joined it) and
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
import { parseAttributes } from '../chat-attributes';
import { SEAL_KEY } from '../chat-seal';
import { parseIdentity } from '../identity';
import { log } from '../log';
import { postQuestion, removeConversation } from '../modes/conversation';
import type { HandedOffCheck, StartedChat } from '../modes/types';
import { nullIfGone, toHttpError } from '../twilio-errors';
import {
  claimCreation,
  clearStaleClaim,
  forgetPointer,
  LIVE_START_MAX_MS,
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
  { hasEnded, isHandedOff }: Pick<StartOrResume, 'hasEnded' | 'isHandedOff'>,
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
  // (its write failed, it lands after the claim's release, which goes beside
  // it, or its start had no round to write it in). A start free to create
  // reads the rest of the list first, or it would make a second chat; so does
  // one that could join a listed chat while another start holds the claim
  // (address, flex-flow); one that would wait for that start need not.
  if (more && (claim !== 'taken' || !isHandedOff)) return readAll();
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
  /** `ChatStart.onLastRound`: the pointer; the claim's release once handed off. Never throws. */
  onLastRound: (conversationSid: string, handedOff: boolean) => Promise<void>;
}

export interface StartOrResume {
  customer: VerifiedCustomer;
  question: string | undefined;
  /** The mode's reading of an ended chat. */
  hasEnded: HasEnded;
  /** The mode's check that a chat has its hand-off; absent where every chat that exists has it. */
  isHandedOff?: HandedOffCheck;
  /**
   * The guard's spending (the budget, a Chat Address's challenge claim), run
   * once, by the start that creates, before it creates. Throws to refuse.
   */
  spend: () => Promise<void>;
  /** Creates the chat (src/modes/). */
  create: (creation: Creation) => Promise<StartedChat>;
  /** For tests: how to wait, and the time (ms). */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
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
  const { customer, sleep = realSleep, now = Date.now } = request;
  const client = twilio();
  const identity = customer.identity;
  // Chats Twilio refused the question for as closed: never tried twice, even
  // if a stale list still shows them in progress (else: a loop of lists and
  // posts until the Function times out).
  const closed = new Set<string>();
  let cleared = false;
  for (let attempt = 0; ; attempt++) {
    const seen = await look(client, config, identity);
    const { found, next } = await decide(client, config, request, seen, closed).catch(
      async (error: unknown) => {
        if (seen.claim === 'claimed') await releaseCreation(client, config, identity);
        throw error;
      },
    );
    if (next === 'join' && found.chat) {
      const resumed = await resume(client, config, request, found.chat, seen, found);
      if (resumed) return { ...resumed, resumed: true };
      closed.add(found.chat.conversationSid); // it closed between the look and the post: afresh
      continue;
    }
    if (next === 'create') {
      return { ...(await create(client, config, request, seen, found)), resumed: false };
    }
    // A chat another start is making, or one not to join yet: wait. This
    // start's own claim goes back meanwhile (the next look claims again); a
    // claim held by no start any more (Sync's TTL is late) is cleared, once.
    const ours = seen.claim === 'claimed';
    const wait = LOSER_WAITS_MS[attempt];
    if (wait === undefined) {
      if (ours) await releaseCreation(client, config, identity);
      log.info('continuity.chat_starting', { attempts: attempt + 1 });
      throw new ChatStartingError(CHAT_STARTING_RETRY_SECONDS);
    }
    const clear: boolean = !ours && !cleared;
    cleared ||= clear;
    await Promise.all([
      sleep(wait),
      ours && releaseCreation(client, config, identity),
      clear && clearStaleClaim(client, config, identity, now()),
    ]);
  }
}

type Next = 'join' | 'create' | 'wait';

/**
 * What this start does with round 1's look: join the chat in progress, make
 * one, or wait (see `readChat`). A chat that never got its hand-off, which
 * no start can still be making, is removed, and this start makes the
 * customer's chat.
 */
async function decide(
  client: Twilio,
  config: ContinuityConfig,
  request: StartOrResume,
  seen: Look,
  closed: ReadonlySet<string>,
): Promise<{ found: Found; next: Next }> {
  const found = await findInProgress(client, config, request, seen);
  const { chat } = found;
  if (!chat || closed.has(chat.conversationSid)) {
    const next = seen.claim === 'taken' ? 'wait' : 'create';
    return { found: { ...found, chat: undefined }, next };
  }
  const reading = await readChat(client, config, request, { ...found, chat }, seen.claim);
  if (reading === 'join' || reading === 'wait') return { found, next: reading };
  if (reading === 'unfinished') await removeUnfinished(client, config, chat);
  return { found: { ...found, chat: undefined }, next: 'create' };
}

/**
 * Whether the chat in progress can be joined now: a question posted to it
 * must reach Flex, and its start must not remove it after all (a start
 * whose hand-off fails removes what it made).
 *
 * - address, flex-flow: Flex makes a chat with its routing, and a signed-in
 *   start never removes one that shows (src/modes/flex-created.ts keeps it
 *   after an ambiguous create): joined.
 * - studio, webhook, pointed at: its start wrote the pointer once its
 *   webhook existed, or, without a question, beside its webhook while
 *   holding the claim. Joined, except by a question while the claim may be
 *   that start's (not this start's own): its hand-off is read first
 *   (`isHandedOff`, one round trip).
 * - studio, webhook, found through the list (a chat from before the
 *   pointer, one whose pointer Sync lost or that an unclaimed start made):
 *   its hand-off is read. Without one, while younger than any start can run,
 *   a start may be making it (one Sync let go on unclaimed, too): waited
 *   for, as while another start holds the claim. Older, no start is: ours
 *   (named after a start's key) is `unfinished`, a crashed start's, and
 *   removed; one this mode did not make (a Chat Address's, from before
 *   HANDOFF_MODE changed) is `foreign`: left alone, and a chat is made beside it.
 */
async function readChat(
  client: Twilio,
  config: ServiceConfig,
  request: StartOrResume,
  found: Found & { chat: ListedConversation },
  claim: CreationClaim,
): Promise<Next | 'unfinished' | 'foreign'> {
  const { chat } = found;
  const check = request.isHandedOff;
  if (!check) return 'join';
  if (found.pointed && (claim === 'claimed' || request.question === undefined)) return 'join';
  if (await check(client, config, chat.conversationSid)) return 'join';
  if (found.pointed || claim === 'taken') return 'wait';
  const now = (request.now ?? Date.now)();
  const age = now - (chat.conversationDateCreated?.getTime() ?? now);
  if (age <= LIVE_START_MAX_MS) return 'wait';
  return isOurs(chat) ? 'unfinished' : 'foreign';
}

/**
 * Whether studio or webhook mode made this conversation: named after a
 * start's key, with the seal in its own attributes (where Flex creates one,
 * a legacy Flex Flow channel named after a key too, the seal is in the
 * pre-engagement data). Not ours: never removed here.
 */
function isOurs(chat: ListedConversation): boolean {
  const named = parseIdentity(chat.conversationUniqueName ?? '') !== undefined;
  return named && SEAL_KEY in parseAttributes(chat.conversationAttributes);
}

/** A start that crashed between its conversation and its webhook left this one. */
async function removeUnfinished(
  client: Twilio,
  config: ServiceConfig,
  chat: ListedConversation,
): Promise<void> {
  log.warn('continuity.unfinished_chat_removed', { conversationSid: chat.conversationSid });
  await removeConversation(client, config, chat.conversationSid, 'never_handed_off');
}

/**
 * Joins the chat and, beside the question's post, gives back the claim this
 * start made for nothing; a chat found through the list (its hand-off proven
 * above) is pointed at there too. Without a question nothing is posted, and
 * the claim and pointer wait for no round of their own (the claim lapses by
 * its TTL, or the customer's /end-chat deletes it beside its close), except
 * for a chat found through the list in studio or webhook mode: there other
 * devices wait on a held claim, so it is released, and the chat pointed at,
 * in a round of their own (a rare path: see `handedOff`).
 */
async function resume(
  client: Twilio,
  config: ContinuityConfig,
  request: StartOrResume,
  chat: ListedConversation,
  seen: Look,
  found: Found,
): Promise<StartedChat | undefined> {
  const identity = request.customer.identity;
  const lastRound =
    request.question !== undefined || (!found.pointed && request.isHandedOff !== undefined);
  const release = lastRound && seen.claim === 'claimed';
  const point = lastRound && !found.pointed;
  const [resumed] = await Promise.allSettled([
    resumeChat(client, config, chat, identity, request.question),
    release && releaseCreation(client, config, identity),
    point && writePointer(client, config, identity, chat.conversationSid, seen.pointer),
  ]);
  if (resumed.status === 'rejected') throw resumed.reason;
  return resumed.value;
}

/**
 * The winner spends, then creates. Beside the start's last round the pointer
 * is written, and the claim deleted once the hand-off exists (studio and
 * webhook mode without a question keep it: their last round makes the
 * hand-off). A start that fails before its hand-off gives the claim back (the
 * mode removed what it made).
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
  let finished = false;
  let pointedEarly = false;
  // Hazard: a pointer written beside a webhook that then failed names a chat
  // with no hand-off (its removal may have failed too): taken back with the
  // claim, so the next start finds that chat through the list, and reads it.
  const giveBack = async () => {
    if (finished) return;
    await Promise.all([
      ours && releaseCreation(client, config, identity),
      pointedEarly && forgetPointer(client, config, identity),
    ]);
  };
  try {
    await request.spend();
  } catch (error) {
    await giveBack();
    throw error;
  }
  const onLastRound = async (conversationSid: string, handedOff: boolean) => {
    finished ||= handedOff;
    // Beside a webhook still landing, the pointer says "finished" only with
    // the claim held (see `readChat`); a start Sync let go on unclaimed
    // leaves its chat to the list.
    const point = handedOff || ours;
    pointedEarly ||= point && !handedOff;
    await Promise.all([
      point && writePointer(client, config, identity, conversationSid, seen.pointer),
      ours && handedOff && releaseCreation(client, config, identity),
    ]);
  };
  try {
    return await request.create({ ...(found.known && { known: found.known }), onLastRound });
  } catch (error) {
    await giveBack();
    throw toHttpError(error, { step: 'start the chat' });
  }
}
