/**
 * Twilio's documented rate limits, enforced by the fake, so a spike of
 * customers meets the 429s it would meet at Twilio (on by default; a test
 * may change or lift one with `mock.rateLimit(route, limit | undefined)`).
 *
 * What Twilio documents, and what this relies on:
 *
 *   POST flex-api /v2/WebChats      5 per second per account: Flex's "WebChat
 *   POST flex-api /v1/Channels      creation" limit (docs: flex/developer/messaging/limits,
 *                                   which also lists 5/s for POST /WebChannels)
 *   POST flex-api /v1/Interactions  20 per second per account (this project's
 *                                   /work/shared/ENGINEERING.md; no Twilio page found here)
 *   Conversations create + delete   30 per second per Conversations service, one limit for
 *                                   both (changelog "Increasing Actions Per Second for
 *                                   Conversations", 2020-03-31)
 *
 * Twilio says "N per second" and not how the second is counted: the fake
 * counts a sliding window (at most N accepted requests in any 1000 ms), the
 * strictest reading, so a client that copes with it copes with a fixed
 * window too. Refused requests do not count. A refusal is Twilio's error
 * JSON with status 429 and no `Retry-After` header (Twilio documents none);
 * the codes: Flex's 45010 "Rate Limit Exceeded", Chat's 50074 "Global
 * actions per second limit exceeded" for a service's conversation creates.
 * ENGINEERING.md names 45780 for WebChats; Twilio's error pages found here
 * do not, and the service branches on the HTTP status only.
 */
import type { RouteInput } from './twilio-mock';

export interface RateLimit {
  perSecond: number;
  /** Twilio error code in the 429's body. */
  code: number;
  message: string;
  /** Which counter a request counts in (routes sharing a limit share the name). */
  bucket: (input: RouteInput) => string;
}

const flex = (name: string, perSecond: number): RateLimit => ({
  perSecond,
  code: 45010,
  message: `Rate Limit Exceeded: ${name} allows ${perSecond} requests per second`,
  bucket: () => name,
});

const conversationWrites: RateLimit = {
  perSecond: 30,
  code: 50074,
  message: 'Service instance global actions per second limit exceeded',
  bucket: (input) => `conversations ${input.params.serviceSid ?? ''}`,
};

/** The documented limits, by the fake's route name. */
export function documentedRateLimits(): Map<string, RateLimit> {
  return new Map([
    ['webchats.create', flex('WebChats', 5)],
    ['flexChannels.create', flex('Channels', 5)],
    ['interactions.create', flex('Interactions', 20)],
    ['conversations.create', conversationWrites],
    ['conversations.delete', conversationWrites],
  ]);
}

const WINDOW_MS = 1000;

/** Sliding-window counters: accepted requests' times per bucket. */
export class RateLimiter {
  private readonly accepted = new Map<string, number[]>();

  /** True (and counted) when `limit` lets one more request through now. */
  admit(limit: RateLimit, input: RouteInput, nowMs = performance.now()): boolean {
    const bucket = limit.bucket(input);
    const times = (this.accepted.get(bucket) ?? []).filter((t) => nowMs - t < WINDOW_MS);
    const admitted = times.length < limit.perSecond;
    if (admitted) times.push(nowMs);
    this.accepted.set(bucket, times);
    return admitted;
  }

  reset(): void {
    this.accepted.clear();
  }
}
