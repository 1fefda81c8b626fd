/**
 * What each HANDOFF_MODE needs, found on the account or created on request:
 *
 *   studio     a Studio flow: the one in .env, one found (Flex's web chat or
 *              messaging flow first), or a new one from web-chat.flow.json
 *   webhook    the TaskRouter workspace, workflow and `chat` task channel, and
 *              PUBLIC_BASE_URL for running locally
 *   address    a Chat Address: one found, or a new one routing to a Studio flow
 *              or to this service's /interaction
 *   flex-flow  a web Flex Flow (legacy): one found, or a new one (task or Studio integration)
 *
 * Each returns the .env variables it decided.
 */
import type { HandoffMode } from '../../src/config';
import {
  createChatAddress,
  createFlexFlow,
  createStudioFlow,
  interactionUrlOf,
  type AddressTarget,
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
  type StudioFlow,
} from './discover';
import {
  FLOW_DEFINITION_FILE,
  FLOW_FRIENDLY_NAME,
  sendsChatsToFlex,
  type ChatTrigger,
} from './flow-definition';
import { problemWith, step, type ModeContext, type Updates } from './context';
import { askText, choose, SetupError, type Choice } from './terminal';

const CREATE = 'create';

export const MODES: Record<HandoffMode, (ctx: ModeContext) => Promise<Updates>> = {
  async studio(ctx) {
    return { STUDIO_FLOW_SID: await pickOrCreateFlow(ctx, ctx.file.values.STUDIO_FLOW_SID) };
  },

  async webhook(ctx) {
    const routing = await pickRouting(ctx);
    const publicBaseUrl = await askPublicBaseUrl(ctx, false);
    return { ...routing.updates, PUBLIC_BASE_URL: publicBaseUrl };
  },

  async address(ctx) {
    const { opts, term, client, file } = ctx;
    const found = await step('list the Chat Addresses', () => chatAddresses(client));
    const choices: Choice<string>[] = [
      ...found.map((a) => ({
        value: a.sid,
        label: `${a.sid}  "${a.friendlyName}"  -> ${a.autoCreation.type === 'webhook' ? a.autoCreation.webhook_url : `Studio ${a.autoCreation.studio_flow_sid ?? ''}`}`,
      })),
      { value: CREATE, label: 'Create a Chat Address for this service' },
    ];
    const picked = opts.createAddress
      ? CREATE
      : (opts.address ??
        (await choose(term, 'Which Chat Address (Flex > Channel management > Chat)?', choices, {
          flag: '--address IG… or --create-address',
          proposed: file.values.ADDRESS_SID || found[0]?.sid || CREATE,
        })));
    if (picked !== CREATE) {
      term.say(`✔ Chat Address: ${picked}`);
      const existing = found.find((a) => a.sid === picked);
      if (existing?.autoCreation.type !== 'webhook') return { ADDRESS_SID: picked };
      // It routes to /interaction: that needs the TaskRouter variables, and the
      // URL Twilio signs, which is the address's own.
      const base = /^(https?:\/\/[^?#]+)\/interaction$/.exec(
        existing.autoCreation.webhook_url ?? '',
      )?.[1];
      return {
        ADDRESS_SID: picked,
        ...(await pickRouting(ctx)).updates,
        ...(base && { PUBLIC_BASE_URL: base }),
      };
    }

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
    let target: AddressTarget;
    let extra: Updates = {};
    if (targetType === 'studio') {
      target = { type: 'studio', flowSid: await pickOrCreateFlow(ctx, undefined) };
    } else {
      const routing = await pickRouting(ctx);
      const publicBaseUrl = await askPublicBaseUrl(ctx, true);
      target = { type: 'webhook', publicBaseUrl: publicBaseUrl ?? '' };
      extra = { ...routing.updates, PUBLIC_BASE_URL: publicBaseUrl };
    }
    const created = await step('create the Chat Address', () =>
      createChatAddress(client, { name: opts.addressName, serviceSid: ctx.serviceSid, target }),
    );
    term.say(
      `✔ Created Chat Address ${created.sid} ("${opts.addressName}") -> ${
        target.type === 'studio'
          ? `Studio flow ${target.flowSid}`
          : interactionUrlOf(target.publicBaseUrl)
      }`,
    );
    ctx.created.push({ what: `Chat Address ${created.sid}`, reuse: `--address ${created.sid}` });
    return { ADDRESS_SID: created.sid, ...extra };
  },

  async 'flex-flow'(ctx) {
    const { opts, term, client, file } = ctx;
    term.say(
      '! Flex Flows belong to Flex UI 1.x: Programmable Chat for Flex reached end of life on 2026-06-01.',
    );
    const found = await step('list the Flex Flows', () => webFlexFlows(client));
    const choices: Choice<string>[] = [
      ...found.map((f) => ({
        value: f.sid,
        label: `${f.sid}  "${f.friendlyName}"  (${f.integrationType ?? 'no integration'})`,
      })),
      { value: CREATE, label: 'Create a web Flex Flow for this service' },
    ];
    const picked = opts.createFlexFlow
      ? CREATE
      : (opts.flexFlow ??
        (await choose(term, 'Which Flex Flow (channel type web)?', choices, {
          flag: '--flex-flow FO… or --create-flex-flow',
          proposed: file.values.FLEX_FLOW_SID || found[0]?.sid || CREATE,
        })));
    if (picked !== CREATE) {
      term.say(`✔ Flex Flow: ${picked}`);
      return { FLEX_FLOW_SID: picked };
    }
    const integrationType = opts.flexFlowIntegration ?? 'task';
    const integration =
      integrationType === 'task'
        ? { type: 'task' as const, ...(await pickRouting(ctx)).routing }
        : {
            type: 'studio' as const,
            // A Flex Flow's Studio flow starts on Programmable Chat's "Incoming Message".
            flowSid: await pickFlow(ctx, undefined, false, 'incomingMessage'),
          };
    const created = await step('create the Flex Flow', () =>
      createFlexFlow(client, { serviceSid: ctx.serviceSid, integration }),
    );
    term.say(`✔ Created Flex Flow ${created.sid} (web, ${integrationType} integration)`);
    ctx.created.push({ what: `Flex Flow ${created.sid}`, reuse: `--flex-flow ${created.sid}` });
    return { FLEX_FLOW_SID: created.sid };
  },
};

/** A Studio flow: the one in .env or given, one found, or a new one from web-chat.flow.json. */
async function pickOrCreateFlow(ctx: ModeContext, current: string | undefined): Promise<string> {
  const sid = await pickFlow(ctx, current, true);
  if (sid !== CREATE) return sid;
  const { routing } = await pickRouting(ctx);
  ctx.term.say(`… Creating Studio flow "${FLOW_FRIENDLY_NAME}" from ${FLOW_DEFINITION_FILE}`);
  const flow = await step('create the Studio flow', () =>
    createStudioFlow(ctx.client, {
      WORKFLOW_SID: routing.workflowSid,
      CHAT_TASK_CHANNEL_SID: routing.taskChannelSid,
    }),
  );
  ctx.term.say(`✔ Created and published Studio flow ${flow.sid} "${flow.friendlyName}"`);
  ctx.created.push({ what: `Studio flow ${flow.sid}`, reuse: `--studio-flow ${flow.sid}` });
  return flow.sid;
}

async function pickFlow(
  ctx: ModeContext,
  current: string | undefined,
  allowCreate: boolean,
  event: ChatTrigger = 'incomingConversationMessage',
): Promise<string> {
  const { opts, term, client } = ctx;
  if (allowCreate && opts.createStudioFlow) return CREATE;
  if (opts.studioFlow) return opts.studioFlow;
  const flows = await step('list the Studio flows', () => studioFlows(client));
  const label = (f: StudioFlow) =>
    `${f.sid}  "${f.friendlyName}"${f.status === 'published' ? '' : ` (${f.status})`}${
      sendsChatsToFlex(f.definition, event) ? '' : '  (does not send chats to Flex)'
    }`;
  const choices: Choice<string>[] = [
    ...flows.map((f) => ({ value: f.sid, label: label(f) })),
    ...(allowCreate
      ? [
          {
            value: CREATE,
            label: `Create "${FLOW_FRIENDLY_NAME}" (Incoming Conversation -> Send to Flex)`,
          },
        ]
      : []),
  ];
  const proposed =
    current || preferredFlow(flows, event)?.sid || (allowCreate ? CREATE : undefined);
  const sid = await choose(term, 'Which Studio flow sends chats to Flex?', choices, {
    flag: allowCreate ? '--studio-flow FW… or --create-studio-flow' : '--studio-flow FW…',
    ...(proposed !== undefined && { proposed }),
  });
  const picked = flows.find((f) => f.sid === sid);
  if (sid !== CREATE) term.say(`✔ Studio flow: ${sid}${picked ? ` "${picked.friendlyName}"` : ''}`);
  return sid;
}

interface Routing {
  workspaceSid: string;
  workflowSid: string;
  taskChannel: string;
  taskChannelSid: string;
}

/** The TaskRouter workspace, workflow and `chat` task channel that route web chats. */
async function pickRouting(ctx: ModeContext): Promise<{ routing: Routing; updates: Updates }> {
  const { opts, term, client, file, account } = ctx;
  const all = await step('list the TaskRouter workspaces', () => workspaces(client));
  const proposedWorkspace =
    file.values.TASKROUTER_WORKSPACE_SID ||
    account.flex.workspaceSid ||
    byName(all, /flex task assignment/i)?.sid;
  const workspaceSid =
    opts.workspace ??
    (all.length === 1 && proposedWorkspace
      ? proposedWorkspace
      : await choose(
          term,
          'Which TaskRouter workspace?',
          all.map((w) => ({ value: w.sid, label: `${w.sid}  "${w.friendlyName}"` })),
          {
            flag: '--workspace WS…',
            ...(proposedWorkspace && { proposed: proposedWorkspace }),
          },
        ));
  const flows = await step('list the workflows', () => workflows(client, workspaceSid));
  const proposedWorkflow =
    file.values.TASKROUTER_WORKFLOW_SID ||
    flows.find((f) => f.sid === account.flex.workflowSid)?.sid ||
    byName(flows, /assign to anyone/i)?.sid;
  const workflowSid =
    opts.workflow ??
    (await choose(
      term,
      'Which workflow routes web chats?',
      flows.map((f) => ({ value: f.sid, label: `${f.sid}  "${f.friendlyName}"` })),
      {
        flag: '--workflow WW…',
        ...(proposedWorkflow && { proposed: proposedWorkflow }),
      },
    ));
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
    updates: {
      TASKROUTER_WORKSPACE_SID: workspaceSid,
      TASKROUTER_WORKFLOW_SID: workflowSid,
      TASK_CHANNEL: taskChannel,
    },
  };
}

/**
 * PUBLIC_BASE_URL: where Twilio reaches this service. Needed to create an
 * address that routes here; for webhook mode only when running locally.
 */
async function askPublicBaseUrl(ctx: ModeContext, required: boolean): Promise<string | undefined> {
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
  const proposed =
    opts.publicBaseUrl ?? (file.values.PUBLIC_BASE_URL || undefined) ?? (required ? undefined : '');
  const url = await askText(
    term,
    required
      ? 'The https URL Twilio reaches this service at (your deployed https://<service>.twil.io, or a tunnel)'
      : 'The https URL Twilio reaches this service at when you run npm start (a tunnel; empty if you only deploy)',
    { flag: '--public-base-url', ...(proposed !== undefined && { proposed }), check },
  );
  return url === '' ? undefined : url.replace(/\/+$/, '');
}
