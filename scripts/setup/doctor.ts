/**
 * `npm run setup -- doctor`: checks a configuration (the values of .env)
 * against the Twilio account, and says for each check OK, a warning, or a
 * problem with how to fix it. Any problem makes the exit code non-zero.
 *
 *   configuration        every variable parses (src/config.ts, the functions' own rules)
 *   credentials          ACCOUNT_SID / AUTH_TOKEN work (20003 otherwise; later checks then stop)
 *   Flex                 the account has Flex (flex-api /v1/Configuration), and its chat
 *                        service is the default Conversations service
 *   CONVERSATIONS_SERVICE_SID  exists, and is the account's default service
 *   API_KEY              exists on the account, and API_SECRET is its secret
 *   by HANDOFF_MODE      studio: the flow exists, is published, and its Incoming Conversation
 *                                trigger reaches a Send to Flex widget
 *                        webhook: the workspace exists, the workflow belongs to it, the task channel exists
 *                        address: the Chat Address exists, is a chat address, routes to a
 *                                 published flow or to this service's /interaction
 *                        flex-flow: the Flex Flow exists, is web, enabled, on the service, and
 *                                   its Studio flow or task routing (workspace, workflow, channel) holds
 *   ALLOWED_ORIGINS      parses; `*` is a warning
 *
 * SIDs appear in the output; secrets never do.
 */
import type twilio from 'twilio';
import {
  DEFAULTS,
  loadConfig,
  readAllowedOrigins,
  type Config,
  type Env,
  type InteractionRoute,
} from '../../src/config';
import { ConfigError } from '../../src/errors';
import {
  apiKeyStatus,
  defaultServiceSid,
  flexConfiguration,
  taskChannels,
  type AutoCreation,
  type FlexConfiguration,
} from './discover';
import { sendsChatsToFlex, type ChatTrigger } from './flow-definition';
import type { Terminal } from './terminal';
import { CREDENTIALS_REJECTED, explain, statusOf, type ClientFactory } from './twilio';

export type Status = 'ok' | 'warn' | 'problem';

export interface Check {
  /** What was checked: a variable's name, or a short label. */
  name: string;
  status: Status;
  detail: string;
  /** How to fix it (problems and warnings). */
  fix?: string;
}

export interface DoctorOptions {
  makeClient: ClientFactory;
  /** The domain the configuration is checked for (`localhost:3000` as `npm start` runs it). */
  domainName: string;
}

type Client = twilio.Twilio;
const SETUP = 'run npm run setup';

export async function runDoctor(env: Env, options: DoctorOptions): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (name: string, status: Status, detail: string, fix?: string) =>
    checks.push({ name, status, detail, ...(fix !== undefined && { fix }) });

  const { config, broken } = parseConfiguration(env, options.domainName, add);
  const value = (name: keyof Env) =>
    broken.has(name) ? undefined : env[name]?.trim() || undefined;

  const accountSid = value('ACCOUNT_SID');
  const authToken = value('AUTH_TOKEN');
  if (!accountSid || !authToken) {
    add('Twilio checks', 'problem', 'skipped: ACCOUNT_SID and AUTH_TOKEN are needed first');
    return checks;
  }
  const client = options.makeClient({ accountSid, username: accountSid, password: authToken });

  let defaultService: string | null;
  try {
    defaultService = await defaultServiceSid(client);
    add('credentials', 'ok', 'ACCOUNT_SID and AUTH_TOKEN work');
  } catch (error) {
    const rejected = statusOf(error) === 401;
    add('credentials', 'problem', rejected ? CREDENTIALS_REJECTED : explain(error, 'reach Twilio'));
    return checks;
  }

  const flex = await checkFlex(client, add);
  checkFlexChatService(flex, defaultService, modeOf(env, config), add);
  const serviceSid = value('CONVERSATIONS_SERVICE_SID');
  if (serviceSid) await checkService(client, serviceSid, defaultService, add);
  const apiKey = value('API_KEY');
  const apiSecret = value('API_SECRET');
  if (apiKey && apiSecret) {
    await checkApiKey(client, options.makeClient, { accountSid, apiKey, apiSecret }, add);
  }
  await checkHandoff(client, env, config, value, add);
  checkOrigins(env, options.domainName, config, add);
  return checks;
}

type Add = (name: string, status: Status, detail: string, fix?: string) => void;

