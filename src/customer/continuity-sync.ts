/**
 * What the same chat on every device keeps in Twilio Sync, per signed-in
 * customer (src/customer/continuity.ts says when each is used):
 *
 *   `webchat-customer-<identity>`       the creation claim: a Document that
 *       exists only while one start of this customer is making their chat
 *       (TTL 30 s, so a start that crashed holds nobody up for long; Sync's
 *       TTLs are approximate, "about 30 s", never a promise of when). Its
 *       fixed name makes it claimable in the very first round, beside the
 *       lookup; the winner deletes it once the chat's hand-off exists; a
 *       start or resume without a question may keep it (continuity.ts). A
 *       claim older than any start can run (`LIVE_START_MAX_MS`) holds
 *       nothing: a start that waits on one deletes it (`clearStaleClaim`),
 *       as Sync may keep it past its TTL ("up to minutes" for long timers).
 *   `webchat-customer-chat-<identity>`  the pointer: `{conversationSid}` of the
 *       customer's newest chat, written once its hand-off exists, or beside
 *       its webhook by a start that holds the claim (continuity.ts: `create`;
 *       TTL 30 days, renewed by every start). Twilio lists a participant's
 *       conversations by SID, not by date, closed ones included, so without
 *       it a chat in progress may be on any page of a long list.
 *
 * Sync not answering (no answer, a 5xx) is never the start failing: the
 * claim is `unavailable` (the start goes on unclaimed), the pointer
 * unknown (the list is read instead), a failed write or release is logged.
 * Sync's rate limit (429) on the claim is `limited`: a resume goes on (it
 * needs no claim), a new chat is refused with that 429 (503
 * `upstream_rate_limited`, which the widget retries), as the guard's own
 * Sync claims refuse an anonymous start; on the pointer's read it is
 * `unknown`, as for no answer. Anything else from Sync (a missing service)
 * is the error it maps to.
 */
import type { Twilio } from 'twilio';
import type { ConfigOf } from '../config';
import { UpstreamError } from '../errors';
import { isSyncUnavailable, sharedState } from '../guard/shared-state';
import { log } from '../log';
import { upstreamStatus } from '../twilio-errors';

/** A creation claim outlives any start holding it (a Function runs 10 s at most). */
export const CREATION_CLAIM_TTL_SECONDS = 30;
/** How long a pointer lasts after the start that wrote it: 30 days. */
export const POINTER_TTL_SECONDS = 30 * 24 * 3600;

/**
 * No start holds its claim longer: a Function runs 10 s at most (Twilio's
 * limit), and 5 s more allow for Sync's clock against ours.
 */
export const LIVE_START_MAX_MS = 15_000;

export const claimKey = (identity: string): string => `webchat-customer-${identity}`;
export const pointerKey = (identity: string): string => `webchat-customer-chat-${identity}`;

export type CreationClaim = 'claimed' | 'taken' | 'unavailable' | { limited: UpstreamError };

const isRateLimited = (error: unknown): error is UpstreamError =>
  error instanceof UpstreamError && error.upstreamStatus === 429;

/**
 * A Sync write this module never lets fail the start: on failure `failed`
 * logs it, with Twilio's status, and the claim or pointer lapses or is read
 * as it is. (The log call stays at each caller, where docs/logs.md's test
 * finds its event.)
 */
async function bestEffort(
  write: Promise<unknown>,
  failed: (status: { upstreamStatus: number | undefined }) => void,
): Promise<void> {
  await write.then(
    () => undefined,
    (error: unknown) => failed({ upstreamStatus: upstreamStatus(error) }),
  );
}

/**
 * The pointer as read: the conversation it names, `none` (no pointer: a
 * customer new to this version, or back after 30 days) or `unknown` (Sync
 * did not answer).
 */
export type Pointer = { conversationSid: string } | 'none' | 'unknown';

type SyncConfig = ConfigOf<'sync'>;

