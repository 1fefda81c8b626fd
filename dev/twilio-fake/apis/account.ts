/**
 * The Twilio account the mock pretends to be: what `npm run setup` discovers
 * and `doctor` checks, and what Flex's own chat-creating APIs (WebChats,
 * Flex Flow channels) read. By default a Flex account already set up the way
 * TEST_ENV and WEBHOOK_ENV describe; tests change it through `account(mock)`.
 *
 * Its two Studio flows have definitions like Flex's own: "Voice IVR" sends
 * only calls to Flex, "Messaging Flow" sends chats (FLOW_DEFINITIONS).
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
  taskQueues?: MockTaskQueue[];
}

/** A TaskQueue and what its real-time statistics say (tests set the figures). */
export interface MockTaskQueue {
  sid: string;
  friendlyName: string;
  availableWorkers: number;
  eligibleWorkers: number;
  /** Seconds the oldest waiting task has waited. */
  longestWaitingAge: number;
  pending: number;
  reserved: number;
  assigned: number;
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
  taskQueueSid: 'WQ' + 'b'.repeat(32),
  voiceFlowSid: 'FW' + 'a'.repeat(32),
  messagingFlowSid: TEST_ENV.STUDIO_FLOW_SID,
} as const;

const offset = (x: number, y: number) => ({ offset: { x, y } });

/** A Trigger widget whose listed events lead to the named widgets; the others lead nowhere. */
function trigger(next: Partial<Record<string, string>>) {
  const events = [
    'incomingMessage',
    'incomingCall',
    'incomingConversationMessage',
    'incomingRequest',
    'incomingParent',
  ];
  return {
    name: 'Trigger',
    type: 'trigger',
    transitions: events.map((event) => ({ event, ...(next[event] && { next: next[event] }) })),
    properties: offset(0, 0),
  };
}

/** A Send to Flex widget, as Studio stores it. */
function sendToFlex(name: string, channelSid: string, attributes: string) {
  return {
    name,
    type: 'send-to-flex',
    transitions: [
      { event: 'callComplete' },
      { event: 'failedToEnqueue' },
      { event: 'callFailure' },
    ],
    properties: {
      ...offset(0, 200),
      workflow: ACCOUNT.workflowSid,
      channel: channelSid,
      attributes,
    },
  };
}

/**
 * Studio definitions shaped like the flows a Flex account starts with:
 *
 *   voiceIvr       Incoming Call -> Send to Flex (voice); chats lead nowhere
 *   messaging      Incoming Message and Incoming Conversation -> Send to Flex (chat)
 *   splitToFlex    Incoming Conversation -> a split -> Send to Flex (a bot step first)
 *   noFlex         Incoming Conversation -> Send Message, and no Send to Flex at all
 */
export const FLOW_DEFINITIONS = {
  voiceIvr: () => ({
    description: 'IVR for creating a Flex voice task',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      trigger({ incomingCall: 'SendCallToAgent' }),
      sendToFlex('SendCallToAgent', ACCOUNT.voiceChannelSid, '{"type": "inbound"}'),
    ],
  }),
  messaging: () => ({
    description: 'Bot flow for creating a Flex messaging task',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      trigger({
        incomingMessage: 'SendMessageToAgent',
        incomingConversationMessage: 'SendConversationToAgent',
      }),
      sendToFlex(
        'SendMessageToAgent',
        ACCOUNT.chatChannelSid,
        '{"name": "{{trigger.message.ChannelAttributes.from}}"}',
      ),
      sendToFlex(
        'SendConversationToAgent',
        ACCOUNT.chatChannelSid,
        '{"from": "{{trigger.conversation.Author}}"}',
      ),
    ],
  }),
  splitToFlex: () => ({
    description: 'A bot step, then Flex',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      trigger({ incomingConversationMessage: 'split_hours' }),
      {
        name: 'split_hours',
        type: 'split-based-on',
        transitions: [
          { event: 'noMatch', next: 'to_flex' },
          { event: 'match', next: 'closed' },
        ],
        properties: { ...offset(0, 100), input: '{{flow.variables.open}}' },
      },
      {
        name: 'closed',
        type: 'send-message',
        transitions: [{ event: 'sent' }, { event: 'failed' }],
        properties: { ...offset(200, 200), body: 'We are closed.' },
      },
      sendToFlex('to_flex', ACCOUNT.chatChannelSid, '{}'),
    ],
  }),
  noFlex: () => ({
    description: 'An auto-reply',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      trigger({ incomingConversationMessage: 'reply' }),
      {
        name: 'reply',
        type: 'send-message',
        transitions: [{ event: 'sent' }, { event: 'failed' }],
        properties: { ...offset(0, 200), body: 'Thanks!' },
      },
    ],
  }),
};

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
        taskQueues: [
          {
            sid: ACCOUNT.taskQueueSid,
            friendlyName: 'Everyone',
            availableWorkers: 2,
            eligibleWorkers: 5,
            longestWaitingAge: 0,
            pending: 0,
            reserved: 0,
            assigned: 3,
          },
        ],
      },
    ],
    flows: [
      {
        sid: ACCOUNT.voiceFlowSid,
        friendlyName: 'Voice IVR',
        status: 'published',
        definition: FLOW_DEFINITIONS.voiceIvr(),
        revision: 1,
      },
      {
        sid: ACCOUNT.messagingFlowSid,
        friendlyName: 'Messaging Flow',
        status: 'published',
        definition: FLOW_DEFINITIONS.messaging(),
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
