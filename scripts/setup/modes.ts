/**
 * What each HANDOFF_MODE needs, found on the account or created on request:
 *
 *   studio     a Studio flow that sends chats to Flex: the one in .env, one
 *              found (Flex's web chat or messaging flow first), or a new one
 *              from web-chat.flow.json
 *   webhook    the TaskRouter workspace, workflow and `chat` task channel, and
 *              PUBLIC_BASE_URL for running locally
 *   address    a Chat Address: one found, or a new one routing to a Studio flow
 *              or to this service's /interaction
 *   flex-flow  a web Flex Flow (legacy): one found, or a new one (task or Studio integration)
 *
 * Each decides .env variables in the plan (with where each came from), and
 * queues what it creates; nothing is created here (see context.ts).
 *
 * Re-runnable: `--create-*` first reuses what an earlier run made (.env's
 * ADDRESS_SID or FLEX_FLOW_SID if it still exists, else a resource with the
 * name setup gives it), so running the same command twice creates nothing
 * twice. A .env SID that does not exist on the account is marked broken:
 * setup proposes another, which may replace it.
 */
import type { HandoffMode } from '../../src/config';
import {
  createChatAddress,
  createFlexFlow,
  createStudioFlow,
  interactionUrlOf,
  type AddressTarget,
  type FlexFlowIntegration,
} from './create';
import {
  byName,
  chatAddresses,
  preferredFlow,
  studioFlows,
  taskChannels,
  webFlexFlows,
  workflows,
  workspaces,
  type ChatAddress,
  type FlexFlow,
  type StudioFlow,
} from './discover';
import {
  FLOW_DEFINITION_FILE,
  FLOW_FRIENDLY_NAME,
  sendsChatsToFlex,
  type ChatTrigger,
} from './flow-definition';
import { asked, problemWith, step, type ModeContext, type Source, type Value } from './context';
import { askText, choose, SetupError, type Choice } from './terminal';
import { statusOf } from './twilio';

const CREATE = 'create';
const MISSING = 'it does not exist on this account';

/** A resource chosen: its SID (now, or once its queued creation has run), and who chose it. */
interface Chosen {
  sid: Value;
  source: Source;
  /** Why this one and not .env's, when that is not obvious. */
  why?: string;
}

const sidOf = (value: Value): string => (typeof value === 'function' ? value() : value);

export const MODES: Record<HandoffMode, (ctx: ModeContext) => Promise<void>> = {
  async studio(ctx) {
    const flow = await chooseFlow(ctx, { allowCreate: true });
    ctx.plan.decide('STUDIO_FLOW_SID', flow.sid, flow.source, flow.why);
  },

  async webhook(ctx) {
    decideRouting(ctx, await pickRouting(ctx));
    const url = await askPublicBaseUrl(ctx, false);
    ctx.plan.decide('PUBLIC_BASE_URL', url.value, url.source);
  },

  address: addressMode,
  'flex-flow': flexFlowMode,
};

/* --- Studio flows -------------------------------------------------------- */

/**
 * A Studio flow: --studio-flow, --create-studio-flow, else a question whose
 * proposal is .env's flow if it sends chats to Flex, else the best one found
 * (see preferredFlow), else creating one.
 */