/** The functions' own parser: one row per problem, or one OK row. */
function parseConfiguration(
  env: Env,
  domainName: string,
  add: Add,
): { config?: Config; broken: Set<string> } {
  try {
    const config = loadConfig(env, { domainName });
    add('configuration', 'ok', `every variable parses (HANDOFF_MODE=${config.handoff.mode})`);
    return { config, broken: new Set() };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const { field, problem } of error.problems) {
      add(field, 'problem', `${field} ${problem}`, `see .env.example, or ${SETUP}`);
    }
    return { broken: new Set(error.problems.map((p) => p.field)) };
  }
}

async function checkFlex(client: Client, add: Add): Promise<FlexConfiguration | undefined> {
  try {
    const flex = await flexConfiguration(client);
    if (flex) add('Flex', 'ok', 'the account has Flex');
    else {
      add(
        'Flex',
        'problem',
        'this account has no Flex (flex-api /v1/Configuration: 404)',
        'use the credentials of the account (or subaccount) where Flex runs, or create Flex in Console > Flex',
      );
    }
    return flex;
  } catch (error) {
    add('Flex', 'problem', explain(error, "read Flex's configuration"));
    return undefined;
  }
}

/**
 * Flex's chat service (its configuration's `chat_service_instance_sid`)
 * must be the account's default Conversations service: Flex Conversations
 * works in the default one (Chat Addresses create conversations there, Send
 * to Flex and Interactions hand them to agents from there). A legacy Flex
 * Flow names its own chat service, so there it is only a warning.
 */
function checkFlexChatService(
  flex: FlexConfiguration | undefined,
  defaultService: string | null,
  mode: string,
  add: Add,
): void {
  const flexChat = flex?.chatServiceSid;
  if (!flexChat) return;
  const name = 'Flex chat service';
  if (flexChat === defaultService) {
    add(name, 'ok', `Flex's chat service ${flexChat} is the default Conversations service`);
    return;
  }
  add(
    name,
    mode === 'flex-flow' ? 'warn' : 'problem',
    `Flex's chat service (${flexChat}) is not the account's default Conversations service (${defaultService ?? 'none'}): Flex Conversations needs them to be the same`,
    `in Console > Conversations > Manage > Defaults, set the default Conversations service to ${flexChat}`,
  );
}

async function checkService(
  client: Client,
  sid: string,
  defaultService: string | null,
  add: Add,
): Promise<void> {
  const name = 'CONVERSATIONS_SERVICE_SID';
  try {
    await client.conversations.v1.services(sid).fetch();
  } catch (error) {
    if (statusOf(error) === 404) {
      add(
        name,
        'problem',
        `${sid} does not exist on this account`,
        `${SETUP}: it replaces it with the account's default service (or pass --service IS…)`,
      );
    } else add(name, 'problem', explain(error, 'read the Conversations service'));
    return;
  }
  if (defaultService !== sid) {
    add(
      name,
      'problem',
      `${sid} is not the account's default Conversations service (${defaultService ?? 'none'})`,
      `Flex uses the default service: set CONVERSATIONS_SERVICE_SID=${defaultService ?? '…'}, or make ${sid} the default in Console > Conversations > Defaults`,
    );
    return;
  }
  add(name, 'ok', `${sid} exists and is the default Conversations service`);
}

async function checkApiKey(
  client: Client,
  makeClient: ClientFactory,
  key: { accountSid: string; apiKey: string; apiSecret: string },
  add: Add,
): Promise<void> {
  let status;
  try {
    status = await apiKeyStatus(client, makeClient, key);
  } catch (error) {
    add('API_KEY', 'problem', explain(error, 'check the API key'));
    return;
  }
  // Setup replaces a key that does not work: a secret is shown only once.
  const fix = `${SETUP}: it creates a new key and writes both`;
  if (status === 'missing') {
    add('API_KEY', 'problem', `${key.apiKey} does not exist on this account`, fix);
  } else if (status === 'wrong-secret') {
    add(
      'API_SECRET',
      'problem',
      `Twilio rejected API_KEY with this API_SECRET: it is not ${key.apiKey}'s secret`,
      fix,
    );
  } else add('API_KEY', 'ok', `${key.apiKey} exists and API_SECRET is its secret`);
}

/** HANDOFF_MODE as the functions read it: empty means the default, studio. */
function modeOf(env: Env, config: Config | undefined): string {
  return config?.handoff.mode ?? (env.HANDOFF_MODE?.trim() || DEFAULTS.handoffMode);
}

