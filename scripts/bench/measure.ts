/** The arithmetic every bench section shares: timing, medians and number formats. */

/** Milliseconds the local mock waits before answering each Twilio request. */
export const LATENCY_MS = 50;

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

export const fmt = (n: number, digits = 1) => n.toFixed(digits);

/** Milliseconds `fn` takes to settle. */
export async function time(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}
