/**
 * POST /end-chat  (public; browsers from ALLOWED_ORIGINS)
 *
 * The customer ends their chat. Works in every hand-off mode: closes Flex's
 * Interaction Channel when this service recorded one (webhook mode), the
 * conversation otherwise, after telling the agent, once however many calls
 * arrive together (a claim in Sync: src/end-chat.ts). Idempotent.
 *
 * Body (JSON; a token in the URL is refused with 400):
 *   token            the customer's current Access Token (expired at most
 *                    REFRESH_GRACE_SECONDS ago)
 *   conversationSid  CH…: the chat to end; the token's identity must be a participant
 *                    (an unknown chat gets the same 403 as somebody else's)
 *
 * 200  {ended: true, alreadyEnded, closed?: "interaction" | "conversation"}
 * 4xx/5xx  {error: {code, message, fields?}}: 400 invalid_request,
 *      401 invalid_token | token_expired, 403 origin_not_allowed | forbidden,
 *      415 unsupported_media_type, 502 upstream_error, 503 not_configured
 */
import { publicEndpoint } from '../src/endpoint';
import { endChat } from '../src/end-chat';
import { parseEndChatRequest } from '../src/requests';
import { verifyCustomerToken } from '../src/tokens';

const config = ['twilio', 'tokens', 'service', 'mode', 'sync'] as const;

export const handler = publicEndpoint(
  { config, bodyOnly: ['token'] },
  async ({ config, fields, twilio, nowMs }) => {
    const { token, conversationSid } = parseEndChatRequest(fields);
    const { identity } = verifyCustomerToken(config, token, nowMs);
    return { ...(await endChat(twilio(), config, identity, conversationSid)) };
  },
);
