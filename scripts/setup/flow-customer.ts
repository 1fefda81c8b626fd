/**
 * Whether a Studio flow gives its task `customer` only from this service's
 * check (flow-definition.ts, src/customer-check.ts): what doctor says about
 * the flow chats go to, and what tells setup that a flow it created before
 * needs the check.
 *
 * Studio's Liquid is not judged in general: the Send to Flex widgets a chat
 * can reach (through every transition, a Send to Flex's own failures
 * included) are compared with setup's own (web-chat.flow.json), which are
 * known to be safe:
 *
 *   send_to_flex_checked    `customer` and the answers from check_customer's
 *                           answer, whose request must be setup's, to `url`
 *   send_to_flex_unchecked  neither: the name alone (the check failed or is absent)
 *   send_to_flex            the answers as stored: safe only behind setup's
 *                           split, on its "no customer" branch
 *
 * Any other Send to Flex that names `customer`, or copies the pre-engagement
 * data or the channel attributes whole, passes a `customer` nobody checked;
 * one that does neither cannot be judged here (Liquid can reach a key in
 * other ways) and is said as such.
 */
import {
  CHECK_WIDGET,
  CHECKED_WIDGET,
  nextOf,
  reachableWidgets,
  UNCHECKED_WIDGET,
  webChatFlowDefinition,
  type ChatTrigger,
  type Widget,
} from './flow-definition';

export type FlowCustomer =
  /** `customer` reaches the task only through the check at `url`. */
  | { verdict: 'checked'; url: string }
  /** No path gives the task `customer` at all: signed-in customers reach agents without it. */
  | { verdict: 'no-check' }
  /** Setup's check, but at another URL than this service's. */
  | { verdict: 'other-url'; url: string }
  /** `widget` passes `customer` (or the data that holds it) to the task unchecked. */
  | { verdict: 'unchecked'; widget: string }
  /** `widget` is not setup's: whether it passes `customer` cannot be told. */
  | { verdict: 'unknown'; widget: string };

const RANK: Record<FlowCustomer['verdict'], number> = {
  'no-check': 0,
  checked: 1,
  unknown: 2,
  'other-url': 3,
  unchecked: 4,
};

/** Names `customer`, or copies the whole pre-engagement data or channel attributes. */
const PASSES_CUSTOMER =
  /(ChannelAttributes|pre_engagement_data)\s*(\.\s*customer|\[\s*['"]customer['"]\s*\])|ChannelAttributes(\.pre_engagement_data)?\s*(\||\}\})/;

interface Templates {
  anonymous: string;
  checked: string;
  unchecked: string;
  split: Widget;
  check: Widget;
}

const props = (widget: Widget | undefined): Record<string, unknown> =>
  widget?.properties !== null && typeof widget?.properties === 'object'
    ? (widget.properties as Record<string, unknown>)
    : {};

/** Setup's own widgets, the yardstick (their Liquid does not depend on the placeholders). */
function templates(): Templates {
  const ours = webChatFlowDefinition({
    WORKFLOW_SID: '',
    CHAT_TASK_CHANNEL_SID: '',
    CHECK_CUSTOMER_URL: '',
  }) as { states: Widget[] };
  const named = (name: string) => ours.states.find((s) => s.name === name) as Widget;
  const attributes = (name: string) => props(named(name)).attributes as string;
  return {
    anonymous: attributes('send_to_flex'),
    checked: attributes(CHECKED_WIDGET),
    unchecked: attributes(UNCHECKED_WIDGET),
    split: named('has_customer'),
    check: named(CHECK_WIDGET),
  };
}

/** The match conditions of a split, as JSON (the part that decides who is checked). */
function conditionsOf(split: Widget): string {
  const transitions = Array.isArray(split.transitions) ? (split.transitions as unknown[]) : [];
  return JSON.stringify(
    transitions
      .map((t) => (t ?? {}) as { event?: unknown; conditions?: unknown })
      .filter((t) => t.event !== 'noMatch')
      .map((t) => t.conditions),
  );
}

/**
 * setup's anonymous Send to Flex is safe only when every way in is setup's
 * split (same input, same conditions), on its "no match" branch.
 */
function guarded(name: string, reached: Map<string, Widget>, ours: Templates): boolean {
  const into = [...reached.values()].filter((w) => nextOf(w).includes(name));
  return (
    into.length > 0 &&
    into.every((w) => {
      const transitions = (Array.isArray(w.transitions) ? w.transitions : []) as {
        event?: unknown;
        next?: unknown;
      }[];
      return (
        w.type === 'split-based-on' &&
        props(w).input === props(ours.split).input &&
        conditionsOf(w) === conditionsOf(ours.split) &&
        transitions.every((t) => t.next !== name || t.event === 'noMatch')
      );
    })
  );
}

function judge(
  name: string,
  widget: Widget,
  reached: Map<string, Widget>,
  ours: Templates,
  url: string | undefined,
): FlowCustomer | undefined {
  const given = props(widget).attributes;
  const attributes = typeof given === 'string' ? given : '';
  if (attributes === ours.unchecked) return { verdict: 'no-check' };
  if (attributes === ours.anonymous && guarded(name, reached, ours)) return undefined;
  if (attributes === ours.checked) {
    const check = reached.get(CHECK_WIDGET);
    const given = props(check);
    const same =
      check?.type === 'make-http-request' &&
      given.method === 'POST' &&
      given.body === props(ours.check).body;
    if (!same || typeof given.url !== 'string') return { verdict: 'unknown', widget: CHECK_WIDGET };
    return given.url === url
      ? { verdict: 'checked', url: given.url }
      : { verdict: 'other-url', url: given.url };
  }
  return PASSES_CUSTOMER.test(attributes)
    ? { verdict: 'unchecked', widget: name }
    : { verdict: 'unknown', widget: name };
}

/**
 * What the flow does with `customer`, for chats that start it with `event`:
 * the worst of its reachable Send to Flex widgets. `url` is this service's
 * check (undefined when it cannot be told: any URL is then `other-url`).
 */
export function customerCheckOf(
  definition: unknown,
  url: string | undefined,
  event: ChatTrigger = 'incomingConversationMessage',
): FlowCustomer {
  const ours = templates();
  const reached = reachableWidgets(definition, event);
  let worst: FlowCustomer = { verdict: 'no-check' };
  for (const [name, widget] of reached) {
    if (widget.type !== 'send-to-flex') continue;
    const verdict = judge(name, widget, reached, ours, url);
    if (verdict && RANK[verdict.verdict] > RANK[worst.verdict]) worst = verdict;
  }
  return worst;
}
