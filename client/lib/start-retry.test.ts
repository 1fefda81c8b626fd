import { ApiError } from './api';
import {
  busyRetryAfter,
  retryDelayMs,
  RETRY_JITTER_CAP_MS,
  START_RETRY_ATTEMPTS,
  START_RETRY_MAX_MS,
  startWithRetry,
} from './start-retry';

const rateLimited = (retryAfter?: number) =>
  new ApiError(503, 'upstream_rate_limited', 'busy', undefined, retryAfter);
const overBudget = (retryAfter: number) =>
  new ApiError(429, 'budget_exceeded', 'busy', undefined, retryAfter);

/** A clock that sleeping moves, and the waits asked for. */
function virtualTime(random = () => 0.5) {
  let now = 0;
  const waits: number[] = [];
  return {
    waits,
    deps: {
      now: () => now,
      random,
      sleep: (ms: number) => {
        waits.push(ms);
        now += ms;
        return Promise.resolve();
      },
    },
  };
}

describe('busyRetryAfter', () => {
  it("retries only the service's busy answers, with their Retry-After", () => {
    expect(busyRetryAfter(rateLimited(1))).toBe(1);
    expect(busyRetryAfter(overBudget(45))).toBe(45);
    expect(busyRetryAfter(rateLimited())).toBe(2); // no readable header
    // The site's JWKS could not be fetched (nothing was started): 503 with Retry-After: 30.
    expect(busyRetryAfter(new ApiError(503, 'customer_keys_unavailable', 'x', undefined, 30))).toBe(
      30,
    );
    expect(busyRetryAfter(new ApiError(503, 'chat_starting', 'x', undefined, 2))).toBe(2);
    for (const other of [
      new ApiError(502, 'upstream_error', 'x'),
      new ApiError(0, 'network', 'x'),
      new ApiError(409, 'challenge_used', 'x'),
      new ApiError(503, 'not_configured', 'x'),
      new ApiError(401, 'customer_token_invalid', 'x'),
      new Error('x'),
    ]) {
      expect(busyRetryAfter(other)).toBeUndefined();
    }
  });
});

describe('retryDelayMs', () => {
  it('is Retry-After plus a random part that doubles each attempt, up to the cap', () => {
    const top = () => 0.999999;
    expect(retryDelayMs(1, 1, () => 0)).toBe(1000);
    expect([1, 2, 3, 4, 5, 9].map((n) => retryDelayMs(1, n, top) - 1000)).toEqual([
      999,
      1999,
      3999,
      7999,
      RETRY_JITTER_CAP_MS - 1,
      RETRY_JITTER_CAP_MS - 1,
    ]);
  });
});

describe('startWithRetry', () => {
  it('sends again after each busy answer, telling the customer, until it starts', async () => {
    const time = virtualTime();
    const answers = [rateLimited(1), overBudget(3), rateLimited(1)];
    const attempt = jest.fn(() => {
      const next = answers.shift();
      return next ? Promise.reject(next) : Promise.resolve('started');
    });
    const onWait = jest.fn();
    await expect(startWithRetry(attempt, { ...time.deps, onWait })).resolves.toBe('started');
    expect(attempt).toHaveBeenCalledTimes(4);
    expect(time.waits).toEqual([1500, 4000, 3000]);
    expect(onWait.mock.calls.map(([w]: [{ attempt: number }]) => w.attempt)).toEqual([1, 2, 3]);
  });

  it('does not retry anything else', async () => {
    const time = virtualTime();
    const failure = new ApiError(502, 'upstream_error', 'x');
    const attempt = jest.fn(() => Promise.reject(failure));
    await expect(startWithRetry(attempt, time.deps)).rejects.toBe(failure);
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it('gives up after START_RETRY_ATTEMPTS attempts with the last refusal', async () => {
    const time = virtualTime(() => 0);
    const attempt = jest.fn(() => Promise.reject(rateLimited(1)));
    await expect(startWithRetry(attempt, time.deps)).rejects.toMatchObject({
      code: 'upstream_rate_limited',
    });
    expect(attempt).toHaveBeenCalledTimes(START_RETRY_ATTEMPTS);
  });

  it('gives up rather than wait past START_RETRY_MAX_MS in all', async () => {
    const time = virtualTime();
    const attempt = jest.fn(() => Promise.reject(overBudget(59)));
    await expect(startWithRetry(attempt, time.deps)).rejects.toMatchObject({
      code: 'budget_exceeded',
    });
    expect(time.waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(START_RETRY_MAX_MS);
    expect(attempt).toHaveBeenCalledTimes(3); // 0, ~59.5 s, ~119.5 s; a fourth would be ~180.5 s
  });
});
