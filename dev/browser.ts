/**
 * Browser tests: Debian's Chromium (no browser download) driven by
 * playwright-core, with the flags that keep it off the network, against the
 * real local runtime serving dist/. The Conversations SDK is replaced by the
 * fake in dev/browser-page/ at the widget's own seam.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
} from 'playwright-core';
import { ROOT, startLocalRuntime, type LocalRuntime } from './local-runtime';
import { TwilioMock } from './twilio-fake/twilio-mock';

// A page under test may legitimately take seconds (retries, a real SDK failing).
// (Also loaded by scripts/screenshots.ts and the bench, outside Jest.)
if (typeof jest !== 'undefined') jest.setTimeout(60_000);

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const browserAvailable = existsSync(CHROMIUM);

if (!browserAvailable) {
  process.stderr.write(
    `\n  ⚠  Chromium not found at ${CHROMIUM}: browser tests are SKIPPED ` +
      '(apt-get install chromium, or set CHROMIUM_PATH).\n\n',
  );
}

/**
 * `describe` when Chromium is here; when not, `describe.skip` with the warning
 * above on a developer's machine, and a failure in CI (where skipped browser
 * tests would pass silently).
 */
export function describeInBrowser(name: string, tests: () => void): void {
  if (browserAvailable) return describe(name, tests);
  if (process.env.CI) {
    return describe(name, () => {
      it('needs Chromium', () => {
        throw new Error(`Chromium not found at ${CHROMIUM}; CI must install it.`);
      });
    });
  }
  describe.skip(name, tests);
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // No lookups but our own: the page must not reach (or even resolve) anything else.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export interface BrowserStack {
  mock: TwilioMock;
  runtime: LocalRuntime;
  browser: Browser;
  stop(): Promise<void>;
}

/**
 * What every browser test needs: the Twilio mock, the real local runtime
 * against it, and Chromium. If one fails to start, the others are stopped
 * (an orphaned twilio-run would hold its port and the CI job open).
 */
export async function startBrowserStack(
  env: Record<string, string | undefined>,
  /** `validate: false` for the bench, which times pages, not the spec (default: validate). */
  mockOptions: { validate?: boolean } = {},
): Promise<BrowserStack> {
  const mock = await TwilioMock.start(mockOptions);
  const [runtime, browser] = await Promise.allSettled([
    startLocalRuntime(env, { mockUrl: mock.baseUrl }),
    browserAvailable ? launchBrowser() : Promise.reject(new Error('no Chromium')),
  ]);
  const stop = async () => {
    if (browser.status === 'fulfilled') await browser.value.close();
    if (runtime.status === 'fulfilled') await runtime.value.stop();
    await mock.stop();
  };
  if (runtime.status === 'rejected' || browser.status === 'rejected') {
    await stop();
    throw runtime.status === 'rejected'
      ? runtime.reason
      : (browser as PromiseRejectedResult).reason;
  }
  return { mock, runtime: runtime.value, browser: browser.value, stop };
}

/**
 * One stack for a whole test file: started before its tests, stopped after,
 * and every test checked for requests that break Twilio's API spec.
 *
 * @example
 * const suite = useBrowserStack(TEST_ENV);
 * it('…', async () => { const { page } = await newPage(suite.browser); });
 */
export function useBrowserStack(env: Record<string, string | undefined>): BrowserStack {
  let stack: BrowserStack | undefined;
  const started = (): BrowserStack => {
    if (!stack) throw new Error('the browser stack is not running');
    return stack;
  };
  beforeAll(async () => {
    stack = await startBrowserStack(env);
  }, 60_000);
  afterAll(() => stack?.stop());
  afterEach(() => expect(started().mock.violations).toEqual([]));
  return {
    get mock() {
      return started().mock;
    },
    get runtime() {
      return started().runtime;
    },
    get browser() {
      return started().browser;
    },
    stop: () => started().stop(),
  };
}

