/**
 * `HANDOFF_MODE=flex-flow` (legacy): a web Flex Flow. Flex Flows belong to
 * Flex UI 1.x, and Programmable Chat for Flex reached end of life on
 * 2026-06-01: setup and doctor both say so.
 *
 * Setup: a web Flex Flow found (GET flex-api /v1/FlexFlows, channel type
 * web), or a new one (POST /v1/FlexFlows, ChannelType=web) with a task
 * integration (the TaskRouter routing: routing.ts) or a Studio one (a flow
 * that starts on Programmable Chat's Incoming Message: studio-flows.ts).
 * `--create-flex-flow` first reuses .env's, else one with setup's name.
 *
 * Doctor: the Flex Flow exists, is web, enabled and on
 * CONVERSATIONS_SERVICE_SID, and its Studio flow or task routing holds.
 */
import type { FlexFlowInstance } from 'twilio/lib/rest/flexApi/v1/flexFlow';
import { DEFAULTS } from '../../../src/config';
import {
  addProblems,
  fetchChecked,
  problemsOf,
  SETUP,
  type DoctorContext,
  type Problem,
} from '../checks';
import { chooseResource } from '../choose-resource';
import type { ModeContext } from '../context';
import type { SetupOptions } from '../options';
import { FLOW_FRIENDLY_NAME } from '../flow-definition';
import { valueOf, type Source } from '../plan';
import { checkRouting, pickRouting } from '../routing';
import { checkFlow, chooseFlow } from '../studio-flows';
import { warnUncheckedTaskIntegration } from '../trust';
import { choose, type Choice } from '../terminal';
import { step, type Client } from '../twilio';
import type { SetupMode } from './types';

type Integration = NonNullable<SetupOptions['flexFlowIntegration']>;

async function webFlexFlows(client: Client): Promise<FlexFlowInstance[]> {
  const found = await client.flexApi.v1.flexFlow.list({ limit: 100 });
  return found.filter((f) => f.channelType === 'web');
}

/* --- setup ---------------------------------------------------------------- */

async function setup(ctx: ModeContext): Promise<void> {
  const { opts, term, client, plan } = ctx;
  term.say(
    '! Flex Flows belong to Flex UI 1.x: Programmable Chat for Flex reached end of life on 2026-06-01.',
  );
  const found = await step('list the Flex Flows', () => webFlexFlows(client));
  const { chosen, source } = await chooseResource(ctx, found, {
    variable: 'FLEX_FLOW_SID',
    shape: 'FO…',
    what: 'Flex Flow',
    kind: 'a web Flex Flow of this account',
    whereListed: 'pass one of Console > Flex > Channel management > Legacy addresses',
    question: 'Which Flex Flow (channel type web)?',
    createLabel: 'Create a web Flex Flow for this service',
    label: (f) => `${f.sid}  "${f.friendlyName}"  (${f.integrationType ?? 'no integration'})`,
    given: opts.flexFlow,
    create: opts.createFlexFlow,
  });
  if (!chosen) return createFlexFlow(ctx, found, source);
  term.say(`✔ Flex Flow: ${chosen.sid}`);
  plan.decide('FLEX_FLOW_SID', chosen.sid, source);
}

const INTEGRATION_CHOICES: Choice<Integration>[] = [
  { value: 'task', label: 'task    make a Flex task directly (workflow, chat channel)' },
  { value: 'studio', label: 'studio  run a Studio flow (Send to Flex)' },
];

/** A new web Flex Flow, unless an earlier run made it (.env's, else one with setup's name). */
async function createFlexFlow(
  ctx: ModeContext,
  found: FlexFlowInstance[],
  source: Source,
): Promise<void> {
  const { opts, term, client, file, plan } = ctx;
  const wanted = opts.flexFlowIntegration;
  const reuse = [
    found.find((f) => f.sid === file.values.FLEX_FLOW_SID),
    found.find((f) => f.friendlyName === FLOW_FRIENDLY_NAME),
  ].find((f) => f !== undefined && (wanted === undefined || f.integrationType === wanted));
  if (reuse) {
    term.say(
      `✔ Reusing Flex Flow ${reuse.sid} "${reuse.friendlyName}" (${reuse.integrationType ?? 'no'} integration; setup creates one only when there is none)`,
    );
    plan.decide('FLEX_FLOW_SID', reuse.sid, source);
    return;
  }
  const type: Integration =
    wanted ??
    (await choose(term, 'What should the new Flex Flow do with each chat?', INTEGRATION_CHOICES, {
      flag: '--flex-flow-integration',
      proposed: 'task',
    }));
  const integration = type === 'task' ? await taskIntegration(ctx) : await studioIntegration(ctx);
  const sid = plan.creates({ kind: 'Flex Flow', flag: '--flex-flow' }, async () => {
    const flow = await step('create the Flex Flow', () =>
      client.flexApi.v1.flexFlow.create({
        friendlyName: FLOW_FRIENDLY_NAME,
        chatServiceSid: ctx.serviceSid,
        channelType: 'web',
        enabled: true,
        integrationType: type,
        ...integration(),
      }),
    );
    term.say(`✔ Created Flex Flow ${flow.sid} (web, ${type} integration)`);
    return flow.sid;
  });
  plan.decide('FLEX_FLOW_SID', sid, source);
}

