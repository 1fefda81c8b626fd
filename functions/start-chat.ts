/**
 * POST /start-chat  (public; browsers from ALLOWED_ORIGINS)
 *
 * Starts a chat with Flex for a website visitor.
 *
 * Body (JSON, all optional):
 *   friendlyName   string, <= 64 chars: the name agents see ("Customer" if absent)
 *   question       string, <= 1600 chars: posted as the customer's first message
 *   preEngagement  flat object of strings/numbers/booleans, <= 16 KB as JSON
 *
 * 200  {conversationSid, identity, token, expiresAt}
 * 4xx/5xx  {error: {code, message, fields?}}: 400 invalid_request,
 *      403 origin_not_allowed, 415 unsupported_media_type, 429 budget_exceeded
 *      (Retry-After; src/guard/budget.ts), 502 upstream_error,
 *      503 not_configured | upstream_rate_limited
 *
 * The identity is chosen here, never by the browser, and contains no personal
 * data. How the chat reaches Flex depends on HANDOFF_MODE (src/modes/).
 */
import { DEFAULT_CUSTOMER_NAME } from '../src/chat-attributes';
import { publicEndpoint } from '../src/endpoint';
import { spendChatBudget } from '../src/guard/budget';
import { newIdentity } from '../src/identity';
import { startChat } from '../src/modes';
import { parseStartChatRequest } from '../src/requests';
import { issueToken } from '../src/tokens';

const config = ['twilio', 'tokens', 'chats', 'handoff', 'budget'] as const;

export const handler = publicEndpoint({ config }, async ({ config, fields, twilio, nowMs }) => {
  const request = parseStartChatRequest(fields);
  await spendChatBudget(twilio, config, nowMs);
  const chat = await startChat(twilio(), config, config.handoff, {
    identity: newIdentity(nowMs),
    friendlyName: request.friendlyName ?? DEFAULT_CUSTOMER_NAME,
    ...(request.question !== undefined && { question: request.question }),
    preEngagement: request.preEngagement,
  });
  const sessionStartedAt = Math.floor(nowMs / 1000);
  const { token, expiresAt } = issueToken(config, chat.identity, sessionStartedAt, nowMs);
  return { conversationSid: chat.conversationSid, identity: chat.identity, token, expiresAt };
});
