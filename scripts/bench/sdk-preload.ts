/**
 * When the Conversations SDK (webchat-sdk.js) arrives, for each `preloadSdk`
 * setting, in headless Chromium against the real local runtime: the bytes of
 * JavaScript a visitor who never chats downloads, and how long a visitor who
 * does waits after "Start chat" for the SDK and for /start-chat's answer
 * (the later of the two is when the widget can connect; connecting itself
 * needs Twilio, which is not reachable from here).
 *
 * The visitor is quick: pointer onto the launcher, 300 ms to click it, and
 * "Start chat" at once (a form without fields), so `intent` gets the least
 * head start a real customer would give it; and, for the first open, one who
 * clicks at once: the time from the click to the form on screen is then
 * webchat-ui.js's fetch and run, which is why it is a bundle of its own and
 * not part of webchat-sdk.js (the "click -> SDK ready" column is what the
 * form would wait for if they were one). On localhost the SDK's 140 KB
 * (gzip) arrive in tens of milliseconds; on a phone's connection they take
 * far longer, which is what `start` makes the customer wait for and `idle`
 * makes every visitor pay.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { browserAvailable, startBrowserStack } from '../../dev/browser';
import { freePort, ROOT } from '../../dev/local-runtime';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { fmt, median } from './measure';
import { print, table } from './table';

const MODES = ['intent', 'idle', 'start'] as const;
type Preload = (typeof MODES)[number];

/** A third-party page with the widget, configured by query string. */
async function startSite(widgetBase: () => string): Promise<{ server: Server; url: string }> {
  const port = await freePort();
  const server = createServer((req, res) => {
    const preload = new URL(req.url ?? '/', 'http://x').searchParams.get('preload') ?? 'intent';
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(
      `<!doctype html><html lang="en"><head><title>Shop</title></head><body><h1>Shop</h1>
      <script src="${widgetBase()}/webchat.js" data-fields="" data-preload-sdk="${preload}"></script>
      </body></html>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${port}` };
}

/** The widget's scripts a visitor who does nothing downloads, in KB gzip (as dist/assets compresses). */
async function idleVisitorKb(browser: Browser, url: string): Promise<number> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const scripts = new Set<string>();
  page.on('request', (r) => {
    const name = new URL(r.url()).pathname.slice(1);
    if (name.startsWith('webchat')) scripts.add(name);
  });
  await page.goto(url);
  await page.waitForLoadState('networkidle');
  // Past the 5 s by which `idle` fetches the SDK at the latest (client/lib/shell.ts).
  await page.waitForTimeout(5500);
  await page.waitForLoadState('networkidle');
  await context.close();
  const gzip = (name: string) => gzipSync(readFileSync(join(ROOT, 'dist', 'assets', name))).length;
  return [...scripts].reduce((sum, name) => sum + gzip(name), 0) / 1024;
}

interface Wait {
  /** "Open chat" clicked -> the form on screen (webchat-ui.js loaded and run). */
  form: number;
  /** "Open chat" clicked -> the SDK has run: what the form would wait for in one bundle with it. */
  sdkAfterOpen: number;
  sdk: number;
  ready: number;
}

/**
 * Run in the page before its scripts: the time of the first click (the
 * launcher's, retargeted to the widget's host) and of the first frame with
 * the form in a visible panel. A string, not a function: tsx's transform
 * would put helpers into a function's source that the page does not have.
 */
const WATCH_FORM = `(() => {
  const marks = { click: NaN, form: NaN };
  window.benchMarks = marks;
  const formShown = () => {
    const root = document.querySelector('[data-flex-webchat]')?.shadowRoot;
    if (root?.querySelector('.fw-panel:not([hidden]) .fw-form')) marks.form = performance.now();
    else requestAnimationFrame(formShown);
  };
  document.addEventListener('click', () => {
    if (!Number.isNaN(marks.click)) return;
    marks.click = performance.now();
    formShown();
  }, true);
})();`;

/**
 * After "Start chat": ms until the SDK has run, and until SDK and /start-chat
 * are both there; and from the launcher's click to the form. The visitor
 * points at the launcher `leadMs` before clicking it (0: a click with no
 * pointer over it first, as a tap or a script would).
 */
async function quickCustomer(browser: Browser, url: string, leadMs = 300): Promise<Wait> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript({ content: WATCH_FORM });
  await page.goto(url);
  const launcher = page.getByRole('button', { name: 'Open chat' });
  if (leadMs) {
    await launcher.hover();
    await page.waitForTimeout(leadMs);
    await launcher.click();
  } else {
    // No pointer over it first: the click itself is the first sign of intent.
    await launcher.dispatchEvent('click');
  }
  await page.getByRole('button', { name: 'Start chat' }).waitFor();
  const clickedAt = await page.evaluate(() => performance.now());
  await page.getByRole('button', { name: 'Start chat' }).click();
  await page.waitForFunction(() => {
    const sdk = performance.getEntriesByName('flex-webchat:sdk-ready').length > 0;
    const started = performance
      .getEntriesByType('resource')
      .some((e) => e.name.endsWith('/start-chat'));
    return sdk && started;
  });
  const wait = await page.evaluate((after) => {
    const marks = (window as unknown as { benchMarks: { click: number; form: number } }).benchMarks;
    const sdk = performance.getEntriesByName('flex-webchat:sdk-ready')[0]?.startTime ?? NaN;
    const start = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).find(
      (e) => e.name.endsWith('/start-chat') && e.startTime > after,
    );
    const started = start?.responseEnd ?? NaN;
    return {
      form: marks.form - marks.click,
      sdkAfterOpen: Math.max(0, sdk - marks.click),
      sdk: Math.max(0, sdk - after),
      ready: Math.max(sdk, started) - after,
    };
  }, clickedAt);
  await context.close();
  return wait;
}

