/**
 * POST /end-chat: the customer ends the chat, the way Flex expects, once.
 */
import { handler as endChat } from '../../functions/end-chat';
import { handler as interaction } from '../../functions/interaction.protected';
import { handler as startChat } from '../../functions/start-chat';
import { CUSTOMER_ENDED_MESSAGE, noticeClaimKey } from '../../src/end-chat';
import { newIdentity } from '../../src/identity';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { proven } from '../../dev/challenge';
import { invoke, type InvokeOptions } from '../../dev/invoke';
import { conversations, interactions } from '../../dev/twilio-fake/apis';
import { captureLogs } from '../support/logs';
import { signTestToken } from '../support/tokens';
import { DEFAULTS } from '../../src/config';
import {
  ADDRESS_ENV,
  FLEX_FLOW_ENV,
  seedChatAddress,
  seedFlexFlow,
} from '../../dev/twilio-fake/modes';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { WEBHOOK_ENV, messageAddedParams, signedDelivery } from '../../dev/twilio-fake/webhooks';

const mock = TwilioMock.perTest();

interface Chat {
  conversationSid: string;
  identity: string;
  token: string;
}
type ErrorBody = { error: { code: string; fields?: { field: string }[] } };

async function start(env: Record<string, string> = TEST_ENV): Promise<Chat> {
  const res = await invoke(startChat, await proven({ mock, env, body: { friendlyName: 'Ana' } }));
  expect(res.status).toBe(200);
  return res.body as Chat;
}

const end = (body: object, options: InvokeOptions = {}) =>
  invoke(endChat, { mock, body, ...options });
const stateOf = (sid: string) => conversations(mock).get(sid)?.state;

