/**
 * POST /survey: the post-chat survey's answer, one per chat, stored on the
 * conversation's attributes and sent, signed, to a local webhook receiver;
 * through the real `twilio` library and the spec-validating Twilio fake.
 */
import { createHmac } from 'node:crypto';
import { handler as endChat } from '../../functions/end-chat';
import { handler as startChat } from '../../functions/start-chat';
import { handler as survey } from '../../functions/survey';
import { proven } from '../../dev/challenge';
import { invoke } from '../../dev/invoke';
import { conversations } from '../../dev/twilio-fake/apis';
import { TEST_ENV, type TestEnv } from '../../dev/twilio-fake/env';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { startWebhookReceiver, type WebhookReceiver } from '../../dev/webhook-receiver';
import { newIdentity } from '../../src/identity';
import { surveyClaimKey } from '../../src/survey';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../../src/survey-webhook';
import { captureLogsPerTest } from '../support/logs';
import { signTestToken } from '../support/tokens';

const mock = TwilioMock.perTest();
const logs = captureLogsPerTest();
const SECRET = 'test-survey-secret-0123456789abcdef0123';
let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(() => receiver.stop());
beforeEach(() => {
  receiver.received.length = 0;
  Object.assign(receiver.answer, { status: 200, delayMs: 0 });
});

const SURVEY_ENV = (): TestEnv => ({
  ...TEST_ENV,
  SURVEY: 'on',
  SURVEY_WEBHOOK_URL: receiver.url,
  SURVEY_WEBHOOK_SECRET: SECRET,
});

interface Chat {
  conversationSid: string;
  token: string;
}
type ErrorBody = { error: { code: string; fields?: { field: string }[] } };

async function endedChat(): Promise<Chat> {
  const res = await invoke(startChat, await proven({ mock, body: { friendlyName: 'Ana' } }));
  const { token, conversationSid } = res.body as Chat;
  await invoke(endChat, { mock, body: { token, conversationSid } });
  return { token, conversationSid };
}

const answer = (body: object, env: TestEnv = SURVEY_ENV()) => invoke(survey, { mock, env, body });
const attributesOf = (sid: string) =>
  JSON.parse(conversations(mock).get(sid)?.attributes ?? '{}') as Record<string, unknown>;

