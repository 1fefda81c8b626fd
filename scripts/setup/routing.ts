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
import { fetchChecked, SETUP, type DoctorContext } from './checks';
import type { ModeContext } from './context';
import { byName, type Named } from './discover';
import { asked, type Source } from './plan';
import { choose, SetupError } from './terminal';
import { explain, step, type Client } from './twilio';

/** Where tasks go: a workspace, one of its workflows, and a task channel (unique name or SID). */
export type Routing = Pick<InteractionRoute, 'workspaceSid' | 'workflowSid' | 'taskChannel'>;

export interface RoutingChoice {
  routing: Routing;
  /** The task channel's TC… SID (Studio's Send to Flex takes that). */
  taskChannelSid: string;
  sources: { workspace: Source; workflow: Source; taskChannel: Source };
}

interface TaskChannel extends Named {
  uniqueName: string;
}

async function taskChannels(client: Client, workspaceSid: string): Promise<TaskChannel[]> {
  const found = await client.taskrouter.v1
    .workspaces(workspaceSid)
    .taskChannels.list({ limit: 100 });
  return found.map((c) => ({ sid: c.sid, friendlyName: c.friendlyName, uniqueName: c.uniqueName }));
}

/** One of the two choices pickRouting makes: a workspace, or one of its workflows. */
interface Level {
  variable: 'TASKROUTER_WORKSPACE_SID' | 'TASKROUTER_WORKFLOW_SID';
  /** As a sentence starts: "TaskRouter workspace". */
  what: string;
  flag: string;
  shape: string;
  question: string;
  /** What a SID that is not among the listed ones is: "does not exist on this account". */
  absent: string;
  given: string | undefined;
  /** .env's value, where it can be among the listed ones. */
  inEnv: string | undefined;
  /** Flex's own (from its configuration), proposed next; then the first named like `byName`. */
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

/** The TaskRouter workspace, workflow and `chat` task channel that route web chats. */
export async function pickRouting(ctx: ModeContext): Promise<RoutingChoice> {
  const { opts, term, client, file, account } = ctx;
  const envWorkspace = file.values.TASKROUTER_WORKSPACE_SID || undefined;
  const all = await step('list the TaskRouter workspaces', async () =>
    (await client.taskrouter.v1.workspaces.list({ limit: 100 })).map(named),
  );
  const workspace = await pickOne(ctx, all, {
    variable: 'TASKROUTER_WORKSPACE_SID',
    what: 'TaskRouter workspace',
    flag: '--workspace',
    shape: 'WS…',
    question: 'Which TaskRouter workspace?',
    absent: 'does not exist on this account',
    given: opts.workspace,
    inEnv: envWorkspace,
    flexSid: account.flex.workspaceSid,
    byName: /flex task assignment/i,
    loneIsFound: true,
  });
  const workspaceSid = workspace.sid;
  const flows = await step('list the workflows', async () =>
    (await client.taskrouter.v1.workspaces(workspaceSid).workflows.list({ limit: 100 })).map(named),
  );
  const workflow = await pickOne(ctx, flows, {
    variable: 'TASKROUTER_WORKFLOW_SID',
    what: 'Workflow',
    flag: '--workflow',
    shape: 'WW…',
    question: 'Which workflow routes web chats?',
    absent: `is not a workflow of workspace ${workspaceSid}`,
    given: opts.workflow,
    // .env's workflow is judged against .env's workspace only.
    inEnv:
      workspaceSid === envWorkspace ? file.values.TASKROUTER_WORKFLOW_SID || undefined : undefined,
    flexSid: account.flex.workflowSid,
    byName: /assign to anyone/i,
    loneIsFound: false,
  });

  const taskChannel = opts.taskChannel ?? (file.values.TASK_CHANNEL || DEFAULTS.taskChannel);
  const channels = await step('list the task channels', () => taskChannels(client, workspaceSid));
  const channel = channels.find((c) => c.uniqueName === taskChannel);
  if (!channel) {
    throw new SetupError(
      `Workspace ${workspaceSid} has no "${taskChannel}" task channel (it has: ${channels.map((c) => c.uniqueName).join(', ')}). ` +
        'Flex web chats use "chat"; pass --task-channel to use another.',
    );
  }
  term.say(
    `✔ Routing: workspace ${workspaceSid}, workflow ${workflow.sid}, task channel "${taskChannel}" (${channel.sid})`,
  );
  return {
    routing: { workspaceSid, workflowSid: workflow.sid, taskChannel },
    taskChannelSid: channel.sid,
    sources: {
      workspace: workspace.source,
      workflow: workflow.source,
      taskChannel: opts.taskChannel ? 'flag' : 'found',
    },
  };
}

const named = (r: { sid: string; friendlyName: string }): Named => ({
  sid: r.sid,
  friendlyName: r.friendlyName,
});

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

/** The rows' names, and how to fix each: the .env variables, or a Flex Flow's integration. */
export interface RoutingRows {
  workspace: string;
  workflow: string;
  channel: string;
  fixWorkspace: string;
  fixWorkflow: string;
  fixChannel: string;
}

const ENV_ROUTING: RoutingRows = {
  workspace: 'TASKROUTER_WORKSPACE_SID',
  workflow: 'TASKROUTER_WORKFLOW_SID',
  channel: 'TASK_CHANNEL',
  fixWorkspace: `${SETUP}: it proposes Flex's workspace (or pass --workspace WS…)`,
  fixWorkflow: `pick a workflow of that workspace (Console > TaskRouter > Workspaces), or ${SETUP}`,
  fixChannel: 'set TASK_CHANNEL to one of those (Flex chats use "chat")',
};

export async function checkRouting(
  { client, add }: Pick<DoctorContext, 'client' | 'add'>,
  routing: Routing,
  rows: RoutingRows = ENV_ROUTING,
): Promise<void> {
  const { workspaceSid, workflowSid, taskChannel } = routing;
  const workspace = client.taskrouter.v1.workspaces(workspaceSid);
  const missingWorkspace = `workspace ${workspaceSid} does not exist on this account`;
  const reading = 'read the TaskRouter workspace';
  const subject = {
    name: rows.workspace,
    reading,
    missing: missingWorkspace,
    fix: rows.fixWorkspace,
  };
  if (!(await fetchChecked(add, subject, () => workspace.fetch()))) return;
  add(rows.workspace, 'ok', `workspace ${workspaceSid} exists`);
  const workflow = await fetchChecked(
    add,
    {
      name: rows.workflow,
      reading: 'read the workflow',
      missing: `workflow ${workflowSid} does not belong to workspace ${workspaceSid}`,
      fix: rows.fixWorkflow,
    },
    () => workspace.workflows(workflowSid).fetch(),
  );
  if (workflow) add(rows.workflow, 'ok', `workflow ${workflowSid} belongs to the workspace`);
  try {
    const channels = await taskChannels(client, workspaceSid);
    if (channels.some((c) => c.uniqueName === taskChannel || c.sid === taskChannel)) {
      add(rows.channel, 'ok', `task channel "${taskChannel}" exists in the workspace`);
    } else {
      add(
        rows.channel,
        'problem',
        `the workspace has no task channel "${taskChannel}" (it has: ${channels.map((c) => c.uniqueName).join(', ')})`,
        rows.fixChannel,
      );
    }
  } catch (error) {
    add(rows.channel, 'problem', explain(error, 'read the task channels'));
  }
}
