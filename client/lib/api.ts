/**
 * The service's public functions, as the widget calls them. Every failure
 * becomes an `ApiError` with the server's stable `code` (or `network` when
 * the service could not be reached), so the view can say the right thing.
 *
 * @example
 *   const api = createApi('https://example-1234.twil.io/start-chat');
 *   const chat = await api.startChat({ friendlyName: 'Ana', preEngagement: {} });
 */
import type { CaptchaSettings } from './captcha';
import type { Challenge, Proof } from './challenge';
import type { SignedInCustomer } from './customer-state';
import type { StartChatBody } from './pre-engagement';
import type { StartError } from './state';

export interface StartedChat {
  conversationSid: string;
  identity: string;
  token: string;
  expiresAt: string;
  /** A signed-in customer's active chat was returned (no new one made): it continues. */
  resumed?: boolean;
  /** A signed-in customer's verified name and email, for the widget to show. */
  customer?: SignedInCustomer;
}

export interface RenewedToken {
  identity: string;
  token: string;
  expiresAt: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: { field: string; problem: string }[],
    /** The response's `Retry-After`, in seconds, when it had a readable one. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The service refused the session (401/403): it is over, and trying again will not help. */
export function isRefusal(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 401 || error.status === 403);
}

/**
 * The service will not renew a token because its chat has ended (closed by
 * the agent, by the customer elsewhere, or deleted): the widget shows the
 * chat as ended, not as an error.
 */
export function isChatEnded(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'chat_ended';
}

/** Why a start failed, as the form shows it: the service's code, message and refused fields. */
export function toStartError(error: unknown): StartError {
  if (error instanceof ApiError) {
    return {
      code: error.code,
      message: error.message,
      ...(error.fields && { fields: error.fields }),
    };
  }
  return { code: 'client_error', message: error instanceof Error ? error.message : 'error' };
}

export interface Api {
  /**
   * With a solved challenge (challenge.ts) unless the service requires none,
   * and the CAPTCHA's token when one is configured (captcha.ts).
   */
  startChat(
    body: StartChatBody & { proof?: Proof; captcha?: string; customerToken?: string },
  ): Promise<StartedChat>;
  /** With `customerToken` for a signed-in customer's session (client/lib/customer.ts). */
  refreshToken(token: string, customerToken?: string): Promise<RenewedToken>;
  endChat(
    token: string,
    conversationSid: string,
  ): Promise<{ ended: boolean; alreadyEnded: boolean }>;
}

/** The other functions live next to /start-chat. */
export function siblingUrl(startChatUrl: string, name: string): string {
  return new URL(name, startChatUrl).href;
}

/** A function call that takes longer than this counts as unreachable. */
export const REQUEST_TIMEOUT_MS = 15_000;

/**
 * `AbortSignal.timeout` where the browser has it; an AbortController and a
 * timer where it does not (Safari before 16, Chrome before 103, Firefox
 * before 100), which the build still targets.
 */
export function timeoutSignal(ms: number): AbortSignal {
  if (typeof AbortSignal.timeout === 'function') return AbortSignal.timeout(ms);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), ms);
  return controller.signal;
}

/**
 * POSTs to one of the functions (exported for webchat-customer.js's one): `body` as JSON, or no body at all (a
 * "simple" request, which browsers send without a preflight).
 */
export async function call<T>(fetchImpl: typeof fetch, url: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers:
        body === undefined
          ? { Accept: 'application/json' }
          : { 'Content-Type': 'application/json', Accept: 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      credentials: 'omit',
      signal: timeoutSignal(REQUEST_TIMEOUT_MS),
    });
  } catch {
    throw new ApiError(0, 'network', 'The chat service could not be reached.');
  }
  let payload: unknown;
  try {
    payload = await response.json();
  } catch {
    payload = undefined;
  }
  if (response.ok) return payload as T;
  const error = (
    payload as { error?: { code?: string; message?: string; fields?: [] } } | undefined
  )?.error;
  throw new ApiError(
    response.status,
    error?.code ?? 'http_error',
    error?.message ?? `HTTP ${response.status}`,
    error?.fields,
    retryAfterOf(response),
  );
}

/**
 * `Retry-After` in seconds (the service sends whole seconds, and exposes the
 * header across origins); undefined when absent or an HTTP date.
 */
function retryAfterOf(response: Response): number | undefined {
  const value = response.headers?.get('Retry-After')?.trim();
  return value && /^\d+$/.test(value) ? Number(value) : undefined;
}

export function createApi(startChatUrl: string, fetchImpl: typeof fetch = fetch): Api {
  const post = <T>(url: string, body: unknown) => call<T>(fetchImpl, url, body);
  return {
    startChat: (body) => post(startChatUrl, body),
    refreshToken: (token, customerToken) =>
      post(siblingUrl(startChatUrl, 'refresh-token'), {
        token,
        ...(customerToken && { customerToken }),
      }),
    endChat: (token, conversationSid) =>
      post(siblingUrl(startChatUrl, 'end-chat'), { token, conversationSid }),
  };
}

/** What /challenge answers: the challenge, and which CAPTCHA the form shows (captcha.ts). */
export interface ChallengeAnswer {
  challenge: Challenge | null;
  captcha?: CaptchaSettings | null;
}

/**
 * POST /challenge (src/guard/challenge.ts): a challenge to solve, or null when
 * none is required; `onAnswer` hears the whole answer (the CAPTCHA's settings).
 */
export function createChallengeFetch(
  startChatUrl: string,
  fetchImpl: typeof fetch = fetch,
  onAnswer?: (answer: ChallengeAnswer) => void,
): () => Promise<Challenge | null> {
  const url = siblingUrl(startChatUrl, 'challenge');
  return async () => {
    const answer = await call<ChallengeAnswer>(fetchImpl, url);
    onAnswer?.(answer);
    return answer.challenge;
  };
}

/** POSTs JSON to one of the other functions (/survey, /transcript), as `call` does. */
export function postToService<T>(url: string, body: unknown, fetchImpl: typeof fetch = fetch) {
  return call<T>(fetchImpl, url, body);
}
