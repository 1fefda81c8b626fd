/**
 * Who may call the browser-facing functions, and the CORS headers they get.
 *
 * Only origins in the allow list (plus the service's own) get
 * `Access-Control-Allow-Origin: <that origin>` and `Vary: Origin`; `*` is sent
 * only when `ALLOWED_ORIGINS=*`. A request from any other origin, or (for the
 * POST endpoints) with no `Origin` at all, is refused before anything else
 * happens.
 *
 * What this protects: which websites can use the chat, i.e. read its
 * answers (tokens) in a browser. It is not an authentication: a caller that
 * is not a browser can send any Origin, and a parameter named `request` can
 * replace the headers the runtime passes us (docs/api.md, "What ALLOWED_ORIGINS
 * protects").
 *
 * Preflight: deployed Functions and twilio-run both answer `OPTIONS` themselves
 * (permissively) and never run the function, so the real decision is made on
 * the POST. Should a preflight ever reach the function, `preflightResult`
 * answers it with the same policy.
 *
 * @example
 *   assertOriginAllowed(config.allowedOrigins, header(event, 'origin'));
 *   const headers = corsHeaders(config.allowedOrigins, origin);
 */
import type { AllowedOrigins } from './config';
import { ForbiddenError } from './errors';
import type { HttpResult } from './http';

export function isOriginAllowed(allowed: AllowedOrigins, origin: string | undefined): boolean {
  if (allowed === '*') return true;
  return origin !== undefined && allowed.includes(origin.toLowerCase());
}

export function assertOriginAllowed(allowed: AllowedOrigins, origin: string | undefined): void {
  if (origin === undefined) {
    throw new ForbiddenError(
      'origin_not_allowed',
      'Requests must come from a web page: the Origin header is missing.',
    );
  }
  if (!isOriginAllowed(allowed, origin)) {
    throw new ForbiddenError(
      'origin_not_allowed',
      'This website is not allowed to start chats here. Add its origin to ALLOWED_ORIGINS.',
    );
  }
}

/** Headers for a response to an allowed origin (none for a refused one). */
export function corsHeaders(
  allowed: AllowedOrigins,
  origin: string | undefined,
): Record<string, string> {
  if (allowed === '*') return { 'Access-Control-Allow-Origin': '*' };
  if (origin === undefined || !isOriginAllowed(allowed, origin)) return {};
  return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
}

export function isPreflight(accessControlRequestMethod: string | undefined): boolean {
  return accessControlRequestMethod !== undefined;
}

export function preflightResult(allowed: AllowedOrigins, origin: string | undefined): HttpResult {
  return {
    status: 204,
    headers: {
      ...corsHeaders(allowed, origin),
      'Access-Control-Allow-Methods': 'POST, OPTIONS',
      'Access-Control-Allow-Headers': 'Content-Type',
      'Access-Control-Max-Age': '600',
    },
  };
}
