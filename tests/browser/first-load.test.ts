/**
 * What a page view costs, and what intent brings (issue 12: "every page view
 * pays only for the launcher, at most 20 KB gzip"). A visitor who never
 * touches the widget downloads webchat.js and nothing else; the bytes are
 * counted from the response bodies, gzipped as a server would (level 9), not
 * timed. Pointer, focus or an open from the site's code loads webchat-ui.js
 * (the panel, the form, the chat) and the form appears; calls made before it
 * are replayed; when it cannot be loaded the panel says so and the next open
 * tries again; a chat in progress loads it at once.
 */
import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { Page, Response } from 'playwright-core';
import { freePort } from '../../dev/local-runtime';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import {
  axe,
  describeInBrowser,
  eventually,
  isFocused,
  newPage,
  startBrowserStack,
  startDemoChat,
  type BrowserStack,
  PHONE,
} from '../../dev/browser';

/** The budget for the JavaScript a page view fetches with no interaction. */
const FIRST_LOAD_BUDGET = 20 * 1024;

let site: { server: Server; url: string } | undefined;
let stack: BrowserStack | undefined;
/** The stack, started once the site's origin (to allow) is known. */
const suite = {
  get browser() {
    return stack!.browser;
  },
  get runtime() {
    return stack!.runtime;
  },
  get mock() {
    return stack!.mock;
  },
};

