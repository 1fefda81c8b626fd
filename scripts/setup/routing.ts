/**
 * TaskRouter routing: the workspace, workflow and task channel a chat's task
 * goes to. Webhook mode (and an address that routes to /interaction) writes
 * it to .env; a Flex Flow's task integration and the Studio flow setup
 * creates carry it themselves.
 *
 *   pickRouting     setup: the workspace, then one of its workflows (each: its
 *                   flag, else a question proposing .env's, Flex's, else one by
 *                   name), and the task channel (--task-channel, .env's, `chat`)
 *   decideRouting   setup: the routing as .env variables
 *   routingOf       doctor: the routing .env names
 *   checkRouting    doctor: the workspace exists, the workflow belongs to it,
 *                   the task channel exists in it
 */
import { DEFAULTS, type InteractionRoute } from '../../src/config';
import { addProblems, fetchChecked, problemsOf, SETUP, type DoctorContext } from './checks';
import type { ModeContext, Named } from './context';
import { asked, type Source } from './plan';
import { choose, SetupError } from './terminal';
import { explain, step, type Client } from './twilio';

/** The first item whose name matches, else the first item. */
const byName = <T extends Named>(items: T[], pattern: RegExp): T | undefined =>
  items.find((i) => pattern.test(i.friendlyName)) ?? items[0];

/** Where tasks go: a workspace, one of its workflows, and a task channel (unique name or SID). */
export type Routing = Pick<InteractionRoute, 'workspaceSid' | 'workflowSid' | 'taskChannel'>;

export interface RoutingChoice {
  routing: Routing;
  /** The task channel's TC… SID (Studio's Send to Flex takes that). */
  taskChannelSid: string;
  sources: { workspace: Source; workflow: Source; taskChannel: Source };
}

const taskChannels = (client: Client, workspaceSid: string) =>
  client.taskrouter.v1.workspaces(workspaceSid).taskChannels.list({ limit: 100 });

/**
 * One of the two choices pickRouting makes, a workspace or one of its
 * workflows: its flag, else a question proposing .env's (`inEnv`, where it
 * can be among `items`), else Flex's own, else the first named like `byName`;
 * `absent` says what a SID not among them is.
 */
interface Level {
  variable: 'TASKROUTER_WORKSPACE_SID' | 'TASKROUTER_WORKFLOW_SID';
  flag: string;
  shape: string;
  what: string;
  question: string;
  absent: string;
  given: string | undefined;
  inEnv: string | undefined;
  flexSid: string | null;
  byName: RegExp;
  /** A lone item is taken without a question. */
  loneIsFound: boolean;
}

async function pickOne(ctx: ModeContext, items: Named[], level: Level) {
  const { term, plan } = ctx;
  const { variable, inEnv, given } = level;
  const listed = (sid: string | null | undefined) => items.find((i) => i.sid === sid)?.sid;
  if (inEnv && !listed(inEnv) && !plan.broken.has(variable)) {
    plan.broken.set(variable, `it ${level.absent}`);
    term.say(`! ${variable} ${inEnv} in .env ${level.absent}.`);
  }
  if (given) {
    if (listed(given)) return { sid: given, source: 'flag' as Source };
    throw new SetupError(
      `${level.what} ${given} (${level.flag}) ${level.absent}: ` +
        `it has ${items.map((i) => `${i.sid} "${i.friendlyName}"`).join(', ') || 'none'}.`,
    );
  }
  const proposed = listed(inEnv) ?? listed(level.flexSid) ?? byName(items, level.byName)?.sid;
  if (level.loneIsFound && items.length === 1 && proposed) {
    return { sid: proposed, source: 'found' as Source };
  }
  const sid = await choose(
    term,
    level.question,
    items.map((i) => ({ value: i.sid, label: `${i.sid}  "${i.friendlyName}"` })),
    { flag: `${level.flag} ${level.shape}`, ...(proposed && { proposed }) },
  );
  return { sid, source: asked(term) };
}

const WORKSPACE = {
  variable: 'TASKROUTER_WORKSPACE_SID',
  flag: '--workspace',
  shape: 'WS…',
  what: 'TaskRouter workspace',
  question: 'Which TaskRouter workspace?',
  byName: /flex task assignment/i,
  loneIsFound: true,
} as const;

const WORKFLOW = {
  variable: 'TASKROUTER_WORKFLOW_SID',
  flag: '--workflow',
  shape: 'WW…',
  what: 'Workflow',
  question: 'Which workflow routes web chats?',
  byName: /assign to anyone/i,
  loneIsFound: false,
} as const;

