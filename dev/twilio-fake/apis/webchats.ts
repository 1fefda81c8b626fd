/**
 * Flex's chat-creating APIs: `POST /v2/WebChats` (Chat Address mode) and
 * `POST /v1/Channels` / `DELETE /v1/Channels/{CH}` (legacy Flex Flow mode).
 * Each creates a conversation in the conversations mock, the way Flex does:
 *
 * - WebChats: in the account's default Conversations service; the customer
 *   participant (the Identity given, or a random one when absent); the
 *   pre-engagement data in the conversation attributes; and the address's
 *   auto-creation routing attached as a conversation-scoped webhook (Studio
 *   flow, or webhook URL). 404 for an unknown address.
 * - Flex Flow channels: in the Flex Flow's chat service, with the legacy
 *   channel attributes (`from`, `channel_type`, `status`, `pre_engagement_data`)
 *   and the Flow's Studio integration as a scoped webhook; a task integration
 *   makes a TaskRouter task at once and answers its `task_sid`. 404 for an
 *   unknown flow. A `ChatUniqueName` already taken in the service is refused
 *   with Flex's error 45208 ("Chat Channel with this unique name already
 *   exists ... new Channel not created"); Twilio's page gives no HTTP status,
 *   so 409 is this fake's choice (the service matches on the code).
 * - Both refuse an identity already in 1,000 conversations that are not
 *   closed (conversations.ts): WebChats with Conversations' 50214, Flex Flow
 *   channels with Flex's 45207 ("User is part of too many Chat Channels").
 */
import { randomUUID } from 'node:crypto';
import { TEST_ENV } from '../env';
import { field, sid, twilioError, type RouteInput, type TwilioMock } from '../twilio-mock';
import { account } from './account';
import { now, parseJsonField, text } from './common';
import {
  conversations,
  findConversation,
  identityLimitRefusal,
  type MockConversation,
  type MockWebhook,
} from './conversations';
import { tasks } from './taskrouter';

/** Twilio's limit on `PreEngagementData` (ENGINEERING.md: error 45731). */
const PRE_ENGAGEMENT_MAX_BYTES = 16 * 1024;

/** The webhook an address's auto-creation attaches to each conversation. */
function addressWebhook(autoCreation: Record<string, unknown>): MockWebhook[] {
  const filters = (autoCreation.webhook_filters as string[] | undefined) ?? ['onMessageAdded'];
  if (autoCreation.type === 'studio') {
    return [
      { sid: sid('WH'), target: 'studio', filters, flowSid: text(autoCreation.studio_flow_sid) },
    ];
  }
  if (autoCreation.type === 'webhook') {
    return [
      {
        sid: sid('WH'),
        target: 'webhook',
        filters,
        url: text(autoCreation.webhook_url),
        method: text(autoCreation.webhook_method) || 'post',
      },
    ];
  }
  return [];
}

function newConversation(
  serviceSid: string,
  friendlyName: string | null,
  attributes: Record<string, unknown>,
  participant: { identity: string; attributes: Record<string, unknown> },
  webhooks: MockWebhook[],
): MockConversation {
  return {
    sid: sid('CH'),
    serviceSid,
    uniqueName: null,
    friendlyName,
    attributes: JSON.stringify(attributes),
    timers: {},
    state: 'active',
    participants: [
      {
        sid: sid('MB'),
        identity: participant.identity,
        attributes: JSON.stringify(participant.attributes),
      },
    ],
    webhooks,
    messages: [],
    dateCreated: now(),
  };
}