async function chooseFlow(
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
    plan.broken.set('STUDIO_FLOW_SID', MISSING);
    term.say(`! STUDIO_FLOW_SID ${inEnv} in .env does not exist on this account.`);
  }

  if (opts.studioFlow) {
    const given = flows.find((f) => f.sid === opts.studioFlow);
    if (!given) {
      throw new SetupError(
        `Studio flow ${opts.studioFlow} (--studio-flow) does not exist on this account: ` +
          'pass the FW… SID of one in Console > Studio, or leave the flag out to be offered them.',
      );
    }
    sayFlow(ctx, given, routes(given));
    return { sid: given.sid, source: 'flag' };
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
  return { sid, source, ...(why && { why }) };
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
    return { sid: reuse.sid, source };
  }
  const { routing } = await pickRouting(ctx);
  const made = { sid: '' };
  plan.queue(async () => {
    term.say(`… Creating Studio flow "${FLOW_FRIENDLY_NAME}" from ${FLOW_DEFINITION_FILE}`);
    const flow = await step('create the Studio flow', () =>
      createStudioFlow(ctx.client, {
        WORKFLOW_SID: routing.workflowSid,
        CHAT_TASK_CHANNEL_SID: routing.taskChannelSid,
      }),
    );
    made.sid = flow.sid;
    term.say(`✔ Created and published Studio flow ${flow.sid} "${flow.friendlyName}"`);
    plan.created.push({ what: `Studio flow ${flow.sid}`, reuse: `--studio-flow ${flow.sid}` });
  });
  return { sid: () => made.sid, source };
}

/* --- Chat Addresses ------------------------------------------------------ */

async function addressMode(ctx: ModeContext): Promise<void> {
  const { opts, term, client, file, plan } = ctx;
  const found = await step('list the Chat Addresses', () => chatAddresses(client));
  const inEnv = file.values.ADDRESS_SID || undefined;
  const current = found.find((a) => a.sid === inEnv);
  if (inEnv && !current) {
    plan.broken.set('ADDRESS_SID', 'it is not a Chat Address of this account');
    term.say(`! ADDRESS_SID ${inEnv} in .env is not a Chat Address of this account.`);
  }

  let picked: string;
  let source: Source;
  if (opts.createAddress) [picked, source] = [CREATE, 'flag'];
  else if (opts.address) {
    if (!found.some((a) => a.sid === opts.address)) {
      throw new SetupError(
        `Chat Address ${opts.address} (--address) is not a Chat Address of this account: ` +
          'pass one listed in Console > Flex > Channel management > Chat, or --create-address.',
      );
    }
    [picked, source] = [opts.address, 'flag'];
  } else {
    const choices: Choice<string>[] = [
      ...found.map((a) => ({
        value: a.sid,
        label: `${a.sid}  "${a.friendlyName}"  -> ${describeTarget(a)}`,
      })),
      { value: CREATE, label: 'Create a Chat Address for this service' },
    ];
    picked = await choose(term, 'Which Chat Address (Flex > Channel management > Chat)?', choices, {
      flag: '--address IG… or --create-address',
      proposed: current?.sid ?? found[0]?.sid ?? CREATE,
    });
    source = asked(term);
  }
  if (picked === CREATE) return createAddress(ctx, found, source);
  const address = found.find((a) => a.sid === picked) as ChatAddress;
  term.say(`✔ Chat Address: ${address.sid} -> ${describeTarget(address)}`);
  await useAddress(ctx, address, source);
}

const targetOf = (a: ChatAddress) => a.autoCreation.type;

function describeTarget(a: ChatAddress): string {
  return targetOf(a) === 'webhook'
    ? (a.autoCreation.webhook_url ?? 'a webhook')
    : `Studio ${a.autoCreation.studio_flow_sid ?? ''}`;
}

