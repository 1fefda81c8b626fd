/**
 * `npm run setup -- doctor`, what agents' trust in a chat's attributes relies
 * on (scripts/setup/trust.ts), against the local Twilio mock (the service's
 * configuration and roles, checked against the spec):
 *
 * - customers' default roles (the service's default conversation role and
 *   default service role) must not grant `editConversationAttributes`: a
 *   problem with customer tokens on, a warning otherwise; permissions over
 *   other people's messages or participants are warnings;
 * - with customer tokens on, the Studio flow chats go to must give its task
 *   `customer` only through /check-customer at this service's URL: OK when
 *   it does, a problem when others can forge what it passes unchecked
 *   (address, flex-flow) or it checks elsewhere, a warning otherwise.
 *
 * Doctor only reads: every test here makes zero Twilio writes.
 */
import { CUSTOMER_ENV } from '../../dev/customer-token';
import { ACCOUNT, account, ROLE_SIDS, serviceRoles } from '../../dev/twilio-fake/apis';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import {
  ADDRESS_SID,
  FLEX_FLOW_SID,
  INTERACTION_URL,
  seedChatAddress,
  seedFlexFlow,
} from '../../dev/twilio-fake/modes';
import { webChatFlowDefinition } from '../../scripts/setup/flow-definition';
import { DOCTOR_BASE, doctorPerTest, type DoctorEnv } from '../support/doctor';

const { mock, doctor } = doctorPerTest((m) => {
  seedChatAddress(m);
  seedFlexFlow(m);
});
afterEach(() => expect(mock.writes()).toEqual([]));

const SIGNED_IN: DoctorEnv = { ...DOCTOR_BASE, ...CUSTOMER_ENV };
const roles = () => serviceRoles(mock, TEST_ENV.CONVERSATIONS_SERVICE_SID);
const ROLES = 'Conversations roles';

