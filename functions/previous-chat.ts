/**
 * POST /previous-chat  (public; browsers from ALLOWED_ORIGINS)
 *
 * A returning signed-in customer's previous chat, read-only, for the widget
 * to show above the new one. Only with SHOW_PREVIOUS_CHAT=true.
 *
 * Body (JSON; a token in the URL is refused with 400):
 *   token  the customer's current Access Token (expired at most
 *          REFRESH_GRACE_SECONDS ago)
 *
 * 200  {previousChat: null | {endedAt: ISO | null, messages: [{from: "customer" |
 *      "agent", body, dateCreated: ISO, media?: number}]}}: the most recent
 *      ended conversation of the token's identity other than the one in
 *      progress, its last 50 messages; null for an anonymous identity or
 *      when there is none (src/customer/continuity-previous.ts: REST, 2 round
 *      trips, 1 when there is none)
 * 4xx/5xx  {error: {code, message, fields?}}: 400 invalid_request,
 *      401 invalid_token | token_expired, 403 origin_not_allowed,
 *      404 not_enabled, 415 unsupported_media_type, 502 upstream_error,
 *      503 not_configured | upstream_rate_limited
 */
import { previousChat } from '../src/customer/continuity-previous';
import { publicEndpoint } from '../src/endpoint';
import { NotEnabledError } from '../src/errors';
import { parseRefreshTokenRequest } from '../src/requests';
import { verifyCustomerToken } from '../src/tokens';

const config = ['twilio', 'tokens', 'customer'] as const;

export const handler = publicEndpoint(
  { config, bodyOnly: ['token'] },
  async ({ config, fields, twilio, nowMs }) => {
    // Before the body: a deployment without it says so, whatever was sent.
    if (!config.customer.showPreviousChat) throw new NotEnabledError('SHOW_PREVIOUS_CHAT');
    const { token } = parseRefreshTokenRequest(fields);
    const { identity } = verifyCustomerToken(config, token, nowMs);
    return { previousChat: await previousChat(twilio(), config, identity) };
  },
);
