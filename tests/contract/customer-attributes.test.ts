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
 *
 * In every mode `customer` carries this service's signature for the chat's
 * identity (src/customer-signature.ts), and /interaction passes it to the
 * task only when it holds: another client of the same Chat Address (a
 * script with the account's credentials, here) cannot make its own claims
 * pass for verified ones.
 */
import { handler as startChat } from '../../functions/start-chat';
import { handler as interaction } from '../../functions/interaction.protected';
import { TEST_ENV, type TestEnv } from '../../dev/twilio-fake/env';
import { withProof } from '../../dev/challenge';
import { invoke } from '../../dev/invoke';
import { CUSTOMER_ENV, mintCustomerToken } from '../../dev/customer-token';
import { account, conversations, interactions } from '../../dev/twilio-fake/apis';
import { customerIdentity } from '../../src/identity';
import {
  ADDRESS_ENV,
  ADDRESS_SID,
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
  verifiedAt: expect.any(Number) as unknown,
  signature: expect.stringMatching(/^v2\.[A-Za-z0-9_-]{43}$/) as unknown,
};
/** What a task shows of it: the signed fields, checked, without the signature. */
const { signature: _signature, ...TASKED } = VERIFIED;
/** This service's seal of the start (src/chat-seal.ts), with the address on record. */
const sealOf = (email: string | null) => ({
  start: expect.stringMatching(/^web_/) as unknown,
  email,
  mac: expect.stringMatching(/^v1\.[A-Za-z0-9_-]{43}$/) as unknown,
});
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
      webchat_seal: sealOf('ana@example.com'),
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
      webchat_seal: sealOf(null),
    });
  });

  it('a verified token without a name keeps the typed name', async () => {
    const customerToken = await mintCustomerToken({ sub: 'cus_7' });
    await start(withCustomer(TEST_ENV), { ...TYPED, customerToken });
    expect(json(form('conversations.create').Attributes)).toEqual({
      from: 'Typed Name',
      channel_type: 'web',
      pre_engagement_data: { topic: 'billing' },
      customer: {
        verified: true,
        id: 'cus_7',
        issuer: ISSUER,
        verifiedAt: VERIFIED.verifiedAt,
        signature: VERIFIED.signature,
      },
      webchat_seal: sealOf(null),
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
      customer: TASKED,
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
      webchat_seal: sealOf('ana@example.com'),
    });
  });

  it('address routed to /interaction: the task gets `customer` from the pre-engagement data', async () => {
    const env = withCustomer(ADDRESS_WEBHOOK_ENV);
    account(mock).addresses.length = 0; // this test's address routes to /interaction
    seedChatAddress(mock, { webhookUrl: INTERACTION_URL });
    const customerToken = await mintCustomerToken(CLAIMS);
    const chat = await start(env, { ...TYPED, customerToken });
    expect(await handOff(env, chat)).toEqual(
      expect.objectContaining({ from: 'Ana Pérez', customer: TASKED }),
    );
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
      webchat_seal: sealOf('ana@example.com'),
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

describe('`customer` only counts with our signature (address mode routed to /interaction)', () => {
  const env = withCustomer(ADDRESS_WEBHOOK_ENV);
  beforeEach(() => {
    account(mock).addresses.length = 0; // this block's address routes to /interaction
    seedChatAddress(mock, { webhookUrl: INTERACTION_URL });
  });

  /**
   * Another client of the same Chat Address (Webchat 3, a backend, a script
   * with the account's credentials) makes a chat with pre-engagement data of
   * its own, and its customer's first message reaches /interaction.
   */
  async function otherClientChat(identity: string, customer: unknown): Promise<unknown> {
    const webChat = await mock.client().flexApi.v2.webChannels.create({
      addressSid: ADDRESS_SID,
      chatFriendlyName: 'Web chat with Ana Pérez',
      customerFriendlyName: 'Ana Pérez',
      preEngagementData: JSON.stringify({ friendlyName: 'Ana Pérez', customer }),
      identity,
    });
    return handOff(env, { conversationSid: webChat.conversationSid, identity });
  }

  it("an unsigned `customer` (another client's claim): the task has none, and it is logged", async () => {
    const identity = customerIdentity(TEST_ENV.API_SECRET, ISSUER, 'cus_42'); // even Ana's own
    const { signature: _, ...unsigned } = VERIFIED;
    const task = await otherClientChat(identity, { ...unsigned, claims: { plan: 'platinum' } });
    expect(task).toEqual({
      from: 'Ana Pérez',
      customerName: 'Ana Pérez',
      channelType: 'web',
      conversationSid: expect.stringMatching(/^CH/) as unknown,
      pre_engagement_data: expect.objectContaining({ friendlyName: 'Ana Pérez' }) as unknown,
    });
    expect(interactions(mock)).toHaveLength(1); // the chat still reaches an agent, as anonymous
    expect(logs.events()).toContain('customer_claims_dropped');
    expect(logs.text()).toMatch(/unsigned/);
    expect(logs.text()).not.toContain('cus_42');
  });

  it('a forged `customer` marked verified: nowhere in the task, not even in the pre-engagement data', async () => {
    const identity = customerIdentity(TEST_ENV.API_SECRET, ISSUER, 'cus_42');
    const { signature: _, ...forged } = VERIFIED;
    const task = (await otherClientChat(identity, {
      ...forged,
      signature: 'v2.' + 'A'.repeat(43),
    })) as {
      pre_engagement_data: Record<string, unknown>;
    };
    expect(task).not.toHaveProperty('customer');
    expect(task.pre_engagement_data).toEqual({ friendlyName: 'Ana Pérez' });
    expect(JSON.stringify(task)).not.toMatch(/verified|cus_42|signature/);
    expect(logs.text()).toMatch(/bad_signature/);
  });

  it('genuinely signed claims with keys added beside them: the task gets the signed fields only', async () => {
    const customerToken = await mintCustomerToken(CLAIMS);
    const ana = await start(env, { ...TYPED, customerToken });
    const stored = JSON.parse(conversations(mock).get(ana.conversationSid)?.attributes ?? '{}') as {
      pre_engagement_data: { customer: Record<string, unknown> };
    };
    const padded = { ...stored.pre_engagement_data.customer, plan: 'enterprise', creditLimit: 1e6 };
    const task = (await otherClientChat(ana.identity, padded)) as {
      customer: unknown;
      pre_engagement_data: Record<string, unknown>;
    };
    expect(task.customer).toEqual(TASKED);
    expect(task.pre_engagement_data).not.toHaveProperty('customer');
    expect(JSON.stringify(task)).not.toMatch(/enterprise|creditLimit/);
  });

  it("Ana's genuine signed claims, copied into a chat of another identity: dropped", async () => {
    const customerToken = await mintCustomerToken(CLAIMS);
    const ana = await start(env, { ...TYPED, customerToken });
    const stored = JSON.parse(conversations(mock).get(ana.conversationSid)?.attributes ?? '{}') as {
      pre_engagement_data: { customer: Record<string, unknown> };
    };
    const copied = stored.pre_engagement_data.customer;
    expect(copied).toEqual(VERIFIED); // signed, and so her own chat's task has it:
    expect(await handOff(env, ana)).toEqual(expect.objectContaining({ customer: TASKED }));

    mock.reset();
    seedChatAddress(mock, { webhookUrl: INTERACTION_URL });
    const mallory = customerIdentity(TEST_ENV.API_SECRET, ISSUER, 'cus_666');
    expect(await otherClientChat(mallory, copied)).not.toHaveProperty('customer');
    expect(logs.text()).toMatch(/bad_signature/);
  });
});
