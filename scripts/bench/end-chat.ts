/**
 * POST /end-chat, in process against the local mock with LATENCY_MS per
 * Twilio request, for each way a chat is closed: a Studio chat's
 * conversation, a webhook-mode chat's Flex Interaction Channel (after its
 * hand-off), a legacy Flex Flow channel. Twilio requests, sequential round
 * trips on the critical path (counted from the mock's request timestamps) and
 * wall time (median of 10 each). The chat is started without latency.
 */
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
