/**
 * What a customer's after-chat requests cost, in process against the local
 * mock with LATENCY_MS per Twilio request (median of RUNS, each on a fresh
 * ended chat):
 *
 *   POST /survey      without and with SURVEY_WEBHOOK_URL (a local receiver):
 *                     Twilio requests, sequential round trips, webhook
 *                     requests, wall time
 *   POST /transcript  chats of 10, 230, 1,000 and 5,000 messages (agents named
 *                     by role, as an older widget asks), and a 10-message chat
 *                     with two agents named by first name (a Users lookup
 *                     each): Twilio requests, messages pages, round trips,
 *                     SendGrid requests (the local fake), the email's size,
 *                     wall time
 *
 * The bench fails if a transcript is not sent, or a survey not stored.
 */
import { handler as endChat } from '../../functions/end-chat';
import { handler as startChat } from '../../functions/start-chat';
import { handler as survey } from '../../functions/survey';
import { handler as transcript } from '../../functions/transcript';
import { proven } from '../../dev/challenge';
import { invoke } from '../../dev/invoke';
import { startSendGridFake, SENDGRID_TEST_KEY } from '../../dev/sendgrid-fake';
import { addConversationUser, conversations } from '../../dev/twilio-fake/apis';
import { TEST_ENV, type TestEnv } from '../../dev/twilio-fake/env';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { startWebhookReceiver } from '../../dev/webhook-receiver';
import { fmt, LATENCY_MS, median, time } from './measure';
import { table } from './table';

const RUNS = 5;
const AGENTS = ['alex.smith@acme.example', 'maria.perez@acme.example'];

interface Chat {
  token: string;
  conversationSid: string;
}

