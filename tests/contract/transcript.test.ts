/**
 * POST /transcript: the chat's transcript, built from Twilio's messages (the
 * real `twilio` library against the spec-validating fake), emailed through
 * the local SendGrid fake (its request shape asserted), only to the address
 * on the chat's record, at most 3 times per chat; refusals send nothing and
 * write nothing.
 */
import { handler as endChat } from '../../functions/end-chat';
import { handler as startChat } from '../../functions/start-chat';
import { handler as status } from '../../functions/status';
import { handler as transcript } from '../../functions/transcript';
import { proven } from '../../dev/challenge';
import { invoke } from '../../dev/invoke';
import { startSendGridFake, SENDGRID_TEST_KEY, type SendGridFake } from '../../dev/sendgrid-fake';
import { conversations } from '../../dev/twilio-fake/apis';
import { TEST_ENV, type TestEnv } from '../../dev/twilio-fake/env';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { newIdentity } from '../../src/identity';
import { transcriptClaimKey } from '../../src/transcript-send';
import { captureLogsPerTest } from '../support/logs';
import { signTestToken } from '../support/tokens';

const mock = TwilioMock.perTest();
const logs = captureLogsPerTest();
let sendgrid: SendGridFake;
beforeAll(async () => {
  sendgrid = await startSendGridFake();
});
afterAll(() => sendgrid.stop());
beforeEach(() => {
  sendgrid.sent.length = 0;
});

const MAIL_ENV = (): TestEnv => ({
  ...TEST_ENV,
  SENDGRID_API_KEY: SENDGRID_TEST_KEY,
  TRANSCRIPT_FROM: 'Acme Support <help@acme.example>',
  SENDGRID_API_URL: sendgrid.url,
});

interface Chat {
  conversationSid: string;
  token: string;
}
type ErrorBody = { error: { code: string; fields?: { field: string }[] } };

/** A chat with a question, an agent's answer and the customer's end. */
async function chatWith(body: object = {}): Promise<Chat> {
  const start = { friendlyName: 'Ana', question: 'Is <b>this</b> & that "ok"?', ...body };
  const res = await invoke(startChat, await proven({ mock, body: start }));
  const { token, conversationSid } = res.body as Chat;
  const c = conversations(mock).get(conversationSid)!;
  c.messages.push({
    sid: `IM${'a'.repeat(32)}`,
    index: c.messages.length,
    author: 'alex.smith@acme.example',
    body: 'Yes <script>alert(1)</script>\nsecond line',
    attributes: '{}',
    webhookEnabled: false,
  });
  await invoke(endChat, { mock, body: { token, conversationSid } });
  return { token, conversationSid };
}

const email = (body: object, env: TestEnv = MAIL_ENV()) => invoke(transcript, { mock, env, body });

