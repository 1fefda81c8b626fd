/**
 * POST /refresh-token  (public; browsers from ALLOWED_ORIGINS)
 *
 * Renews the customer's Access Token before (or shortly after) it expires.
 *
 * Body (JSON):
 *   token  string: the current token, expired at most REFRESH_GRACE_SECONDS ago
 *
 * 200  {identity, token, expiresAt}: same identity, same Conversations grant
 * 4xx/5xx  {error: {code, message, fields?}}: 400 invalid_request,
 *      401 invalid_token | token_expired, 403 origin_not_allowed | session_expired,
 *      415 unsupported_media_type, 503 not_configured
 *
 * The identity comes only from the verified token, never from the caller, and
 * renewals stop SESSION_MAX_AGE_SECONDS after the chat started. No Twilio API
 * call is made.
 */
import { publicEndpoint } from '../src/endpoint';
import { parseRefreshTokenRequest } from '../src/requests';
import { issueToken, verifyCustomerToken } from '../src/tokens';

export const handler = publicEndpoint({ config: ['tokens'] }, ({ config, fields, nowMs }) => {
  const { token } = parseRefreshTokenRequest(fields);
  const session = verifyCustomerToken(config, token, nowMs);
  const renewed = issueToken(config, session.identity, session.sessionStartedAt, nowMs);
  return { identity: renewed.identity, token: renewed.token, expiresAt: renewed.expiresAt };
});
