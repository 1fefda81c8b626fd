/**
 * The widget as other websites and other people meet it: embedded with one
 * script tag on a third-party origin (styles isolated, CORS for real),
 * configured by data attributes or JS, used with the keyboard alone, scanned
 * by axe-core in every state, under a strict CSP, and fetching the real
 * Conversations SDK only when it is needed.
 */
import { createServer, type Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { freePort, type LocalRuntime } from '../../dev/local-runtime';
import type { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import {
  axe,
  DESKTOP,
  describeInBrowser,
  eventually,
  fake,
  newPage,
  pauseTimers,
  startBrowserStack,
  type BrowserStack,
  PHONE,
} from '../../dev/browser';
import { sealed } from '../support/seal';

let mock: TwilioMock;
let runtime: LocalRuntime;
let browser: Browser;
let site: { server: Server; url: string };
let otherSite: { server: Server; url: string };

/** A plain third-party website: its own origin, its own (hostile) CSS. */
async function startSite(widgetBase: () => string): Promise<{ server: Server; url: string }> {
  const port = await freePort();
  const pages: Record<string, (base: string) => string> = {
    '/': (base) => `<!doctype html><html lang="en"><head><title>Acme shop</title>
      <style>button{background:red!important;color:yellow!important;font-size:40px!important}
      *{font-family:"Comic Sans MS",cursive!important;line-height:3!important}</style></head>
      <body><h1>Acme shop</h1><p>Great products.</p>
      <script src="${base}/webchat.js" data-title="Acme help" data-color-primary="#5b21b6"
        data-fields="friendlyName:required,email,orderNumber" data-prefill-friendly-name="Ana Signed-In"
        data-preload-sdk="start" async></script></body></html>`,
    '/intent': (base) => `<!doctype html><html lang="en"><head><title>Acme blog</title></head>
      <body><h1>Acme blog</h1><a href="#top">Top</a>
      <script src="${base}/webchat.js" async></script></body></html>`,
    '/idle': (base) => `<!doctype html><html lang="en"><head><title>Acme news</title></head>
      <body><h1>Acme news</h1><script src="${base}/webchat.js" data-preload-sdk="idle" async></script>
      </body></html>`,
    '/manual': (base) => `<!doctype html><html lang="es"><head><title>Manual</title></head>
      <body><h1>Tienda</h1><script src="${base}/webchat.js" data-manual></script>
      <script src="/init.js"></script></body></html>`,
    '/init.js': () =>
      `FlexWebchat.init({ title: 'Ayuda', locale: 'es', fields: false, open: true });`,
  };
  const server = createServer((req, res) => {
    if (req.url === '/favicon.ico') return void res.writeHead(204).end();
    const page = pages[req.url ?? '/'];
    if (!page) return void res.writeHead(404).end();
    const type = req.url?.endsWith('.js') ? 'text/javascript' : 'text/html';
    res.writeHead(200, { 'Content-Type': `${type}; charset=utf-8` }).end(page(widgetBase()));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${port}` };
}

let stack: BrowserStack | undefined;

beforeAll(async () => {
  const base = () => runtime.url;
  [site, otherSite] = await Promise.all([startSite(base), startSite(base)]);
  stack = await startBrowserStack({ ...TEST_ENV, ALLOWED_ORIGINS: site.url });
  ({ mock, runtime, browser } = stack);
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  site?.server.close();
  otherSite?.server.close();
});

describeInBrowser('embedded on a third-party site', () => {
  it('keeps its own styles, takes its data attributes, and starts a chat across origins', async () => {
    const { page, context, problems } = await newPage(browser);
    await page.goto(`${site.url}/`);
    const launcher = page.getByRole('button', { name: 'Open chat' });
    await launcher.waitFor();
    const style = await launcher.evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(style).toBe('rgb(91, 33, 182)'); // data-color-primary, not the page's red
    await launcher.click();
    // The panel comes with webchat-ui.js, fetched as the pointer reached the launcher.
    await page.getByRole('heading', { name: 'Acme help' }).waitFor();
    const labels = await page.locator('.fw-field label').allTextContents();
    expect(labels).toEqual(['Name', 'Email (optional)', 'Order number (optional)']);
    expect(await page.getByLabel('Name').inputValue()).toBe('Ana Signed-In');
    const fontSize = await page
      .getByRole('button', { name: 'Start chat' })
      .evaluate((el) => getComputedStyle(el).fontSize);
    expect(fontSize).toBe('15px');

    await page.getByLabel('Order number').fill('1042');
    const answered = page.waitForResponse((r) => r.url().endsWith('/start-chat'));
    await page.getByRole('button', { name: 'Start chat' }).click();
    const response = await answered;
    expect(response.status()).toBe(200);
    expect(response.headers()['access-control-allow-origin']).toBe(site.url);
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    const [created] = mock.requests('conversations.create');
    expect(JSON.parse(created?.form.Attributes?.[0] ?? '')).toEqual({
      from: 'Ana Signed-In',
      channel_type: 'web',
      pre_engagement_data: { orderNumber: '1042' },
      page: { url: `${site.url}/`, title: 'Acme shop' },
      locale: 'en',
      webchat_seal: sealed(null),
    });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('starts nothing on a site that is not allowed', async () => {
    const { page, context } = await newPage(browser);
    await page.goto(`${otherSite.url}/`);
    await page.getByRole('button', { name: 'Open chat' }).click();
    const before = mock.requests().length;
    const blocked = page.waitForEvent('requestfailed', (r) => r.url().endsWith('/challenge'));
    await page.getByRole('button', { name: 'Start chat' }).click();
    // /challenge answers 403 with no CORS header (see the contract tests), so
    // the browser blocks the answer: to the customer, the service cannot be
    // reached, and /start-chat is never even asked.
    await blocked;
    await page.getByText('We could not reach the chat service.', { exact: false }).waitFor();
    expect(mock.requests().length).toBe(before);
    await context.close();
  });

  it('can be started from JavaScript instead (data-manual + FlexWebchat.init)', async () => {
    const { page, context } = await newPage(browser);
    await page.goto(`${site.url}/manual`);
    await page.getByRole('heading', { name: 'Ayuda' }).waitFor(); // open: true
    expect(await page.getByRole('button', { name: 'Iniciar chat' }).count()).toBe(1);
    expect(await page.locator('.fw-field').count()).toBe(0); // fields: false
    await context.close();
  });
});

/** How many chats the widget remembers in this tab. */
function storedChats(page: Page): Promise<number> {
  return page.evaluate(
    () => Object.keys(sessionStorage).filter((k) => k.startsWith('flex-webchat:')).length,
  );
}

describeInBrowser('the Conversations SDK is fetched only when needed', () => {
  /** A page with the default preloadSdk ('intent'), and the paths it has requested so far. */
  async function openIntentPage() {
    const { page, context } = await newPage(browser, { fake: false });
    const requested: string[] = [];
    page.on('request', (r) => requested.push(new URL(r.url()).pathname));
    await page.goto(`${site.url}/intent`);
    await page.getByRole('button', { name: 'Open chat' }).waitFor();
    await page.waitForLoadState('networkidle');
    // Past the idle moment the old default fetched it at.
    await page.evaluate(() => new Promise((done) => requestIdleCallback(done, { timeout: 2000 })));
    expect(requested).toContain('/webchat.js');
    expect(requested).not.toContain('/webchat-sdk.js');
    return { page, context, requested };
  }

  it('by default, not for a visitor who shows no intent; as soon as the pointer is over the launcher', async () => {
    const { page, context, requested } = await openIntentPage();
    await page.getByRole('button', { name: 'Open chat' }).hover();
    await eventually(() => expect(requested).toContain('/webchat-sdk.js'));
    expect(requested.filter((path) => path === '/webchat-sdk.js')).toHaveLength(1);
    await context.close();
  });

  it('by default, as soon as the keyboard reaches the launcher', async () => {
    const { page, context, requested } = await openIntentPage();
    await page.keyboard.press('Tab'); // the page's own link
    await page.keyboard.press('Tab'); // the launcher
    await eventually(() => expect(requested).toContain('/webchat-sdk.js'));
    await context.close();
  });

  it('with data-preload-sdk="start": not before the chat starts; then the real SDK reports its connection', async () => {
    const { page, context } = await newPage(browser, { fake: false });
    const requested: string[] = [];
    page.on('request', (r) => requested.push(new URL(r.url()).pathname));
    await page.goto(`${site.url}/`);
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.waitForTimeout(300);
    expect(requested).toContain('/webchat.js');
    expect(requested).not.toContain('/webchat-sdk.js');

    await page.getByRole('button', { name: 'Start chat' }).click();
    await eventually(() => expect(requested).toContain('/webchat-sdk.js'));
    // Twilio is unreachable from here: the banner says so, and the chat is
    // kept (retried), never shown as ended.
    await eventually(
      async () => expect(await page.locator('.fw-banner').textContent()).toBe('Connecting…'),
      15_000,
    );
    await page.waitForTimeout(3000);
    expect(await page.locator('.fw-banner').textContent()).toBe('Connecting…');
    expect(await page.locator('.fw-ended').count()).toBe(0);
    expect(await storedChats(page)).toBe(1);
    await context.close();
  });

  it('keeps the chat when the SDK cannot be loaded, and loads it on "Try again"', async () => {
    const { page, context } = await newPage(browser, { fake: false });
    await page.clock.install();
    await page.route('**/webchat-sdk.js', (route) => route.fulfill({ status: 404, body: '' }));
    await page.goto(`${site.url}/`);
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.getByText('Reconnecting to your chat…').waitFor();
    await pauseTimers(page); // no automatic retry: the button loads it
    expect(await storedChats(page)).toBe(1);
    await page.unroute('**/webchat-sdk.js');
    const loaded = page.waitForResponse((r) => r.url().endsWith('/webchat-sdk.js'));
    await page.getByRole('button', { name: 'Try again' }).click();
    expect((await loaded).status()).toBe(200);
    await context.close();
  });

  it('with data-preload-sdk="idle": after the launcher is ready, when the browser is idle', async () => {
    const { page, context } = await newPage(browser, { fake: false });
    await page.goto(`${site.url}/idle`);
    await page.getByRole('button', { name: 'Open chat' }).waitFor();
    await eventually(async () => {
      const timing = await page.evaluate(() => ({
        ready: performance.getEntriesByName('flex-webchat:ready')[0]?.startTime,
        sdk: performance
          .getEntriesByType('resource')
          .find((e) => e.name.endsWith('/webchat-sdk.js'))?.startTime,
      }));
      expect(timing.ready).toBeDefined();
      expect(timing.sdk).toBeDefined();
      expect(timing.sdk!).toBeGreaterThan(timing.ready!);
    });
    await context.close();
  });
});

describeInBrowser('a strict Content-Security-Policy', () => {
  it('the demo page runs the widget with no inline script or style, and no violation', async () => {
    const { page, context, problems } = await newPage(browser);
    await page.goto(`${runtime.url}/`);
    const csp = await page
      .locator('meta[http-equiv="Content-Security-Policy"]')
      .getAttribute('content');
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.getByRole('textbox', { name: 'Message' }).fill('hello');
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');
    await page.locator('.fw-from-customer').waitFor();
    expect(
      await page
        .locator('[data-flex-webchat]')
        .evaluate((host) => host.shadowRoot?.querySelectorAll('style').length),
    ).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});

async function focusedLabel(page: Page): Promise<string> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el) return '';
    const labelled = el.getAttribute('aria-label');
    const id = el.id;
    const label = id
      ? (el.getRootNode() as ShadowRoot).querySelector(`label[for="${id}"]`)?.textContent
      : null;
    return labelled ?? label ?? el.textContent?.trim() ?? el.tagName;
  });
}

describeInBrowser('keyboard only', () => {
  it('from the launcher to an ended chat and back, without a mouse', async () => {
    const { page, context } = await newPage(browser);
    await page.goto(`${runtime.url}/`);
    await page.getByRole('button', { name: 'Open chat' }).waitFor();
    for (let i = 0; i < 10 && (await focusedLabel(page)) !== 'Open chat'; i++)
      await page.keyboard.press('Tab');
    expect(await focusedLabel(page)).toBe('Open chat');

    await page.keyboard.press('Enter');
    await eventually(async () => expect(await focusedLabel(page)).toBe('Name (optional)'));
    await page.keyboard.type('Ana');
    await page.keyboard.press('Tab');
    expect(await focusedLabel(page)).toBe('Email (optional)');
    await page.keyboard.type('ana@example.com');
    await page.keyboard.press('Enter'); // submits the form
    await eventually(async () => expect(await focusedLabel(page)).toBe('Message'));

    await page.keyboard.type('Typed, not clicked');
    await page.keyboard.press('Enter');
    await page.locator('.fw-from-customer', { hasText: 'Typed, not clicked' }).waitFor();

    await page.keyboard.press('Shift+Tab'); // attach
    await page.keyboard.press('Shift+Tab'); // the message list (scrollable region)
    await page.keyboard.press('Shift+Tab'); // minimize
    await page.keyboard.press('Shift+Tab'); // end chat
    expect(await focusedLabel(page)).toBe('End chat');
    await page.keyboard.press('Enter');
    expect(await focusedLabel(page)).toBe('Keep chatting');
    // Escape takes back the question (not the whole panel)...
    await page.keyboard.press('Escape');
    expect(await focusedLabel(page)).toBe('Message');
    expect(await page.locator('.fw-panel').isVisible()).toBe(true);
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    expect(await focusedLabel(page)).toBe('End chat');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect(await focusedLabel(page)).toBe('End chat');
    await page.keyboard.press('Enter');
    await eventually(async () => expect(await focusedLabel(page)).toBe('You ended the chat.'));

    await page.keyboard.press('Escape');
    await eventually(async () => expect(await page.locator('.fw-panel').isHidden()).toBe(true));
    expect(await focusedLabel(page)).toBe('Open chat');
    await context.close();
  });
});

describeInBrowser('axe-core finds no WCAG 2 A/AA violation', () => {
  it.each([
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ])('in any state, on %s', async (_, viewport) => {
    const { page, context } = await newPage(browser, { viewport, bypassCSP: true });
    const found: Record<string, string[]> = {};
    const scan = async (state: string) => {
      found[state] = await axe(page);
    };
    await page.goto(`${runtime.url}/`);
    await page.getByRole('button', { name: 'Open chat' }).waitFor();
    await scan('launcher');
    await page.getByRole('button', { name: 'Open chat' }).click();
    await scan('form');
    await page.getByLabel('Email').fill('nope');
    await page.getByRole('button', { name: 'Start chat' }).click();
    await scan('form with errors');

    await page.route('**/start-chat', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({
          error: {
            code: 'not_configured',
            message: 'Not configured: API_KEY.',
            fields: [{ field: 'API_KEY', problem: 'is required' }],
          },
        }),
      }),
    );
    await page.getByLabel('Email').fill('ana@example.com');
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.getByText('Chat is not available right now.').waitFor();
    await page.locator('details summary').click();
    await scan('not configured');
    await page.unroute('**/start-chat');

    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.getByRole('textbox', { name: 'Message' }).fill('Hello');
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');
    await fake(page, (c) => {
      c.agentJoins('Alex');
      c.agentSays('Hi, how can I help?');
      c.agentReadsAll();
      c.agentTyping(true);
    });
    await page.getByText('Seen').waitFor();
    await page
      .locator('.fw-file-input')
      .setInputFiles({ name: 'a.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF') });
    await scan('chat');
    await page.locator('.fw-file-input').setInputFiles({
      name: 'setup.exe',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from('MZ'),
    });
    await page.locator('.fw-composer-alert').waitFor();
    await scan('refused attachment');
    await context.setOffline(true);
    await page.getByText('You are offline.', { exact: false }).waitFor();
    await scan('offline');
    await context.setOffline(false);
    await fake(page, (c) => c.connection('connecting'));
    await page.locator('.fw-banner').waitFor();
    await scan('reconnecting');
    await fake(page, (c) => c.connection('connected'));
    await page.getByRole('button', { name: 'End chat' }).click();
    await scan('confirm end');
    await page.getByRole('button', { name: 'End chat' }).last().click();
    await page.getByText('You ended the chat.').waitFor();
    await scan('ended');
    await page.getByRole('dialog').getByRole('button', { name: 'Minimize chat' }).click();
    await scan('closed again');

    expect(found).toEqual({
      launcher: [],
      form: [],
      'form with errors': [],
      'not configured': [],
      chat: [],
      'refused attachment': [],
      offline: [],
      reconnecting: [],
      'confirm end': [],
      ended: [],
      'closed again': [],
    });
    await context.close();
  });

  it('in the reconnecting view, and in Spanish', async () => {
    const { page, context } = await newPage(browser, { locale: 'es-ES', bypassCSP: true });
    await page.goto(`${runtime.url}/`);
    await page.evaluate(() => (window.fakeChat.failConnects = 100));
    await page.getByRole('button', { name: 'Abrir el chat' }).click();
    await page.getByLabel('Nombre').fill('Ana');
    await page.getByRole('button', { name: 'Iniciar chat' }).click();
    await page.getByText('Reconectando con tu chat…').waitFor();
    expect(await axe(page)).toEqual([]);
    await context.close();
  });
});
