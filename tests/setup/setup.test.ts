/**
 * `npm run setup`, in process, against the local Twilio mock (every request
 * it makes to a host with a spec in ../shared/twilio-oai is validated; API
 * keys live on api.twilio.com, which has none, so those pass unvalidated).
 * Non-interactive (flags, --yes), interactive with scripted answers, and
 * re-runs on an existing .env.
 */
import { webChatFlowDefinition } from '../../scripts/setup/flow-definition';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { ACCOUNT, account, FLOW_DEFINITIONS, type MockFlow } from '../../dev/twilio-fake/apis';
import { ADDRESS_SID, seedChatAddress } from '../../dev/twilio-fake/modes';
import {
  CREDENTIAL_FLAGS,
  EnvDir,
  README_CI_FLAGS,
  setupCli,
  type CliOptions,
} from '../support/setup-cli';
import { TwilioMock, type RecordedRequest } from '../../dev/twilio-fake/twilio-mock';
import { advisedRoles } from '../support/doctor';

const mock = TwilioMock.perTest(advisedRoles);
let dir: EnvDir;
beforeEach(async () => {
  dir = await EnvDir.create();
});
afterEach(() => dir.remove());

/** A third flow, added by the tests that need one. */
const SUPPORT_FLOW: MockFlow = {
  sid: 'FW' + 'd'.repeat(32),
  friendlyName: 'Support',
  status: 'published',
  definition: {},
  revision: 1,
};

const run = (argv: string[], options?: CliOptions) => setupCli(mock, dir, argv, options);
const names = () => mock.requests().map((r) => r.name);
const writes = () => mock.requests().filter((r) => r.method === 'POST');

function only(name: string): RecordedRequest {
  const found = mock.requests(name);
  expect(found).toHaveLength(1);
  return found[0] as RecordedRequest;
}

/** Nothing secret may appear in what setup prints (the API secret only on a terminal). */
function expectNoSecrets(text: string, apiSecret?: string): void {
  expect(text).not.toContain(TEST_ENV.AUTH_TOKEN);
  if (apiSecret) expect(text).not.toContain(apiSecret);
}

