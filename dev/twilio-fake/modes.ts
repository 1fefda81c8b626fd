/**
 * Test configurations for the modes where Flex creates the chat (Chat Address
 * and Flex Flow), and the account state they need in the mock.
 */
import { TEST_ENV } from './env';
import { account, ACCOUNT, type MockAddress, type MockFlexFlow } from './apis';
import type { TwilioMock } from './twilio-mock';
import { INTERACTION_URL } from './webhooks';

export const ADDRESS_SID = 'IG' + 'b'.repeat(32);
export const FLEX_FLOW_SID = 'FO' + 'c'.repeat(32);

export const ADDRESS_ENV = {
  ...TEST_ENV,
  HANDOFF_MODE: 'address',
  STUDIO_FLOW_SID: undefined,
  ADDRESS_SID,
} as const;

/** Address mode with an address that routes to this service's /interaction. */
export const ADDRESS_WEBHOOK_ENV = {
  ...ADDRESS_ENV,
  ADDRESS_ROUTES_TO: 'webhook',
  TASKROUTER_WORKSPACE_SID: ACCOUNT.workspaceSid,
  TASKROUTER_WORKFLOW_SID: ACCOUNT.workflowSid,
} as const;

export const FLEX_FLOW_ENV = {
  ...TEST_ENV,
  HANDOFF_MODE: 'flex-flow',
  STUDIO_FLOW_SID: undefined,
  FLEX_FLOW_SID,
} as const;

/** A Chat Address whose conversations go to the Studio flow (or to `webhookUrl`). */
export function seedChatAddress(
  mock: TwilioMock,
  options: { webhookUrl?: string } = {},
): MockAddress {
  const address: MockAddress = {
    sid: ADDRESS_SID,
    type: 'chat',
    address: 'website',
    friendlyName: 'Website chat',
    autoCreation: options.webhookUrl
      ? {
          enabled: true,
          type: 'webhook',
          conversation_service_sid: TEST_ENV.CONVERSATIONS_SERVICE_SID,
          webhook_url: options.webhookUrl,
          webhook_method: 'POST',
          webhook_filters: ['onMessageAdded'],
        }
      : {
          enabled: true,
          type: 'studio',
          conversation_service_sid: TEST_ENV.CONVERSATIONS_SERVICE_SID,
          studio_flow_sid: TEST_ENV.STUDIO_FLOW_SID,
          studio_retry_count: 3,
        },
  };
  account(mock).addresses.push(address);
  return address;
}

export function seedFlexFlow(mock: TwilioMock): MockFlexFlow {
  const flow: MockFlexFlow = {
    sid: FLEX_FLOW_SID,
    friendlyName: 'Website chat (legacy)',
    chatServiceSid: TEST_ENV.CONVERSATIONS_SERVICE_SID,
    channelType: 'web',
    enabled: true,
    integrationType: 'studio',
    integration: { flow_sid: TEST_ENV.STUDIO_FLOW_SID, retry_count: 3 },
  };
  account(mock).flexFlows.push(flow);
  return flow;
}

export { INTERACTION_URL };
