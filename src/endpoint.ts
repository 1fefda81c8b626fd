/**
 * The one request path of every browser-facing function, so each function
 * file only says what it does:
 *
 *   origin allowed? -> preflight? -> configured? -> JSON body -> run -> respond
 *
 * The origin is checked first: a site that may not call us learns nothing,
 * not even whether we are configured, and nothing reaches Twilio. Every error,
 * expected or not, leaves through `errorResult`, so there is one error shape.
 *
 * @example
 *   export const handler = publicEndpoint(async ({ config, fields }) => {
 *     const input = parseSomething(fields);
 *     return { ok: true };
 *   });
 */
import type {
  Context,
  ServerlessCallback,
  ServerlessFunctionSignature,
} from '@twilio-labs/serverless-runtime-types/types';
import type { Twilio } from 'twilio';
import { loadConfig, readAllowedOrigins, type Config, type Env } from './config';
import { assertOriginAllowed, corsHeaders, isPreflight, preflightResult } from './cors';
import { ConfigError } from './errors';
import {
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

export interface PublicRequest {
  config: Config;
  /** Body and query fields, `request` removed; not yet validated. */
  fields: JsonBody;
  /** Lazily built, so requests that fail validation never create a client. */
  twilio: () => Twilio;
  nowMs: number;
}

export type PublicHandler = (request: PublicRequest) => JsonBody | Promise<JsonBody>;

export interface PublicEndpointOptions {
  /**
   * Refuse requests without an `Origin` header. Browsers send one on every
   * POST; only read-only GET endpoints, which same-origin pages call without
   * one, turn this off. Default: true.
   */
  requireOrigin?: boolean;
  /** Require a JSON body (415 otherwise). Default: true. */
  jsonBody?: boolean;
}

export function publicEndpoint(
  run: PublicHandler,
  options: PublicEndpointOptions = {},
): ServerlessFunctionSignature<Env, RuntimeEvent> {
  return async (context: FunctionContext, event: RuntimeEvent, callback: ServerlessCallback) => {
    callback(null, toTwilioResponse(await handlePublicRequest(context, event, run, options)));
  };
}

export async function handlePublicRequest(
  context: FunctionContext,
  event: RuntimeEvent,
  run: PublicHandler,
  { requireOrigin = true, jsonBody = true }: PublicEndpointOptions = {},
): Promise<HttpResult> {
  const runtime = { domainName: context.DOMAIN_NAME };
  const origin = header(event, 'origin');
  let cors: Record<string, string> = {};
  try {
    const allowed =
      readAllowedOrigins(context, runtime) ?? loadConfig(context, runtime).allowedOrigins;
    if (requireOrigin || origin !== undefined) assertOriginAllowed(allowed, origin);
    cors = corsHeaders(allowed, origin);
    if (isPreflight(header(event, 'access-control-request-method'))) {
      return preflightResult(allowed, origin);
    }
    const config = loadConfig(context, runtime);
    const fields = jsonBody ? jsonFields(event) : {};
    const body = await run({
      config,
      fields,
      twilio: () => twilioClient(context),
      nowMs: Date.now(),
    });
    return { status: 200, body, headers: cors };
  } catch (error) {
    return errorResult(error, cors);
  }
}

export interface WebhookRequest<T> {
  config: Config;
  /** What `select` picked from the configuration for this webhook. */
  target: T;
  /** The request's parameters (the ones Twilio signed). */
  fields: JsonBody;
  /** A client whose requests time out after `timeoutMs` (default WEBHOOK_TWILIO_TIMEOUT_MS). */
  twilio: (timeoutMs?: number) => Twilio;
  /** When the request arrived (ms since the epoch). */
  receivedAt: number;
}

/**
 * The request path of a function Twilio calls (a webhook): configured? ->
 * meant for this configuration? -> signed by Twilio for the target's URL? ->
 * run -> respond. No CORS: browsers have no business here.
 *
 * `select` picks what the webhook needs from the configuration, including
 * the exact URL Twilio signs; undefined means this configuration gives the
 * webhook no purpose (a 503 saying so).
 *
 * @example
 *   export const handler = twilioWebhookEndpoint(
 *     (config) => (config.handoff.mode === 'webhook' ? config.handoff : undefined),
 *     (handoff) => handoff.interactionUrl,
 *     async ({ target, fields }) => ({ ok: true }),
 *   );
 */
export function twilioWebhookEndpoint<T>(
  select: (config: Config) => T | undefined,
  signedUrl: (target: T) => string,
  run: (request: WebhookRequest<T>) => JsonBody | Promise<JsonBody>,
): ServerlessFunctionSignature<Env, RuntimeEvent> {
  return async (context: FunctionContext, event: RuntimeEvent, callback: ServerlessCallback) => {
    const receivedAt = Date.now();
    let result: HttpResult;
    try {
      const config = loadConfig(context, { domainName: context.DOMAIN_NAME });
      const target = select(config);
      if (target === undefined) {
        throw new ConfigError([
          {
            field: 'HANDOFF_MODE',
            // No value: /status already says the mode to whoever runs the service.
            problem:
              'names a mode that does not use this webhook, so Twilio should not be calling it',
          },
        ]);
      }
      assertTwilioSignature(config.authToken, signedUrl(target), event);
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
