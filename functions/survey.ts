/**
 * POST /survey  (public; browsers from ALLOWED_ORIGINS; needs SURVEY=on)
 *
 * The customer's post-chat survey answer: one per chat, stored on the
 * conversation's attributes as `survey: {rating, comment?, at}`, then POSTed
 * to SURVEY_WEBHOOK_URL if set, signed (`X-Webchat-Signature`; src/survey-webhook.ts).
 * A webhook that fails is logged and does not fail the answer.
 *
 * Body (JSON; a token in the URL is refused with 400):
 *   token            the customer's last Access Token (expired at most
 *                    REFRESH_GRACE_SECONDS ago: the chat has ended)
 *   conversationSid  CH…: the chat; the token's identity must be a participant
 *   rating           1 to 5
 *   comment          optional text, <= 1000 characters
 *
 * 200  {saved: true, webhook?: "sent" | "failed"}
 * 4xx/5xx  {error: {code, message, fields?}}: 400 invalid_request,
 *      401 invalid_token | token_expired, 403 origin_not_allowed | forbidden,
 *      409 survey_answered, 415 unsupported_media_type, 502 upstream_error,
 *      503 not_configured (SURVEY off) | upstream_rate_limited
 */
import { publicEndpoint } from '../src/endpoint';
import { parseSurveyRequest } from '../src/requests';
import { saveSurvey, surveyOn } from '../src/survey';
import { verifyCustomerToken } from '../src/tokens';

const config = ['twilio', 'tokens', 'service', 'mode', 'sync', 'survey'] as const;

export const handler = publicEndpoint(
  { config, bodyOnly: ['token'] },
  async ({ config, fields, twilio, nowMs }) => {
    surveyOn(config); // off: 503 before anything else is looked at
    const { token, ...answer } = parseSurveyRequest(fields);
    const { identity } = verifyCustomerToken(config, token, nowMs);
    return { ...(await saveSurvey(twilio(), config, identity, answer, nowMs)) };
  },
);
