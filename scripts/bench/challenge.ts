/**
 * The challenge before every chat (src/guard/challenge.ts):
 *
 *   cost    what it adds to /start-chat per HANDOFF_MODE, in process against
 *           the local mock with LATENCY_MS per Twilio request: Twilio
 *           requests and sequential round trips with CHALLENGE=off and on
 *           (median of 5), and the handler time of POST /challenge
 *   solve   how long the customer's browser works, in headless Chromium
 *           (Debian's) on the demo page served by the real local runtime, at
 *           the default difficulty: a challenge from /challenge solved in a
 *           Web Worker exactly as the widget does (a blob: worker that
 *           importScripts webchat-solver.js), and on the page in slices, the
 *           fallback for sites whose CSP forbids blob: workers
 */
import type { Page } from 'playwright-core';
import { handler as challengeHandler } from '../../functions/challenge';
import { handler as startChat } from '../../functions/start-chat';
import { browserAvailable, startBrowserStack } from '../../dev/browser';
import type { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { withProof } from '../../dev/challenge';
import { invoke } from '../../dev/invoke';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { DEFAULT_CHALLENGE_MAX_NUMBER } from '../../src/guard/challenge';
import { fmt, LATENCY_MS, median, time } from './measure';
import { BENCH_MODES, type BenchMode } from './modes';
import { print, table } from './table';

type Mode = BenchMode;

async function startFigures(mock: TwilioMock, mode: Mode, challenge: 'on' | 'off') {
  const requests: number[] = [];
  const trips: number[] = [];
  for (let i = 0; i < 5; i++) {
    mock.reset();
    mode.seed(mock);
    const env = { ...mode.env, CHALLENGE: challenge };
    const body = { friendlyName: 'Ana', question: 'Where is my order?' };
    const proven = challenge === 'on' ? await withProof(body, { env }) : body;
    mock.latencyMs = LATENCY_MS;
    const res = await invoke(startChat, { mock, env, body: proven });
    if (res.status !== 200) throw new Error(`start-chat answered ${res.status}: ${res.text}`);
    requests.push(mock.requests().length);
    trips.push(mock.sequentialRoundTrips());
  }
  return `${median(requests)} / ${median(trips)}`;
}

export async function challengeCost(mock: TwilioMock): Promise<void> {
  const row = table(
    `POST /start-chat with a question, CHALLENGE off and on: Twilio requests / round trips, ${LATENCY_MS} ms per Twilio request (median of 5)`,
    ['mode', 'single use by'],
    ['CHALLENGE=off', 'CHALLENGE=on'],
  );
  for (const mode of BENCH_MODES) {
    const by = mode.mode === 'address' ? 'a claim in Sync' : 'unique name';
    row(
      `\`${mode.mode}\``,
      by,
      await startFigures(mock, mode, 'off'),
      await startFigures(mock, mode, 'on'),
    );
  }
  const times: number[] = [];
  for (let i = 0; i < 220; i++) {
    const ms = await time(() =>
      invoke(challengeHandler, { headers: { 'content-type': undefined } }),
    );
    if (i >= 20) times.push(ms);
  }
  print(
    `\nPOST /challenge handler time (no Twilio request): median ${fmt(median(times), 2)} ms of 200`,
  );
}

interface Solve {
  ms: number;
  counter: number;
}

/** One challenge from /challenge, solved in the page's way: a blob: worker, or slices on the page. */
function solveOnce(page: Page, where: 'worker' | 'page'): Promise<Solve> {
  return page.evaluate(async (where) => {
    const res = await fetch('/challenge', { method: 'POST' });
    const { challenge } = (await res.json()) as { challenge: { parameters: unknown } };
    const solver = new URL('/webchat-solver.js', location.href).href;
    const started = performance.now();
    let counter: number;
    if (where === 'worker') {
      const blob = new Blob([`importScripts(${JSON.stringify(solver)});`]);
      const worker = new Worker(URL.createObjectURL(blob));
      counter = await new Promise<number>((resolve) => {
        worker.onmessage = (e: MessageEvent<{ solution: { counter: number } }>) =>
          resolve(e.data.solution.counter);
        worker.postMessage(challenge.parameters);
      });
      worker.terminate();
    } else {
      type SolveFn = (p: unknown) => Promise<{ counter: number }>;
      const w = window as unknown as {
        FlexWebchat: { registerSolver: unknown };
        benchSolve?: SolveFn;
      };
      if (!w.benchSolve) {
        await new Promise<void>((loaded) => {
          w.FlexWebchat.registerSolver = (solve: SolveFn) => ((w.benchSolve = solve), loaded());
          document.head.append(Object.assign(document.createElement('script'), { src: solver }));
        });
      }
      counter = (await w.benchSolve!(challenge.parameters)).counter;
    }
    return { ms: performance.now() - started, counter };
  }, where);
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.ceil((p / 100) * values.length) - 1] ?? NaN;

async function solves(page: Page, where: 'worker' | 'page', runs: number): Promise<Solve[]> {
  await solveOnce(page, where); // warms the JIT and the cache, as a second visit would
  const out: Solve[] = [];
  for (let i = 0; i < runs; i++) out.push(await solveOnce(page, where));
  return out;
}

export async function challengeSolveTime(runs = 20): Promise<void> {
  if (!browserAvailable) {
    print('\nChallenge solve time skipped: no Chromium (apt-get install chromium).');
    return;
  }
  const env = { ...TEST_ENV, CHALLENGE_MAX_NUMBER: undefined }; // the default difficulty
  const stack = await startBrowserStack(env, { validate: false });
  const { runtime, browser } = stack;
  try {
    const page = await browser.newPage();
    await page.goto(`${runtime.url}/`);
    const row = table(
      `Solving the challenge in headless Chromium, default difficulty (CHALLENGE_MAX_NUMBER=${DEFAULT_CHALLENGE_MAX_NUMBER})`,
      ['where', 'runs'],
      ['median', 'p95', 'max', 'median hashes', 'per million hashes'],
    );
    for (const [where, label, n] of [
      ['worker', 'Web Worker (the widget)', runs],
      ['page', 'on the page, in slices (CSP without blob: workers)', Math.ceil(runs / 2)],
    ] as const) {
      const results = await solves(page, where, n);
      const ms = results.map((r) => r.ms);
      const hashes = Math.round(median(results.map((r) => r.counter + 1)));
      const all = results.reduce((sum, r) => sum + r.counter + 1, 0);
      const perMillion = (ms.reduce((a, b) => a + b, 0) / all) * 1e6;
      row(
        label,
        `${n}`,
        `${fmt(median(ms), 0)} ms`,
        `${fmt(percentile(ms, 95), 0)} ms`,
        `${fmt(Math.max(...ms), 0)} ms`,
        hashes.toLocaleString('en-US'),
        `${fmt(perMillion, 0)} ms`,
      );
    }
  } finally {
    await stack.stop();
  }
}
