/**
 * Setup: whether a flow is still exactly as setup made it, and moving the
 * check of one that is not.
 *
 *   madeBySetup    its whole definition equals one setup creates or created
 *                  (web-chat.flow.json, with or without the check, and the
 *                  earlier versions in web-chat.flow.earlier.json), ignoring
 *                  only what setup itself varies or Studio's canvas moves:
 *                  widget offsets, Send to Flex's workflow and channel,
 *                  check_customer's URL. Only such a flow may be replaced
 *                  with the current definition: anything else (a welcome
 *                  message, an hours split, a bot step) is the company's
 *                  work in Studio, and publishing setup's definition over it
 *                  would lose it.
 *   withCheckUrl   an edited flow that has setup's check widget
 *                  (check_customer, POST with setup's body), with only that
 *                  widget's URL changed: the company's edits stay.
 *
 * Hazard: equality is strict. If Studio ever adds a default property to a
 * widget it was sent without, an untouched flow reads as edited and setup
 * leaves it alone (and says so): the safe way to be wrong.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import {
  CHECK_WIDGET,
  FLOW_DEFINITION_FILE,
  webChatFlowDefinition,
  type FlowPlaceholders,
} from './flow-definition';

const EARLIER_FILE = join(__dirname, 'web-chat.flow.earlier.json');

/** The placeholders as the template files write them. */
const PLACEHOLDERS: Required<FlowPlaceholders> = {
  WORKFLOW_SID: '${WORKFLOW_SID}',
  CHAT_TASK_CHANNEL_SID: '${CHAT_TASK_CHANNEL_SID}',
  CHECK_CUSTOMER_URL: '${CHECK_CUSTOMER_URL}',
};

interface State {
  name?: unknown;
  type?: unknown;
  properties?: Record<string, unknown>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** A copy with what setup varies put back to its placeholders; undefined for a non-flow. */
function shapeOf(definition: unknown): unknown {
  if (!isObject(definition) || !Array.isArray(definition.states)) return undefined;
  const copy = JSON.parse(JSON.stringify(definition)) as { states: unknown[] };
  for (const state of copy.states) {
    if (!isObject(state) || !isObject(state.properties)) continue;
    const { type, name } = state;
    const properties = state.properties;
    delete properties.offset;
    if (type === 'send-to-flex') {
      if ('workflow' in properties) properties.workflow = PLACEHOLDERS.WORKFLOW_SID;
      if ('channel' in properties) properties.channel = PLACEHOLDERS.CHAT_TASK_CHANNEL_SID;
    }
    if (type === 'make-http-request' && name === CHECK_WIDGET && 'url' in properties) {
      properties.url = PLACEHOLDERS.CHECK_CUSTOMER_URL;
    }
  }
  return copy;
}

let templates: unknown[] | undefined;

/** Every definition setup creates or created, as shapes. */
function setupShapes(): unknown[] {
  templates ??= [
    JSON.parse(readFileSync(FLOW_DEFINITION_FILE, 'utf8')),
    webChatFlowDefinition({ ...PLACEHOLDERS, CHECK_CUSTOMER_URL: undefined }),
    ...(JSON.parse(readFileSync(EARLIER_FILE, 'utf8')) as { definitions: unknown[] }).definitions,
  ].map(shapeOf);
  return templates;
}

/** Whether the flow is exactly as setup makes or made it (see above). */
export function madeBySetup(definition: unknown): boolean {
  const shape = shapeOf(definition);
  return shape !== undefined && setupShapes().some((ours) => isDeepStrictEqual(shape, ours));
}

/** Setup's own check widget, as the current template has it (its URL aside). */
function setupCheck(): State {
  const current = JSON.parse(readFileSync(FLOW_DEFINITION_FILE, 'utf8')) as { states: State[] };
  return current.states.find((s) => s.name === CHECK_WIDGET) ?? {};
}

/**
 * The definition with check_customer's URL set to `url` and nothing else
 * changed; undefined when it has no check widget of setup's (same type,
 * method and body) or already checks there.
 */
export function withCheckUrl(definition: unknown, url: string): unknown {
  if (!isObject(definition) || !Array.isArray(definition.states)) return undefined;
  const copy = JSON.parse(JSON.stringify(definition)) as { states: unknown[] };
  const ours = setupCheck().properties ?? {};
  const check = copy.states.find(
    (s): s is State & { properties: Record<string, unknown> } =>
      isObject(s) && s.name === CHECK_WIDGET && isObject(s.properties),
  );
  const props = check?.properties;
  const same =
    check?.type === 'make-http-request' &&
    props?.method === ours.method &&
    props?.body === ours.body &&
    props?.content_type === ours.content_type;
  if (!same || props === undefined || props.url === url) return undefined;
  props.url = url;
  return copy;
}