describe('POST /end-chat', () => {
  it('tells the agent once (a claim in Sync), then closes the conversation: 4 round trips', async () => {
    const chat = await start();
    const before = mock.requests().length;
    mock.latencyMs = 60; // wide enough that concurrent requests always overlap
    const res = await end({ token: chat.token, conversationSid: chat.conversationSid });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ended: true, alreadyEnded: false, closed: 'conversation' });

    const made = mock.requests().slice(before);
    expect(made.map((r) => r.name).sort()).toEqual([
      'conversations.fetch',
      'conversations.update',
      'messages.create',
      'messages.list',
      'participants.list',
      'sync.documents.create',
    ]);
    expect(mock.requests('messages.list')[0]?.query).toEqual({ Order: ['desc'], PageSize: ['1'] });
    expect(mock.sequentialRoundTrips(made)).toBe(4);
    const [claim] = mock.requests('sync.documents.create');
    expect(claim?.path).toBe('/v1/Services/default/Documents');
    expect(claim?.form).toEqual({
      UniqueName: [noticeClaimKey(chat.conversationSid)],
      Data: ['{}'],
      Ttl: [String(DEFAULTS.sessionMaxAgeSeconds + DEFAULTS.refreshGraceSeconds)],
    });
    const [message] = mock.requests('messages.create');
    expect(message?.form).toEqual({
      Author: ['system'],
      Body: [CUSTOMER_ENDED_MESSAGE],
      Attributes: [JSON.stringify({ event: 'customer_ended_chat' })],
    });
    expect(message?.headers['x-twilio-webhook-enabled']).toBe('false');
    const [update] = mock.requests('conversations.update');
    expect(update?.form).toEqual({ State: ['closed'] });
    expect(update?.headers['x-twilio-webhook-enabled']).toBe('true');
    expect(stateOf(chat.conversationSid)).toBe('closed');
  });

  it('tells the agent once when 10 ends arrive at the same moment', async () => {
    const chat = await start();
    const before = mock.requests().length;
    mock.latencyMs = 60;
    const body = { token: chat.token, conversationSid: chat.conversationSid };
    const results = await Promise.all(Array.from({ length: 10 }, () => end(body)));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    // One winner tells and closes; the other nine leave it to the winner.
    expect(results.filter((r) => (r.body as { alreadyEnded: boolean }).alreadyEnded)).toHaveLength(
      9,
    );
    const notices = conversations(mock)
      .get(chat.conversationSid)
      ?.messages.filter((m) => m.body === CUSTOMER_ENDED_MESSAGE);
    expect(notices).toHaveLength(1);
    expect(stateOf(chat.conversationSid)).toBe('closed');
    const made = mock.requests().slice(before);
    const count = (name: string) => made.filter((r) => r.name === name).length;
    expect(count('sync.documents.create')).toBe(10); // nine of them refused with 409
    expect(made.filter((r) => r.name === 'sync.documents.create' && r.status === 409)).toHaveLength(
      9,
    );
    expect(count('messages.create')).toBe(1);
    expect(count('conversations.update')).toBe(1);
    // Writes that changed anything: the claim, the notice, the close (was 20: 10 notices, 10 closes).
    expect(
      mock
        .writes()
        .filter((r) => made.includes(r))
        .map((r) => r.name)
        .sort(),
    ).toEqual(['conversations.update', 'messages.create', 'sync.documents.create']);
  });

  it.each([
    ['does not answer', { status: 503 }],
    ['refuses (429)', { status: 429 }],
  ])('still ends the chat when Sync %s, telling the agent', async (_, failure) => {
    const chat = await start();
    mock.failNext('sync.documents.create', failure);
    const logs = captureLogs();
    const res = await end({ token: chat.token, conversationSid: chat.conversationSid });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ended: true, alreadyEnded: false, closed: 'conversation' });
    expect(mock.requests('messages.create')).toHaveLength(1);
    expect(stateOf(chat.conversationSid)).toBe('closed');
    expect(logs.events().filter((e) => e === 'end_chat.claim_unavailable')).toHaveLength(1);
    logs.restore();
  });

  it('is idempotent: a second call changes nothing', async () => {
    const chat = await start();
    await end({ token: chat.token, conversationSid: chat.conversationSid });
    const messages = conversations(mock).get(chat.conversationSid)?.messages.length;
    const again = await end({ token: chat.token, conversationSid: chat.conversationSid });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ended: true, alreadyEnded: true });
    expect(conversations(mock).get(chat.conversationSid)?.messages.length).toBe(messages);
    expect(mock.requests('conversations.update')).toHaveLength(1);
  });

  it("answers an unknown chat exactly as somebody else's: same status, body and requests", async () => {
    const chat = await start();
    const other = await start();
    const before = mock.requests().length;
    const notYours = await end({ token: other.token, conversationSid: chat.conversationSid });
    const mid = mock.requests().length;
    const unknown = await end({ token: other.token, conversationSid: 'CH' + 'a'.repeat(32) });
    expect(notYours.status).toBe(403);
    expect(unknown.status).toBe(notYours.status);
    expect(unknown.text).toBe(notYours.text);
    expect((notYours.body as ErrorBody).error.code).toBe('forbidden');
    const names = (from: number, to?: number) =>
      mock
        .requests()
        .slice(from, to)
        .map((r) => r.name)
        .sort();
    expect(names(mid)).toEqual(names(before, mid));
    expect(names(mid)).toHaveLength(3); // one round: fetch || participants || newest message
    expect(mock.writes().filter((r) => mock.requests().indexOf(r) >= before)).toEqual([]);
  });

  it('answers a deleted conversation as unknown', async () => {
    const chat = await start();
    conversations(mock).clear();
    const res = await end({ token: chat.token, conversationSid: chat.conversationSid });
    expect(res.status).toBe(403);
    expect((res.body as ErrorBody).error.code).toBe('forbidden');
  });

  describe('after a webhook-mode hand-off', () => {
    async function handedOff(): Promise<Chat> {
      const chat = await start(WEBHOOK_ENV);
      const delivery = signedDelivery(
        messageAddedParams({ conversationSid: chat.conversationSid, author: chat.identity }),
      );
      const res = await invoke(interaction, { mock, env: WEBHOOK_ENV, ...delivery });
      expect((res.body as { outcome: string }).outcome).toBe('handed_off');
      return chat;
    }

    it("closes the Interaction Channel, which wraps up the agent's task", async () => {
      const chat = await handedOff();
      const res = await end(
        { token: chat.token, conversationSid: chat.conversationSid },
        { env: WEBHOOK_ENV },
      );
      expect(res.body).toEqual({ ended: true, alreadyEnded: false, closed: 'interaction' });
      const [closing] = mock.requests('interactionChannels.update');
      const [made] = interactions(mock);
      expect(closing?.path).toBe(`/v1/Interactions/${made?.sid}/Channels/${made?.channelSid}`);
      expect(closing?.form).toEqual({ Status: ['closed'] });
      expect(made?.channelStatus).toBe('closed');
      expect(mock.requests('conversations.update').filter((r) => r.form.State)).toHaveLength(0);
    });

    it('ends twice without telling the agent twice', async () => {
      const chat = await handedOff();
      const body = { token: chat.token, conversationSid: chat.conversationSid };
      await end(body, { env: WEBHOOK_ENV });
      const again = await end(body, { env: WEBHOOK_ENV });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ ended: true, alreadyEnded: true });
      const notices = conversations(mock)
        .get(chat.conversationSid)
        ?.messages.filter((m) => m.body === CUSTOMER_ENDED_MESSAGE);
      expect(notices).toHaveLength(1);
    });

    it('closes the conversation itself when Flex refuses (the agent closed it first)', async () => {
      const chat = await handedOff();
      mock.failNext('interactionChannels.update', { status: 400 });
      const res = await end(
        { token: chat.token, conversationSid: chat.conversationSid },
        { env: WEBHOOK_ENV },
      );
      expect(res.body).toEqual({ ended: true, alreadyEnded: false, closed: 'conversation' });
      expect(stateOf(chat.conversationSid)).toBe('closed');
    });
  });

  it("refuses a customer ending somebody else's chat", async () => {
    const chat = await start();
    const other = await start();
    const res = await end({ token: other.token, conversationSid: chat.conversationSid });
    expect(res.status).toBe(403);
    expect((res.body as ErrorBody).error.code).toBe('forbidden');
    expect(stateOf(chat.conversationSid)).toBe('active');
    expect(mock.requests('messages.create')).toHaveLength(0);
  });

  it.each([
    [
      'a forged token',
      () => signTestToken(newIdentity(Date.now()), {}, { secret: 'not-ours' }),
      401,
    ],
    [
      'a token expired an hour ago',
      () =>
        signTestToken(newIdentity(Date.now() - 7200_000), {
          iat: Math.floor(Date.now() / 1000) - 7200,
          exp: Math.floor(Date.now() / 1000) - 3600,
        }),
      401,
    ],
  ])('refuses %s before calling Twilio', async (_, token, status) => {
    const res = await end({ token: token(), conversationSid: 'CH' + 'a'.repeat(32) });
    expect(res.status).toBe(status);
    expect(mock.requests()).toHaveLength(0);
  });

  it.each([
    ['no conversation', { token: 'x' }, 'conversationSid'],
    [
      'a malformed conversation SID',
      { token: 'x', conversationSid: 'IS' + 'a'.repeat(32) },
      'conversationSid',
    ],
    ['no token', { conversationSid: 'CH' + 'a'.repeat(32) }, 'token'],
    [
      'an extra field',
      { token: 'x', conversationSid: 'CH' + 'a'.repeat(32), identity: 'y' },
      'identity',
    ],
  ])('refuses %s with 400', async (_, body, fieldName) => {
    const res = await end(body);
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.fields?.map((f) => f.field)).toContain(fieldName);
    expect(mock.requests()).toHaveLength(0);
  });

  it('refuses a token in the URL: 400 before any Twilio call', async () => {
    const chat = await start();
    const before = mock.requests().length;
    const res = await end(
      { conversationSid: chat.conversationSid },
      { query: { token: chat.token } },
    );
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.fields?.map((f) => f.field)).toEqual(['token']);
    expect(mock.requests()).toHaveLength(before);
    expect(stateOf(chat.conversationSid)).toBe('active');
  });

  it('applies the origin rules', async () => {
    const res = await end(
      { token: 'x', conversationSid: 'CH' + 'a'.repeat(32) },
      { headers: { origin: 'https://evil.example' } },
    );
    expect(res.status).toBe(403);
  });

  it('closes on a second try after the close failed, without a second notice', async () => {
    const chat = await start();
    mock.failNext('conversations.update', { status: 500 });
    const failed = await end({ token: chat.token, conversationSid: chat.conversationSid });
    expect(failed.status).toBe(502);
    const retried = await end({ token: chat.token, conversationSid: chat.conversationSid });
    expect(retried.body).toEqual({ ended: true, alreadyEnded: true, closed: 'conversation' });
    expect(stateOf(chat.conversationSid)).toBe('closed');
    const notices = conversations(mock)
      .get(chat.conversationSid)
      ?.messages.filter((m) => m.body === CUSTOMER_ENDED_MESSAGE);
    expect(notices).toHaveLength(1);
  });

  it('leaves the chat open when Twilio fails, so trying again works', async () => {
    const chat = await start();
    mock.failNext('messages.create', { status: 500 });
    const failed = await end({ token: chat.token, conversationSid: chat.conversationSid });
    expect(failed.status).toBe(502);
    expect(stateOf(chat.conversationSid)).toBe('active');
    // The claim was given back, so the retry may tell the agent.
    expect(mock.requests('sync.documents.delete').map((r) => r.status)).toEqual([204]);
    const retried = await end({ token: chat.token, conversationSid: chat.conversationSid });
    expect(retried.body).toEqual({ ended: true, alreadyEnded: false, closed: 'conversation' });
  });
});

