/**
 * POST /start-chat  (public; browsers from ALLOWED_ORIGINS)
 *
 * Starts a chat with Flex for a website visitor.
 *
 * Body (JSON):
 *   proof          {challenge, solution}: a challenge from /challenge, solved;
 *                  required unless CHALLENGE=off (src/guard/)
 *   captcha        string: the CAPTCHA provider's token; required when CAPTCHA
 *                  is turnstile or hcaptcha (src/guard/captcha.ts)
 *   friendlyName   string, <= 64 chars: the name agents see ("Customer" if absent)
 *   question       string, <= 1600 chars: posted as the customer's first message
 *   preEngagement  flat object of strings/numbers/booleans, <= 16 KB as JSON
 *   context        flat object like preEngagement, <= 4 KB: the site's context for
 *                  the agent, stored as the attributes' `context` (src/chat-details.ts)
 *   page           {url, title?}: where the chat started (http(s) only), as `page`
 *   locale         language tag ("en", "es-MX"): the chat's language, as `locale`
 *
 * 200  {conversationSid, identity, token, expiresAt}
 * 4xx/5xx  {error: {code, message, fields?}}: 400 invalid_request,
 *      403 origin_not_allowed | challenge_required | challenge_invalid |
 *      challenge_expired | captcha_required | captcha_invalid |
 *      outside_opening_hours, 409 challenge_used, 415 unsupported_media_type,
 *      429 budget_exceeded (Retry-After), 502 upstream_error,
 *      503 not_configured | captcha_unavailable | upstream_rate_limited
 *      (Retry-After): nothing was started, and the same proof may be sent
 *      again after the wait
 *
 * The identity is chosen here, never by the browser, and contains no personal
 * data. How the chat reaches Flex depends on HANDOFF_MODE (src/modes/).
 * Outside OPENING_HOURS it is refused, or marked after hours (src/guard/hours.ts).
 */
import { DEFAULT_CUSTOMER_NAME } from '../src/chat-attributes';
import { publicEndpoint } from '../src/endpoint';
import { guardStart, startClaimed } from '../src/guard';
import { markAfterHours } from '../src/guard/hours';
import { startChat } from '../src/modes';
import { chatDetailsOf, parseStartChatRequest } from '../src/requests';
import { issueToken } from '../src/tokens';

const config = [
  'twilio',
  'tokens',
  'chats',
  'handoff',
  'challenge',
  'budget',
  'captcha',
  'hours',
] as const;

export const handler = publicEndpoint({ config }, async (req) => {
  const { config, twilio, nowMs } = req;
  const { proof, captcha, ...request } = parseStartChatRequest(req.fields);
  const guarded = { proof, captcha, origin: req.origin, nowMs };
  const admitted = await guardStart(twilio, config, guarded);
  const chat = await startClaimed(twilio, config, admitted, () =>
    startChat(twilio(), config, config.handoff, {
      identity: admitted.identity,
      friendlyName: request.friendlyName ?? DEFAULT_CUSTOMER_NAME,
      ...(request.question !== undefined && { question: request.question }),
      preEngagement: markAfterHours(request.preEngagement, admitted.afterHours),
      details: chatDetailsOf(request),
    }),
  );
  const { token, expiresAt } = issueToken(config, chat.identity, admitted.sessionStartedAt, nowMs);
  return { conversationSid: chat.conversationSid, identity: chat.identity, token, expiresAt };
});
