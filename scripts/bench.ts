/**
 * npm run bench: measures what docs/performance.md (and the README) claim.
 *
 *   start-chat   for every HANDOFF_MODE side by side: Twilio requests per
 *                chat, sequential round trips on the critical path (counted
 *                from the mock's request timestamps), and wall time
 *   overhead     handler time with a zero-latency local mock (median)
 *   cold start   time to require() each built function in a fresh Node
 *                process (median), next to require('twilio') alone
 *   the page     bytes shipped (first load vs. the on-demand SDK bundle), and
 *                time until the launcher is interactive in headless Chromium
 *
 * Everything runs locally against the test mock; nothing leaves 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { join, resolve } from 'node:path';
import { handler as interaction } from '../functions/interaction.protected';
import { handler as refreshToken } from '../functions/refresh-token';
import { handler as startChat } from '../functions/start-chat';
import { invoke } from '../dev/invoke';
import { browserAvailable, launchBrowser } from '../dev/browser';
import { TEST_ENV } from '../dev/twilio-fake/env';
import { startLocalRuntime } from '../dev/local-runtime';
import { interactions } from '../dev/twilio-fake/apis';
import {
  ADDRESS_ENV,
  FLEX_FLOW_ENV,
  seedChatAddress,
  seedFlexFlow,
} from '../dev/twilio-fake/modes';
import { TwilioMock } from '../dev/twilio-fake/twilio-mock';
import { WEBHOOK_ENV, messageAddedParams, signedDelivery } from '../dev/twilio-fake/webhooks';
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
  await pageWeight();
  await launcherTiming();
  print(`\nNode ${process.version}, ${process.platform}/${process.arch}`);
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const sizes = (bytes: Buffer) => ({
  raw: bytes.length,
  gzip: gzipSync(bytes, { level: 9 }).length,
});

async function pageWeight(): Promise<void> {
  const assets = join(ROOT, 'dist', 'assets');
  const widget = sizes(readFileSync(join(assets, 'webchat.js')));
  const sdk = sizes(readFileSync(join(assets, 'webchat-sdk.js')));
  const css = sizes(readFileSync(join(ROOT, 'client', 'styles', 'widget.css')));
  // For scale: the Conversations SDK alone, minified the same way.
  const alone = await build({
    stdin: { contents: "export * from '@twilio/conversations';", resolveDir: ROOT },
    bundle: true,
    minify: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    logLevel: 'silent',
  });
  const sdkAlone = sizes(Buffer.from(alone.outputFiles[0]?.contents ?? new Uint8Array()));
  print('\nWhat a visitor downloads (dist/assets)\n');
  print('| file | when | raw | gzip |');
  print('| --- | --- | ---: | ---: |');
  print(
    `| webchat.js (widget, CSS included) | first load | ${kb(widget.raw)} | ${kb(widget.gzip)} |`,
  );
  print(`| …of which the widget CSS | first load | ${kb(css.raw)} | ${kb(css.gzip)} |`);
  print(
    `| webchat-sdk.js (Conversations SDK + adapter) | idle, or chat start | ${kb(sdk.raw)} | ${kb(sdk.gzip)} |`,
  );
  print(
    `| @twilio/conversations alone, minified (for scale) | | ${kb(sdkAlone.raw)} | ${kb(sdkAlone.gzip)} |`,
  );
}

async function launcherTiming(runs = 21): Promise<void> {
  if (!browserAvailable) {
    print('\nLauncher timing skipped: no Chromium (apt-get install chromium).');
    return;
  }
  const mock = await TwilioMock.start({ validate: false });
  const [runtime, browser] = await Promise.all([
    startLocalRuntime(TEST_ENV, { mockUrl: mock.baseUrl }),
    launchBrowser(),
  ]);
  try {
    const total: number[] = [];
    const own: number[] = [];
    const html: number[] = [];
    const scriptFetch: number[] = [];
    for (let i = 0; i < runs + 2; i++) {
      // A new context each time: empty cache and a fresh renderer, like a first visit.
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${runtime.url}/`);
      await page.locator('.fw-launcher').waitFor();
      const t = await page.evaluate(() => {
        const ready = performance.getEntriesByName('flex-webchat:ready')[0]?.startTime ?? NaN;
        const script = performance
          .getEntriesByType('resource')
          .find((e) => e.name.endsWith('/webchat.js')) as PerformanceResourceTiming | undefined;
        const [nav] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
        return {
          ready,
          own: ready - (script?.responseEnd ?? NaN),
          html: nav?.responseEnd ?? NaN,
          script: (script?.responseEnd ?? NaN) - (script?.startTime ?? NaN),
        };
      });
      if (i >= 2) {
        // the first loads warm the server and the browser
        total.push(t.ready);
        own.push(t.own);
        html.push(t.html);
        scriptFetch.push(t.script);
      }
      // Let this visit's background work (idle SDK fetch, the demo's /status)
      // finish, so the next first visit starts on a quiet machine.
      await page.waitForLoadState('networkidle');
      await new Promise((r) => setTimeout(r, 300));
      await context.close();
    }
    const row = (label: string, v: number[]) =>
      `| ${label} | ${fmt(median(v))} ms | ${fmt(Math.min(...v))} ms | ${fmt(Math.max(...v))} ms |`;
    print(`\nLauncher interactive on localhost, headless Chromium, first visits (${runs} runs)\n`);
    print('| measure | median | min | max |');
    print('| --- | ---: | ---: | ---: |');
    print(row('navigation start -> launcher ready', total));
    print(row("webchat.js received -> launcher ready (the widget's own time)", own));
    print(row('…navigation start -> index.html received (twilio-run)', html));
    print(row('…webchat.js requested -> received (twilio-run)', scriptFetch));
  } finally {
    await browser.close();
    await runtime.stop();
    await mock.stop();
  }
}

main().then(
  // Exit at once: esbuild's service and Playwright's driver can hold handles open.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