describe('POST /transcript', () => {
  it('emails the transcript to the form’s address, through SendGrid: 2 Twilio round trips', async () => {
    const chat = await chatWith({ preEngagement: { email: 'ana@example.com' } });
    const before = mock.requests().length;
    mock.latencyMs = 30;
    const res = await email(chat);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sent: true, to: 'a•••@example.com', remaining: 2 });

    const made = mock.requests().slice(before);
    expect(made.map((r) => r.name).sort()).toEqual([
      'conversations.fetch',
      'messages.list',
      'participants.list',
      'sync.documents.create',
    ]);
    expect(mock.sequentialRoundTrips(made)).toBe(2);
    expect(mock.requests('messages.list').at(-1)?.query).toMatchObject({
      Order: ['asc'],
      PageSize: ['100'],
    });
    expect(mock.requests('sync.documents.create').at(-1)?.form.UniqueName).toEqual([
      transcriptClaimKey(chat.conversationSid, 1),
    ]);

    expect(sendgrid.sent).toHaveLength(1);
    const [mail] = sendgrid.sent;
    expect(mail?.headers.authorization).toBe(`Bearer ${SENDGRID_TEST_KEY}`);
    expect(mail?.headers['content-type']).toBe('application/json');
    const body = mail!.body;
    expect(body.personalizations).toEqual([{ to: [{ email: 'ana@example.com' }] }]);
    expect(body.from).toEqual({ email: 'help@acme.example', name: 'Acme Support' });
    expect(body.subject).toBe('Your chat transcript');
    expect(body.content.map((c) => c.type)).toEqual(['text/plain', 'text/html']);
    expect(body.tracking_settings).toMatchObject({ click_tracking: { enable: false } });
    const [text, html] = body.content.map((c) => c.value);
    expect(text).toMatch(/\] You: Is <b>this<\/b> & that "ok"\?\n/);
    expect(text).toMatch(/\] Agent: Yes <script>alert\(1\)<\/script>\n {2}second line\n/);
    expect(text).not.toContain('The customer ended the chat.');
    expect(text).not.toContain('alex.smith');
    expect(html).toContain('Is &lt;b&gt;this&lt;/b&gt; &amp; that &quot;ok&quot;?');
    expect(html).toContain('Yes &lt;script&gt;alert(1)&lt;/script&gt;<br>second line');
    expect(html).not.toMatch(/<script|<b>/);
    expect(mock.writes().slice(-1)[0]?.name).toBe('sync.documents.create');
  });

  it('writes in the chat’s language (its locale at start)', async () => {
    const chat = await chatWith({ preEngagement: { email: 'ana@example.com' }, locale: 'es-MX' });
    expect((await email(chat)).status).toBe(200);
    const [mail] = sendgrid.sent;
    expect(mail?.body.subject).toBe('La transcripción de tu chat');
    expect(mail?.body.content[0]?.value).toMatch(/\] Tú: Is/);
    expect(mail?.body.content[0]?.value).toMatch(/\] Agente: Yes/);
  });

  it('prefers a signed-in customer’s verified address to the form’s', async () => {
    const chat = await chatWith({ preEngagement: { email: 'typed@example.com' } });
    const c = conversations(mock).get(chat.conversationSid)!;
    c.attributes = JSON.stringify({
      ...JSON.parse(c.attributes),
      customer: { email: 'verified@example.com' },
    });
    expect((await email(chat)).body).toMatchObject({ to: 'v•••@example.com' });
    expect(sendgrid.sent[0]?.body.personalizations[0]?.to).toEqual([
      { email: 'verified@example.com' },
    ]);
  });

  it('sends at most 3 times per chat, even when 5 requests arrive at once', async () => {
    const chat = await chatWith({ preEngagement: { email: 'ana@example.com' } });
    mock.latencyMs = 40;
    const results = await Promise.all(Array.from({ length: 5 }, () => email(chat)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 429, 429]);
    expect(sendgrid.sent).toHaveLength(3);
    const writes = mock.writes().length;
    const again = await email(chat);
    expect(again.status).toBe(429);
    expect((again.body as ErrorBody).error.code).toBe('transcript_limit_reached');
    expect(sendgrid.sent).toHaveLength(3);
    expect(mock.writes()).toHaveLength(writes);
  });

  it('gives the send back when SendGrid fails, so trying again works', async () => {
    const chat = await chatWith({ preEngagement: { email: 'ana@example.com' } });
    sendgrid.failNext(500);
    const failed = await email(chat);
    expect(failed.status).toBe(502);
    expect((failed.body as ErrorBody).error.code).toBe('email_failed');
    expect(logs.events()).toContain('transcript.send_failed');
    const retried = await email(chat);
    expect(retried.body).toEqual({ sent: true, to: 'a•••@example.com', remaining: 2 });
    expect(sendgrid.sent).toHaveLength(1);
  });

  it('refuses a chat with no email on record (422): nothing sent, nothing written', async () => {
    const chat = await chatWith();
    const writes = mock.writes().length;
    const res = await email(chat);
    expect(res.status).toBe(422);
    expect((res.body as ErrorBody).error.code).toBe('no_email_on_record');
    expect(sendgrid.sent).toHaveLength(0);
    expect(mock.writes()).toHaveLength(writes);
  });

  it('never takes an address from the request (no open relay)', async () => {
    const chat = await chatWith({ preEngagement: { email: 'ana@example.com' } });
    const writes = mock.writes().length;
    const res = await email({ ...chat, email: 'victim@example.org' });
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.fields?.map((f) => f.field)).toEqual(['email']);
    expect(sendgrid.sent).toHaveLength(0);
    expect(mock.writes()).toHaveLength(writes);
  });

  it('refuses somebody else’s chat (403): nothing sent, nothing written', async () => {
    const chat = await chatWith({ preEngagement: { email: 'ana@example.com' } });
    const writes = mock.writes().length;
    const res = await email({ ...chat, token: signTestToken(newIdentity(Date.now())) });
    expect(res.status).toBe(403);
    expect((res.body as ErrorBody).error.code).toBe('forbidden');
    expect(sendgrid.sent).toHaveLength(0);
    expect(mock.writes()).toHaveLength(writes);
  });

  it.each([
    ['not configured', TEST_ENV, ['SENDGRID_API_KEY', 'TRANSCRIPT_FROM']],
    [
      'a key that is not SendGrid’s',
      { ...TEST_ENV, SENDGRID_API_KEY: 'abc', TRANSCRIPT_FROM: 'help@acme.example' },
      ['SENDGRID_API_KEY'],
    ],
    ['no sender', { ...TEST_ENV, SENDGRID_API_KEY: SENDGRID_TEST_KEY }, ['TRANSCRIPT_FROM']],
    [
      'a SendGrid URL that is not local',
      {
        ...TEST_ENV,
        SENDGRID_API_KEY: SENDGRID_TEST_KEY,
        TRANSCRIPT_FROM: 'help@acme.example',
        SENDGRID_API_URL: 'https://evil.example/v3/mail/send',
      },
      ['SENDGRID_API_URL'],
    ],
  ])('is 503 naming the variables when %s, before reading anything', async (_, env, fields) => {
    const chat = await chatWith({ preEngagement: { email: 'ana@example.com' } });
    const before = mock.requests().length;
    const res = await email(chat, env);
    expect(res.status).toBe(503);
    expect((res.body as ErrorBody).error.fields?.map((f) => f.field)).toEqual(fields);
    expect(mock.requests()).toHaveLength(before);
    expect(sendgrid.sent).toHaveLength(0);
  });
});

describe('GET /status', () => {
  it('reports the survey and the transcript, never the key', async () => {
    const env = { ...MAIL_ENV(), SURVEY: 'on' };
    const res = await invoke(status, { mock, env });
    expect(res.body).toMatchObject({
      survey: { webhook: false },
      transcript: { from: 'help@acme.example' },
    });
    expect(JSON.stringify(res.body)).not.toContain(SENDGRID_TEST_KEY);
  });
});
