/**
 * POST /previous-chat (SHOW_PREVIOUS_CHAT=true): a returning signed-in
 * customer's previous chat, read with REST (src/customer/continuity-previous.ts),
 * through the real `twilio` library and the spec-validating fake.
 */
import { handler } from '../../functions/previous-chat';
import { previousChat, PREVIOUS_CHAT_MESSAGES } from '../../src/customer/continuity-previous';
import { customerIdentity, newIdentity } from '../../src/identity';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { CUSTOMER_ENV } from '../../dev/customer-token';
import { invoke } from '../../dev/invoke';
import { conversations, type MockConversation, type MockMessage } from '../../dev/twilio-fake/apis';
import { sid, TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { captureLogsPerTest } from '../support/logs';
import { signTestToken } from '../support/tokens';

const mock = TwilioMock.perTest();
captureLogsPerTest();

const ENV = { ...TEST_ENV, ...CUSTOMER_ENV, SHOW_PREVIOUS_CHAT: 'true' };
const IDENTITY = customerIdentity(TEST_ENV.API_SECRET, 'https://shop.example.com', 'cus_42');
const AGENT = 'agent.smith@example.com';
const config = { conversationsServiceSid: TEST_ENV.CONVERSATIONS_SERVICE_SID };
type ErrorBody = { error: { code: string } };

let clock = Date.parse('2026-12-01T10:00:00Z');
const at = () => new Date((clock += 60_000)).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Twilio's `2026-12-01T10:05:00Z` as the service answers it (Date#toISOString). */
const iso = (twilioTime: string | undefined) => new Date(twilioTime ?? 0).toISOString();

function message(author: string, body: string, extra: Partial<MockMessage> = {}): MockMessage {
  return {
    sid: sid('IM'),
    index: 0,
    author,
    body,
    attributes: '{}',
    webhookEnabled: false,
    dateCreated: at(),
    ...extra,
  };
}

/** A conversation the customer was in, put into the fake as Twilio would hold it. */
function seed(state: string, messages: MockMessage[], identity = IDENTITY): MockConversation {
  const c: MockConversation = {
    sid: sid('CH'),
    serviceSid: TEST_ENV.CONVERSATIONS_SERVICE_SID,
    uniqueName: newIdentity(Date.now()),
    friendlyName: 'Web chat with Ana',
    attributes: '{}',
    timers: {},
    state,
    participants: [
      { sid: sid('MB'), identity, attributes: '{}' },
      { sid: sid('MB'), identity: AGENT, attributes: '{}' },
    ],
    webhooks: [],
    messages: messages.map((m, index) => ({ ...m, index })),
    dateCreated: at(),
    dateUpdated: at(),
  };
  conversations(mock).set(c.sid, c);
  return c;
}

describe('previousChat (src/customer/continuity-previous.ts)', () => {
  it("reads the most recent ended chat's messages, not the one in progress: 2 round trips", async () => {
    seed('closed', [message(IDENTITY, 'An old question')]);
    const previous = seed('closed', [
      message(IDENTITY, 'Where is my order?'),
      message(AGENT, 'It ships tomorrow.', { media: [sid('ME'), sid('ME')] }),
      message('system', 'The customer ended the chat.', {
        attributes: JSON.stringify({ event: 'customer_ended_chat' }),
      }),
    ]);
    seed('active', [message(IDENTITY, 'Hello again')]);
    mock.latencyMs = 10;

    const shown = await previousChat(mock.client(), config, IDENTITY);

    expect(shown).toEqual({
      endedAt: iso(previous.dateUpdated),
      messages: [
        {
          from: 'customer',
          body: 'Where is my order?',
          dateCreated: iso(previous.messages[0]?.dateCreated),
        },
        {
          from: 'agent',
          body: 'It ships tomorrow.',
          dateCreated: iso(previous.messages[1]?.dateCreated),
          media: 2,
        },
      ],
    });
    expect(mock.requests().map((r) => [r.name, r.path, r.query])).toEqual([
      [
        'participantConversations.list',
        `/v1/Services/${TEST_ENV.CONVERSATIONS_SERVICE_SID}/ParticipantConversations`,
        { Identity: [IDENTITY], PageSize: ['50'] },
      ],
      [
        'messages.list',
        `/v1/Services/${TEST_ENV.CONVERSATIONS_SERVICE_SID}/Conversations/${previous.sid}/Messages`,
        { Order: ['desc'], PageSize: [String(PREVIOUS_CHAT_MESSAGES)] },
      ],
    ]);
    expect(mock.sequentialRoundTrips()).toBe(2);
    expect(mock.writes()).toEqual([]);
  });

  it('shows the last 50 messages, oldest first', async () => {
    const many = Array.from({ length: 60 }, (_, i) => message(IDENTITY, `message ${i}`));
    seed('closed', many);
    const shown = await previousChat(mock.client(), config, IDENTITY);
    expect(shown?.messages.map((m) => m.body)).toEqual(
      Array.from({ length: 50 }, (_, i) => `message ${i + 10}`),
    );
  });

  it('a legacy Flex Flow channel marked INACTIVE counts as ended', async () => {
    const channel = seed('active', [message(IDENTITY, 'Old legacy chat')]);
    channel.attributes = JSON.stringify({ status: 'INACTIVE' });
    const shown = await previousChat(mock.client(), config, IDENTITY);
    expect(shown?.messages.map((m) => m.body)).toEqual(['Old legacy chat']);
  });

  it('null, after one request, for a customer with no ended chat', async () => {
    seed('active', [message(IDENTITY, 'Hello')]);
    expect(await previousChat(mock.client(), config, IDENTITY)).toBeNull();
    expect(mock.requests().map((r) => r.name)).toEqual(['participantConversations.list']);
  });

  it('null, with no request at all, for an anonymous identity', async () => {
    expect(await previousChat(mock.client(), config, newIdentity(Date.now()))).toBeNull();
    expect(mock.requests()).toEqual([]);
  });

  it("never shows another customer's chat", async () => {
    seed('closed', [message('cust_' + 'f'.repeat(32), 'Not yours')], 'cust_' + 'f'.repeat(32));
    expect(await previousChat(mock.client(), config, IDENTITY)).toBeNull();
  });
});

describe('POST /previous-chat', () => {
  const post = (body: unknown, env: Record<string, string | undefined> = ENV, query = {}) =>
    invoke(handler, { mock, env: env, body, query });

  it('is 404 not_enabled without SHOW_PREVIOUS_CHAT=true, with zero Twilio requests', async () => {
    const res = await post(
      { token: signTestToken(newIdentity(Date.now())) },
      {
        ...ENV,
        SHOW_PREVIOUS_CHAT: undefined,
      },
    );
    expect(res.status).toBe(404);
    expect((res.body as ErrorBody).error.code).toBe('not_enabled');
    expect(mock.requests()).toEqual([]);
  });

  it('answers null for an anonymous chat, with zero Twilio requests', async () => {
    const res = await post({ token: signTestToken(newIdentity(Date.now())) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ previousChat: null });
    expect(mock.requests()).toEqual([]);
  });

  it.each([
    ['forged', () => signTestToken(newIdentity(Date.now()), {}, { secret: 'x'.repeat(32) }), 401],
    ['long expired', () => signTestToken(newIdentity(Date.now()), { exp: 1, iat: 0 }), 401],
    ['missing', () => undefined, 400],
  ])('refuses a %s token with zero Twilio requests', async (_, token, status) => {
    const res = await post({ token: token() });
    expect(res.status).toBe(status);
    expect(mock.requests()).toEqual([]);
  });

  it('refuses a token in the query string (400)', async () => {
    const token = signTestToken(newIdentity(Date.now()));
    const res = await post({}, ENV, { token });
    expect(res.status).toBe(400);
    expect(mock.requests()).toEqual([]);
  });
});
