/**
 * POST /start-chat for a signed-in customer, per HANDOFF_MODE, in process
 * against the local mock with LATENCY_MS per Twilio request (median of 5):
 *
 *   anonymous         the start without a customer token (for comparison)
 *   new, verified     a customer with no chat in progress (HS256 token:
 *                     verified with no request): the lookup, the creation
 *                     claim beside the guard's spending, then the mode's start
 *   returning         the same customer again, from another "device" (its
 *                     own proof and token) while the chat is in progress:
 *                     the resume
 *
 * Each with a question. Counted: Twilio requests, sequential round trips in
 * all, and for the resume the round trips before the question's post (the
 * lookup: what continuity itself costs). No budget (MAX_CHATS_PER_MINUTE
 * unset, the default), so the anonymous start spends nothing in Sync.
 * Run alone: `npx tsx scripts/bench/continuity.ts`.
 */
import { handler as startChat } from '../../functions/start-chat';
import { withProof } from '../../dev/challenge';
import { CUSTOMER_ENV, mintCustomerToken } from '../../dev/customer-token';
import { invoke } from '../../dev/invoke';
import { TwilioMock, type RecordedRequest } from '../../dev/twilio-fake/twilio-mock';
import { fmt, LATENCY_MS, median, time } from './measure';
import { BENCH_MODES, type BenchMode } from './modes';
import { table } from './table';

interface Figures {
  requests: number;
  roundTrips: number;
  /** Round trips before the question's post (the post is the last request). */
  beforePost: number;
  ms: number;
}

type Kind = 'anonymous' | 'new' | 'returning';

async function oneStart(mock: TwilioMock, mode: BenchMode, customer: boolean, sub: string) {
  const env = { ...mode.env, ...CUSTOMER_ENV };
  const customerToken = customer ? await mintCustomerToken({ sub, name: 'Ana' }) : undefined;
  const body = await withProof(
    {
      friendlyName: 'Ana',
      question: 'Where is my order?',
      ...(customerToken && { customerToken }),
    },
    { env },
  );
  return () =>
    invoke(startChat, { mock, env, body }).then((res) => {
      if (res.status !== 200) throw new Error(`start-chat answered ${res.status}: ${res.text}`);
    });
}

async function figures(mock: TwilioMock, mode: BenchMode, kind: Kind): Promise<Figures> {
  const runs = { requests: [] as number[], trips: [] as number[], before: [] as number[] };
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    mock.reset();
    mode.seed(mock);
    const sub = `cus_${i}`;
    if (kind === 'returning') await (await oneStart(mock, mode, true, sub))();
    const send = await oneStart(mock, mode, kind !== 'anonymous', sub);
    mock.recorded.splice(0);
    mock.latencyMs = LATENCY_MS;
    times.push(await time(send));
    const made: RecordedRequest[] = mock.requests();
    const post = [...made].reverse().find((r) => r.name === 'messages.create');
    runs.requests.push(made.length);
    runs.trips.push(mock.sequentialRoundTrips(made));
    runs.before.push(mock.sequentialRoundTrips(made.filter((r) => r !== post)));
  }
  return {
    requests: median(runs.requests),
    roundTrips: median(runs.trips),
    beforePost: median(runs.before),
    ms: median(times),
  };
}

export async function continuityByMode(mock: TwilioMock): Promise<void> {
  const row = table(
    `POST /start-chat for a signed-in customer, with a question, local mock, ${LATENCY_MS} ms per Twilio request (median of 5)`,
    ['mode', 'start'],
    ['requests', 'round trips', 'before the question', 'wall time'],
  );
  const labels: Record<Kind, string> = {
    anonymous: 'anonymous',
    new: 'new, verified',
    returning: 'returning (resume)',
  };
  for (const mode of BENCH_MODES) {
    for (const kind of ['anonymous', 'new', 'returning'] as const) {
      const f = await figures(mock, mode, kind);
      row(
        `\`${mode.mode}\``,
        labels[kind],
        `${f.requests}`,
        `${f.roundTrips}`,
        `${f.beforePost}`,
        `${fmt(f.ms, 0)} ms`,
      );
    }
  }
}

if (require.main === module) {
  for (const level of ['log', 'info', 'warn', 'error'] as const) console[level] = () => undefined;
  void (async () => {
    const mock = await TwilioMock.start({ validate: false });
    try {
      await continuityByMode(mock);
    } finally {
      await mock.stop();
    }
  })();
}
