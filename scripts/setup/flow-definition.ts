/**
 * The Studio flow setup creates for studio mode (and for Chat Addresses that
 * route to Studio), from the readable definition in `web-chat.flow.json`:
 *
 *   Trigger --incomingConversationMessage--> send_to_flex (Send to Flex)
 *
 * Send to Flex routes with the chosen workflow on the `chat` task channel
 * (Studio takes the channel's TC SID), and sets task attributes from the
 * conversation's attributes, so agents see a name, not an opaque identity:
 *
 *   from, customerName   ChannelAttributes.from (what /start-chat stores), else
 *                        pre_engagement_data.friendlyName (what address mode
 *                        sends), else "Customer"; `to_json`, so any name stays valid JSON
 *   channelType          "web"
 *   conversationSid      the conversation
 *   pre_engagement_data  the pre-engagement answers, as a JSON object
 *
 * The file holds two placeholders, `${WORKFLOW_SID}` and
 * `${CHAT_TASK_CHANNEL_SID}`; everything else is sent as it is.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FLOW_DEFINITION_FILE = join(__dirname, 'web-chat.flow.json');

/** The friendly name of the flow setup creates, and prefers when it finds one. */
export const FLOW_FRIENDLY_NAME = 'Flex custom web chat';

export interface FlowPlaceholders {
  WORKFLOW_SID: string;
  CHAT_TASK_CHANNEL_SID: string;
}

/** The definition with its placeholders filled, ready for `Definition`. */
export function webChatFlowDefinition(values: FlowPlaceholders): Record<string, unknown> {
  const text = readFileSync(FLOW_DEFINITION_FILE, 'utf8').replace(
    /\$\{(WORKFLOW_SID|CHAT_TASK_CHANNEL_SID)\}/g,
    (_, name: keyof FlowPlaceholders) => values[name],
  );
  return JSON.parse(text) as Record<string, unknown>;
}
