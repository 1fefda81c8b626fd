/**
 * A spike: many customers arriving within a second, each starting a chat the
 * way the widget does, against the local Twilio fake with Twilio's rate
 * limits on (dev/twilio-fake/rate-limits.ts). For tests/contract/spikes.test.ts
 * and `npm run bench`.
 *
 * Each customer is the widget's own start logic, run in Node: a `Challenges`
 * (client/lib/challenge.ts) whose proof is fetched from `/challenge` and solved
 * before the spike (the form is being filled in), and `startWithRetry`
 * (client/lib/start-retry.ts) around each `/start-chat`, with real time: the
 * server's `Retry-After` plus jitter, the same proof again; a proof refused
 * as used gets a new one, once, as in the browser. `/start-chat` is the real
 * handler, in process (dev/invoke.ts), through the real `twilio` library.
 *
 * What it counts is Twilio's side: the chats the fake holds (conversations,
 * and the WebChats or Flex Channels creates it accepted), against the
 * customers the widget reports started.
 *
 * @example
 *   const spike = await prepareSpike(SPIKE_MODES[2], 200);
 *   const result = await spike.run(); // result.lost: customers whose widget gave up
 *   await spike.stop();
 */
import { ApiError, type StartedChat } from '../client/lib/api';
import { Challenges, type Challenge, type Proof } from '../client/lib/challenge';
import { startWithRetry } from '../client/lib/start-retry';
import { handler as startChat } from '../functions/start-chat';
import { fetchChallenge, solve } from './challenge';
import { headerOf, invoke, type InvokeResult } from './invoke';
import { conversations } from './twilio-fake/apis';
import { TEST_ENV, type TestEnv } from './twilio-fake/env';
import { ADDRESS_ENV, FLEX_FLOW_ENV, seedChatAddress, seedFlexFlow } from './twilio-fake/modes';
import { TwilioMock } from './twilio-fake/twilio-mock';
import { WEBHOOK_ENV } from './twilio-fake/webhooks';

/**
 * The functions' Twilio timeout (1.7 s) is for a Twilio that answers in tens
 * of milliseconds. Here the fake, the functions and the customers share one
 * process, which a spike (or other tests on the machine) can keep busy for
 * seconds: a timeout would then be this machine's, not the service's, so the
 * spike's functions wait up to this long. Twilio's 429s are what is tested.
 */
const LOAD_TIMEOUT_MS = 30_000;

export interface SpikeMode {
  mode: string;
  env: TestEnv;
  seed: (mock: TwilioMock) => unknown;
  /** The fake's route that makes this mode's chats. */
  create: string;
}

export const SPIKE_MODES: readonly SpikeMode[] = [
  { mode: 'studio', env: TEST_ENV, seed: () => undefined, create: 'conversations.create' },
  { mode: 'webhook', env: WEBHOOK_ENV, seed: () => undefined, create: 'conversations.create' },
  { mode: 'address', env: ADDRESS_ENV, seed: seedChatAddress, create: 'webchats.create' },
  { mode: 'flex-flow', env: FLEX_FLOW_ENV, seed: seedFlexFlow, create: 'flexChannels.create' },
];

export interface SpikeResult {
  mode: string;
  customers: number;
  /** Customers whose widget got a chat. */
  started: number;
  /** Customers whose widget gave up (or met another error). */
  lost: number;
  /** Chats at Twilio beyond one per started customer (conversations, and accepted creates). */
  duplicated: number;
  conversations: number;
  /** The mode's create requests Twilio accepted (201). */
  created: number;
  /** `/start-chat` calls in all, and those answered busy (429 / 503 with Retry-After). */
  calls: number;
  busy: number;
  /** Milliseconds from each started customer's arrival to their chat, sorted. */
  timeToStartMs: number[];
  /** Distinct conversations the customers were given (duplicates would repeat one). */
  distinctChats: number;
  /** What the lost customers' last answers were, by code. */
  failures: Record<string, number>;
  /** Requests that broke Twilio's OpenAPI specs (the fake validates each). */
  violations: string[];
  /** Identities of the customers in the conversations Twilio holds, each once unless duplicated. */
  identities: string[];
}