/** Open the demo page's chat and start one as `name`, up to the message box. */
export async function startDemoChat(page: Page, baseUrl: string, name = 'Ana'): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByRole('button', { name: 'Open chat' }).click();
  await page.getByRole('dialog', { name: 'Chat with us' }).waitFor();
  await page.getByLabel('Name').fill(name);
  await page.getByRole('button', { name: 'Start chat' }).click();
  await page.getByRole('textbox', { name: 'Message' }).waitFor();
}

let fakeScript: Promise<string> | undefined;

/** The fake chat client, bundled into one script to inject before the page's own. */
export function fakeChatScript(): Promise<string> {
  fakeScript ??= build({
    entryPoints: [join(ROOT, 'dev', 'browser-page', 'fake-chat-client.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2020',
    logLevel: 'warning',
  }).then((result) => result.outputFiles[0]?.text ?? '');
  return fakeScript;
}

export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 800 };

export interface PageOptions {
  viewport?: { width: number; height: number };
  /** Inject the fake chat client (default true). */
  fake?: boolean;
  locale?: string;
  /** The browser's time zone (IANA), e.g. to read opening hours as a customer elsewhere. */
  timezoneId?: string;
  /** Let tests inject scripts (axe-core) into pages with a strict CSP. */
  bypassCSP?: boolean;
}

/** A fresh context (own storage) and page, with CSP violations and page errors recorded. */
export async function newPage(
  browser: Browser,
  options: PageOptions = {},
): Promise<{
  context: BrowserContext;
  page: Page;
  problems: string[];
}> {
  const context = await browser.newContext({
    viewport: options.viewport ?? DESKTOP,
    locale: options.locale ?? 'en-US',
    ...(options.timezoneId && { timezoneId: options.timezoneId }),
    bypassCSP: options.bypassCSP ?? false,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    problems.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? '?'})`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') {
      const where = message.location().url;
      problems.push(`console error: ${message.text()}${where ? ` (${where})` : ''}`);
    }
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  if (options.fake !== false) await page.addInitScript({ content: await fakeChatScript() });
  return { context, page, problems };
}

/** The widget's shadow root, pierced by Playwright's CSS engine. */
export const widget = {
  launcher: '[data-flex-webchat] >> .fw-launcher',
  panel: '[data-flex-webchat] >> .fw-panel',
};

/**
 * Retries an assertion until it passes (or `timeoutMs` runs out, and its last
 * failure is thrown): the page updates asynchronously.
 */
export async function eventually(assertion: () => unknown, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Runs `fn(window.fakeChat)` in the page (the fake's controls for the agent's side). */
export function fake<T>(page: Page, fn: (chat: Window['fakeChat']) => T): Promise<T> {
  return page.evaluate<T>(`(${fn.toString()})(window.fakeChat)`);
}

/**
 * Stops the page's timers, so nothing scheduled (a retry) runs until
 * `page.clock.resume()`: what happens next was done by the test's click.
 * Needs `page.clock.install()` before the page loaded.
 */
export async function pauseTimers(page: Page): Promise<void> {
  // The page's clock runs on between reading it and pausing: on a loaded
  // machine by more than the 1 ms ahead asked for, and Playwright refuses a
  // pause in the past. Read it again and retry; a wider margin would let
  // timers due within it run.
  for (let attempt = 1; ; attempt++) {
    try {
      await page.clock.pauseAt(await page.evaluate(() => Date.now() + 1));
      return;
    } catch (error) {
      const past = error instanceof Error && /fast-forward to the past/.test(error.message);
      if (!past || attempt === 5) throw error;
    }
  }
}

/** Whether this element has focus, inside the widget's shadow root. */
export function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement);
}

type AxeResult = { violations: { id: string; impact: string; nodes: { target: unknown }[] }[] };

/** axe-core's WCAG 2 A/AA violations on the page (inject it; needs `bypassCSP`). */
export async function axe(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) {
    await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  }
  const result = await page.evaluate<AxeResult>(`axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
  })`);
  return result.violations.map(
    (v) => `${v.id} (${v.impact}): ${JSON.stringify(v.nodes.map((n) => n.target))}`,
  );
}