function webChatsCreate(mock: TwilioMock, input: RouteInput) {
  const state = account(mock);
  const addressSid = field(input, 'AddressSid');
  const address = state.addresses.find((a) => a.sid === addressSid);
  if (!address) return twilioError(404, 20404, `Address ${addressSid} was not found`);
  const serviceSid =
    (address.autoCreation.conversation_service_sid as string | undefined) ??
    state.defaultServiceSid ??
    TEST_ENV.CONVERSATIONS_SERVICE_SID;
  // Twilio refuses pre-engagement data over 16 KB (error 45731), before creating anything.
  if (Buffer.byteLength(field(input, 'PreEngagementData') ?? '') > PRE_ENGAGEMENT_MAX_BYTES) {
    return twilioError(400, 45731, 'Pre-engagement data exceeds the 16 KB limit');
  }
  const identity = state.webChatIdentityOverride ?? field(input, 'Identity') ?? randomUUID();
  const refused = identityLimitRefusal(mock, serviceSid, identity);
  if (refused) return refused;
  const c = newConversation(
    serviceSid,
    field(input, 'ChatFriendlyName') ?? null,
    { pre_engagement_data: parseJsonField(input, 'PreEngagementData') },
    { identity, attributes: { friendlyName: field(input, 'CustomerFriendlyName') ?? identity } },
    addressWebhook(address.autoCreation),
  );
  conversations(mock).set(c.sid, c);
  return { status: 201, body: { conversation_sid: c.sid, identity } };
}

function flexChannelsCreate(mock: TwilioMock, input: RouteInput) {
  const flowSid = field(input, 'FlexFlowSid');
  const flow = account(mock).flexFlows.find((f) => f.sid === flowSid);
  if (!flow) return twilioError(404, 20404, `Flex Flow ${flowSid} was not found`);
  const uniqueName = field(input, 'ChatUniqueName') ?? null;
  if (uniqueName !== null && findConversation(mock, flow.chatServiceSid, uniqueName)) {
    return twilioError(409, 45208, 'Chat Channel with this unique name already exists');
  }
  // Flex's own code for a chat user in too many channels.
  const refused = identityLimitRefusal(mock, flow.chatServiceSid, field(input, 'Identity'), 45207);
  if (refused) return refused;
  const name = field(input, 'ChatUserFriendlyName') ?? '';
  const studio =
    flow.integrationType === 'studio'
      ? [
          {
            sid: sid('WH'),
            target: 'studio',
            filters: ['onMessageAdded'],
            flowSid: text(flow.integration.flow_sid),
          },
        ]
      : [];
  const c = newConversation(
    flow.chatServiceSid,
    field(input, 'ChatFriendlyName') ?? null,
    {
      from: name,
      channel_type: flow.channelType,
      status: 'ACTIVE',
      long_lived: false,
      pre_engagement_data: parseJsonField(input, 'PreEngagementData'),
    },
    { identity: field(input, 'Identity') ?? '', attributes: {} },
    studio,
  );
  c.uniqueName = uniqueName;
  conversations(mock).set(c.sid, c);
  // A task integration makes the TaskRouter task at once, and names it.
  const task =
    flow.integrationType === 'task'
      ? {
          sid: sid('WT'),
          workspaceSid: text(flow.integration.workspace_sid),
          workflowSid: text(flow.integration.workflow_sid),
          taskChannel: text(flow.integration.channel),
          attributes: JSON.stringify({ channelSid: c.sid, channelType: 'web', name }),
          assignmentStatus: 'pending',
        }
      : undefined;
  if (task) tasks(mock).push(task);
  return {
    status: 201,
    body: {
      account_sid: TEST_ENV.ACCOUNT_SID,
      flex_flow_sid: flow.sid,
      sid: c.sid,
      user_sid: sid('US'),
      task_sid: task?.sid ?? null,
      url: `https://flex-api.twilio.com/v1/Channels/${c.sid}`,
      date_created: now(),
      date_updated: now(),
    },
  };
}

export function installWebChatRoutes(mock: TwilioMock): void {
  mock.route('webchats.create', 'POST', 'flex-api.twilio.com/v2/WebChats', (input) =>
    webChatsCreate(mock, input),
  );

  mock.route('flexChannels.create', 'POST', 'flex-api.twilio.com/v1/Channels', (input) =>
    flexChannelsCreate(mock, input),
  );

  mock.route('flexChannels.delete', 'DELETE', 'flex-api.twilio.com/v1/Channels/:sid', (input) => {
    const all = conversations(mock);
    if (!all.delete(input.params.sid ?? '')) {
      return twilioError(404, 20404, `Channel ${input.params.sid} was not found`);
    }
    return { status: 204 };
  });
}