describe('POST /end-chat for a legacy Flex Flow chat', () => {
  beforeEach(() => seedFlexFlow(mock));

  it('marks the channel INACTIVE, the way Flex UI 1.x watches, once', async () => {
    const started = await invoke(
      startChat,
      await proven({ mock, env: FLEX_FLOW_ENV, body: { friendlyName: 'Ana' } }),
    );
    const chat = started.body as Chat;
    const res = await end(
      { token: chat.token, conversationSid: chat.conversationSid },
      { env: FLEX_FLOW_ENV },
    );
    expect(res.body).toEqual({ ended: true, alreadyEnded: false, closed: 'legacy-channel' });
    const [update] = mock.requests('conversations.update');
    expect(update?.headers['x-twilio-webhook-enabled']).toBe('true');
    expect(Object.keys(update?.form ?? {})).toEqual(['Attributes']);
    const attributes = JSON.parse(
      conversations(mock).get(chat.conversationSid)?.attributes ?? '{}',
    );
    expect(attributes).toMatchObject({ status: 'INACTIVE', from: 'Ana', channel_type: 'web' });
    expect(conversations(mock).get(chat.conversationSid)?.messages.at(-1)).toMatchObject({
      author: 'system',
      body: CUSTOMER_ENDED_MESSAGE,
    });

    const again = await end(
      { token: chat.token, conversationSid: chat.conversationSid },
      { env: FLEX_FLOW_ENV },
    );
    expect(again.body).toEqual({ ended: true, alreadyEnded: true });
  });
});

describe('POST /end-chat for a Chat Address chat', () => {
  beforeEach(() => seedChatAddress(mock));

  it('closes the conversation Flex created', async () => {
    const started = await invoke(
      startChat,
      await proven({ mock, env: ADDRESS_ENV, body: { friendlyName: 'Ana' } }),
    );
    const chat = started.body as Chat;
    const res = await end(
      { token: chat.token, conversationSid: chat.conversationSid },
      { env: ADDRESS_ENV },
    );
    expect(res.body).toEqual({ ended: true, alreadyEnded: false, closed: 'conversation' });
    expect(stateOf(chat.conversationSid)).toBe('closed');
  });
});
