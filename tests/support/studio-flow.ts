/**
 * Runs a chat through a Studio flow definition the way Studio would, far
 * enough for the flow setup creates (scripts/setup/web-chat.flow.json):
 * Liquid rendered by liquidjs (with Studio's `to_json`), Split Based On with
 * `equal_to` conditions, Make HTTP Request (a JSON body; `parsed` is the
 * answer's JSON, success on 2xx, failed otherwise or when nothing answers),
 * and Send to Flex, whose rendered attributes are the task's.
 *
 * @example
 *   const run = await runChatFlow(definition, { conversation: { Author: 'cust_…', … } }, http);
 *   run.path; // ['has_customer', 'check_customer', 'send_to_flex_checked']
 */
import { Liquid } from 'liquidjs';

export const liquid = new Liquid({ strictFilters: true });
// Studio's filter: the value as JSON (nil as null).
liquid.registerFilter('to_json', (value: unknown) => JSON.stringify(value ?? null));

export interface HttpAnswer {
  status: number;
  body: unknown;
}

/** What the flow's Make HTTP Request reaches: an answer, or undefined when nothing answers. */
export type FlowHttp = (request: {
  url: string;
  contentType: string;
  body: unknown;
}) => Promise<HttpAnswer | undefined>;

export interface FlowRun {
  /** The widgets run after the Trigger, in order. */
  path: string[];
  /** The task attributes Send to Flex was given (parsed: they must be JSON). */
  task: Record<string, unknown>;
  /** The Make HTTP Request bodies sent (parsed). */
  requests: unknown[];
}

interface Widget {
  name: string;
  type: string;
  transitions: { event: string; next?: string; conditions?: Condition[] }[];
  properties: Record<string, unknown>;
}

interface Condition {
  type: string;
  value: string;
}

const render = (template: unknown, scope: object) =>
  liquid.parseAndRenderSync(String(template), scope) as string;

function nextAfter(widget: Widget, event: string): string {
  const next = widget.transitions.find((t) => t.event === event)?.next;
  if (next === undefined) throw new Error(`${widget.name}: ${event} leads nowhere`);
  return next;
}

function split(widget: Widget, scope: object): string {
  const input = render(widget.properties.input, scope);
  for (const t of widget.transitions) {
    if (t.event !== 'match') continue;
    const holds = (t.conditions ?? []).every((c) => {
      if (c.type !== 'equal_to') throw new Error(`condition ${c.type} not supported here`);
      return input === c.value;
    });
    if (holds && t.next) return t.next;
  }
  return nextAfter(widget, 'noMatch');
}

export async function runChatFlow(
  definition: unknown,
  trigger: { conversation: Record<string, unknown> },
  http: FlowHttp,
): Promise<FlowRun> {
  const states = (definition as { states: Widget[] }).states;
  const byName = new Map(states.map((s) => [s.name, s]));
  const start = states.find((s) => s.type === 'trigger') as Widget;
  const widgets: Record<string, unknown> = {};
  const scope = { trigger, widgets, flow: {} };
  const run: FlowRun = { path: [], task: {}, requests: [] };
  let name = nextAfter(start, 'incomingConversationMessage');
  for (let steps = 0; steps < 20; steps += 1) {
    const widget = byName.get(name);
    if (!widget) throw new Error(`no widget ${name}`);
    run.path.push(name);
    if (widget.type === 'send-to-flex') {
      run.task = JSON.parse(render(widget.properties.attributes, scope)) as Record<string, unknown>;
      return run;
    }
    if (widget.type === 'split-based-on') name = split(widget, scope);
    else if (widget.type === 'make-http-request') {
      const body: unknown = JSON.parse(render(widget.properties.body, scope));
      run.requests.push(body);
      const answer = await http({
        url: String(widget.properties.url),
        contentType: String(widget.properties.content_type),
        body,
      });
      const ok = answer !== undefined && answer.status >= 200 && answer.status < 300;
      if (answer) widgets[name] = { status_code: answer.status, parsed: answer.body };
      name = nextAfter(widget, ok ? 'success' : 'failed');
    } else throw new Error(`widget type ${widget.type} not supported here`);
  }
  throw new Error('the flow did not reach Send to Flex');
}
