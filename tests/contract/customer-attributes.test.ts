/**
 * What agents (and flows) are told about a signed-in customer, in each
 * HANDOFF_MODE, through the real `twilio` library and the spec-validating
 * fake: the verified claims under `customer` (src/chat-attributes.ts), apart
 * from what the customer typed, `from` the verified name, and nobody able to
 * pass a typed `customer` off as a verified one.
 *
 *   studio, webhook    conversation attributes `customer`; webhook mode's
 *                      /interaction copies it into the task's attributes
 *   address, flex-flow Flex creates the conversation: `customer` travels in
 *                      the pre-engagement data (the Studio flow setup makes
 *                      lifts it into the task: tests/setup/flow-definition.test.ts;
 *                      /interaction, for addresses routed to it, does too)
 */
import { handler as startChat } from '../../functions/start-chat';
import { handler as interaction } from '../../functions/interaction.protected';
import { TEST_ENV, type TestEnv } from '../../dev/twilio-fake/env';
import { withProof } from '../../dev/challenge';
import { invoke } from '../../dev/invoke';
import { CUSTOMER_ENV, mintCustomerToken } from '../../dev/customer-token';
import { account, conversations } from '../../dev/twilio-fake/apis';
import {
  ADDRESS_ENV,
  ADDRESS_WEBHOOK_ENV,
  FLEX_FLOW_ENV,
  seedChatAddress,
  seedFlexFlow,
} from '../../dev/twilio-fake/modes';
import { TwilioMock, type RecordedRequest } from '../../dev/twilio-fake/twilio-mock';
import {
  INTERACTION_URL,
  WEBHOOK_ENV,
  messageAddedParams,
  scopedWebhookSid,
  signedDelivery,
} from '../../dev/twilio-fake/webhooks';
import { captureLogsPerTest } from '../support/logs';

const mock = TwilioMock.perTest((m) => {
  seedChatAddress(m);
  seedFlexFlow(m);
});
const logs = captureLogsPerTest();

const ISSUER = CUSTOMER_ENV.CUSTOMER_TOKEN_ISSUER;
const withCustomer = (env: TestEnv): TestEnv => ({
  ...env,
  ...CUSTOMER_ENV,
  CUSTOMER_CLAIMS: 'plan,accountAgeDays,beta',
});

/** The claims a company's backend signs for Ana, and what agents must see of them. */
const CLAIMS = {
  sub: 'cus_42',
  name: 'Ana Pérez',
  email: 'ana@example.com',
  plan: 'gold',
  accountAgeDays: 412,
  beta: false,
  role: 'admin', // not in CUSTOMER_CLAIMS: never passed on
};
const VERIFIED = {
  verified: true,
  id: 'cus_42',
  issuer: ISSUER,
  name: 'Ana Pérez',
  email: 'ana@example.com',
  claims: { plan: 'gold', accountAgeDays: 412, beta: false },
};
/** What the customer typed: another name, and a forged `customer` answer. */
const TYPED = {
  friendlyName: 'Typed Name',
  preEngagement: { topic: 'billing', customer: 'verified' },
};

type StartBody = { conversationSid: string; identity: string };

async function start(env: TestEnv, body: Record<string, unknown>) {
  const res = await invoke(startChat, { mock, env, body: await withProof(body, { env }) });
  expect(res.status).toBe(200);
  return res.body as StartBody;
}

function form(name: string): Record<string, string[]> {
  const request: RecordedRequest | undefined = mock.requests(name)[0];
  if (!request) throw new Error(`${name} not made`);
  return request.form;
}

const json = (value: string[] | undefined): unknown => JSON.parse(value?.[0] ?? 'null');

/** The task attributes /interaction sends with the Interaction it creates. */
async function handOff(env: TestEnv, chat: StartBody): Promise<unknown> {
  const webhookSid = scopedWebhookSid(mock, chat.conversationSid, INTERACTION_URL);
  const params = messageAddedParams({
    conversationSid: chat.conversationSid,
    author: chat.identity,
    ...(webhookSid !== undefined && { webhookSid }),
  });
  const res = await invoke(interaction, { mock, env, ...signedDelivery(params) });
  expect(res.body).toMatchObject({ outcome: 'handed_off' });
  const routing = json(form('interactions.create').Routing) as {
    properties: { attributes: unknown };
  };
  return routing.properties.attributes;
}

