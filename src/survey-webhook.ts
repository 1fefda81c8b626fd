/**
 * The survey's webhook: each answer POSTed as JSON to SURVEY_WEBHOOK_URL,
 * signed so the receiver knows it came from this service and was not
 * replayed later. The signature header, like Stripe's:
 *
 *   X-Webchat-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">
 *
 * keyed with SURVEY_WEBHOOK_SECRET. A receiver recomputes the HMAC over the
 * raw body it received, compares in constant time, and refuses a `t` older
 * than a few minutes (`verifyWebhookSignature` below is the reference; the
 * same in a few lines for other stacks is in docs/api.md).
 *
 * Delivery is one attempt with a 2.5 s timeout: the customer is waiting, and
 * a Function has 10 s in all. A failure is logged (`survey.webhook_failed`,
 * with the status, never the body) and does not fail the customer's answer,
 * which is already stored on the conversation: the attributes are the record,
 * the webhook a notification.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { log } from './log';

export const SIGNATURE_HEADER = 'X-Webchat-Signature';
export const WEBHOOK_TIMEOUT_MS = 2500;
/** How old a signature a receiver should still accept. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const hmac = (secret: string, t: number, body: string) =>
  createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');

export function signWebhook(secret: string, body: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${hmac(secret, t, body)}`;
}

/**
 * What a receiver does (Node): true when `header` signs `rawBody` with
 * `secret`, within `toleranceSeconds` of `nowMs`.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  rawBody: string,
  nowMs = Date.now(),
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): boolean {
  const parts = Object.fromEntries(
    (header ?? '').split(',').map((part) => part.trim().split('=', 2) as [string, string]),
  );
  const t = Number(parts.t);
  const v1 = parts.v1 ?? '';
  if (!Number.isInteger(t) || Math.abs(nowMs / 1000 - t) > toleranceSeconds) return false;
  const expected = Buffer.from(hmac(secret, t, rawBody), 'hex');
  const given = Buffer.from(v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface WebhookTarget {
  url: string;
  secret: string;
}

/** POSTs `payload`, signed; resolves whether the receiver took it (2xx). Never throws. */
export async function postWebhook(
  target: WebhookTarget,
  payload: object,
  nowMs: number,
  logFields: Record<string, unknown>,
): Promise<boolean> {
  const body = JSON.stringify(payload);
  try {
    const response = await fetch(target.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'flex-custom-webchat',
        [SIGNATURE_HEADER]: signWebhook(target.secret, body, nowMs),
      },
      body,
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      redirect: 'error',
    });
    if (response.ok) return true;
    log.warn('survey.webhook_failed', { ...logFields, status: response.status });
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    log.warn('survey.webhook_failed', { ...logFields, reason: timedOut ? 'timeout' : 'network' });
  }
  return false;
}
