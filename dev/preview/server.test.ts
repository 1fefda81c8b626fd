/**
 * The preview server's own API (no twilio-run here: the proxy is not what is
 * tested): who may read and write a chat, what it refuses and how, and that
 * a customer's message reaches the conversation's webhook signed as Twilio
 * signs it, over the URL the webhook was registered with.
 */
import type { Server } from 'node:http';
import jwt from 'jsonwebtoken';
import twilio from 'twilio';
import { conversations } from '../twilio-fake/apis';
import { TwilioMock } from '../twilio-fake/twilio-mock';
import { PREVIEW_PUBLIC_BASE_URL } from './env';
import { serverPort, startPreviewServer } from './server';
import { SimulatedFlex } from './simulated-flex';

const SECRET = 'preview-test-secret';
const SERVICE = 'IS' + '0'.repeat(32);
const AUTH_TOKEN = 'a'.repeat(32);

let mock: TwilioMock;
let server: Server;
let base: string;
let flex: SimulatedFlex;
const deliveries: { url: string; params: Record<string, string>; signature: string }[] = [];

beforeAll(async () => {
  mock = await TwilioMock.start({ validate: false });
  flex = new SimulatedFlex(mock, SERVICE, (url, params) => {
    deliveries.push({
      url,
      params,
      signature: twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, params),
    });
    return Promise.resolve();
  });
  server = await startPreviewServer({
    port: 0,
    runtimeUrl: 'http://127.0.0.1:9', // nothing: these tests never reach the proxy
    flex,
    apiSecret: SECRET,
    assets: { clientJs: '', agentJs: '', agentHtml: '<p>agent</p>', agentCss: '' },
    widgetOptions: () => ({ title: 'Hi' }),
  });
  base = `http://127.0.0.1:${serverPort(server)}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await mock.stop();
});

const token = (identity: string, secret = SECRET, expiresIn = 600) =>
  jwt.sign({ grants: { identity } }, secret, { algorithm: 'HS256', expiresIn });

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** A conversation with the customer `cust_ana` and the /interaction webhook, as /start-chat makes it. */
async function seedChat(): Promise<string> {
  const service = mock.client().conversations.v1.services(SERVICE);
  const created = await service.conversationWithParticipants.create({
    uniqueName: `cust_${Date.now()}`,
    attributes: JSON.stringify({ from: 'Ana' }),
    participant: [JSON.stringify({ identity: 'cust_ana' })],
  });
  await service.conversations(created.sid).webhooks.create({
    target: 'webhook',
    'configuration.url': `${PREVIEW_PUBLIC_BASE_URL}/interaction`,
    'configuration.method': 'post',
    'configuration.filters': ['onMessageAdded'],
  });
  flex.tick(); // what the preview's 100 ms ticker does
  return created.sid;
}

describe('the preview server', () => {
  it("refuses the customer's API without a valid token, and hides chats the token's identity is not in", async () => {
    const sid = await seedChat();
    const body = { conversationSid: sid, text: 'hi' };
    expect((await post('/preview/api/send', body)).status).toBe(401);
    const forged = await post('/preview/api/send', body, {
      Authorization: `Bearer ${token('cust_ana', 'another-secret')}`,
    });
    expect(forged.status).toBe(401);
    const expired = await post('/preview/api/send', body, {
      Authorization: `Bearer ${token('cust_ana', SECRET, -10)}`,
    });
    expect(await expired.json()).toEqual({ error: 'token_expired' });
    const stranger = await post('/preview/api/send', body, {
      Authorization: `Bearer ${token('cust_bo')}`,
    });
    expect(stranger.status).toBe(404);
    expect(conversations(mock).get(sid)?.messages).toEqual([]);
  });

  it("delivers a customer's message to the conversation's webhook, signed over its registered URL", async () => {
    const sid = await seedChat();
    deliveries.length = 0;
    const sent = await post(
      '/preview/api/send',
      { conversationSid: sid, text: 'Where is my order?' },
      { Authorization: `Bearer ${token('cust_ana')}` },
    );
    expect(sent.status).toBe(200);
    expect(deliveries).toHaveLength(1);
    const [delivery] = deliveries;
    expect(delivery?.url).toBe(`${PREVIEW_PUBLIC_BASE_URL}/interaction`);
    expect(delivery?.params).toMatchObject({
      ConversationSid: sid,
      EventType: 'onMessageAdded',
      Author: 'cust_ana',
      Body: 'Where is my order?',
      Index: '0',
      WebhookType: 'webhook',
    });
    expect(
      twilio.validateRequest(AUTH_TOKEN, delivery!.signature, delivery!.url, delivery!.params),
    ).toBe(true);
  });

  it('refuses a file Flex would not accept, a closed chat, and agent calls from another site', async () => {
    const sid = await seedChat();
    const auth = { Authorization: `Bearer ${token('cust_ana')}` };
    const form = new FormData();
    form.set('conversationSid', sid);
    form.set('file', new Blob(['MZ']), 'setup.exe');
    const exe = await fetch(`${base}/preview/api/media`, {
      method: 'POST',
      headers: auth,
      body: form,
    });
    expect(exe.status).toBe(415);

    const other = await post(
      '/agent/api/end',
      { conversationSid: sid },
      { Origin: 'https://evil.example' },
    );
    expect(other.status).toBe(403);
    expect(conversations(mock).get(sid)?.state).toBe('active');

    expect((await post('/agent/api/end', { conversationSid: sid })).status).toBe(200);
    const late = await post('/preview/api/send', { conversationSid: sid, text: 'hello?' }, auth);
    expect(late.status).toBe(409);
    expect(conversations(mock).get(sid)?.messages).toEqual([]);
  });

  it('answers a poll at once when something happens, with only that chat’s events', async () => {
    const sid = await seedChat();
    const other = await seedChat();
    const auth = { Authorization: `Bearer ${token('cust_ana')}` };
    const { seq } = (await (
      await post('/preview/api/conversation', { conversationSid: sid }, auth)
    ).json()) as {
      seq: number;
    };
    const polling = post('/preview/api/poll', { conversationSid: sid, since: seq }, auth);
    flex.send(conversations(mock).get(other)!, 'cust_ana', 'elsewhere');
    flex.send(conversations(mock).get(sid)!, 'cust_ana', 'here');
    const answer = (await (await polling).json()) as {
      events: { type: string; conversationSid: string }[];
    };
    expect(answer.events.map((e) => [e.type, e.conversationSid])).toEqual([['messageAdded', sid]]);
  });

  it('puts the widget options on the preview client script', async () => {
    const script = await (await fetch(`${base}/preview/client.js`)).text();
    expect(script).toContain('Object.assign({},window.FlexWebchatConfig,{"title":"Hi"})');
  });
});
