/**
 * The HTTP edge of every function: reading the runtime's `event`, and writing
 * the one response shape. Success is the JSON payload; failure is always
 * `{error: {code, message, fields?}}` with the status of its `HttpError`.
 * Unexpected errors become a bare 500: no message, no stack, logged once.
 */
/// <reference types="@twilio-labs/serverless-runtime-types" />
import type {
  ServerlessEventObject,
  TwilioResponse,
} from '@twilio-labs/serverless-runtime-types/types';
import { BadRequestError, HttpError, UnsupportedMediaTypeError } from './errors';
import { log } from './log';

/** Header values as the Functions runtime passes them (names lower-cased). */
export type Headers = Record<string, string | string[] | undefined>;

/** The runtime's `event`: query and body merged, plus its own `request` key. */
export type RuntimeEvent = ServerlessEventObject<
  Record<string, unknown>,
  Headers,
  Record<string, string>
>;

export type JsonBody = Record<string, unknown>;

/** A response before it becomes a `Twilio.Response`: easy to build and to test. */
export interface HttpResult {
  status: number;
  body?: JsonBody;
  headers?: Record<string, string>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * First value of a request header, by case-insensitive name; only strings
 * count. The runtime builds the event as `{request, ...query, ...body}`, so a
 * caller's own `request` parameter can replace the real headers with any
 * shape at all: anything that is not a string is treated as absent.
 */
export function header(event: RuntimeEvent, name: string): string | undefined {
  const request: unknown = event.request;
  const headers = isObject(request) ? request.headers : undefined;
  const value = isObject(headers) ? headers[name.toLowerCase()] : undefined;
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

/**
 * Refuses an event whose `request` is not the runtime's own: the runtime
 * always passes `{headers, cookies}`, both objects, and a caller's query or
 * body key named `request` (`?request[headers][origin]=…`) replaces it
 * whole. That is how one `<img>` tag on any page could make visitors'
 * browsers call us with an allowed Origin and a JSON content type that they
 * never sent. A forger who also fakes `cookies` gets past this check; what
 * stops them is the challenge (src/guard/challenge.ts), whose proof a query
 * string or a form cannot even express.
 *
 * Hazard: this relies on the runtime passing `cookies` even when there are
 * none (twilio-run passes `{}`, and Twilio's docs read it unguarded). A
 * runtime that omitted it would have every browser request refused here.
 */
export function assertRuntimeRequest(event: RuntimeEvent): void {
  const request: unknown = event.request;
  if (isObject(request) && isObject(request.headers) && isObject(request.cookies)) return;
  throw new BadRequestError('Send the request as JSON: "request" is not a parameter name.', [
    { field: 'request', problem: 'is reserved by the Functions runtime' },
  ]);
}

/**
 * The caller's parameters: body and query alike (the runtime merges them),
 * minus the runtime's own `request` key. `fromEntries` defines own
 * properties, so a key "__proto__" stays a field (and is refused as
 * unknown) instead of becoming this object's prototype.
 */
export function eventFields(event: RuntimeEvent): JsonBody {
  return Object.fromEntries(Object.entries(event).filter(([key]) => key !== 'request'));
}

/**
 * The caller's fields from a JSON body. Requires `application/json`: the
 * runtime would otherwise happily merge a form post into the same object.
 */
export function jsonFields(event: RuntimeEvent): JsonBody {
  const contentType = header(event, 'content-type');
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') throw new UnsupportedMediaTypeError(contentType);
  const fields = eventFields(event);
  const deep = Object.keys(fields).filter((name) => jsonDepth(fields[name]) > MAX_JSON_DEPTH);
  if (deep.length > 0) {
    throw new BadRequestError(
      'The request nests arrays or objects too deeply.',
      deep.map((field) => ({
        field,
        problem: `must nest at most ${MAX_JSON_DEPTH} levels of arrays and objects`,
      })),
    );
  }
  return fields;
}

/**
 * How deeply a body's field may nest arrays and objects. No field of this
 * service's nests more than a few levels (a customer's claims, the
 * pre-engagement answers); the cap is what keeps `[[[…]]]` from reaching
 * code that recurses: JSON.stringify runs out of stack at ~5,000 levels, which
 * a 16 KB field holds twice over (a 500 where the caller deserves a 400).
 */
export const MAX_JSON_DEPTH = 32;

/** Levels of arrays and objects in a value (0 for a scalar), counted by a loop up to `MAX_JSON_DEPTH + 1`. */
function jsonDepth(value: unknown): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, depth] = next;
    if (item === null || typeof item !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_JSON_DEPTH) return deepest;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * Refuses a secret (a customer's token) that arrived in the URL instead of
 * the JSON body. URLs end up in logs (the local runtime prints each one in
 * full, proxies and browser histories keep them), bodies do not.
 *
 * The runtime merges query and body into one `event` (the body winning), and
 * shows a function neither the URL nor the raw body, so the one thing that
 * tells them apart is the body's size: `Content-Length`, which Twilio passes
 * to functions (only the headers listed on its "Headers and cookies:
 * limitations" page are withheld). A body that carried every field is at
 * least as long as their shortest JSON (`minJsonBytes`: all fields, since a
 * body with other fields, a proof say, could otherwise outweigh a token that
 * came in the URL); a body without them (the values came from the query
 * string), or no body at all (a GET), is shorter. Unknown fields are
 * refused, so a body cannot be padded with one; only deliberate whitespace
 * could fool this, which is not the mistake it guards against.
 *
 * Hazard: a body sent in chunks (`Transfer-Encoding`, withheld by Twilio)
 * has no `Content-Length` and is refused here. The widget, `fetch` with a
 * string body, curl and Postman all send one. No `Content-Length` is how a
 * GET looks, the very request this refuses, so it cannot be let through.
 * Twilio documents the header as passed (it is not on the withheld list);
 * no test here can prove it of a deployed service: check one renewal there.
 */
export function assertInBody(
  event: RuntimeEvent,
  fields: JsonBody,
  names: readonly string[],
): void {
  const present = names.filter((name) => typeof fields[name] === 'string');
  if (present.length === 0) return; // absent or not text: the request's parser says so
  const needed = minJsonBytes(fields);
  const length = Number(header(event, 'content-length'));
  if (Number.isFinite(length) && length >= needed) return;
  throw new BadRequestError(
    'Send the token in the JSON body, never in the URL.',
    present.map((field) => ({ field, problem: 'must be sent in the JSON body, not the URL' })),
  );
}

/**
 * The fewest bytes any JSON text of this value can take: strings as
 * JSON.stringify writes them (its escapes are the shortest), but every
 * number as one byte, since a body may write `1e5` for 100000.
 *
 * Hazard: iterative, not recursive. A body is only a few KB, but `[[[…]]]`
 * nests one level per 2 bytes: a recursive walk ran out of stack at ~3,000
 * levels (a 500 on every endpoint that measures its body) where a loop
 * simply counts them.
 */
export function minJsonBytes(value: unknown): number {
  let bytes = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'number') {
      bytes += 1;
    } else if (Array.isArray(next)) {
      bytes += 2 + Math.max(0, next.length - 1);
      for (const item of next as unknown[]) pending.push(item);
    } else if (isObject(next)) {
      const entries = Object.entries(next);
      bytes += 2 + Math.max(0, entries.length - 1);
      for (const [key, item] of entries) {
        bytes += Buffer.byteLength(JSON.stringify(key)) + 1;
        pending.push(item);
      }
    } else {
      bytes += Buffer.byteLength(JSON.stringify(next) ?? '');
    }
  }
  return bytes;
}

export function errorResult(error: unknown, headers: Record<string, string> = {}): HttpResult {
  if (error instanceof HttpError) {
    const { code, message, fields } = error;
    return {
      status: error.status,
      body: { error: { code, message, ...(fields && { fields }) } },
      headers: { ...headers, ...error.headers },
    };
  }
  log.error('unexpected_error', { error });
  return {
    status: 500,
    body: { error: { code: 'internal_error', message: 'Something went wrong on our side.' } },
    headers,
  };
}

/** Writes a result the way the Functions runtime expects it. */
export function toTwilioResponse(result: HttpResult): TwilioResponse {
  const response = new Twilio.Response();
  response.setStatusCode(result.status);
  // Responses carry tokens or per-request errors: never cache them, unless
  // the result says otherwise (read-only answers such as /availability).
  const headers = { 'Cache-Control': 'no-store', ...result.headers };
  for (const [name, value] of Object.entries(headers)) {
    response.appendHeader(name, value);
  }
  if (result.body !== undefined) {
    response.appendHeader('Content-Type', 'application/json');
    response.setBody(result.body);
  }
  return response;
}
