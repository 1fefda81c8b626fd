/**
 * `npm run setup -- doctor`, what agents' trust in a chat's attributes relies
 * on (scripts/setup/trust.ts), against the local Twilio mock (the service's
 * configuration and roles, checked against the spec):
 *
 * - customers' default roles (the service's default conversation role and
 *   default service role) must not grant `editConversationAttributes`: a
 *   problem with customer tokens on, a warning otherwise; permissions over
 *   other people's messages or participants are warnings;
 * - with customer tokens on, a flow that gets `customer` unchecked (address
 *   mode routed to Studio, flex-flow) is a warning.
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

describe('doctor: where `customer` would reach a task unchecked', () => {
  const ADDRESS: DoctorEnv = {
    ...SIGNED_IN,
    HANDOFF_MODE: 'address',
    STUDIO_FLOW_SID: undefined,
    ADDRESS_SID,
  };

  it.each([
    ['address mode routed to Studio', ADDRESS, /the Chat Address runs a Studio flow/],
    [
      'flex-flow mode',
      { ...SIGNED_IN, HANDOFF_MODE: 'flex-flow', STUDIO_FLOW_SID: undefined, FLEX_FLOW_SID },
      /the Flex Flow's integration/,
    ],
  ])('%s, customer tokens on: a warning with the ways out', async (_, env, detail) => {
    const res = await doctor(env);
    expect(res.row('customer')).toMatchObject({
      status: '! WARN',
      detail: expect.stringMatching(detail) as unknown,
      fix: expect.stringMatching(/ADDRESS_ROUTES_TO=webhook.*customer\.signature/) as unknown,
    });
    expect(res.row('customer')?.detail).toMatch(/without checking its signature/);
  });

  it('address mode routed to /interaction (which checks the signature): no warning', async () => {
    account(mock).addresses.length = 0; // this address routes to /interaction
    seedChatAddress(mock, { webhookUrl: INTERACTION_URL });
    const res = await doctor({
      ...ADDRESS,
      ADDRESS_ROUTES_TO: 'webhook',
      TASKROUTER_WORKSPACE_SID: ACCOUNT.workspaceSid,
      TASKROUTER_WORKFLOW_SID: ACCOUNT.workflowSid,
      PUBLIC_BASE_URL: 'https://abc123.ngrok.app',
    });
    expect(res.row('customer')).toBeUndefined();
  });

  it('address mode without customer tokens: no warning (no claim is made)', async () => {
    const res = await doctor({
      ...DOCTOR_BASE,
      HANDOFF_MODE: 'address',
      STUDIO_FLOW_SID: undefined,
      ADDRESS_SID,
    });
    expect(res.row('customer')).toBeUndefined();
  });
});
