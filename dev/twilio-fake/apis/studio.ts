/**
 * Studio API v2: flows (list, fetch, create, update) and `POST /v2/Flows/Validate`.
 * Validation is structural, like the error list Studio gives (error 81022):
 * an initial state that exists, unique widget names, transitions that point
 * at existing widgets, only widget types this project's flow uses or
 * Studio's own default flows contain, only the transitions each of those has
 * (Send to Flex, Split, Make HTTP Request), and the properties a Make HTTP
 * Request (method, url, content type) and a Split (input) cannot do without.
 */
import { TEST_ENV } from '../env';
import { field, sid, twilioError, type RouteInput, type TwilioMock } from '../twilio-mock';
import { account, type MockFlow } from './account';
import { listMeta, now } from './common';

const base = 'https://studio.twilio.com/v2';
const KNOWN_WIDGETS = new Set([
  'trigger',
  'send-to-flex',
  'send-message',
  'send-and-wait-for-reply',
  'split-based-on',
  'set-variables',
  'run-function',
  'make-http-request',
]);

function flowJson(f: MockFlow) {
  const url = `${base}/Flows/${f.sid}`;
  return {
    sid: f.sid,
    account_sid: TEST_ENV.ACCOUNT_SID,
    author_sid: null,
    friendly_name: f.friendlyName,
    definition: f.definition,
    status: f.status,
    revision: f.revision,
    commit_message: null,
    valid: true,
    errors: [],
    warnings: [],
    date_created: now(),
    date_updated: now(),
    webhook_url: `https://webhooks.twilio.com/v1/Accounts/${TEST_ENV.ACCOUNT_SID}/Flows/${f.sid}`,
    url,
    links: { revisions: `${url}/Revisions`, executions: `${url}/Executions` },
  };
}

interface State {
  name?: unknown;
  type?: unknown;
  transitions?: { next?: unknown; event?: unknown }[];
  properties?: Record<string, unknown>;
}

/** The transitions each widget type has in Studio (others are refused). */
const EVENTS: Record<string, string[]> = {
  'send-to-flex': ['callComplete', 'failedToEnqueue', 'callFailure'],
  'split-based-on': ['noMatch', 'match'],
  'make-http-request': ['success', 'failed'],
};

/** What Studio requires of a widget's properties, for the types this project writes. */
function propertyErrors(state: State): string[] {
  const name = String(state.name);
  const props = state.properties ?? {};
  const errors: string[] = [];
  const events = EVENTS[String(state.type)];
  for (const t of state.transitions ?? []) {
    if (events && !events.includes(String(t.event))) {
      errors.push(`${name}: ${String(state.type)} has no transition ${String(t.event)}`);
    }
  }
  if (state.type === 'make-http-request') {
    if (!['GET', 'POST'].includes(String(props.method)))
      errors.push(`${name}: method must be GET or POST`);
    if (typeof props.url !== 'string' || props.url === '') errors.push(`${name}: url is required`);
    if (typeof props.content_type !== 'string') errors.push(`${name}: content_type is required`);
  }
  if (state.type === 'split-based-on' && typeof props.input !== 'string') {
    errors.push(`${name}: input is required`);
  }
  return errors;
}

/** What Studio would list as the definition's errors; empty when valid. */
export function definitionErrors(definition: unknown): string[] {
  if (definition === null || typeof definition !== 'object')
    return ['definition must be an object'];
  const { states, initial_state: initial } = definition as {
    states?: unknown;
    initial_state?: unknown;
  };
  if (!Array.isArray(states) || states.length === 0) return ['states must be a non-empty array'];
  const errors: string[] = [];
  const names = (states as State[]).map((s) => s.name);
  if (new Set(names).size !== names.length) errors.push('widget names must be unique');
  if (!names.includes(initial)) errors.push('initial_state must name a widget');
  for (const state of states as State[]) {
    if (typeof state.type !== 'string' || !KNOWN_WIDGETS.has(state.type)) {
      errors.push(`${String(state.name)}: unknown widget type ${String(state.type)}`);
    }
    errors.push(...propertyErrors(state));
    for (const t of state.transitions ?? []) {
      if (t.next !== undefined && !names.includes(t.next)) {
        errors.push(`${String(state.name)}: transition ${String(t.event)} to a missing widget`);
      }
    }
  }
  return errors;
}

function parseDefinition(input: RouteInput): unknown {
  try {
    return JSON.parse(field(input, 'Definition') ?? '');
  } catch {
    return undefined;
  }
}

function invalid(errors: string[]) {
  const out = twilioError(400, 81022, 'Flow definition validation failed');
  return { ...out, body: { ...(out.body as object), details: { errors } } };
}

export function installStudioRoutes(mock: TwilioMock): void {
  mock.route('flows.list', 'GET', 'studio.twilio.com/v2/Flows', () => ({
    status: 200,
    body: {
      // Like Twilio: "Flow definitions are null in the Flows List Resource."
      flows: account(mock).flows.map((f) => ({ ...flowJson(f), definition: null })),
      meta: listMeta(`${base}/Flows`, 'flows'),
    },
  }));

  mock.route('flows.validate', 'POST', 'studio.twilio.com/v2/Flows/Validate', (input) => {
    const errors = definitionErrors(parseDefinition(input));
    return errors.length > 0 ? invalid(errors) : { status: 200, body: { valid: true } };
  });

  mock.route('flows.fetch', 'GET', 'studio.twilio.com/v2/Flows/:sid', (input) => {
    const flow = account(mock).flows.find((f) => f.sid === input.params.sid);
    if (!flow) return twilioError(404, 20404, `Flow ${input.params.sid} was not found`);
    return { status: 200, body: flowJson(flow) };
  });

  // Like Studio: a new revision, published or a draft, of a valid definition.
  mock.route('flows.update', 'POST', 'studio.twilio.com/v2/Flows/:sid', (input) => {
    const flow = account(mock).flows.find((f) => f.sid === input.params.sid);
    if (!flow) return twilioError(404, 20404, `Flow ${input.params.sid} was not found`);
    const given = field(input, 'Definition');
    const definition = given === undefined ? flow.definition : parseDefinition(input);
    const errors = definitionErrors(definition);
    if (errors.length > 0) return invalid(errors);
    flow.definition = definition;
    flow.status = field(input, 'Status') === 'published' ? 'published' : 'draft';
    flow.friendlyName = field(input, 'FriendlyName') ?? flow.friendlyName;
    flow.revision += 1;
    return { status: 200, body: flowJson(flow) };
  });

  mock.route('flows.create', 'POST', 'studio.twilio.com/v2/Flows', (input) => {
    const definition = parseDefinition(input);
    const errors = definitionErrors(definition);
    if (errors.length > 0) return invalid(errors);
    const flow: MockFlow = {
      sid: sid('FW'),
      friendlyName: field(input, 'FriendlyName') ?? '',
      status: field(input, 'Status') === 'published' ? 'published' : 'draft',
      definition,
      revision: 1,
    };
    account(mock).flows.push(flow);
    return { status: 201, body: flowJson(flow) };
  });
}
