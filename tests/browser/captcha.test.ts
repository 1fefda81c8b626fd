/**
 * The optional CAPTCHA in a real (headless) Chromium, for each provider: the
 * real local runtime (CAPTCHA on, verifying against the local fake of the
 * provider's siteverify, dev/captcha-fake.ts) and a third-party site whose
 * strict CSP allows only this service and the provider's origin, as
 * docs/widget.md tells site owners. The provider's script cannot be loaded
 * here (no internet): the widget's loader seam (`data-captcha-script-url`)
 * loads the fake's stand-in, which has the provider's browser API.
 */
import { createServer, type Server } from 'node:http';
import type { Page, Request } from 'playwright-core';
import { CaptchaFake, FAKE_KEYS } from '../../dev/captcha-fake';
import { freePort } from '../../dev/local-runtime';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import {
  axe,
  describeInBrowser,
  eventually,
  isFocused,
  newPage,
  startBrowserStack,
  type BrowserStack,
} from '../../dev/browser';
import type { CaptchaProvider } from '../../src/config/captcha';

type StandIn = { renders: { sitekey: string; action: string | null }[]; resets: number };

describeInBrowser('the CAPTCHA in the form', () => {
  describe.each<CaptchaProvider>(['turnstile', 'hcaptcha'])('CAPTCHA=%s', (provider) => {
    let suite: BrowserStack;
    let fake: CaptchaFake;
    let site: { server: Server; url: string };

    beforeAll(async () => {
      fake = await CaptchaFake.start();
      const port = await freePort();
      suite = await startBrowserStack({
        ...TEST_ENV,
        ...fake.env(provider),
        ALLOWED_ORIGINS: `${TEST_ENV.ALLOWED_ORIGINS},http://127.0.0.1:${port}`,
      });
      const base = suite.runtime.url;
      // What docs/widget.md says a strict site allows, with the fake as the provider.
      const csp = [
        "default-src 'self'",
        `script-src ${base} ${fake.url}`,
        `frame-src ${fake.url}`,
        `connect-src ${base} ${fake.url}`,
        `worker-src blob:`,
        "style-src 'self'",
      ].join('; ');
      const server = createServer((req, res) => {
        if (req.url !== '/') return void res.writeHead(204).end();
        res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Security-Policy': csp });
        res.end(`<!doctype html><html lang="en"><head><title>Shop</title></head><body><h1>Shop</h1>
        <script src="${base}/webchat.js" data-captcha-script-url="${fake.scriptUrl(provider)}"
          async></script></body></html>`);
      });
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      site = { server, url: `http://127.0.0.1:${port}/` };
    }, 60_000);
    afterAll(async () => {
      site?.server.close();
      await suite?.stop();
      await fake?.stop();
    });
    afterEach(() => expect(suite.mock.violations).toEqual([]));

    async function openForm(page: Page): Promise<void> {
      await page.goto(site.url);
      await page.getByRole('button', { name: 'Open chat' }).click();
      await page.getByRole('dialog', { name: 'Chat with us' }).waitFor();
      await page.getByRole('group', { name: 'Security check' }).waitFor();
    }

    function starts(page: Page): Request[] {
      const seen: Request[] = [];
      page.on('request', (r) => void (r.url().endsWith('/start-chat') && seen.push(r)));
      return seen;
    }

    const tick = (page: Page) => page.getByLabel(/I am human/).check();
    const standIn = (page: Page) =>
      page.evaluate(() => (window as unknown as { __captchaStandIn: StandIn }).__captchaStandIn);

    describe('in the form', () => {
      it('is asked for, solved, and its token sent with the start', async () => {
        const { page, context, problems } = await newPage(suite.browser);
        const sent = starts(page);
        await openForm(page);
        expect((await standIn(page)).renders).toEqual([
          {
            sitekey: FAKE_KEYS[provider].siteKey,
            action: provider === 'turnstile' ? 'start-chat' : null,
          },
        ]);
        await page.getByLabel('Name').fill('Ana');
        // Not solved yet: said at the CAPTCHA, focus there, and nothing sent.
        await page.getByRole('button', { name: 'Start chat' }).click();
        const group = page.getByRole('group', { name: 'Security check' });
        await page.getByText('Please complete the security check.').waitFor();
        expect(await isFocused(group)).toBe(true);
        expect(sent).toHaveLength(0);

        await tick(page);
        await eventually(async () =>
          expect(await page.getByLabel(/I am human/).isDisabled()).toBe(true),
        );
        await page.getByRole('button', { name: 'Start chat' }).click();
        await page.getByRole('textbox', { name: 'Message' }).waitFor();
        expect(sent).toHaveLength(1);
        const { captcha } = sent[0]!.postDataJSON() as { captcha: string };
        // The service asked the provider about exactly that token, once.
        expect(fake.requests.filter((r) => r.form.response === captcha)).toHaveLength(1);
        expect(suite.mock.requests('conversations.create').length).toBeGreaterThan(0);
        expect(problems).toEqual([]);
        await context.close();
      });

      it('is reset when the service refuses the start, and the next start has a new token', async () => {
        const { page, context } = await newPage(suite.browser);
        const sent = starts(page);
        let refused = false;
        await page.route('**/start-chat', async (route) => {
          if (refused) return route.continue();
          refused = true;
          await route.fulfill({
            status: 403,
            headers: { 'access-control-allow-origin': '*' },
            contentType: 'application/json',
            body: JSON.stringify({ error: { code: 'captcha_invalid', message: 'no' } }),
          });
        });
        await openForm(page);
        await page.getByLabel('Name').fill('Ana');
        await tick(page);
        await eventually(async () =>
          expect(await page.getByLabel(/I am human/).isDisabled()).toBe(true),
        );
        await page.getByRole('button', { name: 'Start chat' }).click();
        await page.getByText('Please complete the security check again.').waitFor();
        expect((await standIn(page)).resets).toBe(1);
        expect(await page.getByLabel(/I am human/).isChecked()).toBe(false);

        await tick(page);
        await eventually(async () =>
          expect(await page.getByLabel(/I am human/).isDisabled()).toBe(true),
        );
        await page.getByRole('button', { name: 'Start chat' }).click();
        await page.getByRole('textbox', { name: 'Message' }).waitFor();
        const tokens = sent.map((r) => (r.postDataJSON() as { captcha: string }).captcha);
        expect(tokens).toHaveLength(2);
        expect(new Set(tokens).size).toBe(2);
        await context.close();
      });

      it('passes axe with the CAPTCHA shown', async () => {
        const { page, context } = await newPage(suite.browser, { bypassCSP: true });
        await openForm(page);
        await page.getByLabel(/I am human/).waitFor();
        expect(await axe(page)).toEqual([]);
        await context.close();
      });
    });
  });
});