/** A plain page on its own origin with nothing but the widget's script tag. */
async function startSite(base: () => string): Promise<{ server: Server; url: string }> {
  const port = await freePort();
  const server = createServer((req, res) => {
    if (req.url !== '/') return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
      .end(`<!doctype html><html lang="en"><head><title>Plain shop</title>
        <link rel="icon" href="data:,"></head>
        <body><h1>Plain shop</h1><a href="#top">Top</a>
        <script src="${base()}/webchat.js" async></script></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${port}` };
}

beforeAll(async () => {
  site = await startSite(() => suite.runtime.url);
  stack = await startBrowserStack({ ...TEST_ENV, ALLOWED_ORIGINS: site.url });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  site?.server.close();
});
afterEach(() => expect(stack?.mock.violations).toEqual([]));

/** Every response of the page, from now on. */
function record(page: Page): Response[] {
  const responses: Response[] = [];
  page.on('response', (r) => r.url().startsWith('http') && responses.push(r));
  return responses;
}

const path = (r: Response) => new URL(r.url()).pathname;
const scripts = (responses: Response[]) =>
  responses.filter((r) => r.request().resourceType() === 'script');

/** The gzip size of the bodies, as a server compressing them would send them. */
async function gzipBytes(responses: Response[]): Promise<number> {
  let total = 0;
  for (const r of responses) total += gzipSync(await r.body(), { level: 9 }).length;
  return total;
}

/** Until the network is idle and the browser has had an idle moment (when `idle` preloads). */
async function settle(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Open chat' }).waitFor();
  await page.waitForLoadState('networkidle');
  await page.evaluate(() => new Promise((done) => requestIdleCallback(done, { timeout: 2000 })));
  await page.waitForLoadState('networkidle');
}

describeInBrowser('a page view with no interaction', () => {
  it(`fetches only webchat.js, at most ${FIRST_LOAD_BUDGET / 1024} KB gzip`, async () => {
    const { page, context, problems } = await newPage(suite.browser, { fake: false });
    const responses = record(page);
    await page.goto(`${site!.url}/`);
    await settle(page);
    const js = scripts(responses);
    expect(js.map(path)).toEqual(['/webchat.js']);
    const bytes = await gzipBytes(js);
    expect(bytes).toBeGreaterThan(1024); // it is the widget, not an error page
    expect(bytes).toBeLessThanOrEqual(FIRST_LOAD_BUDGET);
    // Nothing else from the service either: no /availability, no /challenge.
    expect(responses.map(path)).toEqual(['/', '/webchat.js']);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('on the demo page (strict CSP), of the widget only webchat.js', async () => {
    const { page, context, problems } = await newPage(suite.browser, { fake: false });
    const responses = record(page);
    await page.goto(`${suite.runtime.url}/`);
    await settle(page);
    const widget = scripts(responses).filter((r) => path(r).startsWith('/webchat'));
    expect(widget.map(path)).toEqual(['/webchat.js']);
    expect(await gzipBytes(widget)).toBeLessThanOrEqual(FIRST_LOAD_BUDGET);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describeInBrowser('intent loads the rest', () => {
  it('pointer over the launcher: webchat-ui.js and the SDK; a click shows the form', async () => {
    const { page, context, problems } = await newPage(suite.browser, { fake: false });
    const responses = record(page);
    await page.goto(`${site!.url}/`);
    await settle(page);
    await page.getByRole('button', { name: 'Open chat' }).hover();
    await eventually(() => {
      expect(responses.map(path)).toContain('/webchat-ui.js');
      expect(responses.map(path)).toContain('/webchat-sdk.js');
    });
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByRole('dialog', { name: 'Chat with us' }).waitFor();
    expect(await page.getByLabel('Name').isVisible()).toBe(true);
    expect(await isFocused(page.getByLabel('Name'))).toBe(true);
    expect(responses.map(path).filter((p) => p === '/webchat-ui.js')).toHaveLength(1);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('the keyboard reaching the launcher loads webchat-ui.js; Enter opens the form', async () => {
    const { page, context } = await newPage(suite.browser);
    const responses = record(page);
    await page.goto(`${site!.url}/`);
    await settle(page);
    expect(responses.map(path)).not.toContain('/webchat-ui.js');
    await page.keyboard.press('Tab'); // the page's own link
    await page.keyboard.press('Tab'); // the launcher
    await eventually(() => expect(responses.map(path)).toContain('/webchat-ui.js'));
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Start chat' }).waitFor();
    await context.close();
  });

  it('calls made before webchat-ui.js are replayed: on, setContext, open({ prefill })', async () => {
    const { page, context, problems } = await newPage(suite.browser);
    const responses = record(page);
    await page.goto(`${suite.runtime.url}/`);
    await settle(page);
    expect(responses.map(path)).not.toContain('/webchat-ui.js');
    await page.evaluate(() => {
      const seen: string[] = [];
      Object.assign(window, { seen });
      window.FlexWebchat?.on('open', () => seen.push('open'));
      window.FlexWebchat?.on('chatStarted', () => seen.push('chatStarted'));
      window.FlexWebchat?.setContext({ plan: 'pro' });
      window.FlexWebchat?.open({ prefill: { friendlyName: 'Zoe' } });
    });
    await page.getByRole('dialog', { name: 'Chat with us' }).waitFor();
    expect(await page.getByLabel('Name').inputValue()).toBe('Zoe');
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    expect(await page.evaluate(() => (window as unknown as { seen: string[] }).seen)).toEqual([
      'open',
      'chatStarted',
    ]);
    const [created] = suite.mock.requests('conversations.create');
    const attributes = JSON.parse(created?.form.Attributes?.[0] ?? '{}') as { context?: object };
    expect(attributes.context).toEqual({ plan: 'pro' });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a chat in progress in this browser loads webchat-ui.js at once after a reload', async () => {
    const { page, context, problems } = await newPage(suite.browser);
    await startDemoChat(page, suite.runtime.url, 'Rita');
    await page.getByRole('button', { name: 'Minimize chat' }).first().click();
    const responses = record(page);
    await page.reload();
    await eventually(() => expect(responses.map(path)).toContain('/webchat-ui.js'));
    // No interaction: the chat is back behind the launcher, and opens as it was.
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });
});

describeInBrowser('when webchat-ui.js cannot be loaded', () => {
  for (const viewport of [undefined, PHONE]) {
    it(`the panel says chat is unavailable; the next open tries again (${viewport ? 'phone' : 'desktop'})`, async () => {
      const { page, context } = await newPage(suite.browser, viewport && { viewport });
      await page.route('**/webchat-ui.js', (route) => route.fulfill({ status: 503, body: '' }));
      await page.goto(`${site!.url}/`);
      const launcher = page.getByRole('button', { name: 'Open chat' });
      await launcher.click();
      const dialog = page.getByRole('dialog', { name: 'Chat with us' });
      await dialog.waitFor();
      expect(await page.getByRole('alert').textContent()).toBe('Chat is not available right now.');
      expect(await axe(page)).toEqual([]);
      await page.keyboard.press('Escape');
      expect(await dialog.count()).toBe(0);
      expect(await isFocused(launcher)).toBe(true);
      expect(await launcher.getAttribute('aria-expanded')).toBe('false');

      await page.unroute('**/webchat-ui.js');
      await launcher.click();
      await page.getByRole('button', { name: 'Start chat' }).waitFor();
      expect(await page.getByRole('alert').count()).toBe(0);
      expect(await page.getByRole('dialog').count()).toBe(1);
      await context.close();
    });
  }
});
