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
 *   customer             only for signed-in customers: the verified claims
 *                        (ChannelAttributes.customer, what /start-chat stores,
 *                        else pre_engagement_data.customer, what address mode
 *                        sends; src/chat-attributes.ts); absent otherwise
 *
 * The file holds two placeholders, `${WORKFLOW_SID}` and
 * `${CHAT_TASK_CHANNEL_SID}`; everything else is sent as it is.
 *
 * `sendsChatsToFlex` reads any flow's definition (Studio's fetch returns it;
 * its list leaves it null) to tell whether a chat that starts it can reach
 * Flex at all: a flow named "Messaging Flow" may be an IVR, and a flow that never reaches
 * Send to Flex leaves every customer waiting for an agent who never comes.
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

/**
 * The Trigger event a chat starts a flow with: a Conversations message
 * (studio and address modes), or a Programmable Chat message (the Studio
 * integration of a legacy Flex Flow).
 */
export type ChatTrigger = 'incomingConversationMessage' | 'incomingMessage';

interface Widget {
  name?: unknown;
  type?: unknown;
  transitions?: unknown;
}

/** The widgets a widget's transitions lead to, by name. */
function nextOf(widget: Widget, only?: ChatTrigger): string[] {
  const transitions = Array.isArray(widget.transitions) ? (widget.transitions as unknown[]) : [];
  return transitions.flatMap((t) => {
    const { event, next } = (t ?? {}) as { event?: unknown; next?: unknown };
    if (only !== undefined && event !== only) return [];
    return typeof next === 'string' ? [next] : [];
  });
}

/**
 * Whether a flow definition hands a chat to Flex: its Trigger's `event`
 * transition leads, directly or through other widgets (a split, a bot
 * step...), to a Send to Flex widget. Whether every path gets there is not
 * judged: a flow may rightly end some chats before an agent.
 */
export function sendsChatsToFlex(
  definition: unknown,
  event: ChatTrigger = 'incomingConversationMessage',
): boolean {
  const states = (definition as { states?: unknown } | null)?.states;
  if (!Array.isArray(states)) return false;
  const widgets = new Map<unknown, Widget>(
    (states as Widget[]).filter((w) => w !== null && typeof w === 'object').map((w) => [w.name, w]),
  );
  const trigger = [...widgets.values()].find((w) => w.type === 'trigger');
  if (!trigger) return false;
  const seen = new Set<string>();
  const queue = nextOf(trigger, event);
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    if (seen.has(name)) continue;
    seen.add(name);
    const widget = widgets.get(name);
    if (!widget) continue;
    if (widget.type === 'send-to-flex') return true;
    queue.push(...nextOf(widget));
  }
  return false;
}
