/**
 * Trying a chat start again when the service says it is busy: Twilio's rate
 * limit (503 `upstream_rate_limited`), the chat budget (429
 * `budget_exceeded`), or a signed-in customer's chat being started by their
 * other device (503 `chat_starting`: the retry joins it). These answers mean
 * nothing was started (the service
 * frees what the attempt claimed, src/guard/index.ts), so the same body, with
 * the same proof, goes again after the wait. No DOM, no timers of its own
 * unless none are given: it runs in Node too (tests/contract/spikes.test.ts
 * and the bench drive it against the rate-limited fake).
 *
 * Each wait is the server's `Retry-After` (the least it asks) plus a random
 * part that doubles with each attempt up to RETRY_JITTER_CAP_MS ("full
 * jitter"), so a crowd that was refused together does not come back together.
 * Bounded: at most START_RETRY_ATTEMPTS attempts and START_RETRY_MAX_MS in all;
 * then the last refusal is the start's error. Any other failure is not
 * retried here (a network failure may have started a chat: the customer
 * decides).
 *
 * @example
 *   const chat = await startWithRetry(() => api.startChat(body), {
 *     onWait: ({ delayMs }) => showInLine(delayMs),
 *   });
 */
import { ApiError } from './api';

/** Attempts in all, the first included. */
export const START_RETRY_ATTEMPTS = 20;
/** No attempt starts later than this after the first. */
export const START_RETRY_MAX_MS = 180_000;
/** The random part of the first wait is up to this; it doubles each time... */
export const RETRY_JITTER_BASE_MS = 1000;
/** ...up to this. */
export const RETRY_JITTER_CAP_MS = 8000;
/** When a busy answer carries no readable `Retry-After`. */
const DEFAULT_RETRY_AFTER_SECONDS = 2;

export interface RetryDeps {
  /** Told before each wait: the attempt that was refused (1 for the first), and the wait. */
  onWait?: (wait: { attempt: number; delayMs: number }) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

/**
 * The seconds a busy refusal asks to wait; undefined for any other failure,
 * which is not retried.
 */
export function busyRetryAfter(error: unknown): number | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const busy =
    (error.status === 429 && error.code === 'budget_exceeded') ||
    // customer_keys_unavailable: the site's keys (CUSTOMER_JWKS_URL) could not be fetched;
    // chat_starting: a signed-in customer's other device is starting their chat (the retry joins it).
    (error.status === 503 &&
      /^(upstream_rate_limited|customer_keys_unavailable|chat_starting)$/.test(error.code));
  if (!busy) return undefined;
  return error.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
}

/** The wait after the `attempt`th refusal: `Retry-After`, plus full jitter. */
export function retryDelayMs(retryAfterSeconds: number, attempt: number, random: () => number) {
  const spread = Math.min(RETRY_JITTER_CAP_MS, RETRY_JITTER_BASE_MS * 2 ** (attempt - 1));
  return Math.max(0, retryAfterSeconds) * 1000 + Math.floor(random() * spread);
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startWithRetry<T>(
  attempt: () => Promise<T>,
  deps: RetryDeps = {},
): Promise<T> {
  const { sleep = realSleep, random = Math.random, now = Date.now } = deps;
  const first = now();
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      const retryAfter = busyRetryAfter(error);
      if (retryAfter === undefined || n >= START_RETRY_ATTEMPTS) throw error;
      const delayMs = retryDelayMs(retryAfter, n, random);
      if (now() + delayMs - first > START_RETRY_MAX_MS) throw error;
      deps.onWait?.({ attempt: n, delayMs });
      await sleep(delayMs);
    }
  }
}
