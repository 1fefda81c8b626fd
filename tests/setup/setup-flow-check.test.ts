/**
 * `npm run setup`: the Studio flow it creates checks `customer` at this
 * service's /check-customer (scripts/setup/flow-check-url.ts), through the
 * spec-validating Studio fake. The URL comes from PUBLIC_BASE_URL or the
 * deployed domain; with customer tokens on and neither, it is asked for
 * (--yes: no check, said); anonymous-only setups are asked nothing new. A
 * flow an earlier run created gets the check as a new revision; one edited
 * in Studio is left alone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { webChatFlowDefinition } from '../../scripts/setup/flow-definition';
import { ACCOUNT, account, FLOW_DEFINITIONS, type MockFlow } from '../../dev/twilio-fake/apis';
import { TwilioMock, type RecordedRequest } from '../../dev/twilio-fake/twilio-mock';
import { advisedRoles, doctorRows } from '../support/doctor';
import {
  CREDENTIAL_FLAGS,
  EnvDir,
  README_CI_FLAGS,
  setupCli,
  type CliOptions,
} from '../support/setup-cli';

const mock = TwilioMock.perTest(advisedRoles);
let dir: EnvDir;
beforeEach(async () => {
  dir = await EnvDir.create();
});
afterEach(() => dir.remove());

const run = (argv: string[], options?: CliOptions) => setupCli(mock, dir, argv, options);

const BASE_URL = 'https://abc123.ngrok.app';
const DOMAIN = 'flex-webchat-1234-dev.twil.io';
const TOKENS = [
  '--customer-tokens',
  '--customer-issuer',
  'https://shop.example.com',
  '--customer-audience',
  'flex-webchat',
];
const CREATE_STUDIO = [...CREDENTIAL_FLAGS, '--yes', '--mode', 'studio', '--create-studio-flow'];
const ASKED = "Signed-in customers: the Studio flow checks each chat's customer";

const setupFlow = (url?: string) =>
  webChatFlowDefinition({
    WORKFLOW_SID: ACCOUNT.workflowSid,
    CHAT_TASK_CHANNEL_SID: ACCOUNT.chatChannelSid,
    CHECK_CUSTOMER_URL: url,
  });
const ours = () => account(mock).flows.filter((f) => f.friendlyName === 'Flex custom web chat');
const definitionSent = (request: RecordedRequest): unknown =>
  JSON.parse(request.form.Definition?.[0] ?? 'null');
const customerRow = (stdout: string) => doctorRows(stdout).find((r) => r.name === 'customer');

/** The definitions earlier versions of setup created, with this account's routing. */
const EARLIER: unknown[] = (
  JSON.parse(
    readFileSync(join(__dirname, '../../scripts/setup/web-chat.flow.earlier.json'), 'utf8')
      .replaceAll('${WORKFLOW_SID}', ACCOUNT.workflowSid)
      .replaceAll('${CHAT_TASK_CHANNEL_SID}', ACCOUNT.chatChannelSid),
  ) as { definitions: unknown[] }
).definitions;

/** What setup created before the check, as an earlier run left it. */
const OLD_FLOW: MockFlow = {
  sid: 'FW' + 'e'.repeat(32),
  friendlyName: 'Flex custom web chat',
  status: 'published',
  revision: 1,
  definition: EARLIER[0],
};

interface EditableFlow {
  states: {
    name: string;
    type: string;
    transitions: { event: string; next?: string }[];
    properties: Record<string, unknown>;
  }[];
}

/** The company's edit in Studio: Trigger -> welcome (Send Message) -> has_customer. */
function withWelcome(definition: unknown): EditableFlow {
  const flow = JSON.parse(JSON.stringify(definition)) as EditableFlow;
  flow.states[0]!.transitions.find((t) => t.event === 'incomingConversationMessage')!.next =
    'welcome';
  flow.states.push({
    name: 'welcome',
    type: 'send-message',
    transitions: [
      { event: 'sent', next: 'has_customer' },
      { event: 'failed', next: 'has_customer' },
    ],
    properties: {
      body: 'Hi! An agent will be with you shortly.',
      from: '{{flow.channel.address}}',
      to: '{{contact.channel.address}}',
    },
  });
  return flow;
}

/** The widgets moved on Studio's canvas: nothing a chat sees. */
function moved(definition: unknown): unknown {
  const flow = JSON.parse(JSON.stringify(definition)) as EditableFlow;
  for (const [i, state] of flow.states.entries()) state.properties.offset = { x: 10 * i, y: 7 };
  return flow;
}

