/**
 * POST /refresh-token  (public; browsers from ALLOWED_ORIGINS)
 *
 * Renews the customer's Access Token before (or shortly after) it expires,
 * while their chat is open.
 *
 * Body (JSON; a token in the URL is refused with 400):
 *   token          string: the current token, expired at most REFRESH_GRACE_SECONDS ago
 *   customerToken  string: a signed-in customer's fresh customer token (JWT);
 *                  needed for every renewal of theirs (src/customer/verify-session.ts)
 *
 * 200  {identity, token, expiresAt, previousChat?: true}: same identity, same
 *      Conversations grant; previousChat when /previous-chat answers for it
 *      (SHOW_PREVIOUS_CHAT and a signed-in customer), so a reloaded widget knows
 * 4xx/5xx  {error: {code, message, fields?}}: 400 invalid_request,
 *      401 invalid_token | token_expired | customer_token_invalid |
 *      customer_token_expired | customer_token_required, 403 origin_not_allowed |
 *      session_expired | chat_ended, 415 unsupported_media_type,
 *      503 not_configured | customer_keys_unavailable
 *
 * The identity comes only from the verified token, never from the caller;
 * renewals stop SESSION_MAX_AGE_SECONDS after the chat started (a signed-in
 * customer's need a fresh customer token every time instead), and as soon as
 * the chat has ended (src/chat-open.ts: one Twilio request, one round trip).
 */
import { assertChatOpen } from '../src/chat-open';
import { offersPreviousChat, renewedSessionStart } from '../src/customer/verify-session';
import { publicEndpoint } from '../src/endpoint';
import { parseRefreshTokenRequest } from '../src/requests';
import { issueToken, verifyCustomerToken } from '../src/tokens';

const config = ['tokens', 'twilio', 'customer'] as const;

export const handler = publicEndpoint(
  { config, bodyOnly: ['token', 'customerToken'] },
  async ({ config, fields, twilio, nowMs }) => {
    const { token, customerToken } = parseRefreshTokenRequest(fields);
    const session = verifyCustomerToken(config, token, nowMs);
    const startedAt = await renewedSessionStart(config, session, customerToken, nowMs);
    // Checked before the Twilio request: a session past its age costs none.
    const renewed = issueToken(config, session.identity, startedAt, nowMs);
    await assertChatOpen(twilio(), config, session.identity);
    const { identity, expiresAt } = renewed;
    const offered = offersPreviousChat(config, identity) && { previousChat: true };
    return { identity, token: renewed.token, expiresAt, ...offered };
  },
);