async function checkHandoff(
  client: Client,
  env: Env,
  config: Config | undefined,
  value: (name: keyof Env) => string | undefined,
  add: Add,
): Promise<void> {
  const mode = modeOf(env, config);
  const serviceSid = value('CONVERSATIONS_SERVICE_SID');
  if (mode === 'studio') {
    const flowSid = value('STUDIO_FLOW_SID');
    if (flowSid) await checkFlow(client, 'STUDIO_FLOW_SID', flowSid, add);
  } else if (mode === 'webhook') {
    const routing = config ? config.interaction : routingOf(value);
    if (routing) await checkTaskRouter(client, routing, add);
  } else if (mode === 'address') {
    const addressSid = value('ADDRESS_SID');
    const interaction = config ? config.interaction : undefined;
    // What src/config.ts reads as "the address routes to /interaction".
    const routingSet = Boolean(
      env.TASKROUTER_WORKSPACE_SID?.trim() || env.TASKROUTER_WORKFLOW_SID?.trim(),
    );
    if (addressSid) {
      await checkAddress(client, addressSid, { serviceSid, interaction, routingSet }, add);
    }
    const routing = interaction ?? (config ? undefined : routingOf(value));
    if (routing) await checkTaskRouter(client, routing, add);
  } else if (mode === 'flex-flow') {
    add(
      'HANDOFF_MODE',
      'warn',
      'flex-flow uses Programmable Chat for Flex (Flex UI 1.x), which reached end of life on 2026-06-01',
      'move to HANDOFF_MODE=address (a Chat Address) or studio',
    );
    const flexFlowSid = value('FLEX_FLOW_SID');
    if (flexFlowSid) await checkFlexFlow(client, flexFlowSid, serviceSid, add);
  }
}

/**
 * The TaskRouter variables alone, when the configuration as a whole did not
 * parse (src/config.ts reads them only with the rest): those that parsed,
 * and the functions' default task channel.
 */
function routingOf(value: (name: keyof Env) => string | undefined): Routing | undefined {
  const workspaceSid = value('TASKROUTER_WORKSPACE_SID');
  const workflowSid = value('TASKROUTER_WORKFLOW_SID');
  if (!workspaceSid || !workflowSid) return undefined;
  return { workspaceSid, workflowSid, taskChannel: value('TASK_CHANNEL') ?? DEFAULTS.taskChannel };
}

