/**
 * The Twilio account the mock pretends to be: what `npm run setup` discovers
 * and `doctor` checks, and what Flex's own chat-creating APIs (WebChats,
 * Flex Flow channels) read. By default a Flex account already set up the way
 * TEST_ENV and WEBHOOK_ENV describe; tests change it through `account(mock)`.
 *
 * @example
 *   account(mock).flex = null;            // an account without Flex
 *   account(mock).flows[0].status = 'draft';
 */
import { TEST_ENV } from '../env';
import type { TwilioMock } from '../twilio-mock';

export interface MockService {
  sid: string;
  friendlyName: string;
}

export interface MockFlow {
  sid: string;
  friendlyName: string;
  status: 'draft' | 'published';
  definition: unknown;
  revision: number;
}

export interface MockWorkflow {
  sid: string;
  friendlyName: string;
}

export interface MockTaskChannel {
  sid: string;
  uniqueName: string;
  friendlyName: string;
}

export interface MockWorkspace {
  sid: string;
  friendlyName: string;
  workflows: MockWorkflow[];
  taskChannels: MockTaskChannel[];
}

export interface MockAddress {
  sid: string;
  type: string;
  address: string;
  friendlyName: string | null;
  autoCreation: Record<string, unknown>;
}

export interface MockFlexFlow {
  sid: string;
  friendlyName: string;
  chatServiceSid: string;
  channelType: string;
  enabled: boolean;
  integrationType: string | null;
  integration: Record<string, unknown>;
}

export interface MockApiKey {
  sid: string;
  friendlyName: string;
  secret: string;
}

export interface MockAccount {
  /** `default_chat_service_sid` of `GET /v1/Configuration` (Conversations). */
  defaultServiceSid: string | null;
  services: MockService[];
  /** Flex's configuration, or null for an account without Flex (404). */
  flex: { chatServiceSid: string; workspaceSid: string; workflowSid: string } | null;
  workspaces: MockWorkspace[];
  flows: MockFlow[];
  addresses: MockAddress[];
  flexFlows: MockFlexFlow[];
  apiKeys: MockApiKey[];
  /** When set, WebChats ignores the Identity it is given and uses this one. */
  webChatIdentityOverride?: string;
}

/** Fixed SIDs of the default account, so tests can name them. */
export const ACCOUNT = {
  workspaceSid: 'WS' + '5'.repeat(32),
  workflowSid: 'WW' + '6'.repeat(32),
  otherWorkflowSid: 'WW' + '7'.repeat(32),
  chatChannelSid: 'TC' + '8'.repeat(32),
  voiceChannelSid: 'TC' + '9'.repeat(32),
  voiceFlowSid: 'FW' + 'a'.repeat(32),
  messagingFlowSid: TEST_ENV.STUDIO_FLOW_SID,
} as const;

function defaultAccount(): MockAccount {
  return {
    defaultServiceSid: TEST_ENV.CONVERSATIONS_SERVICE_SID,
    services: [{ sid: TEST_ENV.CONVERSATIONS_SERVICE_SID, friendlyName: 'Flex Chat Service' }],
    flex: {
      chatServiceSid: TEST_ENV.CONVERSATIONS_SERVICE_SID,
      workspaceSid: ACCOUNT.workspaceSid,
      workflowSid: ACCOUNT.workflowSid,
    },
    workspaces: [
      {
        sid: ACCOUNT.workspaceSid,
        friendlyName: 'Flex Task Assignment',
        workflows: [
          { sid: ACCOUNT.workflowSid, friendlyName: 'Assign to Anyone' },
          { sid: ACCOUNT.otherWorkflowSid, friendlyName: 'Sales' },
        ],
        taskChannels: [
          { sid: ACCOUNT.voiceChannelSid, uniqueName: 'voice', friendlyName: 'Voice' },
          { sid: ACCOUNT.chatChannelSid, uniqueName: 'chat', friendlyName: 'Programmable Chat' },
        ],
      },
    ],
    flows: [
      {
        sid: ACCOUNT.voiceFlowSid,
        friendlyName: 'Voice IVR',
        status: 'published',
        definition: {},
        revision: 1,
      },
      {
        sid: ACCOUNT.messagingFlowSid,
        friendlyName: 'Messaging Flow',
        status: 'published',
        definition: {},
        revision: 3,
      },
    ],
    addresses: [],
    flexFlows: [],
    apiKeys: [
      { sid: TEST_ENV.API_KEY, friendlyName: 'web chat tokens', secret: TEST_ENV.API_SECRET },
    ],
  };
}

/** The account's state, created with the defaults on first use after a reset. */
export function account(mock: TwilioMock): MockAccount {
  let state = mock.state.get('account') as MockAccount | undefined;
  if (!state) {
    state = defaultAccount();
    mock.state.set('account', state);
  }
  return state;
}
