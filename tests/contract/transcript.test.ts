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
import { addConversationUser, conversations } from '../../dev/twilio-fake/apis';
import { SERVICE_DOMAIN, TEST_ENV, type TestEnv } from '../../dev/twilio-fake/env';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { CUSTOMER_ENV, mintCustomerToken } from '../../dev/customer-token';
import { loadConfig } from '../../src/config';
import { readCustomerChat } from '../../src/customer-chat';
import { newIdentity } from '../../src/identity';
import { transcriptClaimKey } from '../../src/transcript-send';
import { TRANSCRIPT_HEAD_MESSAGES, TRANSCRIPT_TAIL_MESSAGES } from '../../src/transcript-messages';
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

/** A refusal: `status` (and `code`), with nothing sent and nothing written to Twilio by it. */
async function refused(request: () => ReturnType<typeof email>, status: number, code?: string) {
  const writes = mock.writes().length;
  const sent = sendgrid.sent.length;
  const res = await request();
  expect(res.status).toBe(status);
  if (code) expect((res.body as ErrorBody).error.code).toBe(code);
  expect(sendgrid.sent).toHaveLength(sent);
  expect(mock.writes()).toHaveLength(writes);
  return res;
}

/** The chat's stored attributes, and its seal's start key (src/chat-seal.ts). */
const attributesOf = (chat: Chat) =>
  JSON.parse(conversations(mock).get(chat.conversationSid)!.attributes) as Record<
    string,
    unknown
  > & {
    webchat_seal: { start: string };
  };

/** What a customer whose role grants createConversation can make: any attributes, any messages. */
function selfMadeChat(identity: string, attributes: object): string {
  const sid = `CH${'e'.repeat(32)}`;
  conversations(mock).set(sid, {
    sid,
    serviceSid: TEST_ENV.CONVERSATIONS_SERVICE_SID,
    uniqueName: null,
    friendlyName: null,
    attributes: JSON.stringify(attributes),
    timers: {},
    state: 'active',
    participants: [{ sid: `MB${'e'.repeat(32)}`, identity, attributes: '{}' }],
    webhooks: [],
    messages: [
      {
        sid: `IM${'e'.repeat(32)}`,
        index: 0,
        author: identity,
        body: 'Your account is locked: https://evil.example/login',
        attributes: '{}',
        webhookEnabled: false,
      },
    ],
  });
  return sid;
}

