/**
 * POST /end-chat, in process against the local mock with LATENCY_MS per
 * Twilio request, for each way a chat is closed: a Studio chat's
 * conversation, a webhook-mode chat's Flex Interaction Channel (after its
 * hand-off), a legacy Flex Flow channel. Twilio requests, sequential round
 * trips on the critical path (counted from the mock's request timestamps) and
 * wall time (median of 10 each). The chat is started without latency.
 *
 * Then 10 ends of one chat at the same moment (studio mode): notices the
 * agent got, Twilio writes that changed something, requests, wall time; the
 * bench fails if the agent is told more than once. And /refresh-token: the
 * request and round trip it makes to know the chat is still open.
 */
import { handler as refreshToken } from '../../functions/refresh-token';
import { CUSTOMER_ENDED_MESSAGE } from '../../src/end-chat';
import { conversations } from '../../dev/twilio-fake/apis';
import { handler as endChat } from '../../functions/end-chat';
import { handler as startChat } from '../../functions/start-chat';
import { proven } from '../../dev/challenge';
import { invoke, type InvokeOptions } from '../../dev/invoke';
import { FLEX_FLOW_ENV, seedFlexFlow } from '../../dev/twilio-fake/modes';
import { type TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { WEBHOOK_ENV } from '../../dev/twilio-fake/webhooks';
import { fmt, LATENCY_MS, median, time } from './measure';
import { table } from './table';
import { handedOff, type StartedChat, webhookChat } from './webhook-chat';

type Env = InvokeOptions['env'];

async function started(mock: TwilioMock, env: Env): Promise<StartedChat> {
  const res = await invoke(startChat, await proven({ mock, env, body: { friendlyName: 'Ana' } }));
  if (res.status !== 200) throw new Error(`start-chat answered ${res.status}: ${res.text}`);
  return res.body as StartedChat;
}

async function handedOffChat(mock: TwilioMock): Promise<StartedChat> {
  const deliver = await webhookChat(mock);
  const res = await deliver();
  if (!handedOff(res)) throw new Error(`no hand-off: ${res.text}`);
  return deliver.chat;
}

/** Each way of closing, with the account state and the chat it needs. */
const CASES = [
  { label: '`studio`', env: undefined, chat: (mock: TwilioMock) => started(mock, undefined) },
  { label: '`webhook`, after the hand-off', env: WEBHOOK_ENV, chat: handedOffChat },
  {
    label: '`flex-flow`',
    env: FLEX_FLOW_ENV,
    chat: (mock: TwilioMock) => (seedFlexFlow(mock), started(mock, FLEX_FLOW_ENV)),
  },
] as const;

async function endFigures(mock: TwilioMock, c: (typeof CASES)[number]) {
  const times: number[] = [];
  const requests: number[] = [];
  const trips: number[] = [];
  let closed = '';
  for (let i = 0; i < 10; i++) {
    mock.reset();
    const chat = await c.chat(mock);
    const before = mock.requests().length;
    mock.latencyMs = LATENCY_MS;
    const body = { token: chat.token, conversationSid: chat.conversationSid };
    times.push(
      await time(async () => {
        const res = await invoke(endChat, { mock, env: c.env, body });
        if (res.status !== 200) throw new Error(`end-chat answered ${res.status}: ${res.text}`);
        closed = String((res.body as { closed?: string }).closed);
      }),
    );
    const made = mock.requests().slice(before);
    requests.push(made.length);
    trips.push(mock.sequentialRoundTrips(made));
  }
  return { closed, requests: median(requests), trips: median(trips), ms: median(times) };
}

export async function endChatByMode(mock: TwilioMock): Promise<void> {
  const row = table(
    `POST /end-chat, local mock, ${LATENCY_MS} ms per Twilio request (median of 10)`,
    ['chat', 'closes'],
    ['requests', 'round trips', 'wall time'],
  );
  for (const c of CASES) {
    const f = await endFigures(mock, c);
    row(c.label, `\`${f.closed}\``, `${f.requests}`, `${f.trips}`, `${fmt(f.ms, 0)} ms`);
  }
}

async function concurrentEnds(mock: TwilioMock, calls: number) {
  mock.reset();
  const chat = await started(mock, undefined);
  const before = mock.requests().length;
  mock.latencyMs = LATENCY_MS;
  const body = { token: chat.token, conversationSid: chat.conversationSid };
  const ms = await time(() =>
    Promise.all(Array.from({ length: calls }, () => invoke(endChat, { mock, body }))),
  );
  const made = mock.requests().slice(before);
  const notices = conversations(mock)
    .get(chat.conversationSid)
    ?.messages.filter((m) => m.body === CUSTOMER_ENDED_MESSAGE).length;
  if (notices !== 1) throw new Error(`${calls} concurrent ends told the agent ${notices} times`);
  const writes = mock.writes().filter((r) => made.includes(r)).length;
  return { notices, writes, requests: made.length, trips: mock.sequentialRoundTrips(made), ms };
}

export async function endChatConcurrency(mock: TwilioMock): Promise<void> {
  const row = table(
    `Concurrent POST /end-chat for one chat (studio mode), ${LATENCY_MS} ms per Twilio request`,
    ['calls at once'],
    ['notices', 'writes that changed something', 'requests', 'round trips', 'wall time'],
  );
  for (const calls of [1, 10]) {
    const f = await concurrentEnds(mock, calls);
    row(
      `${calls}`,
      `${f.notices}`,
      `${f.writes}`,
      `${f.requests}`,
      `${f.trips}`,
      `${fmt(f.ms, 0)} ms`,
    );
  }
  mock.reset();
  const chat = await started(mock, undefined);
  const before = mock.requests().length;
  mock.latencyMs = LATENCY_MS;
  const ms = await time(() => invoke(refreshToken, { mock, body: { token: chat.token } }));
  const made = mock.requests().slice(before);
  const refresh = table(
    `POST /refresh-token (is the chat still open?), ${LATENCY_MS} ms per Twilio request`,
    ['function'],
    ['requests', 'round trips', 'wall time'],
  );
  refresh(
    '`/refresh-token`',
    `${made.length}`,
    `${mock.sequentialRoundTrips(made)}`,
    `${fmt(ms, 0)} ms`,
  );
  mock.latencyMs = 0;
}
