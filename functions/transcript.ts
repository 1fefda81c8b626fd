/**
 * POST /transcript  (public; browsers from ALLOWED_ORIGINS; needs
 * SENDGRID_API_KEY and TRANSCRIPT_FROM)
 *
 * Emails the customer their chat's transcript, built here from Twilio's
 * messages, in the chat's language, through SendGrid: only to the address on
 * the chat's record, never one in the request; at most 3 times per chat.
 *
 * Body (JSON; a token in the URL is refused with 400):
 *   token            the customer's last Access Token (expired at most
 *                    REFRESH_GRACE_SECONDS ago: the chat may have ended)
 *   conversationSid  CH…: the chat; the token's identity must be a participant
 *   agentName?, agentRoleLabel?, timeZone?  as the widget showed the chat
 *                    (src/transcript-request.ts)
 *
 * 200  {sent: true, to: "a•••@example.com", remaining}
 * 4xx/5xx  {error: {code, message, fields?}}: 400 invalid_request,
 *      401 invalid_token | token_expired, 403 origin_not_allowed | forbidden,
 *      415 unsupported_media_type, 422 no_email_on_record,
 *      429 transcript_limit_reached, 502 email_failed | upstream_error,
 *      503 not_configured | upstream_rate_limited
 */
import { publicEndpoint } from '../src/endpoint';
import { verifyCustomerToken } from '../src/tokens';
import { parseTranscriptRequest } from '../src/transcript-request';
import { emailTranscript, transcriptOn } from '../src/transcript-send';

const config = ['twilio', 'tokens', 'service', 'mode', 'sync', 'transcript'] as const;

export const handler = publicEndpoint(
  { config, bodyOnly: ['token'] },
  async ({ config, fields, twilio, nowMs }) => {
    transcriptOn(config); // off: 503 before anything else is looked at
    const { token, ...request } = parseTranscriptRequest(fields);
    const { identity } = verifyCustomerToken(config, token, nowMs);
    return { ...(await emailTranscript(twilio(), config, identity, request, nowMs)) };
  },
);
