/**
 * Every Twilio API the mock knows, one module per API. A module exports its
 * state accessors (for tests to inspect) and an install function.
 */
import type { TwilioMock } from '../twilio-mock';
import { installApiKeyRoutes } from './api-keys';
import { installConversationRoutes } from './conversations';
import { installConversationsConfigRoutes } from './conversations-config';
import { installConversationUserRoutes } from './conversations-users';
import { installFlexRoutes } from './flex';
import { installFlexSetupRoutes } from './flex-setup';
import { installServerlessRoutes } from './serverless';
import { installStudioRoutes } from './studio';
import { installSyncRoutes } from './sync';
import { installTaskRouterRoutes } from './taskrouter';
import { installTaskRouterSetupRoutes } from './taskrouter-setup';
import { installTaskRouterStatisticsRoutes } from './taskrouter-statistics';
import { installWebChatRoutes } from './webchats';

export * from './account';
export * from './conversations';
export * from './conversations-users';
export * from './flex';
export * from './serverless';
export * from './studio';
export * from './sync';
export * from './taskrouter';

export function installRoutes(mock: TwilioMock): void {
  installConversationRoutes(mock);
  // Agents' names for /transcript (src/transcript-agents.ts).
  installConversationUserRoutes(mock);
  installFlexRoutes(mock);
  installTaskRouterRoutes(mock);
  // Chat Address and Flex Flow modes, and what `npm run setup` discovers and creates.
  installWebChatRoutes(mock);
  installConversationsConfigRoutes(mock);
  installFlexSetupRoutes(mock);
  installStudioRoutes(mock);
  installTaskRouterSetupRoutes(mock);
  // Live availability for /availability (src/guard/availability.ts).
  installTaskRouterStatisticsRoutes(mock);
  installApiKeyRoutes(mock);
  // Shared state: budgets (and single-use claims) in src/guard/.
  installSyncRoutes(mock);
  // What `npm run deploy` (twilio-run) calls: serverless.twilio.com and its upload host.
  installServerlessRoutes(mock);
}
