/**
 * npm run bench: measures what the README claims.
 *
 *   start-chat   for every HANDOFF_MODE side by side: Twilio requests per
 *                chat, sequential round trips on the critical path (counted
 *                from the mock's request timestamps), and wall time
 *   overhead     handler time with a zero-latency local mock (median)
 *   cold start   time to require() each built function in a fresh Node
 *                process (median), next to require('twilio') alone
 *
 * Everything runs locally against the test mock; nothing leaves 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { handler as interaction } from '../functions/interaction.protected';
import { handler as refreshToken } from '../functions/refresh-token';
import { handler as startChat } from '../functions/start-chat';
import { invoke } from '../tests/support/invoke';
import { interactions } from '../tests/support/mock';
import { ADDRESS_ENV, FLEX_FLOW_ENV, seedChatAddress, seedFlexFlow } from '../tests/support/modes';
import { TwilioMock } from '../tests/support/twilio-mock';
import { WEBHOOK_ENV, messageAddedParams, signedDelivery } from '../tests/support/webhooks';
import { buildAll } from './build';

const ROOT = resolve(__dirname, '..');

/** The bench's own output; the functions' JSON logs are muted while it runs. */
const print = (line: string) => process.stdout.write(`${line}\n`);
for (const level of ['log', 'info', 'warn', 'error'] as const) console[level] = () => undefined;
const LATENCY_MS = 50;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const fmt = (n: number, digits = 1) => n.toFixed(digits);

async function time(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** Every HANDOFF_MODE, with the account state its requests need. */
const MODES = [
  { mode: 'studio', env: undefined, seed: () => undefined },
  { mode: 'webhook', env: WEBHOOK_ENV, seed: () => undefined },
  { mode: 'address', env: ADDRESS_ENV, seed: seedChatAddress },
  { mode: 'flex-flow', env: FLEX_FLOW_ENV, seed: seedFlexFlow },
] as const;

interface StartFigures {
  requests: number;
  roundTrips: number;
  ms: number;
}

async function startChatFigures(
  mock: TwilioMock,
  mode: (typeof MODES)[number],
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
    times.push(
      await time(async () => {
        const res = await invoke(startChat, { mock, env: mode.env, body });
        if (res.status !== 200) throw new Error(`start-chat answered ${res.status}: ${res.text}`);
      }),
    );
    requests.push(mock.requests().length);
    trips.push(mock.sequentialRoundTrips());
  }
  return { requests: median(requests), roundTrips: median(trips), ms: median(times) };
}

async function overhead(mock: TwilioMock): Promise<{ start: number; refresh: number }> {
  mock.reset();
  const startTimes: number[] = [];
  let token = '';
  for (let i = 0; i < 220; i++) {
    const ms = await time(async () => {
      const res = await invoke(startChat, { mock, body: { friendlyName: 'Ana' } });
      token = (res.body as { token: string }).token;
    });
    if (i >= 20) startTimes.push(ms); // first runs warm the JIT
  }
  const refreshTimes: number[] = [];
  for (let i = 0; i < 520; i++) {
    const ms = await time(() => invoke(refreshToken, { body: { token } }));
    if (i >= 20) refreshTimes.push(ms);
  }
  return { start: median(startTimes), refresh: median(refreshTimes) };
}

/** Starts a webhook-mode chat and returns a delivery of its customer's message. */
async function webhookChat(mock: TwilioMock) {
  const started = await invoke(startChat, {
    mock,
    env: WEBHOOK_ENV,
    body: { friendlyName: 'Ana' },
  });
  const chat = started.body as { conversationSid: string; identity: string };
  return (index = 0) =>
    invoke(interaction, {
      mock,
      env: WEBHOOK_ENV,
      ...signedDelivery(messageAddedParams({ ...chat, author: chat.identity, index })),
    });
}

async function handoff(
  mock: TwilioMock,
): Promise<{ requests: number; roundTrips: number; ms: number }> {
  const runs = 10;
  const times: number[] = [];
  let requests = 0;
  for (let i = 0; i < runs; i++) {
    mock.reset();
    const deliver = await webhookChat(mock);
    const before = mock.requests().length;
    mock.latencyMs = LATENCY_MS;
    times.push(
      await time(async () => {
        const res = await deliver();
        if ((res.body as { outcome?: string }).outcome !== 'handed_off') {
          throw new Error(`no hand-off: ${res.text}`);
        }
      }),
    );
    requests += mock.requests().length - before;
  }
  const ms = median(times);
  return { requests: requests / runs, roundTrips: ms / LATENCY_MS, ms };
}

