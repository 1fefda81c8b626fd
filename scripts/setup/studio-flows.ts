/**
 * Studio flows, for every mode that hands chats to one (studio; address and
 * flex-flow, whose address or Flex Flow may run one):
 *
 *   studioFlows       GET studio /v2/Flows, then each flow: the list leaves `definition`
 *                     null ("use the Fetch method"), and where chats go is in it
 *   preferredFlow     the one to propose: only a flow that sends chats to Flex; the one
 *                     setup created, else Flex's web chat flow, else its messaging flow
 *   chooseFlow        setup: --studio-flow, --create-studio-flow, else a question
 *   createStudioFlow  POST /v2/Flows/Validate, then POST /v2/Flows (Status=published)
 *                     from web-chat.flow.json, checking customer at this service's URL
 *                     when known (flow-check-url.ts); an invalid definition creates
 *                     nothing; one an earlier run created is reused, and brought up
 *                     to date with the check if it is still setup's
 *   checkFlow         doctor: the flow exists, sends chats to Flex, and is published;
 *                     with customer tokens on, what it does with `customer` (trust.ts)
 *
 * A flow named like Flex's may be an IVR: only its definition says whether a
 * chat that starts it reaches Send to Flex (flow-definition.ts).
 */
import { fetchChecked, SETUP, type Add, type DoctorContext } from './checks';
import { CREATE } from './choose-resource';
import { flowCheckUrl, updateReusedFlow } from './flow-check-url';
import type { FlowInstance } from 'twilio/lib/rest/studio/v2/flow';
import type { ModeContext, Named } from './context';
import {
  FLOW_DEFINITION_FILE,
  FLOW_FRIENDLY_NAME,
  sendsChatsToFlex,
  webChatFlowDefinition,
  type ChatTrigger,
  type FlowPlaceholders,
} from './flow-definition';
import { asked, type Source, type Value } from './plan';
import { pickRouting } from './routing';
import { checkFlowCustomer } from './trust';
import { choose, SetupError, type Choice } from './terminal';
import { fetchIfExists, statusOf, step, type Client } from './twilio';

/** A flow as fetched: its definition says where chats go. */
type StudioFlow = Pick<FlowInstance, 'sid' | 'friendlyName' | 'status' | 'definition'>;

/** A resource chosen: its SID (now, or once its queued creation has run), and who chose it. */
export interface Chosen {
  sid: Value;
  source: Source;
  /** Why this one and not .env's, when that is not obvious. */
  why?: string;
}

/** Flows fetched at once: quick on big accounts, gentle on Twilio's rate limits. */
const FLOW_FETCHES_AT_ONCE = 8;

/** The account's flows with their definitions; one deleted since the list is left out. */
export async function studioFlows(client: Client): Promise<StudioFlow[]> {
  const listed = await client.studio.v2.flows.list({ limit: 200 });
  const withDefinition = ({ sid }: { sid: string }) =>
    fetchIfExists(() => client.studio.v2.flows(sid).fetch());
  const flows: StudioFlow[] = [];
  for (let i = 0; i < listed.length; i += FLOW_FETCHES_AT_ONCE) {
    const batch = await Promise.all(listed.slice(i, i + FLOW_FETCHES_AT_ONCE).map(withDefinition));
    flows.push(...batch.filter((flow) => flow !== undefined));
  }
  return flows;
}

/**
 * The flow to propose: only one that sends chats to Flex (see
 * sendsChatsToFlex), and among those the one setup created before, else
 * Flex's web chat flow, else its messaging flow; published ones first.
 */
export function preferredFlow(
  flows: StudioFlow[],
  event: ChatTrigger = 'incomingConversationMessage',
): StudioFlow | undefined {
  const rank = (f: StudioFlow) => {
    const name = f.friendlyName.toLowerCase();
    const byName =
      name === FLOW_FRIENDLY_NAME.toLowerCase()
        ? 0
        : /web ?chat/.test(name)
          ? 1
          : /messaging|chat/.test(name)
            ? 2
            : 3;
    return byName * 2 + (f.status === 'published' ? 0 : 1);
  };
  const routing = flows.filter((f) => sendsChatsToFlex(f.definition, event));
  return [...routing].sort((a, b) => rank(a) - rank(b))[0];
}

/**
 * A Studio flow: --studio-flow, --create-studio-flow, else a question whose
 * proposal is .env's flow if it sends chats to Flex, else the best one found
 * (see preferredFlow), else creating one.
 */
