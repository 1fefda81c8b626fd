/**
 * The one request path of every browser-facing function, so each function
 * file only says what it does:
 *
 *   runtime's own headers? -> origin allowed? -> preflight? -> configured?
 *     -> JSON body (secrets in it, not the URL) -> run -> respond
 *
 * The origin is checked first: a site that may not call us learns nothing,
 * not even whether we are configured, and nothing reaches Twilio. Every error,
 * expected or not, leaves through `errorResult`, so there is one error shape.
 *
 * Each function names the configuration sections it uses; only those are
 * read and validated (src/config), once per request.
 *
 * @example
 *   export const handler = publicEndpoint({ config: ['tokens'] }, ({ config, fields }) => {
 *     const input = parseSomething(fields);
 *     return { ok: true, ttl: config.tokenTtlSeconds };
 *   });
 */
import type {
  Context,
  ServerlessCallback,
  ServerlessFunctionSignature,
} from '@twilio-labs/serverless-runtime-types/types';
import type { Twilio } from 'twilio';
import { loadConfig, readAllowedOrigins, type ConfigOf, type Env, type Section } from './config';
import { assertOriginAllowed, corsHeaders, isPreflight, preflightResult } from './cors';
import {
  assertInBody,
  assertRuntimeRequest,
  errorResult,
  eventFields,
  header,
  jsonFields,
  toTwilioResponse,
  type HttpResult,
  type JsonBody,
  type RuntimeEvent,
} from './http';
import { assertTwilioSignature } from './twilio-signature';

/** What the Functions runtime passes as `context`, with our variables. */
export type FunctionContext = Context<Env>;

/**
 * How long each Twilio request may take. A Function has 10 s in all, and a
 * chat start makes at most 5 requests in a row (3 steps, a look for a question
 * whose answer was lost, and a clean-up): 8.5 s at worst.
 */
export const TWILIO_TIMEOUT_MS = 1700;
/** Shorter for webhooks: Twilio waits 5 s for them, and /interaction makes up to 4 in a row. */
export const WEBHOOK_TWILIO_TIMEOUT_MS = 2000;

export interface PublicRequest<C> {
  /** Only the sections this function asked for, read and validated once. */
  config: C;
  /** Body and query fields, `request` removed; not yet validated. */
  fields: JsonBody;
  /** The request's `Origin`, allowed; undefined only where `requireOrigin` is false. */
  origin: string | undefined;
  /** Lazily built, so requests that fail validation never create a client. */
  twilio: () => Twilio;
  nowMs: number;
}

export interface PublicEndpointOptions<S extends Section, B extends JsonBody = JsonBody> {
  /**
   * The configuration sections this function uses (src/config): only these
   * are read and validated, so a problem elsewhere never stops it.
   */
  config: readonly S[];
  /**
   * Refuse requests without an `Origin` header. Browsers send one on every
   * POST; only read-only GET endpoints, which same-origin pages call without
   * one, turn this off. Default: true.
   */
  requireOrigin?: boolean;
  /** Require a JSON body (415 otherwise). Default: true. */
  jsonBody?: boolean;
  /** Each Twilio request's timeout. Default: TWILIO_TIMEOUT_MS. */
  twilioTimeoutMs?: number;
  /**
   * For read-only answers browsers may reuse: seconds for a 200's
   * `Cache-Control: public, max-age=N` (with `Vary: Origin` when CORS applies).
   * Errors are never cached. Default: no Cache-Control.
   */
  maxAgeSeconds?: (body: B, nowMs: number) => number;
  /**
   * Fields that must arrive in the JSON body, never in the URL (tokens):
   * refused with 400 otherwise (see `assertInBody`).
   */
  bodyOnly?: readonly string[];
}

export function publicEndpoint<S extends Section, B extends JsonBody = JsonBody>(
  options: PublicEndpointOptions<S, B>,
  run: (request: PublicRequest<ConfigOf<S>>) => B | Promise<B>,
): ServerlessFunctionSignature<Env, RuntimeEvent> {
  return async (context: FunctionContext, event: RuntimeEvent, callback: ServerlessCallback) => {
    callback(null, toTwilioResponse(await handlePublicRequest(context, event, options, run)));
  };
}

