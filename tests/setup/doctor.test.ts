/**
 * `npm run setup -- doctor`: every check, passing and failing, against the
 * local Twilio mock; the exit code is non-zero exactly when there is a problem.
 */
import { CaptchaFake, FAKE_KEYS } from '../../dev/captcha-fake';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { ACCOUNT, account, FLOW_DEFINITIONS, serviceRoles } from '../../dev/twilio-fake/apis';
import {
  ADDRESS_SID,
  FLEX_FLOW_SID,
  INTERACTION_URL,
  seedChatAddress,
  seedFlexFlow,
} from '../../dev/twilio-fake/modes';
import { DOCTOR_BASE, doctorPerTest, type DoctorEnv } from '../support/doctor';

const { mock, doctor } = doctorPerTest();

type Env = DoctorEnv;

const BASE: Env = DOCTOR_BASE;
const WEBHOOK: Env = {
  ...BASE,
  HANDOFF_MODE: 'webhook',
  STUDIO_FLOW_SID: undefined,
  TASKROUTER_WORKSPACE_SID: ACCOUNT.workspaceSid,
  TASKROUTER_WORKFLOW_SID: ACCOUNT.workflowSid,
  PUBLIC_BASE_URL: 'https://abc123.ngrok.app',
};
const ADDRESS: Env = { ...BASE, HANDOFF_MODE: 'address', STUDIO_FLOW_SID: undefined, ADDRESS_SID };
/** Address mode with webhook mode's variables, run locally behind a tunnel. */
const ADDRESS_ROUTED: Env = {
  ...ADDRESS,
  TASKROUTER_WORKSPACE_SID: ACCOUNT.workspaceSid,
  TASKROUTER_WORKFLOW_SID: ACCOUNT.workflowSid,
  PUBLIC_BASE_URL: 'https://abc123.ngrok.app',
};
const FLEX_FLOW: Env = {
  ...BASE,
  HANDOFF_MODE: 'flex-flow',
  STUDIO_FLOW_SID: undefined,
  FLEX_FLOW_SID,
};

describe('doctor: a configuration that works', () => {
  it.each([
    [
      'studio',
      BASE,
      [
        'configuration',
        'credentials',
        'Flex',
        'Flex chat service',
        'CONVERSATIONS_SERVICE_SID',
        'Conversations roles',
        'API_KEY',
        'STUDIO_FLOW_SID',
        'ALLOWED_ORIGINS',
        'CHALLENGE',
      ],
    ],
    [
      'webhook',
      WEBHOOK,
      [
        'configuration',
        'credentials',
        'Flex',
        'Flex chat service',
        'CONVERSATIONS_SERVICE_SID',
        'Conversations roles',
        'API_KEY',
        'TASKROUTER_WORKSPACE_SID',
        'TASKROUTER_WORKFLOW_SID',
        'TASK_CHANNEL',
        'ALLOWED_ORIGINS',
        'CHALLENGE',
      ],
    ],
    [
      'address',
      ADDRESS,
      [
        'configuration',
        'credentials',
        'Flex',
        'Flex chat service',
        'CONVERSATIONS_SERVICE_SID',
        'Conversations roles',
        'API_KEY',
        'ADDRESS_SID',
        'Chat Address flow',
        'ALLOWED_ORIGINS',
        'CHALLENGE',
      ],
    ],
  ])('%s mode: every check OK, exit code 0', async (_, env, checks) => {
    seedChatAddress(mock);
    const res = await doctor(env);
    // Last, whatever the mode: the chat budget (none set here) and the Sync service
    // /end-chat uses (tests/setup/sync.test.ts).
    const all = [...checks, 'MAX_CHATS_PER_MINUTE', 'SYNC_SERVICE_SID'];
    expect(res.rows.map((r) => [r.status, r.name])).toEqual(all.map((c) => ['✔ OK', c]));
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('No problems: npm start is ready to start chats.');
    expect(res.stdout).not.toContain(TEST_ENV.AUTH_TOKEN);
    expect(res.stdout).not.toContain(TEST_ENV.API_SECRET);
  });

  it('flex-flow mode: OK, with the end-of-life warning (exit code 0)', async () => {
    seedFlexFlow(mock);
    const res = await doctor(FLEX_FLOW);
    expect(res.code).toBe(0);
    expect(res.problems).toEqual([]);
    expect(res.rows.find((r) => r.status === '! WARN')).toMatchObject({
      name: 'HANDOFF_MODE',
      detail: expect.stringContaining('end of life on 2026-06-01'),
    });
    expect(res.rows.map((r) => r.name)).toEqual(
      expect.arrayContaining(['FLEX_FLOW_SID', 'Flex Flow flow']),
    );
  });

  it('flex-flow mode with a task integration: its workspace, workflow and channel hold', async () => {
    const flow = seedFlexFlow(mock);
    flow.integrationType = 'task';
    flow.integration = {
      workspace_sid: ACCOUNT.workspaceSid,
      workflow_sid: ACCOUNT.workflowSid,
      channel: 'chat',
    };
    const res = await doctor(FLEX_FLOW);
    expect(res.code).toBe(0);
    expect(res.rows.filter((r) => r.name.startsWith('Flex Flow '))).toEqual([
      {
        status: '✔ OK',
        name: 'Flex Flow workspace',
        detail: `workspace ${ACCOUNT.workspaceSid} exists`,
      },
      {
        status: '✔ OK',
        name: 'Flex Flow workflow',
        detail: `workflow ${ACCOUNT.workflowSid} belongs to the workspace`,
      },
      {
        status: '✔ OK',
        name: 'Flex Flow task channel',
        detail: 'task channel "chat" exists in the workspace',
      },
    ]);
  });

  it('reads only: no Twilio request changes anything', async () => {
    seedChatAddress(mock);
    await doctor(ADDRESS);
    expect(mock.requests().filter((r) => r.method !== 'GET')).toEqual([]);
  });
});

