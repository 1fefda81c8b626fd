/**
 * The Studio flow setup creates for studio mode (and for Chat Addresses that
 * route to Studio), from the readable definition in `web-chat.flow.json`:
 *
 *   Trigger --incomingConversationMessage--> has_customer (split)
 *     no customer  --> send_to_flex
 *     a customer   --> check_customer (Make HTTP Request: POST /check-customer)
 *                        success --> send_to_flex_checked
 *                        failed  --> send_to_flex_unchecked
 *
 * Send to Flex routes with the chosen workflow on the `chat` task channel
 * (Studio takes the channel's TC SID), and sets task attributes from the
 * conversation's attributes, so agents see a name, not an opaque identity:
 *
 *   from, customerName   the verified name when the check holds (anyone on a
 *                        Chat Address can type another beside a genuine
 *                        customer), else ChannelAttributes.from (what
 *                        /start-chat stores), else pre_engagement_data.friendlyName
 *                        (what address mode sends), else "Customer"; `to_json`,
 *                        so any name stays valid JSON
 *   channelType          "web"
 *   conversationSid      the conversation
 *   pre_engagement_data  the pre-engagement answers, as a JSON object
 *   customer             only for signed-in customers, and only from the check
 *
 * `customer` (ChannelAttributes.customer, what /start-chat stores, else
 * pre_engagement_data.customer, what address mode sends) proves nothing by
 * itself where Flex made the conversation: anything using the same Chat
 * Address can fill the pre-engagement data. Studio cannot compute an HMAC,
 * so a chat that carries one (only those: anonymous chats make no request)
 * goes through this service's /check-customer (src/customer-check.ts), and
 * send_to_flex_checked builds the task from its answer alone: `customer` only
 * when the signature holds, rebuilt from the signed fields, and the answers
 * without `customer` and the seal (Liquid cannot delete a key). When the
 * check cannot be reached, send_to_flex_unchecked still hands the chat to
 * Flex, with the name alone and `customer_check: "unavailable"`: the customer
 * is never left waiting, and nothing unchecked reaches agents.
 *
 * The file holds three placeholders, `${WORKFLOW_SID}`,
 * `${CHAT_TASK_CHANNEL_SID}` and `${CHECK_CUSTOMER_URL}`; everything else is
 * sent as it is. Without a URL (setup knows no PUBLIC_BASE_URL or deployed
 * domain yet) the flow has no check_customer: chats with a customer go
 * straight to send_to_flex_unchecked, and doctor says so.
 *
 * `sendsChatsToFlex` reads any flow's definition (Studio's fetch returns it;
 * its list leaves it null) to tell whether a chat that starts it can reach
 * Flex at all: a flow named "Messaging Flow" may be an IVR, and a flow that never reaches
 * Send to Flex leaves every customer waiting for an agent who never comes.
 * `customerCheckOf` (flow-customer.ts) tells whether `customer` reaches its task checked.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FLOW_DEFINITION_FILE = join(__dirname, 'web-chat.flow.json');

/** The friendly name of the flow setup creates, and prefers when it finds one. */
export const FLOW_FRIENDLY_NAME = 'Flex custom web chat';

export interface FlowPlaceholders {
  WORKFLOW_SID: string;
  CHAT_TASK_CHANNEL_SID: string;
  /** This service's /check-customer; undefined: a flow without the check (see above). */
  CHECK_CUSTOMER_URL?: string | undefined;
}

/** The path of the check the flow calls (functions/check-customer.ts). */
export const CHECK_CUSTOMER_PATH = '/check-customer';
/** The widgets of the customer path, by name. */
export const CHECK_WIDGET = 'check_customer';
export const CHECKED_WIDGET = 'send_to_flex_checked';
export const UNCHECKED_WIDGET = 'send_to_flex_unchecked';

/** The check's URL for a base URL (PUBLIC_BASE_URL, or https:// and the deployed domain). */
export const checkCustomerUrlOf = (baseUrl: string): string =>
  `${baseUrl.replace(/\/+$/, '')}${CHECK_CUSTOMER_PATH}`;

interface State {
  name?: unknown;
  transitions?: { event?: unknown; next?: unknown }[];
}

/** The definition with its placeholders filled, ready for `Definition`. */
export function webChatFlowDefinition(values: FlowPlaceholders): Record<string, unknown> {
  const url = values.CHECK_CUSTOMER_URL;
  const text = readFileSync(FLOW_DEFINITION_FILE, 'utf8').replace(
    /\$\{(WORKFLOW_SID|CHAT_TASK_CHANNEL_SID|CHECK_CUSTOMER_URL)\}/g,
    // Escaped for the JSON string it lands in (a URL has no quote, but still).
    (_, name: keyof FlowPlaceholders) => JSON.stringify(values[name] ?? '').slice(1, -1),
  );
  const definition = JSON.parse(text) as { states: State[] } & Record<string, unknown>;
  if (url !== undefined) return definition;
  // No URL yet: no check, and a chat with a customer goes to Flex without it.
  const states = definition.states.filter(
    (state) => state.name !== CHECK_WIDGET && state.name !== CHECKED_WIDGET,
  );
  for (const state of states) {
    for (const t of state.transitions ?? []) if (t.next === CHECK_WIDGET) t.next = UNCHECKED_WIDGET;
  }
  return { ...definition, states };
}

/**
 * The Trigger event a chat starts a flow with: a Conversations message
 * (studio and address modes), or a Programmable Chat message (the Studio
 * integration of a legacy Flex Flow).
 */
export type ChatTrigger = 'incomingConversationMessage' | 'incomingMessage';

export interface Widget {
  name?: unknown;
  type?: unknown;
  transitions?: unknown;
  properties?: unknown;
}

/** The widgets a widget's transitions lead to, by name. */
export function nextOf(widget: Widget, only?: ChatTrigger): string[] {
  const transitions = Array.isArray(widget.transitions) ? (widget.transitions as unknown[]) : [];
  return transitions.flatMap((t) => {
    const { event, next } = (t ?? {}) as { event?: unknown; next?: unknown };
    if (only !== undefined && event !== only) return [];
    return typeof next === 'string' ? [next] : [];
  });
}

/**
 * The widgets a chat can reach, by name: from the Trigger's `event`
 * transition, through every transition after it, Send to Flex's own
 * included: its `failedToEnqueue` and `callFailure` can lead on (to a retry,
 * a message, another Send to Flex), and a widget reached only that way still
 * runs. Empty for a definition that is not one.
 */
export function reachableWidgets(
  definition: unknown,
  event: ChatTrigger = 'incomingConversationMessage',
): Map<string, Widget> {
  const reached = new Map<string, Widget>();
  const states = (definition as { states?: unknown } | null)?.states;
  if (!Array.isArray(states)) return reached;
  const widgets = new Map<unknown, Widget>(
    (states as Widget[]).filter((w) => w !== null && typeof w === 'object').map((w) => [w.name, w]),
  );
  const trigger = [...widgets.values()].find((w) => w.type === 'trigger');
  if (!trigger) return reached;
  const queue = nextOf(trigger, event);
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    const widget = widgets.get(name);
    if (reached.has(name) || !widget) continue;
    reached.set(name, widget);
    queue.push(...nextOf(widget));
  }
  return reached;
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
  return [...reachableWidgets(definition, event).values()].some((w) => w.type === 'send-to-flex');
}
