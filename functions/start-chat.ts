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
 *   customerToken  string: a signed-in customer's token (JWT) from the
 *                  website's backend; body only (src/customer/verify.ts)
 *   context        flat object like preEngagement, <= 4 KB: the site's context for
 *                  the agent, stored as the attributes' `context` (src/chat-details.ts)
 *   page           {url, title?}: where the chat started (http(s) only), as `page`
 *   locale         language tag ("en", "es-MX"): the chat's language, as `locale`
 *
 * 200  {conversationSid, identity, token, expiresAt, resumed, customer?: {name?, email?},
 *      previousChat?: true}
 *      resumed: true when a signed-in customer's chat in progress was returned
 *      (another device's): the question joined it, nothing new was made;
 *      previousChat: /previous-chat answers for this chat (SHOW_PREVIOUS_CHAT)
 * 4xx/5xx  {error: {code, message, fields?}}: 400 invalid_request,
 *      403 origin_not_allowed | challenge_required | challenge_invalid |
 *      challenge_expired | captcha_required | captcha_invalid |
 *      outside_opening_hours, 401 customer_token_invalid |
 *      customer_token_expired | customer_token_required, 409 challenge_used |
 *      customer_chat_limit, 415 unsupported_media_type,
 *      429 budget_exceeded (Retry-After), 502 upstream_error,
 *      503 not_configured | captcha_unavailable | customer_keys_unavailable |
 *      upstream_rate_limited | chat_starting
 *      (Retry-After): nothing was started, and the same proof may be sent
 *      again after the wait
 *
 * The identity is chosen here, never by the browser, and contains no personal
 * data. How the chat reaches Flex depends on HANDOFF_MODE (src/modes/). A
 * signed-in customer gets their chat in progress back (src/customer/continuity.ts).
 * Outside OPENING_HOURS it is refused, or marked after hours (src/guard/hours.ts).
 */
import { DEFAULT_CUSTOMER_NAME } from '../src/chat-attributes';
import { shownCustomer } from '../src/customer/verify';
import { offersPreviousChat } from '../src/customer/verify-session';
import { publicEndpoint } from '../src/endpoint';
import { startAdmitted } from '../src/customer/continuity-start';
import { admitStart } from '../src/guard';
import { markAfterHours } from '../src/guard/hours';
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
  'customer',
] as const;

export const handler = publicEndpoint({ config, bodyOnly: ['customerToken'] }, async (req) => {
  const { config, twilio, nowMs } = req;
  const { proof, captcha, customerToken, ...request } = parseStartChatRequest(req.fields);
  const guarded = { proof, captcha, customerToken, origin: req.origin, nowMs };
  const admitted = await admitStart(config, guarded);
  const chat = await startAdmitted(
    twilio,
    config,
    admitted,
    {
      // A verified name wins over what was typed (src/chat-attributes.ts).
      friendlyName: admitted.customer?.claims.name ?? request.friendlyName ?? DEFAULT_CUSTOMER_NAME,
      ...(request.question !== undefined && { question: request.question }),
      preEngagement: markAfterHours(request.preEngagement, admitted.afterHours),
      details: chatDetailsOf(request),
    },
    nowMs,
  );
  const { token, expiresAt } = issueToken(config, chat.identity, admitted.sessionStartedAt, nowMs);
  const shown = admitted.customer && shownCustomer(admitted.customer);
  const { conversationSid, identity, resumed } = chat;
  return {
    ...{ conversationSid, identity, token, expiresAt, resumed },
    ...(shown && { customer: shown }),
    ...(offersPreviousChat(config, identity) && { previousChat: true }),
  };
});
