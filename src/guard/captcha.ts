/**
 * The optional CAPTCHA (Cloudflare Turnstile or hCaptcha, `CAPTCHA` in
 * src/config/captcha.ts), checked by the guard after the proof of work and
 * before anything touches Twilio: the widget sends the token its provider
 * gave the customer as `captcha`, and this module asks the provider's
 * siteverify endpoint about it, once, form-encoded as both document it
 * (`secret`, `response`; hCaptcha's `sitekey`; Turnstile's
 * `idempotency_key`; no `remoteip`: Functions never see the client's address).
 *
 * A token passes when the provider says `success`, for the hostname of the
 * request's Origin (a token solved on another site is refused), and for
 * Turnstile with the action the widget renders with. Tokens are single use
 * at the provider, so a replay is refused there.
 *
 * Decided: **fail closed**. No answer within CAPTCHA_DEADLINE_MS, a 5xx, or
 * an answer that is not the documented JSON is a 503 `captcha_unavailable`,
 * and no chat: a site turns the CAPTCHA on to keep what it cannot check away
 * from its agents, and an outage cannot be told from an attack here. Turnstile
 * gets one retry after a 5xx or a dropped connection within the same deadline,
 * with the same `idempotency_key`, so Cloudflare answers the retry as it did
 * the first (its token is not spent twice); hCaptcha has no such key, so
 * none. Our own secret refused (`invalid-input-secret`…) is a 503 too, logged
 * as an error: the customer did nothing wrong.
 *
 * @example
 *   await verifyCaptcha(config.captcha, request.captcha, origin); // or throws CaptchaError
 */
import { createHash } from 'node:crypto';
import type { CaptchaProvider, CaptchaSettings } from '../config/captcha';
import { CaptchaError } from '../errors';
import type { FieldParser } from '../fields';
import { log } from '../log';

/**
 * The whole verification, retry included. A Function has 10 s; the chat's
 * own Twilio requests need most of them (src/endpoint.ts).
 */
export const CAPTCHA_DEADLINE_MS = 1500;
/** Turnstile's `action`: the widget renders with it, and a token for another action is refused. */
export const TURNSTILE_ACTION = 'start-chat';
/** Turnstile documents tokens up to 2,048 characters; hCaptcha's are longer. */
const TOKEN_MAX_LENGTH = 8192;
/** Error codes that mean our configuration, not the customer, is wrong. */
const OUR_FAULT = new Set([
  'missing-input-secret',
  'invalid-input-secret',
  'sitekey-secret-mismatch',
  'invalid-sitekey',
]);

/** What the widget needs: public, so /challenge hands it out. */
export interface CaptchaForWidget {
  provider: CaptchaProvider;
  siteKey: string;
}

export function captchaForWidget(captcha: CaptchaSettings | undefined): CaptchaForWidget | null {
  return captcha ? { provider: captcha.provider, siteKey: captcha.siteKey } : null;
}

/** The `captcha` field: an opaque token of printable ASCII, or absent. */
export const optionalCaptchaToken: FieldParser<string | undefined> = (value) => {
  if (value === undefined || value === null || value === '') return { ok: true, value: undefined };
  if (typeof value === 'string' && value.length <= TOKEN_MAX_LENGTH && /^[!-~]+$/.test(value)) {
    return { ok: true, value };
  }
  return {
    ok: false,
    problem: `must be the CAPTCHA's token: printable ASCII, at most ${TOKEN_MAX_LENGTH} characters`,
  };
};

/** The fields of a siteverify answer this module reads. */
interface SiteverifyAnswer {
  success: boolean;
  hostname?: string;
  action?: string;
  'error-codes'?: string[];
}

type Outcome = { answer: SiteverifyAnswer } | { unavailable: number | 'timeout' | 'network' };

/**
 * Checks `token` with the provider when the CAPTCHA is on (nothing to do when
 * off). Throws a `CaptchaError`: `captcha_required` without a token,
 * `captcha_invalid` when refused, `captcha_unavailable` (fail closed, above).
 */
