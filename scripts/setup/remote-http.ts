/**
 * How `npm run doctor -- --url` talks to a deployed service: one HTTP request
 * per probe, with a timeout, answered as status, headers and the parsed JSON
 * body (when there is one). A request that gets no answer at all throws
 * `Unreachable` with the cause in words.
 *
 * @example
 *   const probe = createProbe('https://webchat-1234-dev.twil.io');
 *   const answer = await probe('status');
 *   answer.status; // 200
 */

/** What a function answered: the body parsed when it is JSON, else undefined. */
export interface Answer {
  status: number;
  headers: Headers;
  json: unknown;
  bytes: number;
}

/** The service's error shape (src/http.ts `errorResult`). */
export interface ErrorBody {
  code?: string;
  message?: string;
  fields?: { field: string; problem: string }[];
}

export class Unreachable extends Error {
  override name = 'Unreachable';
}

export type Probe = (path: string, init?: RequestInit) => Promise<Answer>;

/** A deployed function gets 10 s; a little more covers a cold start. */
export const PROBE_TIMEOUT_MS = 15_000;

/** The code, message and fields of an error answer; undefined for any other body. */
export function errorOf(answer: Answer): ErrorBody | undefined {
  const body = answer.json as { error?: unknown } | undefined;
  const error: unknown = body?.error;
  return typeof error === 'object' && error !== null ? error : undefined;
}

/**
 * Why a fetch failed, in words ("getaddrinfo ENOTFOUND x.twil.io", "no answer
 * within 15 s"): fetch's own message is only "fetch failed", the reason is its
 * `cause`. Read by shape, not `instanceof` (errors may come from another realm).
 */
function causeOf(error: unknown): string {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    message?: unknown;
    cause?: { message?: unknown; code?: unknown };
  };
  if (e.name === 'TimeoutError') return `no answer within ${PROBE_TIMEOUT_MS / 1000} s`;
  const text = e.cause?.message ?? e.cause?.code ?? e.message;
  return typeof text === 'string' && text ? text : String(error);
}

/** Probes relative to the service's root (`base`, an origin). */
export function createProbe(base: string, fetchImpl: typeof fetch = fetch): Probe {
  return async (path, init = {}) => {
    let response: Response;
    try {
      response = await fetchImpl(new URL(path, `${base}/`), {
        redirect: 'manual',
        ...init,
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
    } catch (error) {
      throw new Unreachable(causeOf(error));
    }
    const buffer = Buffer.from(await response.arrayBuffer());
    let json: unknown;
    if (/json/i.test(response.headers.get('content-type') ?? '')) {
      try {
        json = JSON.parse(buffer.toString('utf8'));
      } catch {
        json = undefined;
      }
    }
    return { status: response.status, headers: response.headers, json, bytes: buffer.length };
  };
}

/** Whether a host is this machine (then nothing Twilio does in front of functions applies). */
export function isLocalUrl(url: URL): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}