async function taskIntegration(ctx: ModeContext) {
  const { routing } = await pickRouting(ctx);
  return () => ({
    'integration.workspaceSid': routing.workspaceSid,
    'integration.workflowSid': routing.workflowSid,
    'integration.channel': routing.taskChannel,
  });
}

async function studioIntegration(ctx: ModeContext) {
  // A Flex Flow's Studio flow starts on Programmable Chat's "Incoming Message".
  const flow = await chooseFlow(ctx, { allowCreate: false, event: 'incomingMessage' });
  return () => ({ 'integration.flowSid': valueOf(flow.sid) });
}

/* --- doctor --------------------------------------------------------------- */

async function check(ctx: DoctorContext): Promise<void> {
  ctx.add(
    'HANDOFF_MODE',
    'warn',
    'flex-flow uses Programmable Chat for Flex (Flex UI 1.x), which reached end of life on 2026-06-01',
    'move to HANDOFF_MODE=address (a Chat Address) or studio',
  );
  const sid = ctx.value('FLEX_FLOW_SID');
  if (!sid) return;
  const flow = await fetchChecked(
    ctx.add,
    'FLEX_FLOW_SID',
    'read the Flex Flow',
    [
      `Flex Flow ${sid} does not exist on this account`,
      `${SETUP}: it proposes another (or pass --flex-flow FO…, or --create-flex-flow)`,
    ],
    () => ctx.client.flexApi.v1.flexFlow(sid).fetch(),
  );
  if (!flow) return;
  addProblems(
    ctx.add,
    'FLEX_FLOW_SID',
    flexFlowProblems(flow, ctx.value('CONVERSATIONS_SERVICE_SID')),
    `Flex Flow ${sid} is web, enabled, on the service`,
  );
  const integration = (flow.integration ?? {}) as Record<string, unknown>;
  const text = (key: string) => (typeof integration[key] === 'string' ? integration[key] : '');
  if (flow.integrationType === 'studio' && text('flow_sid')) {
    await checkFlow(ctx, 'Flex Flow flow', text('flow_sid'), 'incomingMessage', true);
  } else if (flow.integrationType === 'task') {
    await checkTask(ctx, sid, text);
    if (ctx.customerTokens) warnUncheckedTaskIntegration(ctx.add, sid);
  }
}

function flexFlowProblems({ sid, ...flow }: FlexFlowInstance, serviceSid?: string): Problem[] {
  return problemsOf(
    [flow.channelType !== 'web', `${sid} is a "${flow.channelType}" Flex Flow, not web`, SETUP],
    [
      !flow.enabled,
      `${sid} is disabled`,
      'enable it (Console > Flex > Channel management > Legacy addresses)',
    ],
    [
      !!serviceSid && flow.chatServiceSid !== serviceSid,
      `${sid} uses chat service ${flow.chatServiceSid}, not CONVERSATIONS_SERVICE_SID (${serviceSid}): customers' tokens would not reach its channels`,
      'use the same service for both',
    ],
  );
}

/** A task integration makes the task itself: its workspace, workflow and channel must hold. */
async function checkTask(
  ctx: DoctorContext,
  sid: string,
  text: (key: string) => string,
): Promise<void> {
  const fix = `fix its task integration (Console > Flex > Channel management > Legacy addresses), or ${SETUP} -- --create-flex-flow`;
  const [workspaceSid, workflowSid] = [text('workspace_sid'), text('workflow_sid')];
  if (!workspaceSid || !workflowSid) {
    ctx.add(
      'Flex Flow task',
      'problem',
      `${sid} has a task integration with no ${workspaceSid ? 'workflow' : 'workspace'}: no task can be made`,
      fix,
    );
    return;
  }
  await checkRouting(
    ctx,
    { workspaceSid, workflowSid, taskChannel: text('channel') || DEFAULTS.taskChannel },
    {
      workspace: ['Flex Flow workspace', fix],
      workflow: ['Flex Flow workflow', fix],
      channel: ['Flex Flow task channel', fix],
    },
  );
}

export const flexFlow: SetupMode = {
  label: 'legacy Flex UI 1.x Flex Flow (end of life since 2026-06-01)',
  flags: ['flex-flow', 'create-flex-flow', 'flex-flow-integration'],
  // A Flex Flow names its own chat service.
  otherChatService: 'warn',
  setup,
  check,
};
