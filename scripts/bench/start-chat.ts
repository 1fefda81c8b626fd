/**
 * POST /start-chat for every HANDOFF_MODE side by side, in process against
 * the local mock with LATENCY_MS per Twilio request: Twilio requests per chat,
 * sequential round trips on the critical path (counted from the mock's
 * request timestamps) and wall time, without and with a question (median of
 * 10 each). Each start carries a solved challenge, as the widget's do (CHALLENGE
 * is on); solving it is the browser's time (see challenge.ts), not counted here.
 */
import { handler as startChat } from '../../functions/start-chat';
import { withProof } from '../../dev/challenge';
import { invoke } from '../../dev/invoke';
import { type TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { fmt, LATENCY_MS, median, time } from './measure';
import { BENCH_MODES, type BenchMode } from './modes';
import { table } from './table';

interface StartFigures {
  requests: number;
  roundTrips: number;
  ms: number;
}

async function startChatFigures(
  mock: TwilioMock,
  mode: BenchMode,
  body: object,
): Promise<StartFigures> {
  const runs = 10;
  const times: number[] = [];
  const requests: number[] = [];
  const trips: number[] = [];
  for (let i = 0; i < runs; i++) {
    mock.reset();
    mode.seed(mock);
    mock.latencyMs = LATENCY_MS;
    const proven = await withProof(body, { env: mode.env });
    times.push(
      await time(async () => {
        const res = await invoke(startChat, { mock, env: mode.env, body: proven });
        if (res.status !== 200) throw new Error(`start-chat answered ${res.status}: ${res.text}`);
      }),
    );
    requests.push(mock.requests().length);
    trips.push(mock.sequentialRoundTrips());
  }
  return { requests: median(requests), roundTrips: median(trips), ms: median(times) };
}

const cells = (f: StartFigures) => [`${f.requests}`, `${f.roundTrips}`, `${fmt(f.ms, 0)} ms`];

export async function startChatByMode(mock: TwilioMock): Promise<void> {
  const row = table(
    `POST /start-chat per HANDOFF_MODE, local mock, ${LATENCY_MS} ms per Twilio request (median of 10)`,
    ['mode'],
    [
      'requests',
      'round trips',
      'wall time',
      'with a question: requests',
      'round trips',
      'wall time',
    ],
  );
  for (const mode of BENCH_MODES) {
    const plain = await startChatFigures(mock, mode, {
      friendlyName: 'Ana',
      preEngagement: { email: 'a@b.c' },
    });
    const asked = await startChatFigures(mock, mode, {
      friendlyName: 'Ana',
      question: 'Where is my order?',
    });
    row(`\`${mode.mode}\``, ...cells(plain), ...cells(asked));
  }
}