export async function claimCreation(
  client: Twilio,
  config: SyncConfig,
  identity: string,
): Promise<CreationClaim> {
  try {
    const state = sharedState(client, config);
    const claimed = await state.claimOnce(claimKey(identity), CREATION_CLAIM_TTL_SECONDS);
    return claimed ? 'claimed' : 'taken';
  } catch (error) {
    if (isRateLimited(error)) {
      log.warn('continuity.claim_rate_limited', { upstreamStatus: 429 });
      return { limited: error };
    }
    if (!isSyncUnavailable(error)) throw error;
    log.warn('continuity.claim_unavailable', { upstreamStatus: error.upstreamStatus });
    return 'unavailable';
  }
}

/** Deletes the creation claim; never throws (logged: it then expires by its TTL). */
export async function releaseCreation(
  client: Twilio,
  config: SyncConfig,
  identity: string,
): Promise<void> {
  await bestEffort(sharedState(client, config).release(claimKey(identity)), (status) =>
    log.warn('continuity.release_failed', status),
  );
}

/**
 * Deletes the creation claim if no start can still hold it (older than
 * `LIVE_START_MAX_MS`): a crashed start's, or one a start or resume without a
 * question kept. Never throws (logged): waiting on it is the fallback.
 */
export async function clearStaleClaim(
  client: Twilio,
  config: SyncConfig,
  identity: string,
  nowMs: number,
): Promise<void> {
  try {
    const state = sharedState(client, config);
    if (await state.releaseIfOlder(claimKey(identity), LIVE_START_MAX_MS, nowMs)) {
      log.info('continuity.stale_claim_removed', {});
    }
  } catch (error) {
    log.warn('continuity.stale_claim_not_removed', { upstreamStatus: upstreamStatus(error) });
  }
}

export async function readPointer(
  client: Twilio,
  config: SyncConfig,
  identity: string,
): Promise<Pointer> {
  let data: unknown;
  try {
    data = await sharedState(client, config).read(pointerKey(identity));
  } catch (error) {
    if (!isSyncUnavailable(error) && !isRateLimited(error)) throw error;
    log.warn('continuity.pointer_unavailable', { upstreamStatus: error.upstreamStatus });
    return 'unknown';
  }
  const sid = (data as { conversationSid?: unknown } | undefined)?.conversationSid;
  // Only this service writes it; anything else is treated as no pointer.
  return typeof sid === 'string' && /^CH[0-9a-f]{32}$/.test(sid)
    ? { conversationSid: sid }
    : 'none';
}

/**
 * The creation claim as it is now (its SID), for /end-chat to delete exactly
 * that one later (`releaseClaimId`), never a claim a start makes meanwhile.
 * Undefined when there is none, or Sync did not answer (logged).
 */
export async function claimIdOf(
  client: Twilio,
  config: SyncConfig,
  identity: string,
): Promise<string | undefined> {
  return sharedState(client, config)
    .idOf(claimKey(identity))
    .catch((error: unknown) => {
      log.warn('continuity.claim_not_read', { upstreamStatus: upstreamStatus(error) });
      return undefined;
    });
}

/** Deletes the claim `claimIdOf` saw; never throws (logged: it then lapses). */
export async function releaseClaimId(
  client: Twilio,
  config: SyncConfig,
  id: string,
): Promise<void> {
  await bestEffort(sharedState(client, config).releaseId(id), (status) =>
    log.warn('continuity.release_failed', status),
  );
}

/**
 * Deletes the pointer (a start that wrote it beside a webhook that then
 * failed); never throws (logged: the pointed chat is then read as any other).
 */
export async function forgetPointer(
  client: Twilio,
  config: SyncConfig,
  identity: string,
): Promise<void> {
  await bestEffort(sharedState(client, config).release(pointerKey(identity)), (status) =>
    log.warn('continuity.pointer_not_forgotten', status),
  );
}

/** Points the customer at their newest chat; never throws (logged). */
export async function writePointer(
  client: Twilio,
  config: SyncConfig,
  identity: string,
  conversationSid: string,
  pointer: Pointer,
): Promise<void> {
  const exists = typeof pointer === 'object';
  await bestEffort(
    sharedState(client, config).write(
      pointerKey(identity),
      { conversationSid },
      POINTER_TTL_SECONDS,
      { exists },
    ),
    (status) => log.warn('continuity.pointer_not_saved', { conversationSid, ...status }),
  );
}