/** Adds `count` messages after the chat's own, alternating customer and agent, a minute apart. */
function addMessages(chat: Chat, count: number, agent = 'alex.smith@acme.example') {
  const c = conversations(mock).get(chat.conversationSid)!;
  const customer = c.participants[0]!.identity!;
  const start = Date.parse('2026-12-03T09:00:00Z');
  for (let i = 0; i < count; i++) {
    c.messages.push({
      sid: `IM${String(c.messages.length).padStart(32, '0')}`,
      index: c.messages.length,
      author: i % 2 === 0 ? customer : agent,
      body: `message ${i + 1}`,
      attributes: '{}',
      webhookEnabled: false,
      dateCreated: new Date(start + i * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
  }
}

/** The `message N` lines of the email's plain text, in order. */
const numbered = (text: string) =>
  [...text.matchAll(/: message (\d+)\n/g)].map((m) => Number(m[1]));

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
      transcriptClaimKey(attributesOf(chat).webchat_seal.start, 1),
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
    const env = { ...MAIL_ENV(), ...CUSTOMER_ENV };
    const customerToken = await mintCustomerToken({ sub: 'cus_42', email: 'verified@example.com' });
    const body = { friendlyName: 'Ana', preEngagement: { email: 'typed@example.com' } };
    const res = await invoke(
      startChat,
      await proven({ mock, env, body: { ...body, customerToken } }),
    );
    const { token, conversationSid } = res.body as Chat;
    expect((await email({ token, conversationSid }, env)).body).toMatchObject({
      to: 'v•••@example.com',
    });
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
    await refused(() => email(chat), 429, 'transcript_limit_reached');
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
    await refused(() => email(chat), 422, 'no_email_on_record');
  });

  it('never takes an address from the request (no open relay)', async () => {
    const chat = await chatWith({ preEngagement: { email: 'ana@example.com' } });
    const res = await refused(() => email({ ...chat, email: 'victim@example.org' }), 400);
    expect((res.body as ErrorBody).error.fields?.map((f) => f.field)).toEqual(['email']);
  });

  it('refuses somebody else’s chat (403): nothing sent, nothing written', async () => {
    const chat = await chatWith({ preEngagement: { email: 'ana@example.com' } });
    const token = signTestToken(newIdentity(Date.now()));
    await refused(() => email({ ...chat, token }), 403, 'forbidden');
  });

  it('refuses a conversation the customer made themselves (403): no open relay', async () => {
    const res = await invoke(startChat, await proven({ mock, body: { friendlyName: 'Mallory' } }));
    const { token, identity } = res.body as { token: string; identity: string };
    for (const attributes of [
      { pre_engagement_data: { email: 'victim@example.org' } },
      { customer: { verified: true, id: 'x', issuer: 'y', email: 'victim@example.org' } },
    ]) {
      const conversationSid = selfMadeChat(identity, attributes);
      await refused(() => email({ token, conversationSid }), 403, 'forbidden');
    }
    expect(sendgrid.sent).toHaveLength(0);
  });

  it('refuses an address edited into the attributes after the start (403)', async () => {
    const chat = await chatWith({ preEngagement: { email: 'ana@example.com' } });
    const c = conversations(mock).get(chat.conversationSid)!;
    const stored = attributesOf(chat);
    for (const edited of [
      { ...stored, webchat_seal: { ...stored.webchat_seal, email: 'victim@example.org' } },
      { ...stored, webchat_seal: { ...stored.webchat_seal, start: 'web_other' } },
      { ...stored, webchat_seal: undefined }, // a chat from before the seal
    ]) {
      c.attributes = JSON.stringify(edited);
      await refused(() => email(chat), 403, 'forbidden');
    }
    expect(sendgrid.sent).toHaveLength(0);
  });

  it('a seal copied into a conversation of their own is refused: its unique name is not the start', async () => {
    const chat = await chatWith({ preEngagement: { email: 'ana@example.com' } });
    const identity = conversations(mock).get(chat.conversationSid)!.participants[0]!.identity!;
    const seal = attributesOf(chat).webchat_seal;
    // Unnamed, or named anything but the start's key (which the real chat holds).
    const unnamed = selfMadeChat(identity, { webchat_seal: seal });
    const named = `CH${'f'.repeat(32)}`;
    conversations(mock).set(named, {
      ...conversations(mock).get(unnamed)!,
      sid: named,
      uniqueName: `${seal.start}-copy`,
    });
    for (const conversationSid of [unnamed, named]) {
      await refused(() => email({ ...chat, conversationSid }), 403, 'forbidden');
    }
    expect(sendgrid.sent).toHaveLength(0);
    expect((await email(chat)).status).toBe(200); // the genuine chat still is
  });

  it('a seal older than a session (SESSION_MAX_AGE_SECONDS + grace) is refused, with no send', async () => {
    const chat = await chatWith({ preEngagement: { email: 'ana@example.com' } });
    const identity = conversations(mock).get(chat.conversationSid)!.participants[0]!.identity!;
    const config = loadConfig(MAIL_ENV(), { domainName: SERVICE_DOMAIN }, [
      'service',
      'mode',
      'tokens',
    ]);
    const maxAgeMs = (config.sessionMaxAgeSeconds + config.refreshGraceSeconds) * 1000;
    const read = (nowMs: number) =>
      readCustomerChat(mock.client(), config, identity, chat.conversationSid, nowMs);
    await expect(read(Date.now())).resolves.toMatchObject({ sealed: { email: 'ana@example.com' } });
    await expect(read(Date.now() + maxAgeMs + 60_000)).rejects.toMatchObject({
      status: 403,
      code: 'forbidden',
      message: expect.stringMatching(/too long ago/) as unknown,
    });
    expect(sendgrid.sent).toHaveLength(0);
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

describe('POST /transcript: agents as the widget named them, times in the customer’s zone', () => {
  const withAgents = async () => {
    const chat = await chatWith({ preEngagement: { email: 'ana@example.com' }, locale: 'es' });
    addConversationUser(mock, { identity: 'alex.smith@acme.example', friendlyName: 'Alex Smith' });
    addConversationUser(mock, { identity: 'maria@acme.example', friendlyName: 'María Pérez' });
    // A transfer: Alex left the chat, María took it over. Only María is a participant now.
    addMessages(chat, 2, 'maria@acme.example');
    return chat;
  };

  it('names each agent by first name, after a transfer too, in 2 round trips', async () => {
    const chat = await withAgents();
    const before = mock.requests().length;
    mock.latencyMs = 30;
    const res = await email({ ...chat, agentName: 'first', timeZone: 'Europe/Madrid' });
    expect(res.status).toBe(200);
    const made = mock.requests().slice(before);
    expect(made.map((r) => r.name).sort()).toEqual([
      'conversations.fetch',
      'messages.list',
      'participants.list',
      'sync.documents.create',
      'users.fetch',
      'users.fetch',
    ]);
    expect(mock.requests('users.fetch').map((r) => r.path.split('/').at(-1))).toEqual([
      'alex.smith@acme.example',
      'maria@acme.example',
    ]);
    expect(mock.sequentialRoundTrips(made)).toBe(2);
    const text = sendgrid.sent[0]!.body.content[0]!.value;
    expect(text).toContain('Las horas están en hora de Europa central (Europe/Madrid).');
    expect(text).toMatch(/\] Alex: Yes <script>/);
    expect(text).toContain('[10:00] Tú: message 1\n[10:01] María: message 2\n');
    expect(text).not.toMatch(/Smith|Pérez|@acme/);
  });

  it('never names another customer identity that joined the chat as an agent', async () => {
    const chat = await withAgents();
    const intruder = newIdentity(Date.now()); // a second customer token, joined with the SDK
    addConversationUser(mock, { identity: intruder, friendlyName: 'Acme Security Team' });
    addMessages(chat, 2, intruder);
    const res = await email({ ...chat, agentName: 'full', timeZone: 'Europe/Madrid' });
    expect(res.status).toBe(200);
    const text = sendgrid.sent[0]!.body.content[0]!.value;
    expect(text).not.toContain('Acme Security Team');
    expect(text).not.toContain(intruder);
    expect(text).toMatch(/\] Tú: message 2\n$/m); // on the customer's side, as what they wrote
    expect(mock.requests('users.fetch').map((r) => r.path.split('/').at(-1))).not.toContain(
      intruder,
    );
  });

  it('gives full names when the widget did, and the label for an agent with no user', async () => {
    const chat = await withAgents();
    addMessages(chat, 2, 'bot-7');
    const res = await email({ ...chat, agentName: 'full', timeZone: 'America/New_York' });
    expect(res.status).toBe(200);
    const text = sendgrid.sent[0]!.body.content[0]!.value;
    expect(text).toContain('] Alex Smith: Yes');
    expect(text).toContain('[4:01] María Pérez: message 2');
    expect(text).toContain('] Agente: message 2');
    expect(text).not.toContain('bot-7');
  });

  it('names nobody (role label, no user read) when the widget used roles, or sent nothing', async () => {
    const chat = await withAgents();
    const res = await email({ ...chat, agentName: 'role', agentRoleLabel: 'Equipo de soporte' });
    expect(res.status).toBe(200);
    const text = sendgrid.sent[0]!.body.content[0]!.value;
    expect(text).toContain('] Equipo de soporte: Yes');
    expect(text).toContain('Las horas están en UTC.');
    expect(text).not.toMatch(/Alex|María/);
    expect((await email(chat)).status).toBe(200); // an older widget: no agentName
    expect(sendgrid.sent[1]!.body.content[0]!.value).toContain('] Agente: Yes');
    expect(mock.requests('users.fetch')).toHaveLength(0);
  });

  it('refuses a malformed time zone or name mode (400): nothing read, sent or written', async () => {
    const chat = await withAgents();
    const before = mock.requests().length;
    const res = await email({ ...chat, timeZone: 'Europe/Madrid"><b>', agentName: 'everything' });
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.fields?.map((f) => f.field)).toEqual([
      'agentName',
      'timeZone',
    ]);
    expect(mock.requests()).toHaveLength(before);
    expect(sendgrid.sent).toHaveLength(0);
  });
});