describe('npm run setup: the flow it creates checks customer at this service', () => {
  it.each([
    ['studio mode', CREATE_STUDIO],
    ['address mode (the README’s CI command)', README_CI_FLAGS],
  ])('%s with --public-base-url: the check at its /check-customer, doctor OK', async (_, flags) => {
    const res = await run([...flags, ...TOKENS, '--public-base-url', BASE_URL]);
    expect(res.code).toBe(0);
    const [create] = mock.requests('flows.create');
    expect(definitionSent(create!)).toEqual(setupFlow(`${BASE_URL}/check-customer`));
    expect(mock.requests('flows.validate')).toHaveLength(1);
    expect(res.env.PUBLIC_BASE_URL).toBe(BASE_URL);
    expect(res.stdout).not.toContain(ASKED);
    expect(customerRow(res.stdout)).toMatchObject({ status: '✔ OK' });
  });

  it('a deployed domain (--domain): the check there, nothing asked, no PUBLIC_BASE_URL written', async () => {
    const res = await run([...CREATE_STUDIO, ...TOKENS, '--domain', DOMAIN]);
    expect(res.code).toBe(0);
    expect(definitionSent(mock.requests('flows.create')[0]!)).toEqual(
      setupFlow(`https://${DOMAIN}/check-customer`),
    );
    expect(res.env.PUBLIC_BASE_URL ?? '').toBe('');
    expect(res.stdout).not.toContain(ASKED);
    expect(customerRow(res.stdout)).toMatchObject({ status: '✔ OK' });
  });

  it('a PUBLIC_BASE_URL already in .env is used', async () => {
    const res = await run([...CREATE_STUDIO, '--skip-doctor'], {
      envText: `PUBLIC_BASE_URL=${BASE_URL}\n`,
    });
    expect(res.code).toBe(0);
    expect(definitionSent(mock.requests('flows.create')[0]!)).toEqual(
      setupFlow(`${BASE_URL}/check-customer`),
    );
  });

  it('anonymous only, no URL: asked nothing new, the flow has no check', async () => {
    const res = await run(CREATE_STUDIO);
    expect(res.code).toBe(0);
    expect(definitionSent(mock.requests('flows.create')[0]!)).toEqual(setupFlow());
    expect(res.stdout).not.toContain(ASKED);
    expect(res.stdout).not.toContain('customer check');
    expect(customerRow(res.stdout)).toBeUndefined();
  });

  it('customer tokens on, no URL, --yes: the URL is asked for, none taken: no check, said by setup and doctor', async () => {
    const res = await run([...CREATE_STUDIO, ...TOKENS]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(ASKED);
    expect(res.stdout).toContain('! The flow will have no customer check');
    expect(definitionSent(mock.requests('flows.create')[0]!)).toEqual(setupFlow());
    expect(customerRow(res.stdout)).toMatchObject({
      status: '! WARN',
      detail: expect.stringContaining('has no customer check') as unknown,
    });
  });

  it('customer tokens on, the URL typed at the question: the check there, and PUBLIC_BASE_URL written', async () => {
    const res = await run(
      [...CREDENTIAL_FLAGS, '--mode', 'studio', '--create-studio-flow', ...TOKENS, '--skip-doctor'],
      // The workflow (the first), the URL, the websites, an API key.
      { answers: ['', BASE_URL, 'https://shop.example.com', 'y'] },
    );
    expect(res.stdout).toContain(ASKED);
    expect(definitionSent(mock.requests('flows.create')[0]!)).toEqual(
      setupFlow(`${BASE_URL}/check-customer`),
    );
    expect(res.env.PUBLIC_BASE_URL).toBe(BASE_URL);
  });
});

describe('npm run setup: a flow an earlier run created', () => {
  it('from before the check: a new published revision with the check, its own routing kept; once', async () => {
    account(mock).flows.push({ ...OLD_FLOW });
    const envText = `STUDIO_FLOW_SID=${OLD_FLOW.sid}\nHANDOFF_MODE=studio\n`;
    const flags = [...CREDENTIAL_FLAGS, '--yes', ...TOKENS, '--public-base-url', BASE_URL];
    const res = await run(flags, { envText });
    expect(res.code).toBe(0);
    expect(res.env.STUDIO_FLOW_SID).toBe(OLD_FLOW.sid);
    expect(mock.requests('flows.create')).toHaveLength(0);
    const [update] = mock.requests('flows.update');
    expect(update?.path).toContain(OLD_FLOW.sid);
    expect(update?.form.Status).toEqual(['published']);
    expect(definitionSent(update!)).toEqual(setupFlow(`${BASE_URL}/check-customer`));
    expect(ours()[0]).toMatchObject({ revision: 2, status: 'published' });
    expect(customerRow(res.stdout)).toMatchObject({ status: '✔ OK' });

    const again = await run(flags);
    expect(again.code).toBe(0);
    expect(mock.requests('flows.update')).toHaveLength(1);
  });

  it('checking at an old URL (--create-studio-flow reuses it): moved to the new one', async () => {
    account(mock).flows.push({
      ...OLD_FLOW,
      definition: setupFlow('https://old.ngrok.app/check-customer'),
    });
    const res = await run([...CREATE_STUDIO, '--public-base-url', BASE_URL, '--skip-doctor']);
    expect(res.code).toBe(0);
    expect(mock.requests('flows.create')).toHaveLength(0);
    expect(definitionSent(mock.requests('flows.update')[0]!)).toEqual(
      setupFlow(`${BASE_URL}/check-customer`),
    );
  });

  it.each([
    ['the first version', 1],
    ['the version with customer (unchecked)', 0],
  ])(
    'from before the check (%s), its widgets moved on the canvas: replaced with the checked flow',
    async (_, index) => {
      account(mock).flows.push({ ...OLD_FLOW, definition: moved(EARLIER[index]) });
      const res = await run([...CREATE_STUDIO, ...TOKENS, '--public-base-url', BASE_URL]);
      expect(res.code).toBe(0);
      expect(mock.requests('flows.update')).toHaveLength(1);
      expect(definitionSent(mock.requests('flows.update')[0]!)).toEqual(
        setupFlow(`${BASE_URL}/check-customer`),
      );
    },
  );

  it('setup’s flow without the check, edited in Studio (a welcome message): left as it is, and said how to get the check', async () => {
    const edited = withWelcome(setupFlow());
    account(mock).flows.push({ ...OLD_FLOW, revision: 3, definition: edited });
    const res = await run(
      [...CREDENTIAL_FLAGS, '--yes', ...TOKENS, '--public-base-url', BASE_URL],
      { envText: `STUDIO_FLOW_SID=${OLD_FLOW.sid}\nHANDOFF_MODE=studio\n` },
    );
    expect(res.code).toBe(0);
    expect(mock.requests('flows.update')).toHaveLength(0);
    expect(ours()[0]).toMatchObject({ revision: 3, definition: edited });
    expect(res.stdout).toContain(
      `! Studio flow ${OLD_FLOW.sid} was edited in Studio, so setup leaves it as it is (publishing its own definition would lose your edits)`,
    );
    expect(customerRow(res.stdout)).toMatchObject({
      status: '! WARN',
      detail: expect.stringContaining('has no customer check') as unknown,
    });
  });

  it('setup’s checked flow at an old URL, edited in Studio: only check_customer’s URL changes, the edit stays', async () => {
    const edited = withWelcome(moved(setupFlow('https://old.ngrok.app/check-customer')));
    account(mock).flows.push({ ...OLD_FLOW, revision: 3, definition: edited });
    const res = await run([...CREATE_STUDIO, ...TOKENS, '--public-base-url', BASE_URL]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(
      `Studio flow ${OLD_FLOW.sid} was edited in Studio: setup changes only its check_customer URL, and keeps your edits.`,
    );
    const updates = mock.requests('flows.update');
    expect(updates).toHaveLength(1);
    const expected = JSON.parse(JSON.stringify(edited)) as EditableFlow;
    expected.states.find((w) => w.name === 'check_customer')!.properties.url =
      `${BASE_URL}/check-customer`;
    expect(definitionSent(updates[0]!)).toEqual(expected);
    expect(updates[0]!.form.CommitMessage?.[0]).toContain("check_customer's URL");
    expect(ours()[0]).toMatchObject({ revision: 4, status: 'published' });
    expect(customerRow(res.stdout)).toMatchObject({ status: '✔ OK' });

    const again = await run([...CREATE_STUDIO, ...TOKENS, '--public-base-url', BASE_URL]);
    expect(again.code).toBe(0);
    expect(mock.requests('flows.update')).toHaveLength(1);
  });

  it('checking at the tunnel in .env’s PUBLIC_BASE_URL, setup run again with --domain once deployed: moved to the deployed service', async () => {
    account(mock).flows.push({ ...OLD_FLOW, definition: setupFlow(`${BASE_URL}/check-customer`) });
    const res = await run([...CREATE_STUDIO, ...TOKENS, '--domain', DOMAIN, '--skip-doctor'], {
      envText: `PUBLIC_BASE_URL=${BASE_URL}\n`,
    });
    expect(res.code).toBe(0);
    expect(mock.requests('flows.update')).toHaveLength(1);
    expect(definitionSent(mock.requests('flows.update')[0]!)).toEqual(
      setupFlow(`https://${DOMAIN}/check-customer`),
    );
  });

  it('edited in Studio: left as it is, and said', async () => {
    account(mock).flows.push({ ...OLD_FLOW, definition: FLOW_DEFINITIONS.splitToFlex() });
    const res = await run(
      [...CREDENTIAL_FLAGS, '--yes', '--studio-flow', OLD_FLOW.sid, ...TOKENS],
      { envText: `PUBLIC_BASE_URL=${BASE_URL}\n` },
    );
    expect(res.code).toBe(0);
    expect(mock.requests('flows.update')).toHaveLength(0);
    expect(res.stdout).toContain(`! Studio flow ${OLD_FLOW.sid} was edited in Studio`);
  });
});