export async function verifyCaptcha(
  captcha: CaptchaSettings | undefined,
  token: string | undefined,
  origin: string | undefined,
  /** What the token is spent on: the admitted chat's identity (made from the proof). */
  start: string,
  fetchImpl: typeof fetch = fetch,
): Promise<void> {
  if (!captcha) return;
  if (!token) throw new CaptchaError('captcha_required');
  const { provider } = captcha;
  const form = new URLSearchParams({ secret: captcha.secret, response: token });
  if (provider === 'hcaptcha') form.set('sitekey', captcha.siteKey);
  if (provider === 'turnstile') form.set('idempotency_key', idempotencyKey(token, start));
  const deadline = AbortSignal.timeout(CAPTCHA_DEADLINE_MS);
  let outcome = await siteverify(captcha.verifyUrl, form, deadline, fetchImpl);
  const retriable = (o: Outcome) =>
    'unavailable' in o && o.unavailable !== 'timeout' && !deadline.aborted;
  if (provider === 'turnstile' && retriable(outcome)) {
    outcome = await siteverify(captcha.verifyUrl, form, deadline, fetchImpl);
  }
  if ('unavailable' in outcome) {
    log.warn('captcha.unavailable', { provider, upstream: outcome.unavailable });
    throw new CaptchaError('captcha_unavailable');
  }
  const { answer } = outcome;
  const errorCodes = answer['error-codes'] ?? [];
  if (errorCodes.some((code) => OUR_FAULT.has(code))) {
    log.error('captcha.secret_refused', { provider, errorCodes });
    throw new CaptchaError('captcha_unavailable');
  }
  const refusal = refusalOf(answer, provider, origin);
  if (refusal) {
    log.info('captcha.refused', { provider, reason: refusal, errorCodes });
    throw new CaptchaError('captcha_invalid');
  }
}

/**
 * Turnstile's `idempotency_key` for a token spent on a start: a UUID made
 * from both, so the widget's retry of a busy start (the same proof, so the
 * same identity, and the same token) gets Cloudflare's first answer again,
 * while the token sent with any other proof meets "already spent".
 */
export function idempotencyKey(token: string, start: string): string {
  const hex = createHash('sha256').update(`${token}\n${start}`).digest('hex');
  // Laid out as a version 4 UUID (version and variant bits set), the format Cloudflare asks for.
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Why a siteverify answer does not admit this request; undefined when it does. */
function refusalOf(
  answer: SiteverifyAnswer,
  provider: CaptchaProvider,
  origin: string | undefined,
): string | undefined {
  if (answer.success !== true) return 'not_passed';
  let hostname: string | undefined;
  try {
    hostname = origin === undefined ? undefined : new URL(origin).hostname.toLowerCase();
  } catch {
    hostname = undefined;
  }
  if (!hostname || answer.hostname?.toLowerCase() !== hostname) return 'other_hostname';
  if (provider === 'turnstile' && answer.action !== TURNSTILE_ACTION) return 'other_action';
  return undefined;
}

/** One POST to siteverify: its answer, or why there is none. */
async function siteverify(
  url: string,
  form: URLSearchParams,
  deadline: AbortSignal,
  fetchImpl: typeof fetch,
): Promise<Outcome> {
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: form.toString(),
      signal: deadline,
      redirect: 'error',
    });
  } catch {
    return { unavailable: deadline.aborted ? 'timeout' : 'network' };
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (!response.ok || !isAnswer(body)) {
    return { unavailable: deadline.aborted ? 'timeout' : response.status };
  }
  return { answer: body };
}

function isAnswer(body: unknown): body is SiteverifyAnswer {
  if (typeof body !== 'object' || body === null) return false;
  const { success, hostname, action } = body as Record<string, unknown>;
  const errorCodes = (body as Record<string, unknown>)['error-codes'];
  return (
    typeof success === 'boolean' &&
    (hostname === undefined || hostname === null || typeof hostname === 'string') &&
    (action === undefined || action === null || typeof action === 'string') &&
    (errorCodes === undefined || Array.isArray(errorCodes))
  );
}