/** `/start-chat`'s answer as the widget's `api.startChat` gives it: the chat, or an ApiError. */
function asWidgetSees(res: InvokeResult): StartedChat {
  if (res.status === 200) return res.body as StartedChat;
  const error = (res.body as { error?: { code?: string; message?: string } }).error;
  const retryAfter = headerOf(res, 'retry-after');
  throw new ApiError(
    res.status,
    error?.code ?? 'http_error',
    error?.message ?? `HTTP ${res.status}`,
    undefined,
    retryAfter === undefined ? undefined : Number(retryAfter),
  );
}

/** One customer's widget: its challenges, solved with altcha-lib (as dev/challenge.ts does). */
function widgetChallenges(env: TestEnv): Challenges {
  return new Challenges({
    fetch: async () => (await fetchChallenge({ env })) as unknown as Challenge,
    solve: async (parameters) => (await solve({ parameters, signature: '' })).solution,
  });
}

export interface Spike {
  /** The customers arrive within `withinMs` (1 s by default); settles when each has started or given up. */
  run(withinMs?: number): Promise<SpikeResult>;
  /** Stops the spike's own fake. */
  stop(): Promise<void>;
}

/**
 * A spike of `customers` for one mode, on a fake of its own (its own account,
 * so its own rate limits): every widget's proof is fetched and solved here,
 * before anyone arrives, so that CPU work is not part of the spike.
 */
export async function prepareSpike(mode: SpikeMode, customers: number): Promise<Spike> {
  const mock = await TwilioMock.start();
  mode.seed(mock);
  const widgets = Array.from({ length: customers }, () => widgetChallenges(mode.env));
  for (const widget of widgets) widget.prepare();
  await waitUntilReady(widgets);
  const counts = { calls: 0, busy: 0 };
  const send = async (body: object & { proof?: Proof }) => {
    counts.calls++;
    const res = await invoke(startChat, {
      mock,
      env: mode.env,
      body,
      twilioTimeoutMs: LOAD_TIMEOUT_MS,
    });
    if (res.status === 429 || res.status === 503) counts.busy++;
    return asWidgetSees(res);
  };
  const arrive = async (widget: Challenges, i: number, withinMs: number): Promise<Outcome> => {
    await new Promise((r) => setTimeout(r, Math.random() * withinMs));
    const arrived = performance.now();
    try {
      const body = { friendlyName: `Customer ${i}`, question: 'Where is my order?' };
      const chat = await widget.send(body, (proven) => startWithRetry(() => send(proven)));
      return { chat, ms: performance.now() - arrived };
    } catch (error) {
      return { failure: error instanceof ApiError ? error.code : String(error) };
    }
  };
  return {
    async run(withinMs = 1000) {
      const outcomes = await Promise.all(widgets.map((w, i) => arrive(w, i, withinMs)));
      return summarize(mode, mock, outcomes, counts);
    },
    stop: () => mock.stop(),
  };
}

async function waitUntilReady(widgets: Challenges[]): Promise<void> {
  while (!widgets.every((w) => w.ready)) await new Promise((r) => setTimeout(r, 10));
}

type Outcome = { chat: StartedChat; ms: number } | { failure: string };

function summarize(
  mode: SpikeMode,
  mock: TwilioMock,
  outcomes: Outcome[],
  counts: { calls: number; busy: number },
): SpikeResult {
  const started = outcomes.flatMap((o) => ('chat' in o ? [o] : []));
  const failures: Record<string, number> = {};
  for (const o of outcomes)
    if ('failure' in o) failures[o.failure] = (failures[o.failure] ?? 0) + 1;
  const held = conversations(mock).size;
  const created = mock.requests(mode.create).filter((r) => r.status === 201).length;
  return {
    mode: mode.mode,
    customers: outcomes.length,
    started: started.length,
    lost: outcomes.length - started.length,
    duplicated: Math.max(held, created) - started.length,
    conversations: held,
    created,
    ...counts,
    timeToStartMs: started.map((o) => o.ms).sort((a, b) => a - b),
    distinctChats: new Set(started.map((o) => o.chat.conversationSid)).size,
    failures,
    violations: [...mock.violations],
    identities: [...conversations(mock).values()].map((c) => c.participants[0]?.identity ?? ''),
  };
}

/** The `q`th quantile (0..1) of sorted values (nearest rank). */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}