export async function handlePublicRequest<S extends Section, B extends JsonBody = JsonBody>(
  context: FunctionContext,
  event: RuntimeEvent,
  options: PublicEndpointOptions<S, B>,
  run: (request: PublicRequest<ConfigOf<S>>) => B | Promise<B>,
): Promise<HttpResult> {
  const { config: sections, requireOrigin = true, jsonBody = true, maxAgeSeconds } = options;
  const { bodyOnly = [] } = options;
  const runtime = { domainName: context.DOMAIN_NAME };
  const origin = header(event, 'origin');
  let cors: Record<string, string> = {};
  try {
    assertRuntimeRequest(event);
    // A malformed ALLOWED_ORIGINS: nobody can be let in, and the error names
    // it with whatever else this function's sections lack.
    const allowed =
      readAllowedOrigins(context, runtime) ??
      loadConfig<Section>(context, runtime, ['origins', ...sections]).allowedOrigins;
    if (requireOrigin || origin !== undefined) assertOriginAllowed(allowed, origin);
    cors = corsHeaders(allowed, origin);
    if (isPreflight(header(event, 'access-control-request-method'))) {
      return preflightResult(allowed, origin);
    }
    const config = loadConfig(context, runtime, sections);
    const fields = jsonBody ? jsonFields(event) : {};
    assertInBody(event, fields, bodyOnly);
    const nowMs = Date.now();
    const twilio = () => twilioClient(context, options.twilioTimeoutMs);
    const body = await run({ config, fields, origin, twilio, nowMs });
    const cache = maxAgeSeconds && {
      'Cache-Control': `public, max-age=${maxAgeSeconds(body, nowMs)}`,
    };
    return { status: 200, body, headers: { ...cors, ...cache } };
  } catch (error) {
    return errorResult(error, cors);
  }
}

export interface WebhookRequest<C, T> {
  config: C;
  /** What `target` picked from the configuration for this webhook. */
  target: T;
  /** The request's parameters (the ones Twilio signed). */
  fields: JsonBody;
  /** A client whose requests time out after `timeoutMs` (default WEBHOOK_TWILIO_TIMEOUT_MS). */
  twilio: (timeoutMs?: number) => Twilio;
  /** When the request arrived (ms since the epoch). */
  receivedAt: number;
}

export interface WebhookEndpointOptions<S extends Section, T> {
  /** The configuration sections this webhook uses; `twilio` is always read (the signature). */
  config: readonly S[];
  /**
   * What the webhook acts on, from the configuration; throws a `ConfigError`
   * when this configuration gives Twilio no reason to call it.
   */
  target: (config: ConfigOf<S>) => T;
  /** The exact URL Twilio signs for this target. */
  signedUrl: (target: T) => string;
}

/**
 * The request path of a function Twilio calls (a webhook): configured? ->
 * meant for this configuration? -> signed by Twilio for the target's URL? ->
 * run -> respond. No CORS: browsers have no business here.
 *
 * @example
 *   export const handler = twilioWebhookEndpoint(
 *     { config: ['interaction'], target: (c) => c.interaction ?? notHere(), signedUrl: (r) => r.interactionUrl },
 *     async ({ target, fields }) => ({ ok: true }),
 *   );
 */
export function twilioWebhookEndpoint<S extends Section, T>(
  { config: sections, target: select, signedUrl }: WebhookEndpointOptions<S, T>,
  run: (request: WebhookRequest<ConfigOf<S | 'twilio'>, T>) => JsonBody | Promise<JsonBody>,
): ServerlessFunctionSignature<Env, RuntimeEvent> {
  return async (context: FunctionContext, event: RuntimeEvent, callback: ServerlessCallback) => {
    const receivedAt = Date.now();
    let result: HttpResult;
    try {
      const runtime = { domainName: context.DOMAIN_NAME };
      const config = loadConfig(context, runtime, ['twilio', ...sections]);
      const target = select(config);
      // Read above with every other section ('twilio' is always asked for).
      const { authToken } = config as ConfigOf<'twilio'>;
      assertTwilioSignature(authToken, signedUrl(target), event);
      const fields = eventFields(event);
      const twilio = (timeoutMs = WEBHOOK_TWILIO_TIMEOUT_MS) => twilioClient(context, timeoutMs);
      const body = await run({ config, target, fields, twilio, receivedAt });
      result = { status: 200, body };
    } catch (error) {
      result = errorResult(error);
    }
    callback(null, toTwilioResponse(result));
  };
}

/**
 * The runtime's client, built from the project's own `twilio` (v6). The
 * runtime's type definitions describe the older copy bundled with them, hence
 * the cast, made once here.
 */
export function twilioClient(context: FunctionContext, timeoutMs = TWILIO_TIMEOUT_MS): Twilio {
  return context.getTwilioClient({ timeout: timeoutMs }) as unknown as Twilio;
}