describe('verified customer attributes', () => {
  it('studio: the conversation carries `customer`, `from` is the verified name, typed answers stay apart', async () => {
    const customerToken = await mintCustomerToken(CLAIMS);
    const chat = await start(withCustomer(TEST_ENV), { ...TYPED, customerToken });
    const create = form('conversations.create');
    expect(json(create.Attributes)).toEqual({
      from: 'Ana Pérez',
      channel_type: 'web',
      pre_engagement_data: { topic: 'billing' },
      customer: VERIFIED,
    });
    expect(create.FriendlyName).toEqual(['Web chat with Ana Pérez']);
    const participant = json(create.Participant) as { identity: string; attributes: string };
    expect(participant.identity).toBe(chat.identity);
    expect(JSON.parse(participant.attributes)).toEqual({ friendlyName: 'Ana Pérez' });
  });

  it('studio, anonymous: no `customer` key, and a typed one is dropped', async () => {
    await start(withCustomer(TEST_ENV), TYPED);
    expect(json(form('conversations.create').Attributes)).toEqual({
      from: 'Typed Name',
      channel_type: 'web',
      pre_engagement_data: { topic: 'billing' },
    });
  });

  it('a verified token without a name keeps the typed name', async () => {
    const customerToken = await mintCustomerToken({ sub: 'cus_7' });
    await start(withCustomer(TEST_ENV), { ...TYPED, customerToken });
    expect(json(form('conversations.create').Attributes)).toEqual({
      from: 'Typed Name',
      channel_type: 'web',
      pre_engagement_data: { topic: 'billing' },
      customer: { verified: true, id: 'cus_7', issuer: ISSUER },
    });
  });

  it('webhook: /interaction gives the task the same `customer`', async () => {
    const env = withCustomer(WEBHOOK_ENV);
    const customerToken = await mintCustomerToken(CLAIMS);
    const chat = await start(env, { ...TYPED, customerToken });
    expect(await handOff(env, chat)).toEqual({
      from: 'Ana Pérez',
      customerName: 'Ana Pérez',
      channelType: 'web',
      conversationSid: chat.conversationSid,
      pre_engagement_data: { topic: 'billing' },
      customer: VERIFIED,
    });
  });

  it('webhook, anonymous: the task has no `customer` key', async () => {
    const env = withCustomer(WEBHOOK_ENV);
    const chat = await start(env, TYPED);
    expect(await handOff(env, chat)).not.toHaveProperty('customer');
  });

  it('address: the pre-engagement data carries `customer` and the verified name', async () => {
    const customerToken = await mintCustomerToken(CLAIMS);
    await start(withCustomer(ADDRESS_ENV), { ...TYPED, customerToken });
    const create = form('webchats.create');
    expect(create.CustomerFriendlyName).toEqual(['Ana Pérez']);
    expect(json(create.PreEngagementData)).toEqual({
      topic: 'billing',
      friendlyName: 'Ana Pérez',
      customer: VERIFIED,
    });
  });

  it('address routed to /interaction: the task gets `customer` from the pre-engagement data', async () => {
    const env = withCustomer(ADDRESS_WEBHOOK_ENV);
    account(mock).addresses.length = 0; // this test's address routes to /interaction
    seedChatAddress(mock, { webhookUrl: INTERACTION_URL });
    const customerToken = await mintCustomerToken(CLAIMS);
    const chat = await start(env, { ...TYPED, customerToken });
    expect(await handOff(env, chat)).toMatchObject({ from: 'Ana Pérez', customer: VERIFIED });
  });

  it('flex-flow: the pre-engagement data carries `customer`', async () => {
    const customerToken = await mintCustomerToken(CLAIMS);
    await start(withCustomer(FLEX_FLOW_ENV), { ...TYPED, customerToken });
    const create = form('flexChannels.create');
    expect(create.ChatUserFriendlyName).toEqual(['Ana Pérez']);
    expect(json(create.PreEngagementData)).toEqual({
      topic: 'billing',
      friendlyName: 'Ana Pérez',
      customer: VERIFIED,
    });
  });

  it('keeps what the customer typed out of the logs, and the verified claims too', async () => {
    const customerToken = await mintCustomerToken(CLAIMS);
    await start(withCustomer(TEST_ENV), { ...TYPED, customerToken });
    for (const secret of ['Ana', 'ana@example.com', 'cus_42', 'gold', customerToken]) {
      expect(logs.text()).not.toContain(secret);
    }
    expect([...conversations(mock).values()]).toHaveLength(1);
  });
});
