/**
 * POST /start-chat  (public; browsers from ALLOWED_ORIGINS)
 *
 * Starts a chat with Flex for a website visitor.
 *
 * Body (JSON):
 *   proof          {challenge, solution}: a challenge from /challenge, solved;
 *                  required unless CHALLENGE=off (src/guard/)
 *   friendlyName   string, <= 64 chars: the name agents see ("Customer" if absent)
 *   question       string, <= 1600 chars: posted as the customer's first message
 *   preEngagement  flat object of strings/numbers/booleans, <= 16 KB as JSON
 *
 * 200  {conversationSid, identity, token, expiresAt}
 * 4xx/5xx  {error: {code, message, fields?}}: 400 invalid_request,
 *      403 origin_not_allowed | challenge_required | challenge_invalid |
 *      challenge_expired | outside_opening_hours, 409 challenge_used, 415 unsupported_media_type,
 *      429 budget_exceeded (Retry-After), 502 upstream_error,
 *      503 not_configured | upstream_rate_limited
 *
 * The identity is chosen here, never by the browser, and contains no personal
 * data. How the chat reaches Flex depends on HANDOFF_MODE (src/modes/).
 * Outside OPENING_HOURS it is refused, or marked after hours (src/guard/hours.ts).
 */
import { DEFAULT_CUSTOMER_NAME } from '../src/chat-attributes';
import { publicEndpoint } from '../src/endpoint';
import { guardStart } from '../src/guard';
import { markAfterHours } from '../src/guard/hours';
import { startChat } from '../src/modes';
import { parseStartChatRequest } from '../src/requests';
import { issueToken } from '../src/tokens';

const config = ['twilio', 'tokens', 'chats', 'handoff', 'challenge', 'budget', 'hours'] as const;

export const handler = publicEndpoint({ config }, async (req) => {
  const { config, twilio, nowMs } = req;
  const { proof, ...request } = parseStartChatRequest(req.fields);
  const admitted = await guardStart(twilio, config, { proof, origin: req.origin, nowMs });
  const chat = await startChat(twilio(), config, config.handoff, {
    identity: admitted.identity,
    friendlyName: request.friendlyName ?? DEFAULT_CUSTOMER_NAME,
    ...(request.question !== undefined && { question: request.question }),
    preEngagement: markAfterHours(request.preEngagement, admitted.afterHours),
  });
  const { token, expiresAt } = issueToken(config, chat.identity, admitted.sessionStartedAt, nowMs);
  return { conversationSid: chat.conversationSid, identity: chat.identity, token, expiresAt };
});