/** The TaskRouter workspace, workflow and `chat` task channel that route web chats. */
export async function pickRouting(ctx: ModeContext): Promise<RoutingChoice> {
  const { opts, term, client, file, account } = ctx;
  const envWorkspace = file.values.TASKROUTER_WORKSPACE_SID || undefined;
  const all = await step('list the TaskRouter workspaces', () =>
    client.taskrouter.v1.workspaces.list({ limit: 100 }),
  );
  const workspace = await pickOne(ctx, all, {
    ...WORKSPACE,
    absent: 'does not exist on this account',
    given: opts.workspace,
    inEnv: envWorkspace,
    flexSid: account.flex.workspaceSid,
  });
  const workspaceSid = workspace.sid;
  const flows = await step('list the workflows', () =>
    client.taskrouter.v1.workspaces(workspaceSid).workflows.list({ limit: 100 }),
  );
  const workflow = await pickOne(ctx, flows, {
    ...WORKFLOW,
    absent: `is not a workflow of workspace ${workspaceSid}`,
    given: opts.workflow,
    // .env's workflow is judged against .env's workspace only.
    inEnv: workspaceSid === envWorkspace ? file.values.TASKROUTER_WORKFLOW_SID : undefined,
    flexSid: account.flex.workflowSid,
  });
  const channel = await pickChannel(ctx, workspaceSid);
  term.say(
    `✔ Routing: workspace ${workspaceSid}, workflow ${workflow.sid}, task channel "${channel.uniqueName}" (${channel.sid})`,
  );
  return {
    routing: { workspaceSid, workflowSid: workflow.sid, taskChannel: channel.uniqueName },
    taskChannelSid: channel.sid,
    sources: {
      workspace: workspace.source,
      workflow: workflow.source,
      taskChannel: opts.taskChannel ? 'flag' : 'found',
    },
  };
}

/** The task channel: --task-channel, else .env's, else `chat`; it must exist in the workspace. */
async function pickChannel({ opts, client, file }: ModeContext, workspaceSid: string) {
  const wanted = opts.taskChannel ?? (file.values.TASK_CHANNEL || DEFAULTS.taskChannel);
  const channels = await step('list the task channels', () => taskChannels(client, workspaceSid));
  const channel = channels.find((c) => c.uniqueName === wanted);
  if (channel) return channel;
  throw new SetupError(
    `Workspace ${workspaceSid} has no "${wanted}" task channel (it has: ${channels.map((c) => c.uniqueName).join(', ')}). ` +
      'Flex web chats use "chat"; pass --task-channel to use another.',
  );
}

/** The routing as .env variables (webhook mode, and addresses that route to /interaction). */
export function decideRouting(ctx: ModeContext, { routing, sources }: RoutingChoice): void {
  ctx.plan.decide('TASKROUTER_WORKSPACE_SID', routing.workspaceSid, sources.workspace);
  ctx.plan.decide('TASKROUTER_WORKFLOW_SID', routing.workflowSid, sources.workflow);
  ctx.plan.decide('TASK_CHANNEL', routing.taskChannel, sources.taskChannel);
}

/**
 * The routing .env names, read variable by variable (so it is checked even
 * when another variable breaks the configuration): undefined without a
 * workspace and a workflow; the functions' default task channel.
 */
export function routingOf(value: DoctorContext['value']): Routing | undefined {
  const workspaceSid = value('TASKROUTER_WORKSPACE_SID');
  const workflowSid = value('TASKROUTER_WORKFLOW_SID');
  if (!workspaceSid || !workflowSid) return undefined;
  return { workspaceSid, workflowSid, taskChannel: value('TASK_CHANNEL') ?? DEFAULTS.taskChannel };
}

/** Each row's name and how to fix it: the .env variables, or a Flex Flow's integration. */
export type RoutingRows = Record<'workspace' | 'workflow' | 'channel', [name: string, fix: string]>;

const ENV_ROUTING: RoutingRows = {
  workspace: [
    'TASKROUTER_WORKSPACE_SID',
    `${SETUP}: it proposes Flex's workspace (or pass --workspace WS…)`,
  ],
  workflow: [
    'TASKROUTER_WORKFLOW_SID',
    `pick a workflow of that workspace (Console > TaskRouter > Workspaces), or ${SETUP}`,
  ],
  channel: ['TASK_CHANNEL', 'set TASK_CHANNEL to one of those (Flex chats use "chat")'],
};

export async function checkRouting(
  { client, add }: Pick<DoctorContext, 'client' | 'add'>,
  { workspaceSid, workflowSid, taskChannel }: Routing,
  rows: RoutingRows = ENV_ROUTING,
): Promise<void> {
  const {
    workspace: [workspaceRow, fixWorkspace],
    workflow: [workflowRow, fixWorkflow],
    channel: [channelRow, fixChannel],
  } = rows;
  const workspace = client.taskrouter.v1.workspaces(workspaceSid);
  const found = await fetchChecked(
    add,
    workspaceRow,
    'read the TaskRouter workspace',
    [`workspace ${workspaceSid} does not exist on this account`, fixWorkspace],
    () => workspace.fetch(),
  );
  if (!found) return;
  add(workspaceRow, 'ok', `workspace ${workspaceSid} exists`);
  const workflow = await fetchChecked(
    add,
    workflowRow,
    'read the workflow',
    [`workflow ${workflowSid} does not belong to workspace ${workspaceSid}`, fixWorkflow],
    () => workspace.workflows(workflowSid).fetch(),
  );
  if (workflow) add(workflowRow, 'ok', `workflow ${workflowSid} belongs to the workspace`);
  try {
    const channels = await taskChannels(client, workspaceSid);
    const names = channels.map((c) => c.uniqueName).join(', ');
    const problems = problemsOf([
      !channels.some((c) => c.uniqueName === taskChannel || c.sid === taskChannel),
      `the workspace has no task channel "${taskChannel}" (it has: ${names})`,
      fixChannel,
    ]);
    addProblems(add, channelRow, problems, `task channel "${taskChannel}" exists in the workspace`);
  } catch (error) {
    add(channelRow, 'problem', explain(error, 'read the task channels'));
  }
}
