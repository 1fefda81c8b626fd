/**
 * Every Twilio API the mock knows, one module per API. A module exports its
 * state accessors (for tests to inspect) and an install function.
 */
import type { TwilioMock } from '../twilio-mock';
import { installConversationRoutes } from './conversations';
import { installConversationsConfigRoutes } from './conversations-config';
import { installFlexRoutes } from './flex';
import { installTaskRouterRoutes } from './taskrouter';
import { installWebChatRoutes } from './webchats';

export * from './account';
export * from './conversations';
export * from './flex';
export * from './taskrouter';

export function installRoutes(mock: TwilioMock): void {
  installConversationRoutes(mock);
  installFlexRoutes(mock);
  installTaskRouterRoutes(mock);
  // Chat Address and Flex Flow modes.
  installWebChatRoutes(mock);
  installConversationsConfigRoutes(mock);
}