describe('POST /transcript: long chats, read in pages', () => {
  it('sends all of a 230-message chat in order: 3 pages in 2 round trips, then the claim', async () => {
    const chat = await chatWith({ preEngagement: { email: 'ana@example.com' } });
    addMessages(chat, 227); // 230 with the question, the answer and the end's notice
    const before = mock.requests().length;
    mock.latencyMs = 30;
    const res = await email(chat);
    expect(res.status).toBe(200);
    const made = mock.requests().slice(before);
    const pages = mock.requests('messages.list').slice(-3);
    expect(pages.map((r) => r.query)).toEqual([
      { Order: ['asc'], PageSize: ['100'] },
      { Order: ['asc'], PageSize: ['100'], Page: ['1'], PageToken: ['PT100'] },
      { Order: ['desc'], PageSize: ['100'] },
    ]);
    // Round 1: the conversation, its participants, page 1; round 2: page 2 and the
    // last page together, which meet; round 3: the send's claim in Sync.
    expect(made.filter((r) => r.name === 'messages.list')).toHaveLength(3);
    expect(mock.sequentialRoundTrips(made)).toBe(3);
    const text = sendgrid.sent[0]!.body.content[0]!.value;
    expect(numbered(text)).toEqual(Array.from({ length: 227 }, (_, i) => i + 1));
    expect(text.indexOf('] You: Is <b>this')).toBeLessThan(text.indexOf('] Agent: Yes'));
    expect(text.indexOf('] Agent: Yes')).toBeLessThan(text.indexOf(': message 1\n'));
    expect(text).not.toContain('too long');
  });

  it.each([
    [100, 1, 2],
    [101, 3, 3],
    [200, 3, 3],
    [301, 5, 4],
  ])(
    'sends all of a %i-message chat: %i pages, %i round trips with the claim',
    async (total, count, trips) => {
      const chat = await chatWith({ preEngagement: { email: 'ana@example.com' } });
      addMessages(chat, total - 3);
      const before = mock.requests().length;
      mock.latencyMs = 30;
      expect((await email(chat)).status).toBe(200);
      const made = mock.requests().slice(before);
      expect(made.filter((r) => r.name === 'messages.list')).toHaveLength(count);
      expect(mock.sequentialRoundTrips(made)).toBe(trips);
      const text = sendgrid.sent[0]!.body.content[0]!.value;
      expect(numbered(text)).toEqual(Array.from({ length: total - 3 }, (_, i) => i + 1));
    },
  );

  it('sends the first 500 and last 500 of a 5,000-message chat and says so: 10 pages, 6 rounds', async () => {
    const chat = await chatWith({ preEngagement: { email: 'ana@example.com' } });
    addMessages(chat, 4997); // 5,000 with the question, the answer and the end's notice
    const before = mock.requests().length;
    mock.latencyMs = 20;
    const res = await email(chat);
    expect(res.status).toBe(200);
    const made = mock.requests().slice(before);
    expect(made.filter((r) => r.name === 'messages.list')).toHaveLength(10);
    expect(mock.sequentialRoundTrips(made)).toBe(7); // 6 of pages, then the claim
    const text = sendgrid.sent[0]!.body.content[0]!.value;
    // Indexes 0 to 2 are the question, the answer and the end's notice (left
    // out): `message N` is index N + 2.
    const head = Array.from({ length: TRANSCRIPT_HEAD_MESSAGES - 3 }, (_, i) => i + 1);
    const tail = Array.from({ length: TRANSCRIPT_TAIL_MESSAGES }, (_, i) => 4500 - 2 + i);
    expect(numbered(text)).toEqual([...head, ...tail]);
    expect(text).toContain(
      ': message 497\n[…] Notice: This chat was too long to send whole: here are its first 500 and last 500 messages.\n',
    );
    expect(text.indexOf('too long')).toBeLessThan(text.indexOf(': message 4498\n'));
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