describe('npm run setup --yes: from credentials to a working .env', () => {
  it('studio mode: proposes the Flex messaging flow, creates an API key, writes .env, doctor passes', async () => {
    const res = await run([...CREDENTIAL_FLAGS, '--yes']);

    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.env).toMatchObject({
      ACCOUNT_SID: TEST_ENV.ACCOUNT_SID,
      AUTH_TOKEN: TEST_ENV.AUTH_TOKEN,
      CONVERSATIONS_SERVICE_SID: TEST_ENV.CONVERSATIONS_SERVICE_SID,
      HANDOFF_MODE: 'studio',
      STUDIO_FLOW_SID: ACCOUNT.messagingFlowSid,
      API_KEY: expect.stringMatching(/^SK[0-9a-f]{32}$/),
      API_SECRET: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    // The new key is the one Twilio made, and its secret the one it gave once.
    const key = account(mock).apiKeys.find((k) => k.sid === res.env.API_KEY);
    expect(key?.secret).toBe(res.env.API_SECRET);
    // A new .env starts from .env.example: every variable stays documented.
    expect(res.envText).toContain('# description: SID of the Flex Chat Address');
    expect(res.envText).toMatch(/^TOKEN_TTL_SECONDS=3600$/m);

    // Read-only discovery, then exactly one write: the API key.
    expect(writes().map((r) => r.name)).toEqual(['keys.create']);
    expect(only('keys.create').form).toEqual({
      FriendlyName: ['Flex custom web chat: customer tokens'],
    });
    expect(only('keys.create').path).toBe(`/2010-04-01/Accounts/${TEST_ENV.ACCOUNT_SID}/Keys.json`);
    expect(names().slice(0, 4)).toEqual([
      'conversationsConfiguration.fetch',
      'flexConfiguration.fetch',
      'services.fetch',
      'flows.list',
    ]);

    expect(res.stdout).toMatch(/✔ Credentials work/);
    expect(res.stdout).toMatch(/✔ Studio flow: FW4{32} "Messaging Flow"/);
    expect(res.stdout).toMatch(/Doctor: checking \.env/);
    expect(res.stdout).toMatch(/No problems/);
    expectNoSecrets(res.stdout, res.env.API_SECRET);
  });

  it("fetches each listed flow for its definition (Twilio's list leaves it null), and skips one deleted since", async () => {
    const listed = account(mock).flows.map((f) => f.sid);
    mock.failNext('flows.fetch', { status: 404, code: 20404 });
    const res = await run([...CREDENTIAL_FLAGS, '--yes', '--skip-doctor']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const fetched = mock.requests('flows.fetch').map((r) => r.path.split('/').pop());
    expect(fetched.sort()).toEqual([...listed].sort());
  });

  it('proposes only a flow that sends chats to Flex, whatever the names say', async () => {
    // Named like Flex's web chat flow, but an auto-reply: never proposed.
    account(mock).flows.push({
      ...SUPPORT_FLOW,
      friendlyName: 'Web Chat',
      definition: FLOW_DEFINITIONS.noFlex(),
    });
    const res = await run([...CREDENTIAL_FLAGS, '--yes', '--skip-doctor']);
    expect(res.env.STUDIO_FLOW_SID).toBe(ACCOUNT.messagingFlowSid);

    // A flow that reaches Send to Flex through other widgets counts.
    account(mock).flows.splice(0, 3, {
      ...SUPPORT_FLOW,
      definition: FLOW_DEFINITIONS.splitToFlex(),
    });
    await dir.remove();
    dir = await EnvDir.create();
    const split = await run([...CREDENTIAL_FLAGS, '--yes', '--skip-doctor']);
    expect(split.env.STUDIO_FLOW_SID).toBe(SUPPORT_FLOW.sid);
  });

  it('with no flow that sends chats to Flex, --yes creates one', async () => {
    account(mock).flows.splice(1, 1); // only "Voice IVR" is left
    const res = await run([...CREDENTIAL_FLAGS, '--yes']);
    expect(res.code).toBe(0);
    const flow = account(mock).flows.find((f) => f.friendlyName === 'Flex custom web chat');
    expect(res.env.STUDIO_FLOW_SID).toBe(flow?.sid);
    expect(only('flows.create').form.Status).toEqual(['published']);
  });

  it('on a terminal, shows the new API secret exactly once (and in .env)', async () => {
    const res = await run([...CREDENTIAL_FLAGS, '--yes', '--skip-doctor'], { tty: true });
    expect(res.code).toBe(0);
    const secret = res.env.API_SECRET ?? 'missing';
    expect(res.stdout.split(secret)).toHaveLength(2);
    expect(res.stdout).toContain('shown this once');
    expect(res.stderr).not.toContain(secret);
  });

  it('takes credentials from the environment when no flag gives them', async () => {
    const res = await run(['--yes', '--skip-doctor'], {
      processEnv: { ACCOUNT_SID: TEST_ENV.ACCOUNT_SID, AUTH_TOKEN: TEST_ENV.AUTH_TOKEN },
    });
    expect(res.code).toBe(0);
    expect(res.env.ACCOUNT_SID).toBe(TEST_ENV.ACCOUNT_SID);
  });

  it('studio mode, --create-studio-flow: validates the definition first, then creates it published', async () => {
    const res = await run([
      ...CREDENTIAL_FLAGS,
      '--yes',
      '--mode',
      'studio',
      '--create-studio-flow',
    ]);
    expect(res.code).toBe(0);

    const expected = webChatFlowDefinition({
      WORKFLOW_SID: ACCOUNT.workflowSid,
      CHAT_TASK_CHANNEL_SID: ACCOUNT.chatChannelSid,
    });
    const validate = only('flows.validate');
    const create = only('flows.create');
    expect(create.startedAt).toBeGreaterThanOrEqual(validate.endedAt);
    for (const request of [validate, create]) {
      expect(request.form).toEqual({
        FriendlyName: ['Flex custom web chat'],
        Status: ['published'],
        Definition: [expect.any(String)],
        CommitMessage: ['Created by npm run setup (scripts/setup/web-chat.flow.json)'],
      });
      expect(JSON.parse(request.form.Definition?.[0] ?? '')).toEqual(expected);
    }
    const flow = account(mock).flows.find((f) => f.friendlyName === 'Flex custom web chat');
    expect(flow?.status).toBe('published');
    expect(res.env.STUDIO_FLOW_SID).toBe(flow?.sid);
    // The routing it was built with: the Flex workspace's workflow and `chat` channel.
    expect(res.stdout).toContain(
      `✔ Routing: workspace ${ACCOUNT.workspaceSid}, workflow ${ACCOUNT.workflowSid}, task channel "chat" (${ACCOUNT.chatChannelSid})`,
    );
  });

  it('creates nothing when Studio refuses the definition, and says why', async () => {
    mock.failNext('flows.validate', { status: 400, code: 81022, message: 'Invalid definition' });
    const res = await run([...CREDENTIAL_FLAGS, '--yes', '--create-studio-flow']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/Studio refused the flow definition \(nothing was created\)/);
    expect(names()).not.toContain('flows.create');
    expect(names()).not.toContain('keys.create');
    expect(res.envText).toBe('');
  });

  it('webhook mode: the Flex workspace, its workflow and chat channel, and the public URL', async () => {
    const res = await run([
      ...CREDENTIAL_FLAGS,
      '--yes',
      '--mode',
      'webhook',
      '--public-base-url',
      'https://abc123.ngrok.app/',
    ]);
    expect(res.code).toBe(0);
    expect(res.env).toMatchObject({
      HANDOFF_MODE: 'webhook',
      TASKROUTER_WORKSPACE_SID: ACCOUNT.workspaceSid,
      TASKROUTER_WORKFLOW_SID: ACCOUNT.workflowSid,
      TASK_CHANNEL: 'chat',
      PUBLIC_BASE_URL: 'https://abc123.ngrok.app',
    });
    expect(writes().map((r) => r.name)).toEqual(['keys.create']);
  });

  it('address mode: creates a Chat Address that routes to the chosen Studio flow', async () => {
    const res = await run([
      ...CREDENTIAL_FLAGS,
      '--yes',
      '--mode',
      'address',
      '--create-address',
      '--address-target',
      'studio',
      '--studio-flow',
      ACCOUNT.messagingFlowSid,
    ]);
    expect(res.code).toBe(0);
    expect(only('addresses.create').form).toEqual({
      Type: ['chat'],
      Address: ['flex-custom-webchat'],
      FriendlyName: ['Flex custom web chat'],
      'AutoCreation.Enabled': ['true'],
      'AutoCreation.ConversationServiceSid': [TEST_ENV.CONVERSATIONS_SERVICE_SID],
      'AutoCreation.Type': ['studio'],
      'AutoCreation.StudioFlowSid': [ACCOUNT.messagingFlowSid],
    });
    const [address] = account(mock).addresses;
    expect(res.env).toMatchObject({ HANDOFF_MODE: 'address', ADDRESS_SID: address?.sid });
    expect(res.stdout).toMatch(
      /✔ OK\s+ADDRESS_SID\s+Chat Address IG\w+ creates conversations and routes them to Studio/,
    );
  });

  it("address mode: an address that routes to this service's /interaction, with its routing", async () => {
    const res = await run([
      ...CREDENTIAL_FLAGS,
      '--yes',
      '--mode',
      'address',
      '--create-address',
      '--address-target',
      'webhook',
      '--public-base-url',
      'https://chat-1234-dev.twil.io',
    ]);
    expect(res.code).toBe(0);
    expect(only('addresses.create').form).toEqual({
      Type: ['chat'],
      Address: ['flex-custom-webchat'],
      FriendlyName: ['Flex custom web chat'],
      'AutoCreation.Enabled': ['true'],
      'AutoCreation.ConversationServiceSid': [TEST_ENV.CONVERSATIONS_SERVICE_SID],
      'AutoCreation.Type': ['webhook'],
      'AutoCreation.WebhookUrl': ['https://chat-1234-dev.twil.io/interaction'],
      'AutoCreation.WebhookMethod': ['post'],
      'AutoCreation.WebhookFilters': ['onMessageAdded'],
    });
    expect(res.env).toMatchObject({
      HANDOFF_MODE: 'address',
      ADDRESS_ROUTES_TO: 'webhook',
      TASKROUTER_WORKSPACE_SID: ACCOUNT.workspaceSid,
      TASKROUTER_WORKFLOW_SID: ACCOUNT.workflowSid,
      PUBLIC_BASE_URL: 'https://chat-1234-dev.twil.io',
    });
  });

  it('address mode: proposes an existing Chat Address, and lists them by type', async () => {
    seedChatAddress(mock);
    const res = await run([...CREDENTIAL_FLAGS, '--yes', '--mode', 'address']);
    expect(res.code).toBe(0);
    expect(res.env.ADDRESS_SID).toBe(ADDRESS_SID);
    expect(only('addresses.list').query).toMatchObject({ Type: ['chat'] });
    expect(names()).not.toContain('addresses.create');
  });

  it('address mode: reads every page of Chat Addresses (pages hold 50)', async () => {
    const many = Array.from({ length: 51 }, (_, i) => {
      const address = seedChatAddress(mock);
      address.sid = 'IG' + i.toString(16).padStart(32, '0');
      address.address = `site-${i}`;
      return address;
    });
    const last = many[50]!.sid;
    const envText = `ACCOUNT_SID=${TEST_ENV.ACCOUNT_SID}\nAUTH_TOKEN=${TEST_ENV.AUTH_TOKEN}\nADDRESS_SID=${last}\n`;
    const res = await run(['--yes', '--mode', 'address', '--skip-doctor'], { envText });
    expect(res.code).toBe(0);
    expect(res.env.ADDRESS_SID).toBe(last);
    expect(res.stdout).not.toContain('is not a Chat Address');
    expect(mock.requests('addresses.list').map((r) => r.query)).toEqual([
      { Type: ['chat'], PageSize: ['50'] },
      { Type: ['chat'], PageSize: ['50'], Page: ['1'], PageToken: ['PA1'] },
    ]);
  });

  it('address mode: an existing address that routes to /interaction brings its routing and URL', async () => {
    seedChatAddress(mock, { webhookUrl: 'https://abc123.ngrok.app/interaction' });
    const res = await run([...CREDENTIAL_FLAGS, '--yes', '--mode', 'address']);
    expect(res.env).toMatchObject({
      ADDRESS_SID,
      ADDRESS_ROUTES_TO: 'webhook',
      TASKROUTER_WORKSPACE_SID: ACCOUNT.workspaceSid,
      TASKROUTER_WORKFLOW_SID: ACCOUNT.workflowSid,
      TASK_CHANNEL: 'chat',
      PUBLIC_BASE_URL: 'https://abc123.ngrok.app',
    });
    expect(res.code).toBe(0); // doctor: the address routes to this service's /interaction
  });

  it('flex-flow mode: creates a web Flex Flow with a task integration, and warns about end of life', async () => {
    const res = await run([
      ...CREDENTIAL_FLAGS,
      '--yes',
      '--mode',
      'flex-flow',
      '--create-flex-flow',
    ]);
    expect(res.code).toBe(0);
    expect(only('flexFlows.create').form).toEqual({
      FriendlyName: ['Flex custom web chat'],
      ChatServiceSid: [TEST_ENV.CONVERSATIONS_SERVICE_SID],
      ChannelType: ['web'],
      Enabled: ['true'],
      IntegrationType: ['task'],
      'Integration.WorkspaceSid': [ACCOUNT.workspaceSid],
      'Integration.WorkflowSid': [ACCOUNT.workflowSid],
      'Integration.Channel': ['chat'],
    });
    expect(res.env.FLEX_FLOW_SID).toBe(account(mock).flexFlows[0]?.sid);
    expect(res.stdout).toContain('end of life on 2026-06-01');
    expect(res.stdout).toMatch(/! WARN\s+HANDOFF_MODE/);
  });

  it('flex-flow mode with a Studio integration uses the given flow', async () => {
    const res = await run([
      ...CREDENTIAL_FLAGS,
      '--yes',
      '--mode',
      'flex-flow',
      '--create-flex-flow',
      '--flex-flow-integration',
      'studio',
      '--studio-flow',
      ACCOUNT.messagingFlowSid,
    ]);
    expect(res.code).toBe(0);
    expect(only('flexFlows.create').form).toMatchObject({
      IntegrationType: ['studio'],
      'Integration.FlowSid': [ACCOUNT.messagingFlowSid],
    });
  });
});

describe('npm run setup on an existing .env', () => {
  const existing = [
    '# my notes: staging account',
    `ACCOUNT_SID=${TEST_ENV.ACCOUNT_SID}`,
    `AUTH_TOKEN=${TEST_ENV.AUTH_TOKEN}`,
    `API_KEY=${TEST_ENV.API_KEY}`,
    `API_SECRET=${TEST_ENV.API_SECRET}`,
    `STUDIO_FLOW_SID=${ACCOUNT.messagingFlowSid}`,
    'ALLOWED_ORIGINS=https://shop.example.com',
    'MY_OWN_SETTING="keep me"',
    'CONVERSATIONS_SERVICE_SID=',
    '',
  ].join('\n');

  it('keeps every value it did not set, fills the empty ones, creates no second key', async () => {
    const res = await run(['--yes'], { envText: existing });
    expect(res.code).toBe(0);
    expect(res.envText.startsWith('# my notes: staging account\n')).toBe(true);
    expect(res.env).toMatchObject({
      API_KEY: TEST_ENV.API_KEY,
      API_SECRET: TEST_ENV.API_SECRET,
      STUDIO_FLOW_SID: ACCOUNT.messagingFlowSid,
      ALLOWED_ORIGINS: 'https://shop.example.com',
      MY_OWN_SETTING: 'keep me',
      CONVERSATIONS_SERVICE_SID: TEST_ENV.CONVERSATIONS_SERVICE_SID,
      HANDOFF_MODE: 'studio',
    });
    expect(res.envText).toContain('MY_OWN_SETTING="keep me"');
    expect(names()).not.toContain('keys.create');
    expect(res.stdout).toContain(`✔ API key: keeping ${TEST_ENV.API_KEY} from .env`);
    // Run again: nothing left to change.
    const again = await run(['--yes'], {});
    expect(again.code).toBe(0);
    expect(again.envText).toBe(res.envText);
    expect(again.stdout).toContain('(no changes)');
  });

  it('a flag replaces what .env has, and says what it was', async () => {
    account(mock).flows.push({ ...SUPPORT_FLOW, definition: FLOW_DEFINITIONS.splitToFlex() });
    const res = await run(['--yes', '--studio-flow', SUPPORT_FLOW.sid], { envText: existing });
    expect(res.code).toBe(0);
    expect(res.env).toMatchObject({
      STUDIO_FLOW_SID: SUPPORT_FLOW.sid,
      MY_OWN_SETTING: 'keep me',
      API_SECRET: TEST_ENV.API_SECRET,
    });
    expect(res.stdout).toContain(
      `✔ Wrote ${dir.envFile}: changed STUDIO_FLOW_SID (was ${ACCOUNT.messagingFlowSid}); set CONVERSATIONS_SERVICE_SID, HANDOFF_MODE`,
    );
    expect(res.stdout).not.toContain('Kept');
  });

  it('switching mode with flags: the new mode and what it creates are written (finding: "Kept" before)', async () => {
    const studio = `${existing}HANDOFF_MODE=studio\n`;
    const res = await run(
      ['--yes', '--mode', 'address', '--create-address', '--address-target', 'studio'],
      { envText: studio },
    );
    expect(res.code).toBe(0);
    const [address] = account(mock).addresses;
    expect(res.env).toMatchObject({ HANDOFF_MODE: 'address', ADDRESS_SID: address?.sid });
    // The address routes to .env's flow, which sends chats to Flex.
    expect(address?.autoCreation.studio_flow_sid).toBe(ACCOUNT.messagingFlowSid);
    expect(res.stdout).toMatch(/changed HANDOFF_MODE \(was studio\); set .*ADDRESS_SID/);
  });

  it('a mode flag alone chooses the mode: --create-address means address mode', async () => {
    const studio = `${existing}HANDOFF_MODE=studio\n`;
    const res = await run(['--yes', '--create-address', '--address-target', 'studio'], {
      envText: studio,
    });
    expect(res.code).toBe(0);
    expect(res.env.HANDOFF_MODE).toBe('address');
    expect(res.env.ADDRESS_SID).toBe(account(mock).addresses[0]?.sid);
  });

  it('--auth-token replaces the token in .env, and no token is printed', async () => {
    const old = existing.replace(TEST_ENV.AUTH_TOKEN, 'e'.repeat(32));
    const res = await run(['--yes', '--auth-token', TEST_ENV.AUTH_TOKEN], { envText: old });
    expect(res.code).toBe(0);
    expect(res.env.AUTH_TOKEN).toBe(TEST_ENV.AUTH_TOKEN);
    expect(res.stdout).toMatch(/: changed AUTH_TOKEN; set /);
    expect(res.stdout).not.toContain('e'.repeat(32));
    expectNoSecrets(res.stdout);
  });

  it('AUTH_TOKEN from the environment replaces .env’s too (the safer way to pass it)', async () => {
    const old = existing.replace(TEST_ENV.AUTH_TOKEN, 'e'.repeat(32));
    const res = await run(['--yes', '--skip-doctor'], {
      envText: old,
      processEnv: { AUTH_TOKEN: TEST_ENV.AUTH_TOKEN },
    });
    expect(res.code).toBe(0);
    expect(res.env.AUTH_TOKEN).toBe(TEST_ENV.AUTH_TOKEN);
  });

  it('--yes stops before creating anything when a proposal differs from a working .env value', async () => {
    const voice = existing.replace(ACCOUNT.messagingFlowSid, ACCOUNT.voiceFlowSid);
    const res = await run(['--yes'], { envText: voice });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(
      `STUDIO_FLOW_SID: .env has ${ACCOUNT.voiceFlowSid}; setup would make it ${ACCOUNT.messagingFlowSid} (${ACCOUNT.voiceFlowSid} "Voice IVR" does not send chats to Flex)`,
    );
    expect(res.stderr).toMatch(/nothing was created or written[\s\S]*Pass --force .*--studio-flow/);
    expect(writes()).toEqual([]);
    expect(res.envText).toBe(voice);

    const forced = await run(['--yes', '--force']);
    expect(forced.code).toBe(0);
    expect(forced.env.STUDIO_FLOW_SID).toBe(ACCOUNT.messagingFlowSid);
    expect(forced.stdout).toContain(`changed STUDIO_FLOW_SID (was ${ACCOUNT.voiceFlowSid})`);
  });

  it('--yes creates nothing that could not be written: a proposed new flow against a working .env one', async () => {
    account(mock).flows.splice(1, 1); // nothing sends chats to Flex: the proposal is to create one
    const voice = existing.replace(ACCOUNT.messagingFlowSid, ACCOUNT.voiceFlowSid);
    const res = await run(['--yes'], { envText: voice });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('setup would make it a new one');
    expect(names()).not.toContain('flows.validate');
    expect(writes()).toEqual([]);
    // Asked for explicitly, it is created and written.
    const created = await run(['--yes', '--create-studio-flow']);
    expect(created.code).toBe(0);
    expect(created.env.STUDIO_FLOW_SID).toBe(account(mock).flows[1]?.sid);
  });

  it('does not replace an API key whose secret is missing unless forced', async () => {
    const noSecret = existing.replace(/^API_SECRET=.*$/m, 'API_SECRET=');
    const res = await run(['--yes', '--skip-doctor'], { envText: noSecret });
    expect(names()).not.toContain('keys.create');
    expect(res.stdout).toMatch(/has no API_SECRET.*pass --force/);
    const forced = await run(['--yes', '--skip-doctor', '--force']);
    expect(mock.requests('keys.create')).toHaveLength(1);
    expect(forced.env.API_KEY).not.toBe(TEST_ENV.API_KEY);
    expect(forced.env.API_SECRET).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe("npm run setup fixes what doctor finds (doctor's hints lead somewhere)", () => {
  const working = [
    `ACCOUNT_SID=${TEST_ENV.ACCOUNT_SID}`,
    `AUTH_TOKEN=${TEST_ENV.AUTH_TOKEN}`,
    `API_KEY=${TEST_ENV.API_KEY}`,
    `API_SECRET=${TEST_ENV.API_SECRET}`,
    `CONVERSATIONS_SERVICE_SID=${TEST_ENV.CONVERSATIONS_SERVICE_SID}`,
    'HANDOFF_MODE=studio',
    `STUDIO_FLOW_SID=${ACCOUNT.messagingFlowSid}`,
    'ALLOWED_ORIGINS=https://shop.example.com',
    '',
  ].join('\n');
  const missing = (prefix: string) => prefix + '9'.repeat(32);

  /** Doctor on this .env: its problem rows' fixes; then setup --yes; then doctor again. */
  async function doctorThenSetup(envText: string, setupFlags: string[] = []) {
    const before = await run(['doctor'], { envText });
    expect(before.code).toBe(1);
    const fixes = [...before.stdout.matchAll(/how to fix: (.*)/g)].map((m) => m[1]);
    const setup = await run(['--yes', ...setupFlags]);
    return { fixes, setup };
  }

  it('an API key that does not exist: doctor says run setup, and setup creates a new one', async () => {
    const { fixes, setup } = await doctorThenSetup(
      working.replace(TEST_ENV.API_KEY, missing('SK')),
    );
    expect(fixes).toEqual(['run npm run setup: it creates a new key and writes both']);
    expect(setup.code).toBe(0);
    expect(only('keys.create')).toBeDefined();
    expect(setup.env.API_KEY).toBe(account(mock).apiKeys[1]?.sid);
    expect(setup.stdout).toContain(
      `changed API_KEY (was ${missing('SK')}: it does not exist on this account), API_SECRET (the old one: it does not exist on this account)`,
    );
    expectNoSecrets(setup.stdout, setup.env.API_SECRET);
  });

  it("an API secret that is not the key's: setup creates a new key", async () => {
    const { fixes, setup } = await doctorThenSetup(
      working.replace(TEST_ENV.API_SECRET, '0'.repeat(32)),
    );
    expect(fixes).toEqual(['run npm run setup: it creates a new key and writes both']);
    expect(setup.code).toBe(0);
    expect(setup.env.API_KEY).not.toBe(TEST_ENV.API_KEY);
    expect(setup.stdout).toMatch(
      /API_KEY SK\w+ in \.env cannot sign tokens \(Twilio refuses API_SECRET/,
    );
  });

  it('--force creates a new key even when the one in .env works', async () => {
    const res = await run(['--yes', '--force', '--skip-doctor'], { envText: working });
    expect(res.code).toBe(0);
    expect(mock.requests('keys.create')).toHaveLength(1);
    expect(res.env.API_KEY).toBe(account(mock).apiKeys[1]?.sid);
    expect(res.stdout).toContain(`changed API_KEY (was ${TEST_ENV.API_KEY}), API_SECRET`);
  });

  it('a Conversations service that does not exist: setup takes the default one', async () => {
    const { fixes, setup } = await doctorThenSetup(
      working.replace(TEST_ENV.CONVERSATIONS_SERVICE_SID, missing('IS')),
    );
    expect(fixes).toEqual([
      "run npm run setup: it replaces it with the account's default service (or pass --service IS…)",
    ]);
    expect(setup.code).toBe(0);
    expect(setup.env.CONVERSATIONS_SERVICE_SID).toBe(TEST_ENV.CONVERSATIONS_SERVICE_SID);
    expect(setup.stdout).toContain(
      `changed CONVERSATIONS_SERVICE_SID (was ${missing('IS')}: it does not exist on this account)`,
    );
  });

  it('--service that does not exist: a message naming the flag, not a bare HTTP 404', async () => {
    const res = await run([...CREDENTIAL_FLAGS, '--yes', '--service', missing('IS')]);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      `✘ Conversations service ${missing('IS')} (--service) does not exist on this account. ` +
        `Leave --service out to use the account's default (${TEST_ENV.CONVERSATIONS_SERVICE_SID}), or pass another IS… SID.\n`,
    );
    expect(res.envText).toBe('');
  });

  it('a Studio flow that does not exist: setup proposes one that works', async () => {
    const { fixes, setup } = await doctorThenSetup(
      working.replace(ACCOUNT.messagingFlowSid, missing('FW')),
    );
    expect(fixes).toEqual([
      'run npm run setup: it proposes another flow (or pass --studio-flow FW…, or --create-studio-flow)',
    ]);
    expect(setup.code).toBe(0);
    expect(setup.env.STUDIO_FLOW_SID).toBe(ACCOUNT.messagingFlowSid);
    expect(setup.stdout).toContain(
      `changed STUDIO_FLOW_SID (was ${missing('FW')}: it does not exist on this account)`,
    );
  });

  it('a Chat Address that does not exist: setup proposes another', async () => {
    seedChatAddress(mock);
    const address = working.replace(
      'HANDOFF_MODE=studio',
      `HANDOFF_MODE=address\nADDRESS_SID=${missing('IG')}`,
    );
    const { fixes, setup } = await doctorThenSetup(address);
    expect(fixes).toEqual([
      'run npm run setup: it proposes another (or pass --address IG…, or --create-address)',
    ]);
    expect(setup.code).toBe(0);
    expect(setup.env.ADDRESS_SID).toBe(ADDRESS_SID);
  });

  it('a HANDOFF_MODE that is no mode: setup proposes studio, which replaces it', async () => {
    const { fixes, setup } = await doctorThenSetup(
      working.replace('HANDOFF_MODE=studio', 'HANDOFF_MODE=carrier-pigeon'),
    );
    expect(fixes).toEqual(['see .env.example, or run npm run setup']);
    expect(setup.code).toBe(0);
    expect(setup.stdout).toContain('changed HANDOFF_MODE (was carrier-pigeon: it is no mode)');
  });

  it('a chosen flow that cannot route chats is written as chosen, and doctor says how to fix it', async () => {
    const res = await run(['--yes', '--studio-flow', ACCOUNT.voiceFlowSid], { envText: working });
    expect(res.env.STUDIO_FLOW_SID).toBe(ACCOUNT.voiceFlowSid);
    expect(res.stdout).toContain('! It does not send chats to Flex');
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(
      /✘ PROBLEM\s+STUDIO_FLOW_SID\s+Studio flow FWa{32} \("Voice IVR"\) does not send chats to Flex/,
    );
    expect(res.stdout).toMatch(/how to fix: .*npm run setup -- --create-studio-flow/);
  });
});

describe('npm run setup --create-*: running it again creates nothing twice', () => {
  const CI = README_CI_FLAGS;

  it("the README's CI command, twice: one flow, one address, the same .env", async () => {
    const first = await run(CI);
    expect(first.code).toBe(0);
    const second = await run(CI);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(mock.requests('flows.create')).toHaveLength(1);
    expect(mock.requests('addresses.create')).toHaveLength(1);
    expect(mock.requests('keys.create')).toHaveLength(1);
    expect(second.envText).toBe(first.envText);
    expect(second.stdout).toContain(
      `✔ Reusing Chat Address ${first.env.ADDRESS_SID} ("flex-custom-webchat")`,
    );
    expect(second.stdout).toContain('(no changes)');
  });

  it('with a fresh .env: the address with the same name is reused (and its flow with it)', async () => {
    await run(CI);
    await dir.remove();
    dir = await EnvDir.create();
    const again = await run(CI);
    expect(again.code).toBe(0);
    expect(mock.requests('flows.create')).toHaveLength(1);
    expect(mock.requests('addresses.create')).toHaveLength(1);
    expect(again.env.ADDRESS_SID).toBe(account(mock).addresses[0]?.sid);
  });

  it("with the address gone: setup's flow (found by name) is reused, and a new address made", async () => {
    await run(CI);
    const flowSid = account(mock).flows[2]?.sid;
    account(mock).addresses.length = 0;
    const again = await run(CI);
    expect(again.code).toBe(0);
    expect(mock.requests('flows.create')).toHaveLength(1);
    expect(again.stdout).toContain(`✔ Reusing Studio flow ${flowSid} "Flex custom web chat"`);
    expect(mock.requests('addresses.create')[1]?.form['AutoCreation.StudioFlowSid']).toEqual([
      flowSid,
    ]);
    expect(again.stdout).toMatch(/changed ADDRESS_SID \(was IG\w+: it is not a Chat Address/);
  });

  it('a name taken by an address that routes elsewhere: stops before creating anything', async () => {
    seedChatAddress(mock, { webhookUrl: 'https://elsewhere.example.com/interaction' }).address =
      'flex-custom-webchat';
    const res = await run(CI);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(
      `A Chat Address named "flex-custom-webchat" already exists (${ADDRESS_SID}) and routes to https://elsewhere.example.com/interaction, not to a Studio flow. ` +
        `Nothing was created: pass --address ${ADDRESS_SID} to use it as it is, or --address-name NAME to create another.`,
    );
    expect(writes()).toEqual([]);
  });

  it('a 409 from Twilio on the address says how to go on', async () => {
    mock.failNext('addresses.create', { status: 409, code: 50353, message: 'Address exists' });
    const res = await run([...CI.filter((f) => f !== '--create-studio-flow')]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /one named "flex-custom-webchat" already exists \(HTTP 409\)\. Pass --address IG… to use it .*--address-name NAME/,
    );
  });

  it('--create-flex-flow, twice: one Flex Flow', async () => {
    const flags = [...CREDENTIAL_FLAGS, '--yes', '--create-flex-flow', '--skip-doctor'];
    const first = await run(flags);
    const second = await run(flags);
    expect(second.code).toBe(0);
    expect(mock.requests('flexFlows.create')).toHaveLength(1);
    expect(second.env.FLEX_FLOW_SID).toBe(first.env.FLEX_FLOW_SID);
    expect(second.stdout).toContain(`✔ Reusing Flex Flow ${first.env.FLEX_FLOW_SID}`);
  });
});

describe('npm run setup: an address that routes to Studio empties the TaskRouter variables', () => {
  const webhook = [
    `ACCOUNT_SID=${TEST_ENV.ACCOUNT_SID}`,
    `AUTH_TOKEN=${TEST_ENV.AUTH_TOKEN}`,
    `API_KEY=${TEST_ENV.API_KEY}`,
    `API_SECRET=${TEST_ENV.API_SECRET}`,
    `CONVERSATIONS_SERVICE_SID=${TEST_ENV.CONVERSATIONS_SERVICE_SID}`,
    'HANDOFF_MODE=webhook',
    `TASKROUTER_WORKSPACE_SID=${ACCOUNT.workspaceSid}`,
    `TASKROUTER_WORKFLOW_SID=${ACCOUNT.workflowSid}`,
    'PUBLIC_BASE_URL=https://abc123.ngrok.app',
    'ALLOWED_ORIGINS=https://shop.example.com',
    '',
  ].join('\n');
  const emptied = `TASKROUTER_WORKSPACE_SID (was ${ACCOUNT.workspaceSid}), TASKROUTER_WORKFLOW_SID (was ${ACCOUNT.workflowSid})`;

  it('one it creates', async () => {
    const res = await run(['--yes', '--create-address', '--address-target', 'studio'], {
      envText: webhook,
    });
    expect(res.code).toBe(0);
    expect(res.env).toMatchObject({
      HANDOFF_MODE: 'address',
      TASKROUTER_WORKSPACE_SID: '',
      TASKROUTER_WORKFLOW_SID: '',
    });
    expect(res.stdout).toContain(emptied);
    expect(res.stdout).not.toMatch(/WARN\s+TASKROUTER/);
  });

  it('one chosen with --address', async () => {
    seedChatAddress(mock);
    const res = await run(['--yes', '--address', ADDRESS_SID], { envText: webhook });
    expect(res.code).toBe(0);
    expect(res.env).toMatchObject({ ADDRESS_SID, TASKROUTER_WORKSPACE_SID: '' });
    expect(res.stdout).toContain(emptied);
  });

  it('one --yes merely found: a conflict, so nothing changes without --force', async () => {
    seedChatAddress(mock);
    const res = await run(['--yes', '--mode', 'address'], { envText: webhook });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(
      `TASKROUTER_WORKSPACE_SID: .env has ${ACCOUNT.workspaceSid}; setup would make it empty (the address routes to Studio: Twilio never calls /interaction for its chats)`,
    );
    expect(res.envText).toBe(webhook);
    const forced = await run(['--yes', '--mode', 'address', '--force']);
    expect(forced.code).toBe(0);
    expect(forced.env.TASKROUTER_WORKFLOW_SID).toBe('');
  });
});

describe('npm run setup writes ADDRESS_ROUTES_TO from where the address really sends chats', () => {
  // A working .env's account lines (TEST_ENV's credentials, key and service).
  const account = (['ACCOUNT_SID', 'AUTH_TOKEN', 'API_KEY', 'API_SECRET'] as const).map(
    (name) => `${name}=${TEST_ENV[name]}`,
  );
  const base = [
    ...account,
    `CONVERSATIONS_SERVICE_SID=${TEST_ENV.CONVERSATIONS_SERVICE_SID}`,
    'HANDOFF_MODE=address',
    `ADDRESS_SID=${ADDRESS_SID}`,
    'ALLOWED_ORIGINS=https://shop.example.com',
  ];
  /** A .env written by setup before ADDRESS_ROUTES_TO: routing was guessed from TASKROUTER_*. */
  const old = [
    ...base,
    `TASKROUTER_WORKSPACE_SID=${ACCOUNT.workspaceSid}`,
    `TASKROUTER_WORKFLOW_SID=${ACCOUNT.workflowSid}`,
    'PUBLIC_BASE_URL=https://abc123.ngrok.app',
    '',
  ].join('\n');

  it('studio: an address it creates, or one it finds, that runs a Studio flow; no TaskRouter variables', async () => {
    const created = await run([...README_CI_FLAGS, '--skip-doctor']);
    expect(created.code).toBe(0);
    expect(only('addresses.create').form['AutoCreation.Type']).toEqual(['studio']);
    expect(created.env).toMatchObject({
      ADDRESS_ROUTES_TO: 'studio',
      TASKROUTER_WORKSPACE_SID: '',
      TASKROUTER_WORKFLOW_SID: '',
    });

    await dir.remove();
    dir = await EnvDir.create();
    seedChatAddress(mock);
    const found = await run(['--yes', '--address', ADDRESS_SID], { envText: base.join('\n') });
    expect(found.code).toBe(0);
    expect(found.env.ADDRESS_ROUTES_TO).toBe('studio');
    expect(found.envText).toContain('# Added by npm run setup\nADDRESS_ROUTES_TO=studio\n');
    expect(found.envText).not.toContain('TASKROUTER_');
  });

  it('webhook: one that calls /interaction, with its routing', async () => {
    seedChatAddress(mock, { webhookUrl: 'https://abc123.ngrok.app/interaction' });
    const res = await run(['--yes'], { envText: `${base.join('\n')}\n` });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(
      `set ADDRESS_ROUTES_TO, TASKROUTER_WORKSPACE_SID, TASKROUTER_WORKFLOW_SID, TASK_CHANNEL, PUBLIC_BASE_URL`,
    );
    expect(res.env).toMatchObject({
      ADDRESS_ROUTES_TO: 'webhook',
      TASKROUTER_WORKSPACE_SID: ACCOUNT.workspaceSid,
      PUBLIC_BASE_URL: 'https://abc123.ngrok.app',
    });
    expect(writes()).toEqual([]);
  });

  it('a proposal never replaces a different ADDRESS_ROUTES_TO without --force; choosing the address does', async () => {
    seedChatAddress(mock);
    const wrong = `${base.join('\n')}\nADDRESS_ROUTES_TO=webhook\n`;
    const res = await run(['--yes'], { envText: wrong });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(
      `ADDRESS_ROUTES_TO: .env has webhook; setup would make it studio (${ADDRESS_SID} routes to Studio ${TEST_ENV.STUDIO_FLOW_SID})`,
    );
    expect(res.envText).toBe(wrong);
    const chosen = await run(['--yes', '--address', ADDRESS_SID]);
    expect(chosen.code).toBe(0);
    expect(chosen.stdout).toContain('changed ADDRESS_ROUTES_TO (was webhook)');
  });

  it('running it on an old .env whose address calls /interaction: doctor names ADDRESS_ROUTES_TO, setup --yes writes webhook', async () => {
    seedChatAddress(mock, { webhookUrl: 'https://abc123.ngrok.app/interaction' });
    const before = await run(['doctor'], { envText: old });
    expect(before.code).toBe(1);
    expect(before.stdout).toMatch(/✘ PROBLEM\s+ADDRESS_ROUTES_TO\s+ADDRESS_ROUTES_TO is not set/);
    const setup = await run(['--yes']);
    expect(setup.stderr).toBe('');
    expect(setup.code).toBe(0); // doctor, after it: no problems
    expect(setup.envText).toBe(
      `${old}\n# Added by npm run setup\nADDRESS_ROUTES_TO=webhook\nTASK_CHANNEL=chat\n`,
    );
    expect(writes()).toEqual([]);
  });

  it('running it on an old .env whose address runs Studio: writes studio, and empties the routing guessed before', async () => {
    seedChatAddress(mock);
    const setup = await run(['--yes'], { envText: old });
    expect(setup.stderr).toBe('');
    expect(setup.code).toBe(0);
    expect(setup.env).toMatchObject({
      ADDRESS_ROUTES_TO: 'studio',
      TASKROUTER_WORKSPACE_SID: '',
      TASKROUTER_WORKFLOW_SID: '',
    });
    expect(setup.stdout).toContain(
      `changed TASKROUTER_WORKSPACE_SID (was ${ACCOUNT.workspaceSid}: it was set for routing guessed before ADDRESS_ROUTES_TO)`,
    );
    expect(writes()).toEqual([]);
  });
});

describe('npm run setup, interactive (answers on stdin)', () => {
  it('asks for what no flag gives, one question at a time, and uses the answers', async () => {
    seedChatAddress(mock);
    const res = await run([], {
      answers: [
        TEST_ENV.ACCOUNT_SID, // Account SID
        TEST_ENV.AUTH_TOKEN, // Auth Token
        '3', // mode: address
        '2', // the address: create one
        '1', // routed to a Studio flow
        '3', // the flow: create "Flex custom web chat"
        '', // workflow: the proposal (Assign to Anyone)
        'https://www.example.com', // allowed origins
        'y', // create an API key
      ],
    });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    for (const question of [
      'Account SID',
      'Auth Token',
      'How should chats reach Flex?',
      'Which Chat Address',
      'Where should the new address send each chat?',
      'Which Studio flow sends chats to Flex?',
      'Which workflow routes web chats?',
      'Websites that may start chats',
      "Create an API key to sign customers' tokens?",
    ]) {
      expect(res.stdout).toContain(question);
    }
    const flow = account(mock).flows.find((f) => f.friendlyName === 'Flex custom web chat');
    expect(only('addresses.create').form['AutoCreation.StudioFlowSid']).toEqual([flow?.sid]);
    expect(res.env).toMatchObject({
      HANDOFF_MODE: 'address',
      ALLOWED_ORIGINS: 'https://www.example.com',
      ADDRESS_SID: account(mock).addresses[1]?.sid,
    });
    // Off a terminal the API secret is never shown. (That the typed Auth Token
    // is not echoed can only be seen on a terminal: terminal.test.ts.)
    expect(res.stdout).not.toContain(res.env.API_SECRET);
  });

  it('an answer replaces what .env has: a working flow for a missing one', async () => {
    const envText = [
      `ACCOUNT_SID=${TEST_ENV.ACCOUNT_SID}`,
      `AUTH_TOKEN=${TEST_ENV.AUTH_TOKEN}`,
      `API_KEY=${TEST_ENV.API_KEY}`,
      `API_SECRET=${TEST_ENV.API_SECRET}`,
      'HANDOFF_MODE=studio',
      `STUDIO_FLOW_SID=FW${'9'.repeat(32)}`,
      'ALLOWED_ORIGINS=https://shop.example.com',
      '',
    ].join('\n');
    const res = await run(['--skip-doctor'], { envText, answers: ['', '2'] });
    expect(res.stderr).toBe('');
    expect(res.stdout).toContain(`! STUDIO_FLOW_SID FW${'9'.repeat(32)} in .env does not exist`);
    expect(res.env.STUDIO_FLOW_SID).toBe(ACCOUNT.messagingFlowSid);
    expect(res.stdout).toContain(
      `changed STUDIO_FLOW_SID (was FW${'9'.repeat(32)}: it does not exist on this account)`,
    );

    // And one that exists: typed, it replaces it too.
    account(mock).flows.push({ ...SUPPORT_FLOW, definition: FLOW_DEFINITIONS.splitToFlex() });
    const again = await run(['--skip-doctor'], { answers: ['', '3'] });
    expect(again.env.STUDIO_FLOW_SID).toBe(SUPPORT_FLOW.sid);
    expect(again.stdout).toContain(`changed STUDIO_FLOW_SID (was ${ACCOUNT.messagingFlowSid})`);
  });

  it('asks what a new Flex Flow should do with each chat (task or Studio)', async () => {
    const res = await run(['--skip-doctor'], {
      answers: [
        TEST_ENV.ACCOUNT_SID,
        TEST_ENV.AUTH_TOKEN,
        '4', // mode: flex-flow
        '1', // the Flex Flow: create one (there is none)
        '2', // its integration: Studio
        '', // the flow: the proposal (Messaging Flow starts on Incoming Message)
        '', // allowed origins: none yet
        'n', // no API key
      ],
    });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('What should the new Flex Flow do with each chat?');
    expect(only('flexFlows.create').form).toMatchObject({
      IntegrationType: ['studio'],
      'Integration.FlowSid': [ACCOUNT.messagingFlowSid],
    });
  });

  it('asks again after an answer its rules refuse', async () => {
    const res = await run(['--mode', 'studio', '--skip-doctor'], {
      answers: [
        'AC123',
        'IS' + '3'.repeat(32),
        TEST_ENV.ACCOUNT_SID,
        TEST_ENV.AUTH_TOKEN,
        '',
        'not an origin',
        '',
        'n',
      ],
    });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/ACCOUNT_SID must be an Account SID/);
    expect(res.stdout).toMatch(
      /ACCOUNT_SID must be an Account SID.*but this is a Conversations Service SID/,
    );
    expect(res.stdout).toMatch(/ALLOWED_ORIGINS must be origins/);
    expect(res.stdout).toContain('! No API key');
    expect(names()).not.toContain('keys.create');
  });

  it('stops, naming the question, when stdin ends before an answer', async () => {
    const res = await run([...CREDENTIAL_FLAGS], { answers: [] });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /No answer to "How should chats reach Flex\?" \(input ended\): pass --mode to answer it without a question/,
    );
    expect(res.envText).toBe('');
  });
});

describe('npm run setup: clear errors', () => {
  it('bad credentials: Twilio error 20003, and nothing written', async () => {
    const res = await run([
      '--yes',
      '--account-sid',
      TEST_ENV.ACCOUNT_SID,
      '--auth-token',
      'wrong-token',
    ]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/Twilio rejected ACCOUNT_SID \/ AUTH_TOKEN \(error 20003\)/);
    expect(res.stderr).not.toContain('wrong-token');
    expect(names()).toEqual(['conversationsConfiguration.fetch']);
    expect(res.envText).toBe('');
  });

  it('an account without Flex', async () => {
    account(mock).flex = null;
    const res = await run([...CREDENTIAL_FLAGS, '--yes']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/This account has no Flex/);
    expect(res.envText).toBe('');
  });

  it('missing permissions (403) name the step', async () => {
    mock.failNext('flows.list', { status: 403, code: 20403, message: 'Forbidden' });
    const res = await run([...CREDENTIAL_FLAGS, '--yes']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /Could not list the Studio flows: these credentials lack permission \(HTTP 403, error 20403\)/,
    );
  });

  it('a failure after a creation says what was created and how to reuse it', async () => {
    mock.failNext('addresses.create', { status: 500 });
    const res = await run([
      ...CREDENTIAL_FLAGS,
      '--yes',
      '--mode',
      'address',
      '--create-address',
      '--address-target',
      'studio',
      '--create-studio-flow',
    ]);
    expect(res.code).toBe(1);
    const flow = account(mock).flows.find((f) => f.friendlyName === 'Flex custom web chat');
    expect(res.stdout).toContain(
      `! Created before this failure: Studio flow ${flow?.sid} (next time: --studio-flow ${flow?.sid})`,
    );
    expect(res.stderr).toMatch(/Could not create the Chat Address: HTTP 500/);
    expect(names()).not.toContain('keys.create');
    expect(res.envText).toBe('');
  });

  it('a workspace without a chat task channel', async () => {
    account(mock).workspaces[0]!.taskChannels = [];
    const res = await run([...CREDENTIAL_FLAGS, '--yes', '--mode', 'webhook']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/has no "chat" task channel/);
  });

  it('--yes with a question that has no proposal names the flag', async () => {
    const res = await run([
      ...CREDENTIAL_FLAGS,
      '--yes',
      '--mode',
      'address',
      '--create-address',
      '--address-target',
      'webhook',
    ]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/pass --public-base-url/);
    expect(names()).not.toContain('addresses.create');
  });

  it.each([
    [['--mode', 'carrier-pigeon'], /--mode must be one of/],
    [
      ['--studio-flow', 'IS' + '3'.repeat(32)],
      /--studio-flow must be a Studio Flow SID \(FW followed by 32 hex characters\), but this is a Conversations Service SID/,
    ],
    [
      ['--address', 'IG123'],
      /--address must be a Conversations Address Configuration \(Chat Address\) SID/,
    ],
    [
      ['doctor', '--auth-token', 'x', '--yes'],
      /doctor checks \.env as it is, with its own credentials: --auth-token, --yes are options of setup/,
    ],
    [['--colour', 'red'], /Unknown option '--colour'/],
    [
      ['--mode', 'studio', '--create-address'],
      /--create-address is for --mode address, not --mode studio/,
    ],
    [['--address-target', 'studio', '--create-flex-flow'], /are for different modes/],
    [['deploy'], /Unknown command: deploy/],
  ])('refuses bad arguments %j with exit code 2 and usage', async (argv, message) => {
    const res = await run(argv);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(res.stderr).toContain('Usage: npm run setup');
    expect(mock.requests()).toHaveLength(0);
  });

  it('--help prints the usage', async () => {
    const res = await run(['--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Usage: npm run setup [-- [doctor] [options]]');
    expect(res.stdout).toContain('--create-studio-flow');
  });
});