/** The medians of several quick customers' waits, after one warm-up. */
async function medians(browser: Browser, url: string, runs: number, leadMs?: number) {
  await quickCustomer(browser, url, leadMs); // warm-up
  const waits: Wait[] = [];
  for (let i = 0; i < runs; i++) waits.push(await quickCustomer(browser, url, leadMs));
  const ms = (pick: (w: Wait) => number) => `${fmt(median(waits.map(pick)), 0)} ms`;
  return {
    form: ms((w) => w.form),
    sdkAfterOpen: ms((w) => w.sdkAfterOpen),
    sdk: ms((w) => w.sdk),
    ready: ms((w) => w.ready),
  };
}

export async function sdkPreload(runs = 9): Promise<void> {
  if (!browserAvailable) {
    print('\nSDK preloading skipped: no Chromium.');
    return;
  }
  let widgetBase = '';
  const site = await startSite(() => widgetBase);
  const env = { ...TEST_ENV, ALLOWED_ORIGINS: site.url };
  const stack = await startBrowserStack(env, { validate: false });
  const { runtime, browser } = stack;
  widgetBase = runtime.url;
  try {
    const row = table(
      `The Conversations SDK by preloadSdk, headless Chromium, a quick customer (${runs} runs, medians)`,
      ['preloadSdk'],
      [
        'JS for a visitor who never chats',
        '"Open chat" click -> form visible',
        '"Open chat" click -> SDK ready',
        '"Start chat" -> SDK ready',
        '"Start chat" -> SDK and /start-chat',
      ],
    );
    for (const preload of MODES satisfies readonly Preload[]) {
      const url = `${site.url}/?preload=${preload}`;
      const m = await medians(browser, url, runs);
      const kb = await idleVisitorKb(browser, url);
      row(preload, `${fmt(kb)} KB gzip`, m.form, m.sdkAfterOpen, m.sdk, m.ready);
    }
    // No head start: the click is the first sign of intent, so the form waits
    // for webchat-ui.js (and would wait for the SDK too if they were one bundle).
    const m = await medians(browser, `${site.url}/?preload=intent`, runs, 0);
    row('intent, clicked at once', '', m.form, m.sdkAfterOpen, m.sdk, m.ready);
  } finally {
    site.server.close();
    await stack.stop();
  }
}