async function concurrentDeliveries(
  mock: TwilioMock,
  duplicates: number,
  distinct: number,
): Promise<{ interactions: number; handedOff: number }> {
  mock.reset();
  const deliver = await webhookChat(mock);
  mock.latencyMs = 10;
  const results = await Promise.all([
    ...Array.from({ length: duplicates }, () => deliver(0)),
    ...Array.from({ length: distinct }, (_, i) => deliver(i + 1)),
  ]);
  const handedOff = results.filter(
    (r) => (r.body as { outcome?: string }).outcome === 'handed_off',
  ).length;
  return { interactions: interactions(mock).length, handedOff };
}

function coldStart(modulePath: string, runs = 9): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(modulePath)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    times.push(
      Number(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' })),
    );
  }
  return median(times);
}

async function main(): Promise<void> {
  await buildAll();
  const mock = await TwilioMock.start({ validate: false });
  try {
    print(
      `\nPOST /start-chat per HANDOFF_MODE, local mock, ${LATENCY_MS} ms per Twilio request (median of 10)\n`,
    );
    print(
      '| mode | requests | round trips | wall time | with a question: requests | round trips | wall time |',
    );
    print('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const mode of MODES) {
      const plain = await startChatFigures(mock, mode, {
        friendlyName: 'Ana',
        preEngagement: { email: 'a@b.c' },
      });
      const asked = await startChatFigures(mock, mode, {
        friendlyName: 'Ana',
        question: 'Where is my order?',
      });
      print(
        `| \`${mode.mode}\` | ${plain.requests} | ${plain.roundTrips} | ${fmt(plain.ms, 0)} ms | ` +
          `${asked.requests} | ${asked.roundTrips} | ${fmt(asked.ms, 0)} ms |`,
      );
    }

    print(
      `\nPOST /interaction (webhook mode): the delivery that hands off, ${LATENCY_MS} ms per Twilio request (median of 10)\n`,
    );
    const h = await handoff(mock);
    print('| Twilio requests | sequential round trips | wall time |');
    print('| ---: | ---: | ---: |');
    print(`| ${h.requests} | ${fmt(h.roundTrips, 2)} | ${fmt(h.ms, 0)} ms |`);

    print('\nConcurrent deliveries for one conversation (10 ms per Twilio request)\n');
    print('| deliveries at once | Interactions created | deliveries that handed off |');
    print('| --- | ---: | ---: |');
    for (const [duplicates, distinct] of [
      [20, 5],
      [50, 0],
      [100, 10],
    ] as const) {
      const c = await concurrentDeliveries(mock, duplicates, distinct);
      const label = `${duplicates} identical + ${distinct} other customer messages`;
      print(`| ${label} | ${c.interactions} | ${c.handedOff} |`);
      if (c.interactions !== 1)
        throw new Error(`expected exactly 1 Interaction, got ${c.interactions}`);
    }

    const o = await overhead(mock);
    print(
      '\nHandler time with a zero-latency local mock (median, includes loopback HTTP to the mock)\n',
    );
    print('| function | median |');
    print('| --- | ---: |');
    print(`| start-chat, studio mode (2 Twilio requests) | ${fmt(o.start, 2)} ms |`);
    print(`| refresh-token (no Twilio request) | ${fmt(o.refresh, 2)} ms |`);
  } finally {
    await mock.stop();
  }

  print('\nCold start: require() of each built function in a fresh Node process (median of 9)\n');
  const baseline = coldStart('twilio');
  print('| module | load time | vs twilio alone |');
  print('| --- | ---: | ---: |');
  print(`| twilio (whole library, for scale) | ${fmt(baseline)} ms | |`);
  const functions = readdirSync(join(ROOT, 'dist', 'functions')).filter((f) => f.endsWith('.js'));
  for (const file of functions.sort()) {
    const ms = coldStart(join(ROOT, 'dist', 'functions', file));
    const diff = ms - baseline;
    print(`| dist/functions/${file} | ${fmt(ms)} ms | ${diff >= 0 ? '+' : ''}${fmt(diff)} ms |`);
  }
  print(`\nNode ${process.version}, ${process.platform}/${process.arch}`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
