/**
 * When to try again to reach a chat that could not be reached: one pending
 * retry at a time, each wait longer than the last (RETRY_DELAYS_MS), back to
 * the first wait after a success. Timers are injectable, so tests run them
 * by hand. No DOM, no chat: it only calls `run` when the time comes.
 *
 * @example
 *   const retry = new Backoff(() => void connect());
 *   retry.schedule(); // connect() in 1 s
 *   retry.schedule(); // still one pending: this report of the failure is not counted
 *   retry.succeeded(); // cancels what is pending; the next failure waits 1 s again
 */

/** Waits between attempts to reach a chat that could not be reached. */
export const RETRY_DELAYS_MS = [1000, 2000, 5000, 10_000, 30_000];

/** Timers, replaceable in tests (the browser's by default). */
export interface Timers {
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

export class Backoff {
  private handle?: unknown;
  private failures = 0;

  constructor(
    private readonly run: () => void,
    private readonly timers: Timers = {},
  ) {}

  /**
   * A failure: `run` after the next wait, unless a retry is pending already.
   * A failure often arrives as several reports (an error state, a
   * disconnect, a rejected call), and the backoff counts failures, not reports.
   */
  schedule(): void {
    if (this.handle !== undefined) return;
    const delay = RETRY_DELAYS_MS[Math.min(this.failures, RETRY_DELAYS_MS.length - 1)] ?? 30_000;
    this.failures++;
    // Called unbound, as the browser's setTimeout must be (`this` is not the window otherwise).
    const set = this.timers.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
    this.handle = set(() => {
      this.handle = undefined;
      this.run();
    }, delay);
  }

  /** Drops the pending retry, if any (trying now, or the chat is over); the count stays. */
  cancel(): void {
    if (this.handle === undefined) return;
    const clear =
      this.timers.clearTimeout ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
    clear(this.handle);
    this.handle = undefined;
  }

  /** Reached: nothing pending, and the next failure starts from the first wait. */
  succeeded(): void {
    this.failures = 0;
    this.cancel();
  }
}