/** What an existing address implies for .env, decided by whoever chose the address. */
async function useAddress(ctx: ModeContext, address: ChatAddress, source: Source): Promise<void> {
  const { plan } = ctx;
  plan.decide('ADDRESS_SID', address.sid, source);
  if (targetOf(address) === 'webhook') {
    // It routes to /interaction: that needs the TaskRouter variables, and the
    // URL Twilio signs, which is the address's own.
    decideRouting(ctx, await pickRouting(ctx));
    const url = address.autoCreation.webhook_url ?? '';
    const base = /^(https?:\/\/[^?#]+)\/interaction$/.exec(url)?.[1];
    if (ctx.opts.publicBaseUrl !== undefined) {
      const given = await askPublicBaseUrl(ctx, true);
      plan.decide('PUBLIC_BASE_URL', given.value, given.source);
    } else plan.decide('PUBLIC_BASE_URL', base, source, `the address calls ${url}`);
  } else if (targetOf(address) === 'studio') {
    blankInteractionRouting(ctx, source);
  }
}

/**
 * An address that routes to Studio: set, the TaskRouter variables would make
 * this service expect Twilio at /interaction (src/config.ts reads them as
 * "the address routes here"), and locally require PUBLIC_BASE_URL.
 */
function blankInteractionRouting(ctx: ModeContext, source: Source): void {
  const why =
    'the address routes to Studio; set, it makes this service expect calls to /interaction';
  ctx.plan.decide('TASKROUTER_WORKSPACE_SID', '', source, why);
  ctx.plan.decide('TASKROUTER_WORKFLOW_SID', '', source, why);
}

/**
 * A new Chat Address, unless an earlier run made it: .env's address, or the
 * one named --address-name, is reused when it routes where asked. The name
 * must be free before anything (such as its Studio flow) is created.
 */
async function createAddress(
  ctx: ModeContext,
  found: ChatAddress[],
  source: Source,
): Promise<void> {
  const { opts, term, client, file, plan } = ctx;
  const targetType =
    opts.addressTarget ??
    (await choose(
      term,
      'Where should the new address send each chat?',
      [
        { value: 'studio' as const, label: 'a Studio flow (Send to Flex)' },
        { value: 'webhook' as const, label: "this service's /interaction (no Studio)" },
      ],
      { flag: '--address-target', proposed: 'studio' },
    ));
  const name = opts.addressName;
  const fromEnv = found.find((a) => a.sid === file.values.ADDRESS_SID);
  const named = found.find((a) => a.address === name);
  const reuse = [fromEnv, named].find((a) => a && targetOf(a) === targetType);
  if (reuse) {
    term.say(
      `✔ Reusing Chat Address ${reuse.sid} ("${reuse.address}") -> ${describeTarget(reuse)} (setup creates one only when there is none)`,
    );
    return useAddress(ctx, reuse, source);
  }
  if (named) {
    throw new SetupError(
      `A Chat Address named "${name}" already exists (${named.sid}) and routes to ${describeTarget(named)}, ` +
        `not to ${targetType === 'studio' ? 'a Studio flow' : '/interaction'}. Nothing was created: ` +
        `pass --address ${named.sid} to use it as it is, or --address-name NAME to create another.`,
    );
  }

  let target: () => AddressTarget;
  if (targetType === 'studio') {
    const flow = await chooseFlow(ctx, { allowCreate: true });
    target = () => ({ type: 'studio', flowSid: sidOf(flow.sid) });
    blankInteractionRouting(ctx, source);
  } else {
    decideRouting(ctx, await pickRouting(ctx));
    const url = await askPublicBaseUrl(ctx, true);
    plan.decide('PUBLIC_BASE_URL', url.value, url.source);
    const publicBaseUrl = url.value ?? '';
    target = () => ({ type: 'webhook', publicBaseUrl });
  }
  const made = { sid: '' };
  plan.queue(async () => {
    const to = target();
    const created = await step('create the Chat Address', async () => {
      try {
        return await createChatAddress(client, { name, serviceSid: ctx.serviceSid, target: to });
      } catch (error) {
        if (statusOf(error) !== 409) throw error;
        throw new SetupError(
          `Could not create the Chat Address: one named "${name}" already exists (HTTP 409). ` +
            'Pass --address IG… to use it (Console > Flex > Channel management > Chat), or --address-name NAME for another.',
        );
      }
    });
    made.sid = created.sid;
    term.say(
      `✔ Created Chat Address ${created.sid} ("${name}") -> ${
        to.type === 'studio' ? `Studio flow ${to.flowSid}` : interactionUrlOf(to.publicBaseUrl)
      }`,
    );
    plan.created.push({ what: `Chat Address ${created.sid}`, reuse: `--address ${created.sid}` });
  });
  plan.decide('ADDRESS_SID', () => made.sid, source);
}

/* --- Flex Flows (legacy) ------------------------------------------------- */

async function flexFlowMode(ctx: ModeContext): Promise<void> {
  const { opts, term, client, file, plan } = ctx;
  term.say(
    '! Flex Flows belong to Flex UI 1.x: Programmable Chat for Flex reached end of life on 2026-06-01.',
  );
  const found = await step('list the Flex Flows', () => webFlexFlows(client));
  const inEnv = file.values.FLEX_FLOW_SID || undefined;
  const current = found.find((f) => f.sid === inEnv);
  if (inEnv && !current) {
    plan.broken.set('FLEX_FLOW_SID', 'it is not a web Flex Flow of this account');
    term.say(`! FLEX_FLOW_SID ${inEnv} in .env is not a web Flex Flow of this account.`);
  }
  let picked: string;
  let source: Source;
  if (opts.createFlexFlow) [picked, source] = [CREATE, 'flag'];
  else if (opts.flexFlow) {
    if (!found.some((f) => f.sid === opts.flexFlow)) {
      throw new SetupError(
        `Flex Flow ${opts.flexFlow} (--flex-flow) is not a web Flex Flow of this account: ` +
          'pass one of Console > Flex > Channel management > Legacy addresses, or --create-flex-flow.',
      );
    }
    [picked, source] = [opts.flexFlow, 'flag'];
  } else {
    const choices: Choice<string>[] = [
      ...found.map((f) => ({
        value: f.sid,
        label: `${f.sid}  "${f.friendlyName}"  (${f.integrationType ?? 'no integration'})`,
      })),
      { value: CREATE, label: 'Create a web Flex Flow for this service' },
    ];
    picked = await choose(term, 'Which Flex Flow (channel type web)?', choices, {
      flag: '--flex-flow FO… or --create-flex-flow',
      proposed: current?.sid ?? found[0]?.sid ?? CREATE,
    });
    source = asked(term);
  }
  if (picked === CREATE) return createFlexFlowFor(ctx, found, source);
  term.say(`✔ Flex Flow: ${picked}`);
  plan.decide('FLEX_FLOW_SID', picked, source);
}

/** A new web Flex Flow, unless an earlier run made it (.env's, else one with setup's name). */
async function createFlexFlowFor(
  ctx: ModeContext,
  found: FlexFlow[],
  source: Source,
): Promise<void> {
  const { opts, term, client, file, plan } = ctx;
  const wanted = opts.flexFlowIntegration;
  const fits = (f: FlexFlow | undefined) =>
    f !== undefined && (wanted === undefined || f.integrationType === wanted);
  const reuse = [
    found.find((f) => f.sid === file.values.FLEX_FLOW_SID),
    found.find((f) => f.friendlyName === FLOW_FRIENDLY_NAME),
  ].find(fits);
  if (reuse) {
    term.say(
      `✔ Reusing Flex Flow ${reuse.sid} "${reuse.friendlyName}" (${reuse.integrationType ?? 'no'} integration; setup creates one only when there is none)`,
    );
    plan.decide('FLEX_FLOW_SID', reuse.sid, source);
    return;
  }
  const integrationType =
    wanted ??
    (await choose(
      term,
      'What should the new Flex Flow do with each chat?',
      [
        {
          value: 'task' as const,
          label: 'task    make a Flex task directly (workflow, chat channel)',
        },
        { value: 'studio' as const, label: 'studio  run a Studio flow (Send to Flex)' },
      ],
      { flag: '--flex-flow-integration', proposed: 'task' },
    ));
  let integration: () => FlexFlowIntegration;
  if (integrationType === 'task') {
    const { routing } = await pickRouting(ctx);
    integration = () => ({ type: 'task', ...routing });
  } else {
    // A Flex Flow's Studio flow starts on Programmable Chat's "Incoming Message".
    const flow = await chooseFlow(ctx, { allowCreate: false, event: 'incomingMessage' });
    integration = () => ({ type: 'studio', flowSid: sidOf(flow.sid) });
  }
  const made = { sid: '' };
  plan.queue(async () => {
    const created = await step('create the Flex Flow', () =>
      createFlexFlow(client, { serviceSid: ctx.serviceSid, integration: integration() }),
    );
    made.sid = created.sid;
    term.say(`✔ Created Flex Flow ${created.sid} (web, ${integrationType} integration)`);
    plan.created.push({ what: `Flex Flow ${created.sid}`, reuse: `--flex-flow ${created.sid}` });
  });
  plan.decide('FLEX_FLOW_SID', () => made.sid, source);
}

/* --- TaskRouter and the public URL -------------------------------------- */

interface Routing {
  workspaceSid: string;
  workflowSid: string;
  taskChannel: string;
  taskChannelSid: string;
}

interface RoutingChoice {
  routing: Routing;
  sources: { workspace: Source; workflow: Source; taskChannel: Source };
}

/** The TaskRouter workspace, workflow and `chat` task channel that route web chats. */
async function pickRouting(ctx: ModeContext): Promise<RoutingChoice> {
  const { opts, term, client, file, account, plan } = ctx;
  const all = await step('list the TaskRouter workspaces', () => workspaces(client));
  const inEnv = file.values.TASKROUTER_WORKSPACE_SID || undefined;
  if (inEnv && !all.some((w) => w.sid === inEnv) && !plan.broken.has('TASKROUTER_WORKSPACE_SID')) {
    plan.broken.set('TASKROUTER_WORKSPACE_SID', MISSING);
    term.say(`! TASKROUTER_WORKSPACE_SID ${inEnv} in .env does not exist on this account.`);
  }
  if (opts.workspace && !all.some((w) => w.sid === opts.workspace)) {
    throw new SetupError(
      `TaskRouter workspace ${opts.workspace} (--workspace) does not exist on this account: ` +
        `it has ${all.map((w) => `${w.sid} "${w.friendlyName}"`).join(', ') || 'none'}.`,
    );
  }
  const proposedWorkspace =
    all.find((w) => w.sid === inEnv)?.sid ??
    all.find((w) => w.sid === account.flex.workspaceSid)?.sid ??
    byName(all, /flex task assignment/i)?.sid;
  let workspaceSid: string;
  let workspaceSource: Source;
  if (opts.workspace) [workspaceSid, workspaceSource] = [opts.workspace, 'flag'];
  else if (all.length === 1 && proposedWorkspace) {
    [workspaceSid, workspaceSource] = [proposedWorkspace, 'found'];
  } else {
    workspaceSid = await choose(
      term,
      'Which TaskRouter workspace?',
      all.map((w) => ({ value: w.sid, label: `${w.sid}  "${w.friendlyName}"` })),
      { flag: '--workspace WS…', ...(proposedWorkspace && { proposed: proposedWorkspace }) },
    );
    workspaceSource = asked(term);
  }

  const flows = await step('list the workflows', () => workflows(client, workspaceSid));
  const workflowInEnv = file.values.TASKROUTER_WORKFLOW_SID || undefined;
  if (
    workflowInEnv &&
    workspaceSid === inEnv &&
    !flows.some((f) => f.sid === workflowInEnv) &&
    !plan.broken.has('TASKROUTER_WORKFLOW_SID')
  ) {
    plan.broken.set('TASKROUTER_WORKFLOW_SID', `it is not a workflow of ${workspaceSid}`);
    term.say(
      `! TASKROUTER_WORKFLOW_SID ${workflowInEnv} in .env is not a workflow of ${workspaceSid}.`,
    );
  }
  if (opts.workflow && !flows.some((f) => f.sid === opts.workflow)) {
    throw new SetupError(
      `Workflow ${opts.workflow} (--workflow) is not a workflow of workspace ${workspaceSid}: ` +
        `it has ${flows.map((f) => `${f.sid} "${f.friendlyName}"`).join(', ') || 'none'}.`,
    );
  }
  const proposedWorkflow =
    flows.find((f) => f.sid === workflowInEnv)?.sid ??
    flows.find((f) => f.sid === account.flex.workflowSid)?.sid ??
    byName(flows, /assign to anyone/i)?.sid;
  let workflowSid: string;
  let workflowSource: Source;
  if (opts.workflow) [workflowSid, workflowSource] = [opts.workflow, 'flag'];
  else {
    workflowSid = await choose(
      term,
      'Which workflow routes web chats?',
      flows.map((f) => ({ value: f.sid, label: `${f.sid}  "${f.friendlyName}"` })),
      { flag: '--workflow WW…', ...(proposedWorkflow && { proposed: proposedWorkflow }) },
    );
    workflowSource = asked(term);
  }

  const taskChannel = opts.taskChannel ?? (file.values.TASK_CHANNEL || 'chat');
  const channels = await step('list the task channels', () => taskChannels(client, workspaceSid));
  const channel = channels.find((c) => c.uniqueName === taskChannel);
  if (!channel) {
    throw new SetupError(
      `Workspace ${workspaceSid} has no "${taskChannel}" task channel (it has: ${channels.map((c) => c.uniqueName).join(', ')}). ` +
        'Flex web chats use "chat"; pass --task-channel to use another.',
    );
  }
  term.say(
    `✔ Routing: workspace ${workspaceSid}, workflow ${workflowSid}, task channel "${taskChannel}" (${channel.sid})`,
  );
  return {
    routing: { workspaceSid, workflowSid, taskChannel, taskChannelSid: channel.sid },
    sources: {
      workspace: workspaceSource,
      workflow: workflowSource,
      taskChannel: opts.taskChannel ? 'flag' : 'found',
    },
  };
}

/** The routing as .env variables (webhook mode, and addresses that route to /interaction). */
function decideRouting(ctx: ModeContext, { routing, sources }: RoutingChoice): void {
  ctx.plan.decide('TASKROUTER_WORKSPACE_SID', routing.workspaceSid, sources.workspace);
  ctx.plan.decide('TASKROUTER_WORKFLOW_SID', routing.workflowSid, sources.workflow);
  ctx.plan.decide('TASK_CHANNEL', routing.taskChannel, sources.taskChannel);
}

/**
 * PUBLIC_BASE_URL: where Twilio reaches this service. Needed to create an
 * address that routes here; for webhook mode only when running locally.
 */
async function askPublicBaseUrl(
  ctx: ModeContext,
  required: boolean,
): Promise<{ value: string | undefined; source: Source }> {
  const { opts, term, file } = ctx;
  const check = (value: string) => {
    if (value === '') return required ? 'A URL is needed here (https://…).' : undefined;
    const problem = problemWith(
      'PUBLIC_BASE_URL',
      { HANDOFF_MODE: 'webhook', PUBLIC_BASE_URL: value },
      'localhost',
    );
    return problem && `PUBLIC_BASE_URL ${problem}`;
  };
  if (opts.publicBaseUrl !== undefined) {
    // The flag answers the question; one the rules refuse is an error, not a question.
    const problem = check(opts.publicBaseUrl);
    if (problem) throw new SetupError(`--public-base-url: ${problem}`);
    return { value: opts.publicBaseUrl.replace(/\/+$/, '') || undefined, source: 'flag' };
  }
  const proposed = (file.values.PUBLIC_BASE_URL || undefined) ?? (required ? undefined : '');
  const url = await askText(
    term,
    required
      ? 'The https URL Twilio reaches this service at (your deployed https://<service>.twil.io, or a tunnel)'
      : 'The https URL Twilio reaches this service at when you run npm start (a tunnel; empty if you only deploy)',
    { flag: '--public-base-url', ...(proposed !== undefined && { proposed }), check },
  );
  return { value: url === '' ? undefined : url.replace(/\/+$/, ''), source: asked(term) };
}
