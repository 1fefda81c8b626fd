/**
 * The guard's variables (src/guard/): the service-wide chat budget
 * (`MAX_CHATS_PER_MINUTE`) and where shared state lives (`SYNC_SERVICE_SID`).
 *
 * `SYNC_SERVICE_SID` left empty means the account's default Sync service,
 * addressed as `default`: the service `Runtime.getSync()` uses when given no
 * name (Twilio's runtime passes `serviceName: 'default'`), which Twilio's own
 * Function templates fall back to as well. It needs no setup on a deployed
 * service, but it is shared with every other app on the account that uses
 * it, so the guard's names carry a `webchat-` prefix, and `npm run setup`
 * writes a dedicated service when a budget is set (docs/setup.md).
 */
import type { EnvReader } from './reader';

/** How the Sync REST API names the account's default Sync service. */
export const DEFAULT_SYNC_SERVICE = 'default';

/**
 * The largest budget the counter can count: every `/start-chat` under a
 * budget, refused or not, appends to one Sync List per minute, and Sync
 * takes about 20 writes a second on one object (bursts of 10 s aside):
 * 1,200 a minute. Twilio's own Conversations create limit (about 30 a second
 * per service) is close above.
 */
export const MAX_CHATS_PER_MINUTE_LIMIT = 1200;

/** The budget: chats a minute across the service; undefined (unset) for none. */
export function readMaxChatsPerMinute(read: EnvReader): number | undefined {
  const value = read.raw('MAX_CHATS_PER_MINUTE');
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_CHATS_PER_MINUTE_LIMIT) {
    read.problem(
      'MAX_CHATS_PER_MINUTE',
      `must be a whole number of chats from 1 to ${MAX_CHATS_PER_MINUTE_LIMIT} (one Sync list takes about 20 writes a second), or empty for no budget`,
    );
    return undefined;
  }
  return n;
}

/** A Sync service SID, or `default` when unset (or set to `default`). */
export function readSyncServiceSid(read: EnvReader): string {
  const value = read.raw('SYNC_SERVICE_SID');
  if (value === undefined || value === DEFAULT_SYNC_SERVICE) return DEFAULT_SYNC_SERVICE;
  // Sync and Conversations service SIDs share the IS prefix: only doctor
  // (which asks Sync for it) can tell one from the other.
  if (!/^IS[0-9a-fA-F]{32}$/.test(value)) {
    read.problem(
      'SYNC_SERVICE_SID',
      "must be a Sync Service SID (IS followed by 32 hex characters), or empty for the account's default Sync service",
    );
  }
  return value;
}