describe("doctor: customers' roles on the Conversations service", () => {
  it("Flex's defaults (guest, user): OK, from the configuration and the two roles", async () => {
    const res = await doctor(SIGNED_IN);
    expect(res.row(ROLES)).toEqual({
      status: '✔ OK',
      name: ROLES,
      detail:
        "customers' roles (guest, user) cannot edit conversation attributes or create conversations",
    });
    expect(mock.requests('serviceConfiguration.fetch')).toHaveLength(1);
    expect(mock.requests('serviceRoles.fetch').map((r) => r.path.split('/').pop())).toEqual([
      ROLE_SIDS.guest,
      ROLE_SIDS.user,
    ]);
    expect(res.code).toBe(0);
  });

  it("the participants' role grants editConversationAttributes, tokens on: a problem, exit 1", async () => {
    roles().byName('guest').permissions.push('editConversationAttributes');
    const res = await doctor(SIGNED_IN);
    expect(res.problems).toEqual([
      {
        status: '✘ PROBLEM',
        name: ROLES,
        detail: expect.stringMatching(
          new RegExp(
            `the default conversation role \\(their participant\\), 'guest' \\(${ROLE_SIDS.guest}\\), which grants editConversationAttributes: .*rewrite the conversation's attributes, including \`customer\``,
          ),
        ) as unknown,
        fix: expect.stringMatching(
          /^remove them from 'guest' .* Console > Conversations > Services > IS/,
        ) as unknown,
      },
    ]);
    expect(res.code).toBe(1);
  });

  it('the same without customer tokens: a warning (nothing is claimed verified), exit 0', async () => {
    roles().byName('guest').permissions.push('editConversationAttributes');
    const res = await doctor(DOCTOR_BASE);
    expect(res.row(ROLES)).toMatchObject({
      status: '! WARN',
      detail: expect.stringMatching(/what agents are told about the chat/) as unknown,
    });
    expect(res.problems).toEqual([]);
    expect(res.code).toBe(0);
  });

  it("the users' service role grants it (it reaches every conversation): a problem", async () => {
    roles().byName('user').permissions.push('editConversationAttributes');
    const res = await doctor(SIGNED_IN);
    expect(res.problems.map((p) => p.detail)).toEqual([
      expect.stringMatching(/the default service role \(their user\), 'user'/),
    ]);
  });

  it("the default conversation role set to Flex's agent role: a problem naming it", async () => {
    roles().defaultConversationRoleSid = ROLE_SIDS.agent;
    const res = await doctor(SIGNED_IN);
    expect(res.problems.map((p) => p.detail)).toEqual([
      expect.stringMatching(new RegExp(`'agent' \\(${ROLE_SIDS.agent}\\)`)),
    ]);
  });

  it("permissions over other people's messages or participants: a warning listing them", async () => {
    roles().byName('guest').permissions.push('editAnyMessage', 'removeParticipant');
    roles().byName('user').permissions.push('deleteConversation');
    const res = await doctor(SIGNED_IN);
    const rows = res.rows.filter((r) => r.name === ROLES);
    expect(rows.map((r) => [r.status, r.detail.match(/grants ([^:]+):/)?.[1]])).toEqual([
      ['! WARN', 'editAnyMessage, removeParticipant'],
      ['! WARN', 'deleteConversation'],
    ]);
    expect(res.code).toBe(0);
  });

  it("Flex's own `user` role, which grants createConversation: a warning, exit 0, tokens on or off", async () => {
    roles().byName('user').permissions.push('createConversation');
    for (const env of [SIGNED_IN, DOCTOR_BASE]) {
      const res = await doctor(env);
      expect(res.problems).toEqual([]);
      expect(res.rows.filter((r) => r.name === ROLES)).toEqual([
        {
          status: '! WARN',
          name: ROLES,
          detail: `customers hold the default service role (their user), 'user' (${ROLE_SIDS.user}), which grants createConversation: with their own token they could make conversations of their own, with any attributes and messages (this service's /transcript and /survey take only its own chats, sealed: docs/api.md)`,
          fix: expect.stringMatching(
            /^remove it from 'user' .*customers only join conversations this service makes/,
          ) as unknown,
        },
      ]);
      expect(res.code).toBe(0);
    }
  });

  it('a default conversation creator role of its own: read too, and checked like the others', async () => {
    const creator = roles().byName('agent'); // grants editConversationAttributes
    roles().defaultConversationCreatorRoleSid = creator.sid;
    const res = await doctor(DOCTOR_BASE);
    expect(mock.requests('serviceRoles.fetch').map((r) => r.path.split('/').pop())).toEqual([
      ROLE_SIDS.guest,
      ROLE_SIDS.user,
      creator.sid,
    ]);
    expect(res.row(ROLES)).toMatchObject({
      status: '! WARN',
      detail: expect.stringMatching(
        /^customers hold the default conversation creator role .*'agent'.* editConversationAttributes/,
      ) as unknown,
    });
    // Only in conversations the customer made, whose attributes they wrote anyway: a warning
    // even with customer tokens on.
    const signedIn = await doctor(SIGNED_IN);
    expect(signedIn.problems).toEqual([]);
    expect(signedIn.code).toBe(0);
  });

  it('no default roles configured: OK (Twilio applies its own, which grant neither)', async () => {
    roles().defaultConversationRoleSid = null;
    roles().defaultChatServiceRoleSid = null;
    roles().defaultConversationCreatorRoleSid = null;
    const res = await doctor(SIGNED_IN);
    expect(res.row(ROLES)?.status).toBe('✔ OK');
    expect(mock.requests('serviceRoles.fetch')).toHaveLength(0);
  });

  it('roles that cannot be read: a warning saying so, the other checks go on', async () => {
    mock.failNext('serviceRoles.fetch', { status: 500 });
    const res = await doctor(SIGNED_IN);
    expect(res.row(ROLES)).toMatchObject({ status: '! WARN' });
    expect(res.row(ROLES)?.detail).toMatch(/read the Conversations service's roles/);
    expect(res.row('CUSTOMER_TOKEN_SECRET')?.status).toBe('✔ OK');
  });

  it('a service that does not exist: its own problem, and no roles row', async () => {
    const res = await doctor({ ...SIGNED_IN, CONVERSATIONS_SERVICE_SID: 'IS' + 'f'.repeat(32) });
    expect(res.row('CONVERSATIONS_SERVICE_SID')?.status).toBe('✘ PROBLEM');
    expect(res.row(ROLES)).toBeUndefined();
    expect(mock.requests('serviceConfiguration.fetch')).toHaveLength(0);
  });
});

describe('doctor: whether the flow chats go to gives its task `customer` only through the check', () => {
  const BASE_URL = 'https://abc123.ngrok.app';
  const CHECK_URL = `${BASE_URL}/check-customer`;
  const ADDRESS: DoctorEnv = {
    ...SIGNED_IN,
    HANDOFF_MODE: 'address',
    STUDIO_FLOW_SID: undefined,
    ADDRESS_SID,
    PUBLIC_BASE_URL: BASE_URL,
  };
  const STUDIO: DoctorEnv = { ...SIGNED_IN, PUBLIC_BASE_URL: BASE_URL };
  const FLEX_FLOW: DoctorEnv = {
    ...SIGNED_IN,
    HANDOFF_MODE: 'flex-flow',
    STUDIO_FLOW_SID: undefined,
    FLEX_FLOW_SID,
  };
  /** The flow chats go to in every mode here (studio's, the address's, the Flex Flow's). */
  const useFlow = (definition: unknown) => {
    const flow = account(mock).flows.find((f) => f.sid === TEST_ENV.STUDIO_FLOW_SID);
    flow!.definition = definition;
  };
  const setupFlow = (url?: string) =>
    webChatFlowDefinition({
      WORKFLOW_SID: ACCOUNT.workflowSid,
      CHAT_TASK_CHANNEL_SID: ACCOUNT.chatChannelSid,
      CHECK_CUSTOMER_URL: url,
    });
  /** What setup created before the check: customer copied from the attributes. */
  const OLD_FLOW = {
    initial_state: 'Trigger',
    states: [
      {
        name: 'Trigger',
        type: 'trigger',
        transitions: [{ event: 'incomingConversationMessage', next: 'send_to_flex' }],
        properties: {},
      },
      {
        name: 'send_to_flex',
        type: 'send-to-flex',
        transitions: [{ event: 'callComplete' }],
        properties: {
          workflow: ACCOUNT.workflowSid,
          channel: ACCOUNT.chatChannelSid,
          attributes:
            '{"pre_engagement_data": {{trigger.conversation.ChannelAttributes.pre_engagement_data | to_json}}{% if trigger.conversation.ChannelAttributes.customer %}, "customer": {{trigger.conversation.ChannelAttributes.customer | to_json}}{% elsif trigger.conversation.ChannelAttributes.pre_engagement_data.customer %}, "customer": {{trigger.conversation.ChannelAttributes.pre_engagement_data.customer | to_json}}{% endif %}}',
        },
      },
    ],
  };

  it.each([
    ['studio mode', STUDIO],
    ['address mode routed to Studio', ADDRESS],
  ])("%s, setup's flow checking at this service's URL: OK", async (_, env) => {
    useFlow(setupFlow(CHECK_URL));
    const res = await doctor(env);
    expect(res.row('customer')).toEqual({
      status: '✔ OK',
      name: 'customer',
      detail: `Studio flow ${TEST_ENV.STUDIO_FLOW_SID} ("Messaging Flow") gives its task customer only when ${CHECK_URL} finds this service's signature`,
    });
  });

  it.each([
    ['address mode routed to Studio', ADDRESS, '✘ PROBLEM', /anything else using the same address/],
    [
      'studio mode',
      STUDIO,
      '! WARN',
      /only the Conversations roles keep a customer from rewriting it/,
    ],
  ])('%s, the flow setup created before the check', async (_, env, status, detail) => {
    useFlow(OLD_FLOW);
    const res = await doctor(env);
    expect(res.row('customer')).toMatchObject({
      status,
      detail: expect.stringMatching(
        /passes customer to the task unchecked \(widget send_to_flex\)/,
      ) as unknown,
      fix: expect.stringMatching(
        /^run npm run setup \(with PUBLIC_BASE_URL, or --domain/,
      ) as unknown,
    });
    expect(res.row('customer')?.detail).toMatch(detail);
  });

  it("setup's flow checking at a tunnel (PUBLIC_BASE_URL): the customer row OK, and a warning about the tunnel", async () => {
    useFlow(setupFlow(CHECK_URL));
    const res = await doctor(STUDIO);
    expect(res.row('customer')?.status).toBe('✔ OK');
    expect(res.row('customer check URL')).toEqual({
      status: '! WARN',
      name: 'customer check URL',
      detail: `Studio flow ${TEST_ENV.STUDIO_FLOW_SID} ("Messaging Flow") checks customer at ${CHECK_URL}, not on a deployed *.twil.io domain: whoever answers there decides which customers agents are told are verified, and a tunnel's hostname can later be someone else's, who could answer verified: true for any customer`,
      fix: "once deployed, run npm run setup -- --domain <your service>.twil.io: it moves the flow's check to the deployed service (keep tunnel URLs for development)",
    });
  });

  it("setup's flow checking at the deployed service (--domain): OK, no tunnel warning", async () => {
    const domain = 'flex-webchat-1234-dev.twil.io';
    useFlow(setupFlow(`https://${domain}/check-customer`));
    const res = await doctor(SIGNED_IN, ['--domain', domain]);
    expect(res.row('customer')?.status).toBe('✔ OK');
    expect(res.row('customer check URL')).toBeUndefined();
  });

  it("setup's flow checking at another URL off twil.io: the problem, and the tunnel warning", async () => {
    useFlow(setupFlow('https://elsewhere.example/check-customer'));
    const res = await doctor(STUDIO);
    expect(res.row('customer')?.status).toBe('✘ PROBLEM');
    expect(res.row('customer check URL')?.detail).toContain(
      'checks customer at https://elsewhere.example/check-customer, not on a deployed *.twil.io domain',
    );
  });

  it("setup's flow checking at another URL: a problem naming both", async () => {
    useFlow(setupFlow('https://elsewhere.example/check-customer'));
    const res = await doctor(ADDRESS);
    expect(res.row('customer')).toMatchObject({
      status: '✘ PROBLEM',
      detail: expect.stringContaining(
        `checks customer at https://elsewhere.example/check-customer, not at this service's ${CHECK_URL}`,
      ) as unknown,
    });
  });

  it("setup's flow without the check: a warning (signed-in customers reach agents without customer)", async () => {
    useFlow(setupFlow());
    const res = await doctor(ADDRESS);
    expect(res.row('customer')).toMatchObject({
      status: '! WARN',
      detail: expect.stringContaining('has no customer check') as unknown,
    });
  });

  it("a flow that is not setup's (Flex's messaging flow): a warning, it cannot be judged", async () => {
    const res = await doctor(STUDIO);
    expect(res.row('customer')).toMatchObject({
      status: '! WARN',
      detail: expect.stringContaining(
        "its widget SendConversationToAgent is not setup's, so doctor cannot tell",
      ) as unknown,
    });
  });

  it("run locally without PUBLIC_BASE_URL: the check's URL cannot be compared, a warning", async () => {
    useFlow(setupFlow(CHECK_URL));
    const res = await doctor(SIGNED_IN);
    expect(res.row('customer')).toMatchObject({
      status: '! WARN',
      detail: expect.stringContaining("this service's URL cannot be told here") as unknown,
      fix: expect.stringContaining('--domain') as unknown,
    });
    const deployed = await doctor(SIGNED_IN, ['--domain', 'abc123.ngrok.app']);
    expect(deployed.row('customer')?.status).toBe('✔ OK');
  });

  it("flex-flow mode: the Flex Flow's Studio flow (Incoming Message) is judged too", async () => {
    // Flex's messaging flow: chats of a Flex Flow start it on Incoming Message.
    const res = await doctor(FLEX_FLOW);
    expect(res.row('customer')).toMatchObject({
      status: '! WARN',
      detail: expect.stringContaining('its widget SendMessageToAgent is not setup') as unknown,
    });
  });

  it('flex-flow mode with a task integration: a warning, nothing can check it there', async () => {
    const flexFlow = account(mock).flexFlows.find((f) => f.sid === FLEX_FLOW_SID)!;
    flexFlow.integrationType = 'task';
    flexFlow.integration = {
      workspace_sid: ACCOUNT.workspaceSid,
      workflow_sid: ACCOUNT.workflowSid,
      channel: 'chat',
    };
    const res = await doctor(FLEX_FLOW);
    expect(res.row('customer')).toMatchObject({
      status: '! WARN',
      detail: expect.stringMatching(
        /task integration passes pre_engagement_data\.customer/,
      ) as unknown,
    });
  });

  it('address mode routed to /interaction (which checks the signature): no row', async () => {
    account(mock).addresses.length = 0; // this address routes to /interaction
    seedChatAddress(mock, { webhookUrl: INTERACTION_URL });
    const res = await doctor({
      ...ADDRESS,
      ADDRESS_ROUTES_TO: 'webhook',
      TASKROUTER_WORKSPACE_SID: ACCOUNT.workspaceSid,
      TASKROUTER_WORKFLOW_SID: ACCOUNT.workflowSid,
    });
    expect(res.row('customer')).toBeUndefined();
  });

  it('without customer tokens: no row (no claim is made)', async () => {
    useFlow(OLD_FLOW);
    for (const env of [
      { ...DOCTOR_BASE, HANDOFF_MODE: 'address', STUDIO_FLOW_SID: undefined, ADDRESS_SID },
      DOCTOR_BASE,
    ]) {
      const res = await doctor(env);
      expect(res.row('customer')).toBeUndefined();
    }
  });
});