async function checkFlow(
  client: Client,
  name: string,
  sid: string,
  add: Add,
  event: ChatTrigger = 'incomingConversationMessage',
): Promise<void> {
  const missingFix =
    name === 'STUDIO_FLOW_SID'
      ? `${SETUP}: it proposes another flow (or pass --studio-flow FW…, or --create-studio-flow)`
      : `point it at a flow that exists (Console > Flex > Channel management), or ${SETUP} to choose another`;
  let flow;
  try {
    flow = await client.studio.v2.flows(sid).fetch();
  } catch (error) {
    if (statusOf(error) === 404) {
      add(name, 'problem', `Studio flow ${sid} does not exist on this account`, missingFix);
    } else add(name, 'problem', explain(error, 'read the Studio flow'));
    return;
  }
  const label = `Studio flow ${sid} ("${flow.friendlyName}")`;
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

/** Where tasks go: a workspace, one of its workflows, and a task channel (unique name or SID). */
type Routing = Pick<InteractionRoute, 'workspaceSid' | 'workflowSid' | 'taskChannel'>;

/** The rows' names, and how to fix each: the .env variables, or a Flex Flow's integration. */
interface RoutingRows {
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

async function checkTaskRouter(
  client: Client,
  routing: Routing,
  add: Add,
  rows: RoutingRows = ENV_ROUTING,
): Promise<void> {
  const workspace = client.taskrouter.v1.workspaces(routing.workspaceSid);
  try {
    await workspace.fetch();
    add(rows.workspace, 'ok', `workspace ${routing.workspaceSid} exists`);
  } catch (error) {
    if (statusOf(error) === 404) {
      add(
        rows.workspace,
        'problem',
        `workspace ${routing.workspaceSid} does not exist on this account`,
        rows.fixWorkspace,
      );
    } else add(rows.workspace, 'problem', explain(error, 'read the TaskRouter workspace'));
    return;
  }
  try {
    await workspace.workflows(routing.workflowSid).fetch();
    add(rows.workflow, 'ok', `workflow ${routing.workflowSid} belongs to the workspace`);
  } catch (error) {
    if (statusOf(error) === 404) {
      add(
        rows.workflow,
        'problem',
        `workflow ${routing.workflowSid} does not belong to workspace ${routing.workspaceSid}`,
        rows.fixWorkflow,
      );
    } else add(rows.workflow, 'problem', explain(error, 'read the workflow'));
  }
  try {
    const channels = await taskChannels(client, routing.workspaceSid);
    const wanted = routing.taskChannel;
    if (channels.some((c) => c.uniqueName === wanted || c.sid === wanted)) {
      add(rows.channel, 'ok', `task channel "${wanted}" exists in the workspace`);
    } else {
      add(
        rows.channel,
        'problem',
        `the workspace has no task channel "${wanted}" (it has: ${channels.map((c) => c.uniqueName).join(', ')})`,
        rows.fixChannel,
      );
    }
  } catch (error) {
    add(rows.channel, 'problem', explain(error, 'read the task channels'));
  }
}

async function checkAddress(
  client: Client,
  sid: string,
  expected: {
    serviceSid: string | undefined;
    interaction: InteractionRoute | undefined;
    /** TASKROUTER_WORKSPACE_SID or TASKROUTER_WORKFLOW_SID is set. */
    routingSet: boolean;
  },
  add: Add,
): Promise<void> {
  const { serviceSid, interaction } = expected;
  const name = 'ADDRESS_SID';
  let type: string;
  let autoCreation: AutoCreation;
  try {
    const address = await client.conversations.v1.addressConfigurations(sid).fetch();
    type = address.type;
    autoCreation = (address.autoCreation ?? {}) as AutoCreation;
  } catch (error) {
    if (statusOf(error) === 404)
      add(
        name,
        'problem',
        `Chat Address ${sid} does not exist on this account`,
        `${SETUP}: it proposes another (or pass --address IG…, or --create-address)`,
      );
    else add(name, 'problem', explain(error, 'read the Chat Address'));
    return;
  }
  const problems: [string, string][] = [];
  if (type !== 'chat') problems.push([`${sid} is a "${type}" address, not a chat address`, SETUP]);
  if (autoCreation.enabled !== true) {
    problems.push([
      `${sid} does not create conversations (auto-creation is off)`,
      'turn on its Flex integration in Console > Flex > Channel management',
    ]);
  }
  const addressService = autoCreation.conversation_service_sid;
  if (addressService && serviceSid && addressService !== serviceSid) {
    problems.push([
      `${sid} creates conversations in ${addressService}, not in CONVERSATIONS_SERVICE_SID (${serviceSid}): customers' tokens would not reach them`,
      'use the same service for both',
    ]);
  }
  if (autoCreation.type === 'webhook') {
    const url = autoCreation.webhook_url ?? '';
    if (!interaction) {
      problems.push([
        `${sid} routes to a webhook (${url}), but TASKROUTER_WORKSPACE_SID and TASKROUTER_WORKFLOW_SID are not set, so /interaction would refuse it`,
        'set both (the workspace and workflow that route web chats)',
      ]);
    } else if (url !== interaction.interactionUrl) {
      problems.push([
        `${sid} routes to ${url}, not to this service's ${interaction.interactionUrl}`,
        'point the address at this URL (Console > Flex > Channel management), or set PUBLIC_BASE_URL to match',
      ]);
    }
  } else if (autoCreation.type === 'studio') {
    if (!autoCreation.studio_flow_sid) {
      problems.push([
        `${sid} routes to Studio but names no Studio flow`,
        `choose its flow in Console > Flex > Channel management > Chat, or ${SETUP} -- --create-address`,
      ]);
    }
  } else {
    problems.push([
      `${sid} routes to "${autoCreation.type ?? 'nothing'}", neither a Studio flow nor a webhook`,
      `point it at a Studio flow or this service's /interaction (Console > Flex > Channel management > Chat), or ${SETUP} -- --create-address`,
    ]);
  }
  for (const [detail, fix] of problems) add(name, 'problem', detail, fix);
  if (problems.length === 0) {
    add(
      name,
      'ok',
      `Chat Address ${sid} creates conversations and routes them to ${autoCreation.type === 'studio' ? 'Studio' : '/interaction'}`,
    );
  }
  if (autoCreation.type === 'studio' && expected.routingSet) {
    add(
      'TASKROUTER_WORKSPACE_SID',
      'warn',
      `${sid} routes to Studio, but TASKROUTER_WORKSPACE_SID / TASKROUTER_WORKFLOW_SID are set: ` +
        'they make this service expect Twilio to call /interaction, which this address never does ' +
        '(and, locally, require PUBLIC_BASE_URL)',
      `empty both in .env (npm run setup -- --address ${sid} does it)`,
    );
  }
  if (autoCreation.type === 'studio' && autoCreation.studio_flow_sid) {
    await checkFlow(client, 'Chat Address flow', autoCreation.studio_flow_sid, add);
  }
}

async function checkFlexFlow(
  client: Client,
  sid: string,
  serviceSid: string | undefined,
  add: Add,
): Promise<void> {
  const name = 'FLEX_FLOW_SID';
  let flow;
  try {
    flow = await client.flexApi.v1.flexFlow(sid).fetch();
  } catch (error) {
    if (statusOf(error) === 404)
      add(
        name,
        'problem',
        `Flex Flow ${sid} does not exist on this account`,
        `${SETUP}: it proposes another (or pass --flex-flow FO…, or --create-flex-flow)`,
      );
    else add(name, 'problem', explain(error, 'read the Flex Flow'));
    return;
  }
  const problems: [string, string][] = [];
  if (flow.channelType !== 'web')
    problems.push([`${sid} is a "${flow.channelType}" Flex Flow, not web`, SETUP]);
  if (!flow.enabled)
    problems.push([
      `${sid} is disabled`,
      'enable it (Console > Flex > Channel management > Legacy addresses)',
    ]);
  if (serviceSid && flow.chatServiceSid !== serviceSid) {
    problems.push([
      `${sid} uses chat service ${flow.chatServiceSid}, not CONVERSATIONS_SERVICE_SID (${serviceSid}): customers' tokens would not reach its channels`,
      'use the same service for both',
    ]);
  }
  for (const [detail, fix] of problems) add(name, 'problem', detail, fix);
  if (problems.length === 0) add(name, 'ok', `Flex Flow ${sid} is web, enabled, on the service`);
  const integration = (flow.integration ?? {}) as Record<string, unknown>;
  const text = (key: string) => (typeof integration[key] === 'string' ? integration[key] : '');
  if (flow.integrationType === 'studio' && text('flow_sid')) {
    await checkFlow(client, 'Flex Flow flow', text('flow_sid'), add, 'incomingMessage');
  } else if (flow.integrationType === 'task') {
    await checkFlexFlowTask(client, sid, text, add);
  }
}

/** A task integration makes the task itself: its workspace, workflow and channel must hold. */
async function checkFlexFlowTask(
  client: Client,
  sid: string,
  text: (key: string) => string,
  add: Add,
): Promise<void> {
  const fix = `fix its task integration (Console > Flex > Channel management > Legacy addresses), or ${SETUP} -- --create-flex-flow`;
  const [workspaceSid, workflowSid] = [text('workspace_sid'), text('workflow_sid')];
  if (!workspaceSid || !workflowSid) {
    add(
      'Flex Flow task',
      'problem',
      `${sid} has a task integration with no ${workspaceSid ? 'workflow' : 'workspace'}: no task can be made`,
      fix,
    );
    return;
  }
  await checkTaskRouter(
    client,
    { workspaceSid, workflowSid, taskChannel: text('channel') || DEFAULTS.taskChannel },
    add,
    {
      workspace: 'Flex Flow workspace',
      workflow: 'Flex Flow workflow',
      channel: 'Flex Flow task channel',
      fixWorkspace: fix,
      fixWorkflow: fix,
      fixChannel: fix,
    },
  );
}

function checkOrigins(env: Env, domainName: string, config: Config | undefined, add: Add): void {
  const origins = config?.allowedOrigins ?? readAllowedOrigins(env, { domainName });
  if (origins === undefined) return; // already a configuration problem
  if (origins === '*') {
    add(
      'ALLOWED_ORIGINS',
      'warn',
      'any website may start chats (*)',
      'list your sites, e.g. https://www.example.com',
    );
  } else {
    add(
      'ALLOWED_ORIGINS',
      'ok',
      `${origins.length} origin${origins.length === 1 ? '' : 's'}: ${origins.join(', ')}`,
    );
  }
}

const LABEL: Record<Status, string> = { ok: '✔ OK', warn: '! WARN', problem: '✘ PROBLEM' };

/** The table: status, check, result, and how to fix on the line below. */
export function printChecks(term: Terminal, checks: Check[]): void {
  const width = Math.max(5, ...checks.map((c) => c.name.length));
  term.say(`${'STATUS'.padEnd(10)} ${'CHECK'.padEnd(width)}  RESULT`);
  for (const check of checks) {
    term.say(`${LABEL[check.status].padEnd(10)} ${check.name.padEnd(width)}  ${check.detail}`);
    if (check.fix && check.status !== 'ok') {
      term.say(`${' '.repeat(11 + width)}  how to fix: ${check.fix}`);
    }
  }
  const problems = checks.filter((c) => c.status === 'problem').length;
  const warnings = checks.filter((c) => c.status === 'warn').length;
  term.say();
  term.say(
    problems === 0
      ? `No problems${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}: npm start is ready to start chats.`
      : `${problems} problem${problems === 1 ? '' : 's'} to fix.`,
  );
}