export async function chooseFlow(
  ctx: ModeContext,
  options: { allowCreate: boolean; event?: ChatTrigger },
): Promise<Chosen> {
  const { opts, term, client, file, plan } = ctx;
  const event = options.event ?? 'incomingConversationMessage';
  const routes = (f: StudioFlow) => sendsChatsToFlex(f.definition, event);
  const flows = await step('list the Studio flows', () => studioFlows(client));
  const inEnv = file.values.STUDIO_FLOW_SID || undefined;
  const current = flows.find((f) => f.sid === inEnv);
  if (inEnv && !current && !plan.broken.has('STUDIO_FLOW_SID')) {
    plan.broken.set('STUDIO_FLOW_SID', 'it does not exist on this account');
    term.say(`! STUDIO_FLOW_SID ${inEnv} in .env does not exist on this account.`);
  }

  if (opts.studioFlow) {
    const given = givenFlow(ctx, flows, opts.studioFlow, routes);
    if (options.allowCreate) await updateIfOurs(ctx, flows, given.sid);
    return given;
  }
  if (options.allowCreate && opts.createStudioFlow) return createFlow(ctx, flows, 'flag');

  const label = (f: StudioFlow) =>
    `${f.sid}  "${f.friendlyName}"${f.status === 'published' ? '' : ` (${f.status})`}${
      routes(f) ? '' : '  (does not send chats to Flex)'
    }`;
  const choices: Choice<string>[] = [
    ...flows.map((f) => ({ value: f.sid, label: label(f) })),
    ...(options.allowCreate
      ? [
          {
            value: CREATE,
            label: `Create "${FLOW_FRIENDLY_NAME}" (Incoming Conversation -> Send to Flex)`,
          },
        ]
      : []),
  ];
  const usable = current && routes(current) ? current : undefined;
  const proposed =
    usable?.sid ?? preferredFlow(flows, event)?.sid ?? (options.allowCreate ? CREATE : undefined);
  const sid = await choose(term, 'Which Studio flow sends chats to Flex?', choices, {
    flag: options.allowCreate ? '--studio-flow FW… or --create-studio-flow' : '--studio-flow FW…',
    ...(proposed !== undefined && { proposed }),
  });
  const source = asked(term);
  // Said if it replaces .env's flow: that one cannot route chats.
  const why =
    current && !usable
      ? `${current.sid} "${current.friendlyName}" does not send chats to Flex`
      : undefined;
  if (sid === CREATE) return { ...(await createFlow(ctx, flows, source)), ...(why && { why }) };
  const picked = flows.find((f) => f.sid === sid);
  if (picked) sayFlow(ctx, picked, routes(picked));
  if (options.allowCreate) await updateIfOurs(ctx, flows, sid);
  return { sid, source, ...(why && { why }) };
}

/** A flow setup created (by name), chosen again: brought up to date with the check. */
async function updateIfOurs(ctx: ModeContext, flows: StudioFlow[], sid: Value): Promise<void> {
  const flow = flows.find((f) => f.sid === sid);
  if (flow?.friendlyName === FLOW_FRIENDLY_NAME) await updateReusedFlow(ctx, flow);
}

/** The flow --studio-flow names: it must exist; one that cannot route chats is said. */
function givenFlow(
  ctx: ModeContext,
  flows: StudioFlow[],
  sid: string,
  routes: (f: StudioFlow) => boolean,
): Chosen {
  const given = flows.find((f) => f.sid === sid);
  if (!given) {
    throw new SetupError(
      `Studio flow ${sid} (--studio-flow) does not exist on this account: ` +
        'pass the FW… SID of one in Console > Studio, or leave the flag out to be offered them.',
    );
  }
  sayFlow(ctx, given, routes(given));
  return { sid: given.sid, source: 'flag' };
}

function sayFlow(ctx: ModeContext, flow: StudioFlow, routes: boolean): void {
  ctx.term.say(`✔ Studio flow: ${flow.sid} "${flow.friendlyName}"`);
  if (!routes) {
    ctx.term.say(
      '! It does not send chats to Flex (no Send to Flex after its chat trigger); doctor will say so.',
    );
  }
}

/**
 * The flow from web-chat.flow.json: one an earlier run created is reused
 * (.env's if it has that name, else any by that name that sends chats to
 * Flex); otherwise its creation is queued.
 */