/** An ended chat with `count` messages in all, half the customer's, half two agents'. */
async function endedChat(mock: TwilioMock, count: number): Promise<Chat> {
  mock.reset();
  const body = { friendlyName: 'Ana', preEngagement: { email: 'ana@example.com' } };
  const res = await invoke(startChat, await proven({ mock, body }));
  if (res.status !== 200) throw new Error(`start-chat answered ${res.status}: ${res.text}`);
  const { token, conversationSid } = res.body as Chat;
  const chat = { token, conversationSid };
  await invoke(endChat, { mock, body: chat });
  const c = conversations(mock).get(chat.conversationSid)!;
  const customer = c.participants[0]?.identity ?? '';
  const start = Date.now() - count * 30_000;
  while (c.messages.length < count) {
    const i = c.messages.length;
    c.messages.push({
      sid: `IM${String(i).padStart(32, '0')}`,
      index: i,
      author: i % 2 === 0 ? customer : (AGENTS[Math.floor(i / (count / 2 + 1))] ?? ''),
      body: `Message ${i + 1}: a line of an ordinary length for a chat, about sixty characters.`,
      attributes: '{}',
      webhookEnabled: false,
      dateCreated: new Date(start + i * 30_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
  }
  addConversationUser(mock, { identity: AGENTS[0]!, friendlyName: 'Alex Smith' });
  addConversationUser(mock, { identity: AGENTS[1]!, friendlyName: 'María Pérez' });
  return chat;
}

interface Run {
  requests: number;
  pages: number;
  trips: number;
  sideRequests: number;
  bytes: number;
  ms: number;
}

async function measure(
  mock: TwilioMock,
  count: number,
  call: (chat: Chat) => Promise<{ status: number; text: string }>,
  side: () => number,
  bytes: () => number = () => 0,
): Promise<Run> {
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    const chat = await endedChat(mock, count);
    const before = mock.requests().length;
    const sideBefore = side();
    mock.latencyMs = LATENCY_MS;
    let status = 0;
    let text = '';
    const ms = await time(async () => ({ status, text } = await call(chat)));
    mock.latencyMs = 0;
    if (status !== 200) throw new Error(`answered ${status}: ${text}`);
    const made = mock.requests().slice(before);
    runs.push({
      requests: made.length,
      pages: made.filter((r) => r.name === 'messages.list').length,
      trips: mock.sequentialRoundTrips(made),
      sideRequests: side() - sideBefore,
      bytes: bytes(),
      ms,
    });
  }
  const of = (key: keyof Run) => median(runs.map((r) => r[key]));
  return {
    requests: of('requests'),
    pages: of('pages'),
    trips: of('trips'),
    sideRequests: of('sideRequests'),
    bytes: of('bytes'),
    ms: of('ms'),
  };
}

async function surveyFigures(mock: TwilioMock): Promise<void> {
  const receiver = await startWebhookReceiver();
  const row = table(
    `POST /survey, local mock, ${LATENCY_MS} ms per Twilio request (median of ${RUNS})`,
    ['configuration'],
    ['Twilio requests', 'round trips', 'webhook requests', 'wall time'],
  );
  try {
    const cases: [string, TestEnv][] = [
      ['`SURVEY=on`', { ...TEST_ENV, SURVEY: 'on' }],
      [
        '`SURVEY=on` with `SURVEY_WEBHOOK_URL`',
        {
          ...TEST_ENV,
          SURVEY: 'on',
          SURVEY_WEBHOOK_URL: receiver.url,
          SURVEY_WEBHOOK_SECRET: 's'.repeat(32),
        },
      ],
    ];
    for (const [label, env] of cases) {
      const f = await measure(
        mock,
        4,
        (chat) => invoke(survey, { mock, env, body: { ...chat, rating: 5, comment: 'Quick.' } }),
        () => receiver.received.length,
      );
      row(label, `${f.requests}`, `${f.trips}`, `${f.sideRequests}`, `${fmt(f.ms, 0)} ms`);
    }
  } finally {
    await receiver.stop();
  }
}

async function transcriptFigures(mock: TwilioMock): Promise<void> {
  const sendgrid = await startSendGridFake();
  const env = {
    ...TEST_ENV,
    SENDGRID_API_KEY: SENDGRID_TEST_KEY,
    TRANSCRIPT_FROM: 'Acme Support <help@acme.example>',
    SENDGRID_API_URL: sendgrid.url,
  };
  const row = table(
    `POST /transcript, local mock, ${LATENCY_MS} ms per Twilio request (median of ${RUNS})`,
    ['chat', 'agents named by'],
    ['Twilio requests', 'messages pages', 'round trips', 'SendGrid requests', 'email', 'wall time'],
  );
  const cases: [number, 'role' | 'first'][] = [
    [10, 'role'],
    [10, 'first'],
    [230, 'role'],
    [1000, 'role'],
    [5000, 'role'],
  ];
  try {
    for (const [count, agentName] of cases) {
      const f = await measure(
        mock,
        count,
        (chat) =>
          invoke(transcript, {
            mock,
            env,
            body: {
              ...chat,
              ...(agentName !== 'role' && { agentName }),
              timeZone: 'Europe/Madrid',
            },
          }),
        () => sendgrid.requests,
        () => JSON.stringify(sendgrid.sent.at(-1)?.body ?? {}).length,
      );
      row(
        `${count.toLocaleString('en')} messages`,
        `\`${agentName}\``,
        `${f.requests}`,
        `${f.pages}`,
        `${f.trips}`,
        `${f.sideRequests}`,
        `${fmt(f.bytes / 1024, 0)} KB`,
        `${fmt(f.ms, 0)} ms`,
      );
    }
  } finally {
    await sendgrid.stop();
  }
}

export async function afterChatCost(mock: TwilioMock): Promise<void> {
  await surveyFigures(mock);
  await transcriptFigures(mock);
}

/** Run alone: `npx tsx scripts/bench/after-chat.ts`. */
if (require.main === module) {
  for (const level of ['log', 'info', 'warn', 'error'] as const) console[level] = () => undefined;
  void (async () => {
    const mock = await TwilioMock.start({ validate: false });
    try {
      await afterChatCost(mock);
    } finally {
      await mock.stop();
    }
  })();
}
