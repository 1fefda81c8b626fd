/**
 * Shared state across Function invocations, in Twilio Sync: nothing in a
 * Function's memory survives between requests, so anything counted or
 * claimed once for the whole service is an atomic operation on Twilio's side.
 *
 *   countInWindow(key, windowSeconds, nowMs)
 *       a fixed-window counter: appends one item to the Sync List named
 *       `<key>-<window start, epoch seconds>` and reads the item's `index`
 *       (Sync numbers a list's items from 0, atomically, never reusing one)
 *       as the count so far, this request included. One round trip. The
 *       first request of a window finds no list (404, error 54150): it
 *       creates the list (a concurrent creator's 409, error 54301, is as
 *       good) and appends again: three sequential round trips, once a window.
 *   claimOnce(key, ttlSeconds)
 *       creates a Sync Document whose unique name is `key`: created -> true
 *       (claimed now), 409 / 54301 -> false (claimed before). One round trip.
 *       Once the document expires the key can be claimed again: its TTL must
 *       outlast whatever it guards (a challenge's own expiry, say). Sync's
 *       expiry is approximate, so a claim may also outlive its TTL a while.
 *   release(key)
 *       deletes that document (a 404 is as good: nothing to release), so the
 *       key can be claimed again. One round trip. Only for a claim whose
 *       purpose certainly did not happen (see src/guard/index.ts), or
 *       whose work is done (src/customer/continuity.ts).
 *   releaseIfOlder(key, maxAgeMs, nowMs)
 *       deletes that document only if it was made more than `maxAgeMs` ago
 *       (by its `date_created`), by its SID, so a newer claim of the same key
 *       made meanwhile is never the one deleted: true if it did. For a claim
 *       whose holder cannot still be running, which Sync's approximate TTL
 *       may keep a while. One round trip to read, one more to delete.
 *   idOf(key) / releaseId(id)
 *       the document's SID now (undefined when there is none), and, later,
 *       deleting exactly that document (a 404 is as good): for a claim that
 *       existed at one moment, never a newer one made under the same key
 *       since. One round trip each.
 *   read(key)
 *       that document's data, or undefined when there is none. One round trip.
 *   write(key, data, ttlSeconds, {exists})
 *       sets that document's data and a new TTL, creating it if need be.
 *       One round trip when `exists` guesses right (update, or create); a
 *       wrong guess costs one more (404 -> create, 54301 -> update).
 *
 * Failures become the `HttpError` the caller should see (src/twilio-errors.ts):
 * rejected credentials, or a Sync service that does not exist, name
 * `SYNC_SERVICE_SID` (503); anything else is an `UpstreamError` carrying
 * Twilio's status, so a caller can tell an ambiguous failure (no answer, or
 * a 5xx: Sync may have acted) from a refusal (a 4xx: it did not).
 *
 * Sync takes about 20 writes a second on one object (bursts over 10 s
 * aside), and about 20 new objects a second: past that it answers 429
 * (error 54009), which arrives here as an `UpstreamError` with status 429.
 *
 * @example
 *   const state = sharedState(twilio(), config); // config: ConfigOf<'sync'>
 *   const { count, windowEndMs } = await state.countInWindow('webchat-chats', 60, nowMs);
 *   if (!(await state.claimOnce(`webchat-challenge-${id}`, 600))) throw replayed();
 */
import type { Twilio } from 'twilio';
import type { ServiceContext } from 'twilio/lib/rest/sync/v1/service';
import type { ConfigOf } from '../config';
import { DEFAULT_SYNC_SERVICE } from '../config/budget';
import { ConfigError, UpstreamError, type HttpError } from '../errors';
import { toHttpError, upstreamStatus } from '../twilio-errors';

/** Sync's error codes this module branches on. */
export const SYNC_ERRORS = {
  serviceNotFound: 54050,
  listNotFound: 54150,
  documentNotFound: 54100,
  uniqueNameTaken: 54301,
} as const;

/**
 * A Sync request that failed without a clear answer (no response, or a 5xx):
 * the outage the guard lets chats through for, unlike a refusal, a 429 or a
 * configuration error.
 */
