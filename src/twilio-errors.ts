/**
 * Turns a failed Twilio call into the error our caller should see, and logs
 * what an operator needs (step, HTTP status, Twilio error code) without the
 * request's content.
 *
 * Credentials Twilio rejects, or a service that does not exist, are
 * misconfiguration (503 naming the variables); everything else is an upstream
 * failure (502, or 503 with Retry-After when Twilio rate-limits us).
 */
import {
  ChallengeError,
  ConfigError,
  CustomerChatLimitError,
  HttpError,
  UpstreamError,
} from './errors';
import { log } from './log';

/** The parts of twilio's `RestException` (or a network error) we rely on. */
interface TwilioFailure {
  status?: unknown;
  code?: unknown;
}

export function upstreamStatus(error: unknown): number | undefined {
  if (error instanceof HttpError) return undefined; // ours, not Twilio's answer
  const status = (error as TwilioFailure | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * True when we cannot know whether Twilio acted on the request: no response
 * (timeout, connection reset) or a 5xx. A 4xx, 429 included, means it did not.
 */
export function isAmbiguousFailure(error: unknown): boolean {
  if (error instanceof HttpError) return false; // ours: Twilio was never asked
  const status = upstreamStatus(error);
  return status === undefined || status >= 500;
}

export interface StepContext {
  /** Human-readable step, e.g. "create conversation". */
  step: string;
  /** Environment variable to blame if Twilio says the resource does not exist. */
  notFoundMeans?: string;
  /** Extra safe fields for the log line (SIDs, never customer data). */
  logFields?: Record<string, unknown>;
}

export function toHttpError(error: unknown, context: StepContext): HttpError {
  if (error instanceof HttpError) return error;
  const status = upstreamStatus(error);
  const rawCode = (error as TwilioFailure | null)?.code;
  const twilioCode = typeof rawCode === 'number' ? rawCode : undefined;
  log.warn('twilio_call_failed', { step: context.step, ...context.logFields, error });
  if (status === 401) {
    return new ConfigError([
      { field: 'ACCOUNT_SID', problem: 'Twilio rejected the account credentials (error 20003)' },
      { field: 'AUTH_TOKEN', problem: 'Twilio rejected the account credentials (error 20003)' },
    ]);
  }
  if (status === 404 && context.notFoundMeans) {
    return new ConfigError([
      { field: context.notFoundMeans, problem: 'does not exist on this Twilio account' },
    ]);
  }
  return new UpstreamError(
    `Could not ${context.step}: the Twilio request failed. Please try again.`,
    context.step,
    status,
    twilioCode,
  );
}

/**
 * Twilio's "that unique name is taken": Conversations 50353 (and 50391, the
 * same name being created by a concurrent request), a legacy Flex chat
 * channel 45208 (and Programmable Chat's 50307 beneath it). Matched by code:
 * Twilio's docs do not give the HTTP status of each.
 */
const UNIQUE_NAME_TAKEN = new Set([50353, 50391, 45208, 50307]);

/**
 * For a create whose unique name is the chat's identity (a mode whose
 * `singleUse` is `unique-name`): Twilio refusing the name means the challenge
 * that determined the identity has started a chat already, so the caller gets
 * a 409 `challenge_used`, not a 502. Undefined for any other failure.
 */
export function challengeReused(error: unknown, step: string): HttpError | undefined {
  if (error instanceof HttpError) return undefined;
  const code = (error as TwilioFailure | null)?.code;
  if (typeof code !== 'number' || !UNIQUE_NAME_TAKEN.has(code)) return undefined;
  log.info('challenge_reused', { step, twilioCode: code });
  return new ChallengeError('challenge_used');
}

/**
 * For `.catch()` on a read: a 404 means the resource is gone (null); any
 * other failure becomes the `HttpError` the caller should see.
 */
export function nullIfGone(step: string, logFields: Record<string, unknown> = {}) {
  return (error: unknown): null => {
    if (upstreamStatus(error) === 404) return null;
    throw toHttpError(error, { step, logFields });
  };
}

/** Runs one Twilio call; a failure becomes the `HttpError` the caller should see. */
export async function twilioStep<T>(context: StepContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toHttpError(error, context);
  }
}

/**
 * Twilio's "this identity is in too many conversations": Conversations' 50214
 * (an identity may be in 1,000 that are not closed) and Flex's 45207 for a
 * Flex Flow chat channel. Matched by code: Twilio's pages give no HTTP status.
 */
const IDENTITY_CONVERSATION_LIMIT = new Set([50214, 45207]);

/**
 * For a create that adds the customer to a new conversation: Twilio refusing
 * because the customer's identity is at its limit is a 409
 * `customer_chat_limit` (a signed-in customer's stable identity can get
 * there; an anonymous one is fresh). Undefined for any other failure.
 */
export function customerChatLimit(error: unknown, step: string): HttpError | undefined {
  if (error instanceof HttpError) return undefined;
  const code = (error as TwilioFailure | null)?.code;
  if (typeof code !== 'number' || !IDENTITY_CONVERSATION_LIMIT.has(code)) return undefined;
  log.warn('customer_chat_limit', { step, twilioCode: code });
  return new CustomerChatLimitError();
}
