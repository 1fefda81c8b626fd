/**
 * npm run bench: measures what the README claims.
 *
 *   start-chat   Twilio requests per chat, and sequential round trips on the
 *                critical path (wall time / fixed latency per Twilio request)
 *   overhead     handler time with a zero-latency local mock (median)
 *   cold start   time to require() each built function in a fresh Node
 *                process (median), next to require('twilio') alone
 *
 * Everything runs locally against the test mock; nothing leaves 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { handler as refreshToken } from '../functions/refresh-token';
import { handler as startChat } from '../functions/start-chat';
import { invoke } from '../tests/support/invoke';
import { TwilioMock } from '../tests/support/twilio-mock';
import { buildAll } from './build';

const ROOT = resolve(__dirname, '..');
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

async function roundTrips(
  mock: TwilioMock,
  label: string,
  body: object,
): Promise<{ label: string; requests: number; roundTrips: number; ms: number }> {
  const runs = 10;
  mock.reset();
  mock.latencyMs = LATENCY_MS;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    times.push(
      await time(async () => {
        const res = await invoke(startChat, { mock, body });
        if (res.status !== 200) throw new Error(`start-chat answered ${res.status}: ${res.text}`);
      }),
    );
  }
  const ms = median(times);
  return {
    label,
    requests: mock.requests().length / runs,
    roundTrips: ms / LATENCY_MS,
    ms,
  };
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
    console.log(
      `\nPOST /start-chat against a local mock, ${LATENCY_MS} ms per Twilio request (median of 10)\n`,
    );
    const rows = [
      await roundTrips(mock, 'no question', {
        friendlyName: 'Ana',
        preEngagement: { email: 'a@b.c' },
      }),
      await roundTrips(mock, 'with a question', {
        friendlyName: 'Ana',
        question: 'Where is my order?',
      }),
    ];
    console.log('| case | Twilio requests | sequential round trips | wall time |');
    console.log('| --- | ---: | ---: | ---: |');
    for (const r of rows) {
      console.log(`| ${r.label} | ${r.requests} | ${fmt(r.roundTrips, 2)} | ${fmt(r.ms, 0)} ms |`);
    }

    const o = await overhead(mock);
    console.log(
      '\nHandler time with a zero-latency local mock (median, includes loopback HTTP to the mock)\n',
    );
    console.log('| function | median |');
    console.log('| --- | ---: |');
    console.log(`| start-chat (2 Twilio requests) | ${fmt(o.start, 2)} ms |`);
    console.log(`| refresh-token (no Twilio request) | ${fmt(o.refresh, 2)} ms |`);
  } finally {
    await mock.stop();
  }

  console.log(
    '\nCold start: require() of each built function in a fresh Node process (median of 9)\n',
  );
  const baseline = coldStart('twilio');
  console.log('| module | load time | vs twilio alone |');
  console.log('| --- | ---: | ---: |');
  console.log(`| twilio (whole library, for scale) | ${fmt(baseline)} ms | |`);
  const functions = readdirSync(join(ROOT, 'dist', 'functions')).filter((f) => f.endsWith('.js'));
  for (const file of functions.sort()) {
    const ms = coldStart(join(ROOT, 'dist', 'functions', file));
    const diff = ms - baseline;
    console.log(
      `| dist/functions/${file} | ${fmt(ms)} ms | ${diff >= 0 ? '+' : ''}${fmt(diff)} ms |`,
    );
  }
  console.log(`\nNode ${process.version}, ${process.platform}/${process.arch}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