describe('doctor: each check fails clearly', () => {
  it('a variable the functions would refuse (their own rules), with how to fix', async () => {
    const res = await doctor({ ...BASE, STUDIO_FLOW_SID: TEST_ENV.CONVERSATIONS_SERVICE_SID });
    expect(res.code).toBe(1);
    expect(res.problems[0]).toEqual({
      status: '✘ PROBLEM',
      name: 'STUDIO_FLOW_SID',
      detail: expect.stringMatching(
        /must be a Studio Flow SID .* but this is a Conversations Service SID/,
      ),
      fix: 'see .env.example, or run npm run setup',
    });
    // The other checks still run.
    expect(res.rows.find((r) => r.name === 'credentials')?.status).toBe('✔ OK');
  });

  it('credentials Twilio rejects: error 20003, and no further Twilio checks', async () => {
    const res = await doctor({ ...BASE, AUTH_TOKEN: 'e'.repeat(32) });
    expect(res.code).toBe(1);
    expect(res.rows.map((r) => r.name)).toEqual(['configuration', 'credentials']);
    expect(res.problems[0]?.detail).toMatch(/error 20003/);
    expect(mock.requests()).toHaveLength(1);
  });

  it('credentials missing: Twilio checks skipped', async () => {
    const res = await doctor({ ...BASE, AUTH_TOKEN: undefined });
    expect(res.code).toBe(1);
    expect(res.rows.map((r) => r.name)).toEqual(['AUTH_TOKEN', 'Twilio checks']);
    expect(mock.requests()).toHaveLength(0);
  });

  it('an account without Flex', async () => {
    account(mock).flex = null;
    const res = await doctor(BASE);
    expect(res.problems).toEqual([
      expect.objectContaining({ name: 'Flex', detail: expect.stringMatching(/no Flex/) }),
    ]);
    expect(res.code).toBe(1);
  });

  it('missing permissions (403)', async () => {
    mock.failNext('flows.fetch', { status: 403, code: 20403 });
    const res = await doctor(BASE);
    expect(res.problems).toEqual([
      expect.objectContaining({
        name: 'STUDIO_FLOW_SID',
        detail: expect.stringMatching(/lack permission \(HTTP 403, error 20403\)/),
      }),
    ]);
  });

  it("Flex's chat service that is not the default Conversations service", async () => {
    account(mock).flex!.chatServiceSid = 'IS' + '9'.repeat(32);
    const res = await doctor(BASE);
    expect(res.code).toBe(1);
    expect(res.problems).toEqual([
      {
        status: '✘ PROBLEM',
        name: 'Flex chat service',
        detail: `Flex's chat service (IS${'9'.repeat(32)}) is not the account's default Conversations service (${TEST_ENV.CONVERSATIONS_SERVICE_SID}): Flex Conversations needs them to be the same`,
        fix: `in Console > Conversations > Manage > Defaults, set the default Conversations service to IS${'9'.repeat(32)}`,
      },
    ]);
    // A legacy Flex Flow names its own chat service: only a warning there.
    seedFlexFlow(mock);
    const legacy = await doctor(FLEX_FLOW);
    expect(legacy.problems).toEqual([]);
    expect(legacy.rows.find((r) => r.name === 'Flex chat service')?.status).toBe('! WARN');
  });

  it('a Conversations service that does not exist', async () => {
    const res = await doctor({ ...BASE, CONVERSATIONS_SERVICE_SID: 'IS' + '9'.repeat(32) });
    expect(res.problems.map((p) => [p.name, p.detail])).toEqual([
      ['CONVERSATIONS_SERVICE_SID', `IS${'9'.repeat(32)} does not exist on this account`],
    ]);
  });

  it('a Conversations service that is not the default one', async () => {
    account(mock).services.push({ sid: 'IS' + '9'.repeat(32), friendlyName: 'Other' });
    const user = serviceRoles(mock, 'IS' + '9'.repeat(32)).byName('user'); // as doctor advises
    user.permissions = user.permissions.filter((p) => p !== 'createConversation');
    const res = await doctor({ ...BASE, CONVERSATIONS_SERVICE_SID: 'IS' + '9'.repeat(32) });
    expect(res.problems).toEqual([
      expect.objectContaining({
        name: 'CONVERSATIONS_SERVICE_SID',
        detail: expect.stringMatching(
          /is not the account's default Conversations service \(IS3{32}\)/,
        ),
        fix: expect.stringMatching(/set CONVERSATIONS_SERVICE_SID=IS3{32}/),
      }),
    ]);
  });

  it('an API key that does not exist', async () => {
    const res = await doctor({ ...BASE, API_KEY: 'SK' + '9'.repeat(32) });
    expect(res.problems.map((p) => p.name)).toEqual(['API_KEY']);
    expect(res.problems[0]?.detail).toMatch(/does not exist on this account/);
  });

  it('an API secret that is not the key’s', async () => {
    const res = await doctor({ ...BASE, API_SECRET: 'not-the-secret-of-this-key-000000' });
    expect(res.problems.map((p) => [p.name, p.detail])).toEqual([
      ['API_SECRET', expect.stringMatching(/Twilio rejected API_KEY with this API_SECRET/)],
    ]);
    expect(res.stdout).not.toContain('not-the-secret-of-this-key');
  });

  it('a Studio flow that does not exist, or is a draft', async () => {
    const missing = await doctor({ ...BASE, STUDIO_FLOW_SID: 'FW' + '9'.repeat(32) });
    expect(missing.problems.map((p) => p.detail)).toEqual([
      `Studio flow FW${'9'.repeat(32)} does not exist on this account`,
    ]);
    account(mock).flows[1]!.status = 'draft';
    const draft = await doctor(BASE);
    expect(draft.problems).toEqual([
      expect.objectContaining({
        name: 'STUDIO_FLOW_SID',
        detail: expect.stringMatching(/is a draft/),
        fix: 'open it in Console > Studio and click Publish',
      }),
    ]);
  });

  it('a Studio flow whose Incoming Conversation trigger reaches no Send to Flex', async () => {
    const voice = await doctor({ ...BASE, STUDIO_FLOW_SID: ACCOUNT.voiceFlowSid });
    expect(voice.code).toBe(1);
    expect(voice.problems).toEqual([
      {
        status: '✘ PROBLEM',
        name: 'STUDIO_FLOW_SID',
        detail: `Studio flow ${ACCOUNT.voiceFlowSid} ("Voice IVR") does not send chats to Flex: its Trigger's Incoming Conversation transition leads to no Send to Flex widget`,
        fix: 'connect Incoming Conversation to a Send to Flex widget in Console > Studio, or run npm run setup -- --create-studio-flow',
      },
    ]);
    account(mock).flows[1]!.definition = FLOW_DEFINITIONS.noFlex();
    const autoReply = await doctor(BASE);
    expect(autoReply.problems.map((p) => p.name)).toEqual(['STUDIO_FLOW_SID']);
  });

  it('a Studio flow that reaches Send to Flex through other widgets is fine', async () => {
    account(mock).flows[1]!.definition = FLOW_DEFINITIONS.splitToFlex();
    const res = await doctor(BASE);
    expect(res.problems).toEqual([]);
    expect(res.rows.find((r) => r.name === 'STUDIO_FLOW_SID')?.detail).toMatch(
      /is published and sends chats to Flex$/,
    );
  });

  it('webhook mode: a workspace that does not exist', async () => {
    const res = await doctor({ ...WEBHOOK, TASKROUTER_WORKSPACE_SID: 'WS' + '9'.repeat(32) });
    expect(res.problems.map((p) => p.name)).toEqual(['TASKROUTER_WORKSPACE_SID']);
  });

  it('webhook mode: a workflow of another workspace', async () => {
    account(mock).workspaces.push({
      sid: 'WS' + '9'.repeat(32),
      friendlyName: 'Other',
      workflows: [{ sid: 'WW' + '9'.repeat(32), friendlyName: 'Elsewhere' }],
      taskChannels: [],
    });
    const res = await doctor({ ...WEBHOOK, TASKROUTER_WORKFLOW_SID: 'WW' + '9'.repeat(32) });
    expect(res.problems).toEqual([
      expect.objectContaining({
        name: 'TASKROUTER_WORKFLOW_SID',
        detail: `workflow WW${'9'.repeat(32)} does not belong to workspace ${ACCOUNT.workspaceSid}`,
      }),
    ]);
  });

  it('webhook mode: a task channel the workspace does not have', async () => {
    const res = await doctor({ ...WEBHOOK, TASK_CHANNEL: 'sms' });
    expect(res.problems).toEqual([
      expect.objectContaining({
        name: 'TASK_CHANNEL',
        detail: expect.stringMatching(/no task channel "sms" \(it has: voice, chat\)/),
      }),
    ]);
  });

  it('webhook mode, run locally without PUBLIC_BASE_URL; fine when checked as deployed', async () => {
    const local = await doctor({ ...WEBHOOK, PUBLIC_BASE_URL: undefined });
    expect(local.problems.map((p) => p.name)).toEqual(['PUBLIC_BASE_URL']);
    const deployed = await doctor({ ...WEBHOOK, PUBLIC_BASE_URL: undefined }, [
      '--domain',
      'chat-1234-dev.twil.io',
    ]);
    expect(deployed.problems).toEqual([]);
    expect(deployed.code).toBe(0);
  });

  it('address mode: an address that does not exist', async () => {
    const res = await doctor(ADDRESS);
    expect(res.problems.map((p) => [p.name, p.detail])).toEqual([
      ['ADDRESS_SID', `Chat Address ${ADDRESS_SID} does not exist on this account`],
    ]);
  });

  it('address mode: not a chat address, auto-creation off, another service', async () => {
    const address = seedChatAddress(mock);
    address.type = 'sms';
    address.autoCreation.enabled = false;
    address.autoCreation.conversation_service_sid = 'IS' + '9'.repeat(32);
    const res = await doctor(ADDRESS);
    expect(res.problems.map((p) => p.detail)).toEqual([
      `${ADDRESS_SID} is a "sms" address, not a chat address`,
      `${ADDRESS_SID} does not create conversations (auto-creation is off)`,
      expect.stringMatching(/creates conversations in IS9{32}, not in CONVERSATIONS_SERVICE_SID/),
    ]);
  });

  it('address mode: an address that routes to neither Studio nor a webhook', async () => {
    seedChatAddress(mock).autoCreation = {
      enabled: true,
      type: 'default',
      conversation_service_sid: TEST_ENV.CONVERSATIONS_SERVICE_SID,
    };
    const res = await doctor(ADDRESS);
    expect(res.code).toBe(1);
    expect(res.problems).toEqual([
      {
        status: '✘ PROBLEM',
        name: 'ADDRESS_SID',
        detail: `${ADDRESS_SID} routes to "default", neither a Studio flow nor a webhook`,
        fix: "point it at a Studio flow or this service's /interaction (Console > Flex > Channel management > Chat), or run npm run setup -- --create-address",
      },
    ]);
  });

  it('address mode: an address that routes to Studio but names no flow', async () => {
    delete seedChatAddress(mock).autoCreation.studio_flow_sid;
    const res = await doctor(ADDRESS);
    expect(res.problems.map((p) => [p.name, p.detail])).toEqual([
      ['ADDRESS_SID', `${ADDRESS_SID} routes to Studio but names no Studio flow`],
    ]);
    expect(res.rows.map((r) => r.name)).not.toContain('Chat Address flow');
  });

  it("address mode: an address's Studio flow that is a draft, or sends no chat to Flex", async () => {
    seedChatAddress(mock);
    account(mock).flows[1]!.status = 'draft';
    const draft = await doctor(ADDRESS);
    expect(draft.problems.map((p) => p.name)).toEqual(['Chat Address flow']);
    account(mock).flows[1]!.definition = FLOW_DEFINITIONS.voiceIvr();
    const voice = await doctor(ADDRESS);
    expect(voice.problems.map((p) => [p.name, p.detail])).toEqual([
      ['Chat Address flow', expect.stringMatching(/does not send chats to Flex/)],
    ]);
  });

  it('address mode: an address that routes to Studio, with TaskRouter variables left over', async () => {
    seedChatAddress(mock);
    const leftover = {
      ...ADDRESS,
      ADDRESS_ROUTES_TO: 'studio',
      TASKROUTER_WORKSPACE_SID: ACCOUNT.workspaceSid,
      TASKROUTER_WORKFLOW_SID: ACCOUNT.workflowSid,
    };
    const tunnel = await doctor({ ...leftover, PUBLIC_BASE_URL: 'https://abc123.ngrok.app' });
    expect(tunnel.code).toBe(0);
    expect(tunnel.rows.filter((r) => r.status === '! WARN')).toEqual([
      {
        status: '! WARN',
        name: 'TASKROUTER_WORKSPACE_SID',
        detail: `${ADDRESS_SID} routes to Studio, as ADDRESS_ROUTES_TO says, so TASKROUTER_WORKSPACE_SID / TASKROUTER_WORKFLOW_SID are not used`,
        fix: `empty TASKROUTER_WORKSPACE_SID / TASKROUTER_WORKFLOW_SID in .env (npm run setup -- --address ${ADDRESS_SID} does it)`,
      },
    ]);
    // With ADDRESS_ROUTES_TO=studio they are not read: locally, no tunnel is needed.
    const local = await doctor(leftover);
    expect(local.problems).toEqual([]);
    expect(local.rows.map((r) => r.status + ' ' + r.name)).toContain(
      '! WARN TASKROUTER_WORKSPACE_SID',
    );
  });

  it('address mode: an address routing to /interaction without the TaskRouter variables', async () => {
    seedChatAddress(mock, { webhookUrl: INTERACTION_URL });
    const res = await doctor(ADDRESS, ['--domain', 'webchat-1234-dev.twil.io']);
    expect(res.problems.map((p) => p.detail)).toEqual([
      expect.stringMatching(
        /routes to a webhook .* but TASKROUTER_WORKSPACE_SID and TASKROUTER_WORKFLOW_SID are not set/,
      ),
    ]);
  });

  it("address mode: an address routing to another URL than this service's /interaction", async () => {
    seedChatAddress(mock, { webhookUrl: 'https://old-tunnel.ngrok.app/interaction' });
    const routed = {
      ...ADDRESS,
      ADDRESS_ROUTES_TO: 'webhook',
      TASKROUTER_WORKSPACE_SID: ACCOUNT.workspaceSid,
      TASKROUTER_WORKFLOW_SID: ACCOUNT.workflowSid,
    };
    const wrong = await doctor({ ...routed, PUBLIC_BASE_URL: 'https://new-tunnel.ngrok.app' });
    expect(wrong.problems.map((p) => p.detail)).toEqual([
      `${ADDRESS_SID} routes to https://old-tunnel.ngrok.app/interaction, not to this service's https://new-tunnel.ngrok.app/interaction`,
    ]);
    const right = await doctor({ ...routed, PUBLIC_BASE_URL: 'https://old-tunnel.ngrok.app' });
    expect(right.problems).toEqual([]);
    expect(right.rows.filter((r) => r.status === '! WARN')).toEqual([]);
    expect(right.rows.map((r) => r.name)).toEqual(
      expect.arrayContaining([
        'ADDRESS_SID',
        'TASKROUTER_WORKSPACE_SID',
        'TASKROUTER_WORKFLOW_SID',
        'TASK_CHANNEL',
      ]),
    );
  });

  it('address mode: ADDRESS_ROUTES_TO=webhook for an address that runs a Studio flow', async () => {
    seedChatAddress(mock);
    const res = await doctor({ ...ADDRESS_ROUTED, ADDRESS_ROUTES_TO: 'webhook' });
    expect(res.code).toBe(1);
    expect(res.problems).toEqual([
      {
        status: '✘ PROBLEM',
        name: 'ADDRESS_ROUTES_TO',
        detail: `ADDRESS_ROUTES_TO is webhook, but ${ADDRESS_SID} sends chats to Studio ${TEST_ENV.STUDIO_FLOW_SID}: Twilio never calls /interaction for them`,
        fix: `set ADDRESS_ROUTES_TO=studio, or run npm run setup -- --address ${ADDRESS_SID}`,
      },
    ]);
    // The address itself is fine; what ADDRESS_ROUTES_TO names is still checked.
    expect(res.rows.find((r) => r.name === 'ADDRESS_SID')).toEqual({
      status: '✔ OK',
      name: 'ADDRESS_SID',
      detail: `Chat Address ${ADDRESS_SID} creates conversations and routes them to Studio`,
    });
    expect(res.rows.map((r) => r.name)).toEqual(
      expect.arrayContaining(['Chat Address flow', 'TASKROUTER_WORKFLOW_SID', 'TASK_CHANNEL']),
    );
  });

  it("address mode: ADDRESS_ROUTES_TO=studio for an address that calls this service's /interaction", async () => {
    seedChatAddress(mock, { webhookUrl: 'https://abc123.ngrok.app/interaction' });
    const res = await doctor({ ...ADDRESS_ROUTED, ADDRESS_ROUTES_TO: 'studio' });
    expect(res.code).toBe(1);
    expect(res.problems).toEqual([
      {
        status: '✘ PROBLEM',
        name: 'ADDRESS_ROUTES_TO',
        detail: `${ADDRESS_SID} routes to a webhook (https://abc123.ngrok.app/interaction), but ADDRESS_ROUTES_TO is studio, so /interaction would refuse it`,
        fix: `set ADDRESS_ROUTES_TO=webhook, or run npm run setup -- --address ${ADDRESS_SID}`,
      },
    ]);
    // Set as the address calls for, all is well.
    const fixed = await doctor({ ...ADDRESS_ROUTED, ADDRESS_ROUTES_TO: 'webhook' });
    expect(fixed.code).toBe(0);
    expect(fixed.rows.find((r) => r.name === 'ADDRESS_SID')?.detail).toBe(
      `Chat Address ${ADDRESS_SID} creates conversations and routes them to /interaction, as ADDRESS_ROUTES_TO says`,
    );
  });

  describe('address mode: a .env from before ADDRESS_ROUTES_TO (TASKROUTER_* set, ADDRESS_ROUTES_TO not)', () => {
    const old = ADDRESS_ROUTED;
    const migration = expect.stringMatching(
      /^ADDRESS_ROUTES_TO is not set but TASKROUTER_\* are: routing is no longer guessed from them\./,
    );

    it('names ADDRESS_ROUTES_TO, and the value an address that calls /interaction needs', async () => {
      seedChatAddress(mock, { webhookUrl: 'https://abc123.ngrok.app/interaction' });
      const res = await doctor(old);
      expect(res.code).toBe(1);
      expect(res.problems).toEqual([
        {
          status: '✘ PROBLEM',
          name: 'ADDRESS_ROUTES_TO',
          detail: migration,
          fix: `set ADDRESS_ROUTES_TO=webhook (${ADDRESS_SID} sends chats to https://abc123.ngrok.app/interaction), or run npm run setup`,
        },
      ]);
    });

    it('names ADDRESS_ROUTES_TO, and the value an address that runs a Studio flow needs', async () => {
      seedChatAddress(mock);
      const res = await doctor(old);
      expect(res.problems).toEqual([
        {
          status: '✘ PROBLEM',
          name: 'ADDRESS_ROUTES_TO',
          detail: migration,
          fix: `set ADDRESS_ROUTES_TO=studio (${ADDRESS_SID} sends chats to Studio ${TEST_ENV.STUDIO_FLOW_SID}) and empty TASKROUTER_WORKSPACE_SID / TASKROUTER_WORKFLOW_SID, or run npm run setup`,
        },
      ]);
    });

    it('without an address to read, the fix is the general one', async () => {
      const res = await doctor(old);
      expect(res.problems.find((p) => p.name === 'ADDRESS_ROUTES_TO')?.fix).toBe(
        'see .env.example, or run npm run setup',
      );
    });
  });

  it('flex-flow mode: a Flex Flow that does not exist', async () => {
    const res = await doctor(FLEX_FLOW);
    expect(res.problems.map((p) => [p.name, p.detail])).toEqual([
      ['FLEX_FLOW_SID', `Flex Flow ${FLEX_FLOW_SID} does not exist on this account`],
    ]);
  });

  it('flex-flow mode: not web, disabled, on another chat service', async () => {
    const flow = seedFlexFlow(mock);
    flow.channelType = 'sms';
    flow.enabled = false;
    flow.chatServiceSid = 'IS' + '9'.repeat(32);
    const res = await doctor(FLEX_FLOW);
    expect(res.problems.map((p) => p.detail)).toEqual([
      `${FLEX_FLOW_SID} is a "sms" Flex Flow, not web`,
      `${FLEX_FLOW_SID} is disabled`,
      expect.stringMatching(/uses chat service IS9{32}, not CONVERSATIONS_SERVICE_SID/),
    ]);
  });

  it("flex-flow mode: a Studio integration whose flow does not start on Programmable Chat's Incoming Message", async () => {
    seedFlexFlow(mock);
    // Routes Conversations to Flex, but a Flex Flow's chat starts "Incoming Message".
    account(mock).flows[1]!.definition = FLOW_DEFINITIONS.splitToFlex();
    const res = await doctor(FLEX_FLOW);
    expect(res.problems).toEqual([
      {
        status: '✘ PROBLEM',
        name: 'Flex Flow flow',
        detail: `Studio flow ${TEST_ENV.STUDIO_FLOW_SID} ("Messaging Flow") does not send chats to Flex: its Trigger's Incoming Message transition leads to no Send to Flex widget`,
        fix: expect.stringContaining('connect Incoming Message to a Send to Flex widget'),
      },
    ]);
    account(mock).flows.splice(1, 1);
    const missing = await doctor(FLEX_FLOW);
    expect(missing.problems.map((p) => [p.name, p.detail])).toEqual([
      ['Flex Flow flow', `Studio flow ${TEST_ENV.STUDIO_FLOW_SID} does not exist on this account`],
    ]);
  });

  it('flex-flow mode: a task integration whose routing does not hold', async () => {
    const flow = seedFlexFlow(mock);
    flow.integrationType = 'task';
    flow.integration = {
      workspace_sid: ACCOUNT.workspaceSid,
      workflow_sid: 'WW' + '9'.repeat(32),
      channel: 'sms',
    };
    const wrong = await doctor(FLEX_FLOW);
    expect(wrong.code).toBe(1);
    expect(wrong.problems.map((p) => [p.name, p.detail])).toEqual([
      [
        'Flex Flow workflow',
        `workflow WW${'9'.repeat(32)} does not belong to workspace ${ACCOUNT.workspaceSid}`,
      ],
      ['Flex Flow task channel', 'the workspace has no task channel "sms" (it has: voice, chat)'],
    ]);
    expect(wrong.problems[0]?.fix).toMatch(
      /Legacy addresses\), or run npm run setup -- --create-flex-flow$/,
    );

    flow.integration = { workspace_sid: 'WS' + '9'.repeat(32), workflow_sid: ACCOUNT.workflowSid };
    const gone = await doctor(FLEX_FLOW);
    expect(gone.problems.map((p) => p.name)).toEqual(['Flex Flow workspace']);

    flow.integration = { workflow_sid: ACCOUNT.workflowSid };
    const none = await doctor(FLEX_FLOW);
    expect(none.problems.map((p) => [p.name, p.detail])).toEqual([
      [
        'Flex Flow task',
        `${FLEX_FLOW_SID} has a task integration with no workspace: no task can be made`,
      ],
    ]);
  });

  it('ALLOWED_ORIGINS that does not parse is a problem; * is a warning', async () => {
    const bad = await doctor({
      ...BASE,
      ALLOWED_ORIGINS: 'https://ok.example.com,www.example.com/path',
    });
    expect(bad.problems.map((p) => p.name)).toEqual(['ALLOWED_ORIGINS']);
    const any = await doctor({ ...BASE, ALLOWED_ORIGINS: '*' });
    expect(any.problems).toEqual([]);
    expect(any.rows.find((r) => r.name === 'ALLOWED_ORIGINS')?.status).toBe('! WARN');
    expect(any.code).toBe(0);
  });

  it('CHALLENGE=off is a warning that says what it lets in; malformed, a problem', async () => {
    const off = await doctor({ ...BASE, CHALLENGE: 'off' });
    expect(off.problems).toEqual([]);
    const row = off.rows.find((r) => r.name === 'CHALLENGE');
    expect(row?.status).toBe('! WARN');
    expect(row?.detail).toMatch(/admits any caller/);
    expect(off.code).toBe(0);
    const on = await doctor({ ...BASE, CHALLENGE_MAX_NUMBER: '200000' });
    expect(on.rows.find((r) => r.name === 'CHALLENGE')?.detail).toMatch(/about 100,000 hashes/);
    const bad = await doctor({ ...BASE, CHALLENGE_MAX_NUMBER: '10' });
    expect(bad.problems.map((p) => p.name)).toEqual(['CHALLENGE_MAX_NUMBER']);
  });

  it.each(['turnstile', 'hcaptcha'] as const)(
    'CAPTCHA=%s: asks the provider whether it takes the secret, and names the CSP origins',
    async (provider) => {
      const fake = await CaptchaFake.start();
      try {
        const on = await doctor({ ...BASE, ...fake.env(provider) });
        expect(on.problems).toEqual([]);
        const row = on.rows.find((r) => r.name === 'CAPTCHA');
        expect(row?.status).toBe('✔ OK');
        expect(row?.detail).toContain(
          provider === 'turnstile' ? 'https://challenges.cloudflare.com' : 'https://*.hcaptcha.com',
        );
        // A token that cannot be good, with our secret (and hCaptcha's site key), nothing else.
        const { secret, siteKey } = FAKE_KEYS[provider];
        expect(fake.requests.map((r) => r.form)).toEqual([
          {
            secret,
            response: 'doctor-check',
            ...(provider === 'hcaptcha' && { sitekey: siteKey }),
          },
        ]);

        const wrong =
          provider === 'turnstile' ? '0x4AAAAAAAanotherSecret0000000000009' : '0x' + '9'.repeat(40);
        const refused = await doctor({ ...BASE, ...fake.env(provider), CAPTCHA_SECRET: wrong });
        expect(refused.problems.map((p) => [p.name, p.detail])).toEqual([
          ['CAPTCHA_SECRET', expect.stringContaining('invalid-input-secret')],
        ]);
        expect(refused.code).toBe(1);
        expect(refused.stdout).not.toContain(wrong);

        const bad = await doctor({ ...BASE, ...fake.env(provider), CAPTCHA_SITE_KEY: 'nope' });
        expect(bad.problems.map((p) => p.name)).toEqual(['CAPTCHA_SITE_KEY']);
      } finally {
        await fake.stop();
      }
    },
  );

  it('CAPTCHA: a provider out of reach is a warning (chats are refused meanwhile)', async () => {
    const fake = await CaptchaFake.start();
    const env = { ...BASE, ...fake.env('turnstile') };
    await fake.stop();
    const res = await doctor(env);
    const row = res.rows.find((r) => r.name === 'CAPTCHA');
    expect(row?.status).toBe('! WARN');
    expect(row?.detail).toMatch(/could not be reached/);
    expect(res.code).toBe(0);
  });

  it('no .env at all', async () => {
    const res = await doctor(null);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/run npm run setup first/);
  });
});
