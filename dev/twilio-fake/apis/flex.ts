/**
 * Flex API: Interactions (webhook hand-off). Creating one also creates its
 * TaskRouter task, with the routing attributes as is plus Flex's own
 * (`flexInteractionSid`, `flexInteractionChannelSid`), as Flex does.
 * Closing an Interaction Channel closes its conversation, as Flex does.
 */
import { field, sid, twilioError, type TwilioMock } from '../twilio-mock';
import { parseJsonField, stateList, text } from './common';
import { conversations } from './conversations';
import { tasks } from './taskrouter';

export interface MockInteraction {
  sid: string;
  channelSid: string;
  channel: Record<string, unknown>;
  routing: { properties?: Record<string, unknown> };
  taskSid: string;
  /** Status of the Interaction Channel: `active` until closed (see end-chat). */
  channelStatus: string;
}

/** Interactions the mock holds, in creation order. */
export function interactions(mock: TwilioMock): MockInteraction[] {
  return stateList<MockInteraction>(mock, 'interactions');
}

function interactionJson(i: MockInteraction) {
  const url = `https://flex-api.twilio.com/v1/Interactions/${i.sid}`;
  return {
    sid: i.sid,
    channel: { ...i.channel, sid: i.channelSid },
    routing: {
      properties: { ...i.routing.properties, sid: i.taskSid, assignment_status: 'pending' },
    },
    url,
    links: { channels: `${url}/Channels` },
    interaction_context_sid: null,
    webhook_ttid: null,
  };
}

export function installFlexRoutes(mock: TwilioMock): void {
  mock.route('interactions.create', 'POST', 'flex-api.twilio.com/v1/Interactions', (input) => {
    const channel = parseJsonField(input, 'Channel');
    const routing = parseJsonField(input, 'Routing') as MockInteraction['routing'];
    const props = routing.properties ?? {};
    const interaction: MockInteraction = {
      sid: sid('KD'),
      channelSid: sid('UO'),
      channel,
      routing,
      taskSid: sid('WT'),
      channelStatus: 'active',
    };
    interactions(mock).push(interaction);
    // Flex creates the task, with the routing attributes "as is" plus its own.
    tasks(mock).push({
      sid: interaction.taskSid,
      workspaceSid: text(props.workspace_sid),
      workflowSid: text(props.workflow_sid),
      taskChannel: text(props.task_channel_unique_name),
      attributes: JSON.stringify({
        ...(props.attributes as object),
        flexInteractionSid: interaction.sid,
        flexInteractionChannelSid: interaction.channelSid,
      }),
      assignmentStatus: 'pending',
    });
    return { status: 200, body: interactionJson(interaction) };
  });

  mock.route(
    'interactionChannels.update',
    'POST',
    'flex-api.twilio.com/v1/Interactions/:interactionSid/Channels/:channelSid',
    (input) => {
      const found = interactions(mock).find(
        (i) => i.sid === input.params.interactionSid && i.channelSid === input.params.channelSid,
      );
      if (!found) return twilioError(404, 20404, 'Interaction channel not found');
      if (found.channelStatus === 'closed') {
        return twilioError(400, 45000, 'Interaction channel is already closed');
      }
      found.channelStatus = field(input, 'Status') ?? found.channelStatus;
      // Flex closes the channel's conversation with it: that is how a
      // customer's web chat learns an agent ended the chat (Flex UI 2's "End
      // chat" closes the Interaction Channel), and why a chat the customer
      // ended is not found again as their chat in progress.
      if (found.channelStatus === 'closed') closeMediaChannel(mock, found);
      return {
        status: 200,
        body: {
          sid: found.channelSid,
          interaction_sid: found.sid,
          type: 'web',
          status: found.channelStatus,
          error_code: null,
          error_message: null,
          url: `https://flex-api.twilio.com/v1/Interactions/${found.sid}/Channels/${found.channelSid}`,
          links: {},
        },
      };
    },
  );
}

function closeMediaChannel(mock: TwilioMock, interaction: MockInteraction): void {
  const properties = interaction.channel.properties as { media_channel_sid?: unknown } | undefined;
  const conversation = conversations(mock).get(text(properties?.media_channel_sid));
  if (conversation) conversation.state = 'closed';
}