describe('POST /survey', () => {
  it('stores the answer on the conversation and sends it, signed, to the webhook', async () => {
    const chat = await endedChat();
    const before = mock.requests().length;
    mock.latencyMs = 30;
    const res = await answer({ ...chat, rating: 4, comment: '  Quick and kind. ' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ saved: true, webhook: 'sent' });

    const made = mock.requests().slice(before);
    expect(made.map((r) => r.name).sort()).toEqual([
      'conversations.fetch',
      'conversations.update',
      'participants.list',
      'sync.documents.create',
    ]);
    expect(mock.sequentialRoundTrips(made)).toBe(3);
    expect(mock.requests('sync.documents.create').at(-1)?.form.UniqueName).toEqual([
      surveyClaimKey((attributesOf(chat.conversationSid).webchat_seal as { start: string }).start),
    ]);
    const stored = attributesOf(chat.conversationSid);
    expect(stored.survey).toEqual({
      rating: 4,
      comment: 'Quick and kind.',
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
    });
    expect(stored.from).toBe('Ana'); // what was there stays

    expect(receiver.received).toHaveLength(1);
    const [hook] = receiver.received;
    expect(hook?.method).toBe('POST');
    expect(hook?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(hook?.body ?? '')).toEqual({
      event: 'webchat.survey',
      conversationSid: chat.conversationSid,
      ...(stored.survey as object),
    });
    // The signature, checked the way docs/api.md tells a receiver to.
    const header = String(hook?.headers[SIGNATURE_HEADER.toLowerCase()]);
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header) ?? [];
    const expected = createHmac('sha256', SECRET).update(`${t}.${hook?.body}`).digest('hex');
    expect(v1).toBe(expected);
    expect(Math.abs(Date.now() / 1000 - Number(t))).toBeLessThan(60);
    expect(verifyWebhookSignature(SECRET, header, hook?.body ?? '')).toBe(true);
    expect(verifyWebhookSignature(SECRET, header, `${hook?.body} `)).toBe(false);
    expect(verifyWebhookSignature('another-secret', header, hook?.body ?? '')).toBe(false);
    expect(verifyWebhookSignature(SECRET, header, hook?.body ?? '', Date.now() + 600_000)).toBe(
      false,
    );
  });

  it('takes one answer per chat: a second is 409 and writes nothing', async () => {
    const chat = await endedChat();
    expect((await answer({ ...chat, rating: 5 })).status).toBe(200);
    const writes = mock.writes().length;
    const again = await answer({ ...chat, rating: 1 });
    expect(again.status).toBe(409);
    expect((again.body as ErrorBody).error.code).toBe('survey_answered');
    expect(mock.writes()).toHaveLength(writes);
    expect((attributesOf(chat.conversationSid).survey as { rating: number }).rating).toBe(5);
    expect(receiver.received).toHaveLength(1);
  });

  it('stores one of 5 answers sent at the same moment; the others get 409', async () => {
    const chat = await endedChat();
    mock.latencyMs = 60;
    const results = await Promise.all([1, 2, 3, 4, 5].map((rating) => answer({ ...chat, rating })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409]);
    const updates = mock.requests('conversations.update').filter((r) => r.form.Attributes);
    expect(updates).toHaveLength(1);
    expect(receiver.received).toHaveLength(1);
  });

  it('keeps the answer when the webhook fails or is too slow, and logs it', async () => {
    const chat = await endedChat();
    receiver.answer.status = 500;
    const res = await answer({ ...chat, rating: 3 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ saved: true, webhook: 'failed' });
    expect(attributesOf(chat.conversationSid).survey).toMatchObject({ rating: 3 });
    expect(logs.events()).toContain('survey.webhook_failed');

    const slow = await endedChat();
    Object.assign(receiver.answer, { status: 200, delayMs: 4000 });
    const late = await answer({ ...slow, rating: 2 });
    expect(late.body).toEqual({ saved: true, webhook: 'failed' });
  });

  it('works without a webhook', async () => {
    const chat = await endedChat();
    const res = await answer({ ...chat, rating: 5 }, { ...TEST_ENV, SURVEY: 'on' });
    expect(res.body).toEqual({ saved: true });
    expect(receiver.received).toHaveLength(0);
  });

  it('accepts a token expired within REFRESH_GRACE_SECONDS, not after', async () => {
    const chat = await endedChat();
    const identity = [...conversations(mock).get(chat.conversationSid)!.participants][0]!.identity;
    const now = Math.floor(Date.now() / 1000);
    const recent = signTestToken(identity, { iat: now - 3700, exp: now - 100 });
    expect((await answer({ ...chat, token: recent, rating: 4 })).status).toBe(200);
    const other = await endedChat();
    const old = signTestToken(identity, { iat: now - 4000, exp: now - 400 });
    const res = await answer({ ...other, token: old, rating: 4 });
    expect(res.status).toBe(401);
    expect((res.body as ErrorBody).error.code).toBe('token_expired');
  });

  it.each([
    ['a rating of 0', { rating: 0 }, 400, 'invalid_request'],
    ['a rating of 4.5', { rating: 4.5 }, 400, 'invalid_request'],
    ['a rating as text', { rating: '5' }, 400, 'invalid_request'],
    [
      'a comment over 1000 characters',
      { rating: 5, comment: 'x'.repeat(1001) },
      400,
      'invalid_request',
    ],
    ['an unknown field', { rating: 5, email: 'a@b.co' }, 400, 'invalid_request'],
  ])('refuses %s and writes nothing', async (_, body, status, code) => {
    const chat = await endedChat();
    const writes = mock.writes().length;
    const res = await answer({ ...chat, ...body });
    expect(res.status).toBe(status);
    expect((res.body as ErrorBody).error.code).toBe(code);
    expect(mock.writes()).toHaveLength(writes);
    expect(receiver.received).toHaveLength(0);
  });

  it('refuses somebody else’s chat and an unknown one alike (403), writing nothing', async () => {
    const chat = await endedChat();
    const writes = mock.writes().length;
    const stranger = signTestToken(newIdentity(Date.now()));
    const a = await answer({ ...chat, token: stranger, rating: 5 });
    const b = await answer({
      token: chat.token,
      conversationSid: `CH${'0'.repeat(32)}`,
      rating: 5,
    });
    expect([a.status, b.status]).toEqual([403, 403]);
    expect((a.body as ErrorBody).error.code).toBe('forbidden');
    expect(mock.writes()).toHaveLength(writes);
  });

  it('refuses a conversation the customer made themselves, or one without our seal (403): no write, no webhook', async () => {
    const chat = await endedChat();
    const c = conversations(mock).get(chat.conversationSid)!;
    const { webchat_seal: seal, ...unsealed } = attributesOf(chat.conversationSid);
    const own = `CH${'e'.repeat(32)}`; // made with the SDK's createConversation: no seal
    conversations(mock).set(own, { ...c, sid: own, attributes: JSON.stringify({ from: 'Ana' }) });
    const copied = `CH${'f'.repeat(32)}`; // with the seal of the chat they did start, copied
    conversations(mock).set(copied, {
      ...c,
      sid: copied,
      uniqueName: null, // the start's key is the real chat's: Twilio gives a name once
      attributes: JSON.stringify({ webchat_seal: seal }),
    });
    const writes = mock.writes().length;
    const made = await answer({ token: chat.token, conversationSid: own, rating: 1 });
    c.attributes = JSON.stringify(unsealed); // a chat from before the seal
    const old = await answer({ ...chat, rating: 1 });
    expect([made.status, old.status]).toEqual([403, 403]);
    expect((made.body as ErrorBody).error.code).toBe('forbidden');
    expect(mock.writes()).toHaveLength(writes);
    expect(receiver.received).toHaveLength(0);

    c.attributes = JSON.stringify({ ...unsealed, webchat_seal: seal });
    expect((await answer({ ...chat, rating: 5 })).status).toBe(200);
    const again = await answer({ token: chat.token, conversationSid: copied, rating: 1 });
    expect(again.status).toBe(403); // not the conversation the seal's start named
    expect(receiver.received).toHaveLength(1);
  });

  it('is 503 naming SURVEY when the survey is off, before reading anything', async () => {
    const chat = await endedChat();
    const before = mock.requests().length;
    const res = await answer({ ...chat, rating: 5 }, TEST_ENV);
    expect(res.status).toBe(503);
    expect((res.body as ErrorBody).error.fields?.map((f) => f.field)).toEqual(['SURVEY']);
    expect(mock.requests()).toHaveLength(before);
  });

  it('names a webhook URL without its secret as a configuration problem', async () => {
    const chat = await endedChat();
    const env = { ...TEST_ENV, SURVEY: 'on', SURVEY_WEBHOOK_URL: 'https://hooks.example/s' };
    const res = await answer({ ...chat, rating: 5 }, env);
    expect(res.status).toBe(503);
    expect((res.body as ErrorBody).error.fields?.map((f) => f.field)).toEqual([
      'SURVEY_WEBHOOK_SECRET',
    ]);
  });
});