export function isSyncUnavailable(error: unknown): error is UpstreamError {
  return (
    error instanceof UpstreamError &&
    (error.upstreamStatus === undefined || error.upstreamStatus >= 500)
  );
}

export interface WindowCount {
  /** Requests counted in this window so far, this one included (1 for the first). */
  count: number;
  windowStartMs: number;
  windowEndMs: number;
}

export interface SharedState {
  countInWindow(key: string, windowSeconds: number, nowMs: number): Promise<WindowCount>;
  claimOnce(key: string, ttlSeconds: number): Promise<boolean>;
  release(key: string): Promise<void>;
  releaseIfOlder(key: string, maxAgeMs: number, nowMs: number): Promise<boolean>;
  idOf(key: string): Promise<string | undefined>;
  releaseId(id: string): Promise<void>;
  read(key: string): Promise<unknown>;
  write(key: string, data: object, ttlSeconds: number, hint: { exists: boolean }): Promise<void>;
}

type Fail = (step: string) => (error: unknown) => never;

/**
 * A document by key or SID; null when there is none (54100: a missing
 * service, also a 404, is the configuration error `fail` names).
 */
function fetchDocument(service: ServiceContext, keyOrSid: string, fail: Fail) {
  return service
    .documents(keyOrSid)
    .fetch()
    .catch((error: unknown) => {
      if (twilioCode(error) === SYNC_ERRORS.documentNotFound) return null;
      return fail('read a key in Sync')(error);
    });
}

/** Deletes a document by key or SID: false when it was not there (404). */
function removeDocument(service: ServiceContext, keyOrSid: string, fail: Fail): Promise<boolean> {
  return service
    .documents(keyOrSid)
    .remove()
    .catch((error: unknown) => {
      if (upstreamStatus(error) === 404) return false;
      return fail('release a key in Sync')(error);
    });
}

/** See the module header: `releaseIfOlder`. */
async function releaseIfOlder(
  service: ServiceContext,
  key: string,
  maxAgeMs: number,
  nowMs: number,
  fail: Fail,
): Promise<boolean> {
  assertKey(key);
  const document = await fetchDocument(service, key, fail);
  if (!document || nowMs - document.dateCreated.getTime() <= maxAgeMs) return false;
  return removeDocument(service, document.sid, fail); // false: somebody else removed it first
}

/**
 * A key: letters, digits and `_ . : -`, at most 256 characters. Sync refuses
 * unique names shaped like a SID, and the library puts a list's name in the
 * URL path unescaped; the prefix callers use (`webchat-`) keeps both away.
 */
const KEY = /^[A-Za-z0-9_.:-]{1,256}$/;

function assertKey(key: string): void {
  // Our keys are built by our own code: a bad one is a bug (500), not a request error.
  if (!KEY.test(key) || /^[A-Z]{2}[0-9a-fA-F]{32}$/.test(key)) {
    throw new Error('Shared-state keys are letters, digits and _ . : - (and not a SID)');
  }
}

const twilioCode = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

