/**
 * POST /start-chat for a signed-in customer, per HANDOFF_MODE, without and
 * with a chat budget, in process against the local mock with LATENCY_MS per
 * Twilio request (median of 5):
 *
 *   anonymous         the start without a customer token (for comparison)
 *   new, verified     a customer with no chat in progress (HS256 token:
 *                     verified with no request): the look (the list, the
 *                     creation claim and the pointer, side by side), the
 *                     guard's spending, then the mode's start, which writes
 *                     the pointer and deletes the claim beside its last round
 *   returning         the same customer again, from another "device" (its
 *                     own proof and token) while the chat is in progress:
 *                     the resume
 *
 * Each with a question; without one (an API call: a resume without a
 * question is the look alone, see src/customer/continuity.ts); and without
 * one but with what the widget always sends (its language and the page),
 * which address and flex-flow mode merge into the attributes Flex made (two
 * round trips of their own, src/chat-details.ts).
 * Counted: Twilio requests, sequential round trips in all, and the round
 * trips before the question's post (for the resume: what continuity itself
 * costs). With a budget (MAX_CHATS_PER_MINUTE=1000) the minute's list
 * exists already (a start before the measured one made it), as it does for
 * all but a minute's first start.
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
  /** Round trips before the question's post. */
  beforePost: number;
  ms: number;
}

type Kind = 'anonymous' | 'new' | 'returning';

/** What the start sends besides the name. */
const BODIES = {
  question: { question: 'Where is my order?' },
  bare: {},
  widget: { locale: 'en', page: { url: 'https://shop.example/checkout', title: 'Checkout' } },
};
type Body = keyof typeof BODIES;
type Env = Record<string, string | undefined>;

const BUDGETS: [string, Env][] = [
  ['none', {}],
  ['1000/min', { MAX_CHATS_PER_MINUTE: '1000' }],
];

async function oneStart(env: Env, sub: string | undefined, sent: Body) {
  const customerToken = sub ? await mintCustomerToken({ sub, name: 'Ana' }) : undefined;
  const body = await withProof(
    { friendlyName: 'Ana', ...BODIES[sent], ...(customerToken && { customerToken }) },
    { env },
  );
  return (mock: TwilioMock) =>
    invoke(startChat, { mock, env, body }).then((res) => {
      if (res.status !== 200) throw new Error(`start-chat answered ${res.status}: ${res.text}`);
    });
}

async function figures(
  mock: TwilioMock,
  mode: BenchMode,
  budget: Env,
  kind: Kind,
  sent: Body,
): Promise<Figures> {
  const env = { ...mode.env, ...CUSTOMER_ENV, ...budget };
  const runs = { requests: [] as number[], trips: [] as number[], before: [] as number[] };
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    mock.reset();
    mode.seed(mock);
    const sub = `cus_${i}`;
    await (
      await oneStart(env, kind === 'returning' ? sub : undefined, sent)
    )(mock);
    const send = await oneStart(env, kind === 'anonymous' ? undefined : sub, sent);
    mock.recorded.splice(0);
    mock.latencyMs = LATENCY_MS;
    times.push(await time(() => send(mock)));
    const made: RecordedRequest[] = mock.requests();
    const post = made.find((r) => r.name === 'messages.create' && r.form.Body !== undefined);
    runs.requests.push(made.length);
    runs.trips.push(mock.sequentialRoundTrips(made));
    const before = post ? made.filter((r) => r.endedAt <= post.startedAt) : made;
    runs.before.push(mock.sequentialRoundTrips(before));
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
    `POST /start-chat for a signed-in customer, local mock, ${LATENCY_MS} ms per Twilio request (median of 5)`,
    ['mode', 'budget', 'start'],
    [
      'requests',
      'round trips',
      'before the question',
      'wall time',
      'no question: requests',
      'round trips',
      'widget, no question: requests',
      'round trips',
    ],
  );
  const labels: Record<Kind, string> = {
    anonymous: 'anonymous',
    new: 'new, verified',
    returning: 'returning (resume)',
  };
  for (const mode of BENCH_MODES) {
    for (const [budgetName, budget] of BUDGETS) {
      for (const kind of ['anonymous', 'new', 'returning'] as const) {
        const f = await figures(mock, mode, budget, kind, 'question');
        const bare = await figures(mock, mode, budget, kind, 'bare');
        const widget = await figures(mock, mode, budget, kind, 'widget');
        row(
          `\`${mode.mode}\``,
          budgetName,
          labels[kind],
          `${f.requests}`,
          `${f.roundTrips}`,
          `${f.beforePost}`,
          `${fmt(f.ms, 0)} ms`,
          `${bare.requests}`,
          `${bare.roundTrips}`,
          `${widget.requests}`,
          `${widget.roundTrips}`,
        );
      }
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
