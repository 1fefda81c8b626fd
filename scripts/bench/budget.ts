/**
 * POST /start-chat with the chat budget (MAX_CHATS_PER_MINUTE), studio mode,
 * in process against the local mock with LATENCY_MS per Twilio request:
 *
 *   cost     Twilio requests, sequential round trips (from the mock's request
 *            timestamps) and wall time without a budget, within it (the
 *            minute's Sync list exists), for the start that opens the minute
 *            (it creates the list), and over budget (median of 10 each)
 *   flood    many starts at once against a small budget: chats made, starts
 *            refused, conversation writes; the bench fails unless exactly the
 *            budget's chats were made
 */
import { handler as startChat } from '../../functions/start-chat';
import { withProof } from '../../dev/challenge';
import { invoke } from '../../dev/invoke';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { type TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { fmt, LATENCY_MS, median, time } from './measure';
import { table } from './table';

const BODY = { friendlyName: 'Ana', preEngagement: { email: 'a@b.c' } };
const withBudget = (n: number) => ({ ...TEST_ENV, MAX_CHATS_PER_MINUTE: String(n) });

interface Case {
  label: string;
  env: Record<string, string | undefined>;
  /** What runs (unmeasured) before each measured start, on a freshly reset mock. */
  before: (start: (body?: object) => Promise<number>) => Promise<unknown>;
  status: number;
}

const CASES: Case[] = [
  { label: 'no budget', env: TEST_ENV, before: () => Promise.resolve(), status: 200 },
  { label: 'within budget', env: withBudget(1000), before: (start) => start(), status: 200 },
  {
    label: 'within budget, opening the minute',
    env: withBudget(1000),
    before: () => Promise.resolve(),
    status: 200,
  },
  { label: 'over budget (refused)', env: withBudget(1), before: (start) => start(), status: 429 },
];

async function figures(mock: TwilioMock, c: Case) {
  const requests: number[] = [];
  const trips: number[] = [];
  const times: number[] = [];
  // Each start with a freshly solved challenge, as the widget's (solved outside the timing).
  const start = async (body?: object) =>
    (await invoke(startChat, { mock, env: c.env, body: body ?? (await withProof(BODY)) })).status;
  for (let i = 0; i < 10; i++) {
    mock.reset();
    await c.before(start);
    mock.recorded.length = 0;
    mock.latencyMs = LATENCY_MS;
    const body = await withProof(BODY);
    times.push(
      await time(async () => {
        const status = await start(body);
        if (status !== c.status) throw new Error(`${c.label}: /start-chat answered ${status}`);
      }),
    );
    requests.push(mock.requests().length);
    trips.push(mock.sequentialRoundTrips());
  }
  return { requests: median(requests), trips: median(trips), ms: median(times) };
}

async function flood(mock: TwilioMock, starts: number, budget: number) {
  mock.reset();
  mock.latencyMs = 10;
  const bodies = await Promise.all(Array.from({ length: starts }, () => withProof(BODY)));
  const statuses = await Promise.all(
    bodies.map(async (body) => {
      const res = await invoke(startChat, { mock, env: withBudget(budget), body });
      return res.status;
    }),
  );
  const made = statuses.filter((s) => s === 200).length;
  const writes = mock.requests().filter((r) => r.host === 'conversations.twilio.com').length;
  if (made !== budget) throw new Error(`flood: ${made} chats made against a budget of ${budget}`);
  return { made, refused: statuses.filter((s) => s === 429).length, writes };
}

export async function startChatBudget(mock: TwilioMock): Promise<void> {
  const row = table(
    `POST /start-chat with MAX_CHATS_PER_MINUTE (studio mode), local mock, ${LATENCY_MS} ms per Twilio request (median of 10)`,
    ['case'],
    ['Twilio requests', 'round trips', 'wall time'],
  );
  for (const c of CASES) {
    const f = await figures(mock, c);
    row(c.label, `${f.requests}`, `${f.trips}`, `${fmt(f.ms, 0)} ms`);
  }
  const floodRow = table(
    'A flood: starts at once against a budget (10 ms per Twilio request)',
    ['starts at once', 'budget'],
    ['chats made', 'refused (429)', 'conversation requests'],
  );
  for (const [starts, budget] of [
    [100, 10],
    [300, 30],
  ] as const) {
    const f = await flood(mock, starts, budget);
    floodRow(`${starts}`, `${budget}`, `${f.made}`, `${f.refused}`, `${f.writes}`);
  }
}