export function sharedState(twilio: Twilio, config: ConfigOf<'sync'>): SharedState {
  const service = twilio.sync.v1.services(config.syncServiceSid);
  const fail: Fail = (step) => (error) => {
    throw syncFailure(error, step, config.syncServiceSid);
  };
  return {
    countInWindow: (key, windowSeconds, nowMs) => {
      assertKey(key);
      return countInWindow(service, key, windowSeconds, nowMs, fail);
    },
    async claimOnce(key, ttlSeconds) {
      assertKey(key);
      // Hazard: when this fails without an answer (timeout, 5xx), the claim may
      // have been made. Never retry it to find out: the retry's 54301 would read
      // as "claimed before" for a claim that was this caller's own. The caller
      // gets the error, and must treat the key as used (refuse and start over).
      try {
        await service.documents.create({ uniqueName: key, data: {}, ttl: ttlSeconds });
        return true;
      } catch (error) {
        if (twilioCode(error) === SYNC_ERRORS.uniqueNameTaken) return false;
        return fail('claim a key in Sync')(error);
      }
    },
    async release(key) {
      assertKey(key);
      await removeDocument(service, key, fail);
    },
    async idOf(key) {
      assertKey(key);
      return (await fetchDocument(service, key, fail))?.sid;
    },
    async releaseId(id) {
      await removeDocument(service, id, fail);
    },
    releaseIfOlder: (key, maxAgeMs, nowMs) => releaseIfOlder(service, key, maxAgeMs, nowMs, fail),
    async read(key) {
      assertKey(key);
      return (await fetchDocument(service, key, fail))?.data as unknown;
    },
    async write(key, data, ttlSeconds, { exists }) {
      assertKey(key);
      const update = () => service.documents(key).update({ data, ttl: ttlSeconds });
      const create = () => service.documents.create({ uniqueName: key, data, ttl: ttlSeconds });
      const code = (error: unknown) => twilioCode(error);
      try {
        await (exists ? update() : create());
      } catch (error) {
        // The guess was wrong (another writer came or went): the other way once.
        const retry =
          (exists && code(error) === SYNC_ERRORS.documentNotFound) ||
          (!exists && code(error) === SYNC_ERRORS.uniqueNameTaken);
        if (!retry) fail('write a key in Sync')(error);
        await (exists ? create() : update()).catch(fail('write a key in Sync'));
      }
    },
  };
}

async function countInWindow(
  service: ServiceContext,
  key: string,
  windowSeconds: number,
  nowMs: number,
  fail: (step: string) => (error: unknown) => never,
): Promise<WindowCount> {
  const windowStart = Math.floor(nowMs / 1000 / windowSeconds) * windowSeconds;
  const windowEndMs = (windowStart + windowSeconds) * 1000;
  const name = `${key}-${windowStart}`;
  // The list outlives its window by one more window: clock skew between this
  // host and Sync, and Sync's approximate expiry, must never delete it while
  // it counts (a fresh list would restart the count). Nobody reads it after
  // its window: the next window has its own name. Every append carries the
  // same absolute expiry, so whoever creates the list, it ends the same.
  const collectionTtl = Math.ceil((windowEndMs - nowMs) / 1000) + windowSeconds;
  const append = () => service.syncLists(name).syncListItems.create({ data: {}, collectionTtl });
  let item;
  try {
    item = await append();
  } catch (error) {
    // Hazard: an append without an answer (timeout, 5xx) may have counted;
    // it is not retried, so a request counts at most once.
    if (upstreamStatus(error) !== 404 || twilioCode(error) === SYNC_ERRORS.serviceNotFound) {
      return fail('count in Sync')(error);
    }
    await service.syncLists.create({ uniqueName: name, collectionTtl }).catch((created) => {
      // Another request created it first: as good, it is the same list.
      if (twilioCode(created) !== SYNC_ERRORS.uniqueNameTaken) fail('create a Sync list')(created);
    });
    item = await append().catch(fail('count in Sync'));
  }
  return { count: item.index + 1, windowStartMs: windowStart * 1000, windowEndMs };
}

/**
 * Twilio's failure as the error to answer with. A 404 other than "list not
 * found" means the Sync service does not exist: configuration, and when
 * SYNC_SERVICE_SID is unset, an account without a default Sync service.
 */
function syncFailure(error: unknown, step: string, serviceSid: string): HttpError {
  const serviceMissing =
    upstreamStatus(error) === 404 &&
    twilioCode(error) !== SYNC_ERRORS.listNotFound &&
    twilioCode(error) !== SYNC_ERRORS.documentNotFound;
  const mapped = toHttpError(error, {
    step,
    ...(serviceMissing && { notFoundMeans: 'SYNC_SERVICE_SID' }),
  });
  if (!serviceMissing || serviceSid !== DEFAULT_SYNC_SERVICE) return mapped;
  return new ConfigError([
    {
      field: 'SYNC_SERVICE_SID',
      problem:
        "is not set, and this account has no default Sync service: set it to a Sync service's SID (npm run setup creates one)",
    },
  ]);
}