async function createFlow(ctx: ModeContext, flows: StudioFlow[], source: Source): Promise<Chosen> {
  const { term, file, plan } = ctx;
  const ours = flows
    .filter((f) => f.friendlyName === FLOW_FRIENDLY_NAME && sendsChatsToFlex(f.definition))
    .sort((a, b) => Number(b.status === 'published') - Number(a.status === 'published'));
  const reuse = ours.find((f) => f.sid === file.values.STUDIO_FLOW_SID) ?? ours[0];
  if (reuse) {
    term.say(
      `✔ Reusing Studio flow ${reuse.sid} "${reuse.friendlyName}" (setup creates it only when there is none)`,
    );
    await updateReusedFlow(ctx, reuse);
    return { sid: reuse.sid, source };
  }
  const { routing, taskChannelSid } = await pickRouting(ctx);
  const checkUrl = await flowCheckUrl(ctx);
  const sid = plan.creates({ kind: 'Studio flow', flag: '--studio-flow' }, async () => {
    term.say(`… Creating Studio flow "${FLOW_FRIENDLY_NAME}" from ${FLOW_DEFINITION_FILE}`);
    const flow = await step('create the Studio flow', () =>
      createStudioFlow(ctx.client, {
        WORKFLOW_SID: routing.workflowSid,
        CHAT_TASK_CHANNEL_SID: taskChannelSid,
        CHECK_CUSTOMER_URL: checkUrl,
      }),
    );
    term.say(`✔ Created and published Studio flow ${flow.sid} "${flow.friendlyName}"`);
    return flow.sid;
  });
  return { sid, source };
}

/** Studio's list of what is wrong with a definition (error 81022), as lines. */
function definitionErrors(error: unknown): string[] {
  const details = (error as { details?: { errors?: unknown } } | null)?.details;
  const errors = Array.isArray(details?.errors) ? details.errors : [];
  return errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)));
}

async function createStudioFlow(client: Client, values: FlowPlaceholders): Promise<Named> {
  const request = {
    friendlyName: FLOW_FRIENDLY_NAME,
    status: 'published' as const,
    definition: webChatFlowDefinition(values),
    commitMessage: 'Created by npm run setup (scripts/setup/web-chat.flow.json)',
  };
  try {
    await client.studio.v2.flowValidate.update(request);
  } catch (error) {
    if (statusOf(error) !== 400) throw error;
    const lines = definitionErrors(error);
    throw new SetupError(
      `Studio refused the flow definition (nothing was created):\n${
        lines.map((l) => `  - ${l}`).join('\n') || '  (no details given)'
      }`,
    );
  }
  const flow = await client.studio.v2.flows.create(request);
  return { sid: flow.sid, friendlyName: flow.friendlyName };
}

/**
 * Doctor: the flow exists, its Trigger's `event` transition reaches Send to
 * Flex, and it is published. `name` is the row: STUDIO_FLOW_SID, or the flow
 * an address or Flex Flow runs.
 */
export async function checkFlow(
  ctx: Pick<DoctorContext, 'client' | 'add' | 'checkCustomerUrl' | 'customerTokens'>,
  name: string,
  sid: string,
  event: ChatTrigger = 'incomingConversationMessage',
  /** Others can write where it reads `customer` (trust.ts): Chat Address, Flex Flow. */
  forgeable = false,
): Promise<void> {
  const { client, add } = ctx;
  const flow = await fetchChecked(
    add,
    name,
    'read the Studio flow',
    [
      `Studio flow ${sid} does not exist on this account`,
      name === 'STUDIO_FLOW_SID'
        ? `${SETUP}: it proposes another flow (or pass --studio-flow FW…, or --create-studio-flow)`
        : `point it at a flow that exists (Console > Flex > Channel management), or ${SETUP} to choose another`,
    ],
    () => client.studio.v2.flows(sid).fetch(),
  );
  if (!flow) return;
  reportFlow(add, name, flow, event);
  if (ctx.customerTokens) {
    checkFlowCustomer(add, flow, { url: ctx.checkCustomerUrl, event, forgeable });
  }
}

function reportFlow(add: Add, name: string, flow: StudioFlow, event: ChatTrigger): void {
  const label = `Studio flow ${flow.sid} ("${flow.friendlyName}")`;
  if (!sendsChatsToFlex(flow.definition, event)) {
    const trigger = event === 'incomingMessage' ? 'Incoming Message' : 'Incoming Conversation';
    add(
      name,
      'problem',
      `${label} does not send chats to Flex: its Trigger's ${trigger} transition leads to no Send to Flex widget`,
      `connect ${trigger} to a Send to Flex widget in Console > Studio, or run npm run setup -- --create-studio-flow`,
    );
  } else if (flow.status !== 'published') {
    add(
      name,
      'problem',
      `${label} is a draft: nothing runs until it is published`,
      'open it in Console > Studio and click Publish',
    );
  } else add(name, 'ok', `${label} is published and sends chats to Flex`);
}
