/**
 * The proactive greeting in a real Chromium on the demo page (strict CSP):
 * after `greeting.afterSeconds` (the page's clock is Playwright's, so no test
 * waits on real time) or on `FlexWebchat.greet(text)`; never taking focus;
 * a polite live region; dismissed for good with its labelled button; never
 * while the panel is open or a chat is under way.
 */
import type { Page } from 'playwright-core';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import {
  axe,
  describeInBrowser,
  newPage,
  startDemoChat,
  useBrowserStack,
  PHONE,
  type PageOptions,
} from '../../dev/browser';
import type { WidgetOptions } from '../../client/lib/config';

const suite = useBrowserStack(TEST_ENV);

async function open(options: WidgetOptions, pageOptions: PageOptions = {}) {
  const opened = await newPage(suite.browser, pageOptions);
  await opened.page.addInitScript((o) => {
    window.FlexWebchatConfig = { ...window.FlexWebchatConfig, ...o };
  }, options);
  return opened;
}

const bubble = (page: Page) => page.locator('.fw-greeting');
const shown = (page: Page) => bubble(page).evaluate((el) => el.classList.contains('fw-shown'));
const greet = (page: Page, text?: string) =>
  page.evaluate((t) => window.FlexWebchat?.greet(t), text);

describeInBrowser('the proactive greeting', () => {
  it('appears after afterSeconds, politely, without taking focus; dismissed for good', async () => {
    const { page, problems, context } = await open({ greeting: { afterSeconds: 8 } });
    await page.clock.install();
    await page.goto(`${suite.runtime.url}/`);
    await page.locator('.fw-launcher').waitFor();
    await page.clock.runFor(7_000);
    expect(await shown(page)).toBe(false);
    await page.clock.runFor(1_500);
    expect(await shown(page)).toBe(true);
    const text = page.getByRole('status').filter({ hasText: 'Questions?' });
    expect(await text.textContent()).toBe("Hi! Questions? We're here to help.");
    // Focus stays where the visitor left it.
    expect(await page.evaluate(() => document.activeElement === document.body)).toBe(true);

    await page.getByRole('button', { name: 'Dismiss greeting' }).click();
    expect(await shown(page)).toBe(false);
    expect(await text.count()).toBe(0); // the live region is empty again
    // Not again: not after a reload, nor when the site asks.
    await page.locator('#status:not(:has-text("Checking"))').waitFor(); // let the demo's fetch end
    await page.reload();
    await page.locator('.fw-launcher').waitFor();
    await page.clock.runFor(10_000);
    await greet(page, 'Still there?');
    expect(await shown(page)).toBe(false);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows FlexWebchat.greet(text) at once; opening the chat from it ends it', async () => {
    const { page, problems, context } = await open({});
    await page.goto(`${suite.runtime.url}/`);
    await page.locator('.fw-launcher').waitFor();
    expect(await shown(page)).toBe(false); // no greeting unless configured or asked
    await greet(page, 'Need help with your order?');
    expect(await shown(page)).toBe(true);
    expect(await bubble(page).textContent()).toBe('Need help with your order?');
    await page.getByText('Need help with your order?').click();
    await page.getByRole('dialog', { name: 'Chat with us' }).waitFor();
    expect(await shown(page)).toBe(false);
    // Opened from the greeting: it did its job, and does not come back.
    await page.getByRole('dialog').getByRole('button', { name: 'Minimize chat' }).click();
    await greet(page, 'Again?');
    expect(await shown(page)).toBe(false);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('is never shown while the panel is open or a chat is under way', async () => {
    const { page, context } = await open({});
    await page.goto(`${suite.runtime.url}/`);
    await page.getByRole('button', { name: 'Open chat' }).click();
    await greet(page);
    expect(await shown(page)).toBe(false);
    await page.getByLabel('Name').fill('Ana');
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Minimize chat' }).click();
    await greet(page, 'Hello?');
    expect(await shown(page)).toBe(false);
    await context.close();
  });

  it('is not shown by a launcher hidden after hours (AFTER_HOURS=hide)', async () => {
    const { page, context } = await open({
      greeting: { text: 'Hello there', afterSeconds: 0 },
      availability: 'load',
    });
    await page.route('**/availability', (route) =>
      route.fulfill({
        json: {
          open: false,
          timeZone: 'UTC',
          closesAt: null,
          opensAt: null,
          afterHours: 'hide',
          live: null,
        },
      }),
    );
    await page.goto(`${suite.runtime.url}/`);
    await page.locator('.fw-root[data-hours="hide"]').waitFor({ state: 'attached' });
    expect(await shown(page)).toBe(true); // greeted, but the bubble goes with the launcher
    expect(await bubble(page).isVisible()).toBe(false);
    expect(await page.locator('.fw-launcher').isVisible()).toBe(false);
    await context.close();
  });

  it('speaks Spanish', async () => {
    const { page, context } = await open({ greeting: { afterSeconds: 0 } }, { locale: 'es-ES' });
    await page.goto(`${suite.runtime.url}/`);
    await page.getByRole('button', { name: 'Cerrar el saludo' }).waitFor();
    expect(await bubble(page).textContent()).toBe(
      '¡Hola! ¿Tienes preguntas? Estamos aquí para ayudarte.',
    );
    await context.close();
  });

  it.each([
    ['desktop', undefined],
    ['phone', PHONE],
  ])('is axe-clean when shown, on %s', async (_, viewport) => {
    const { page, context } = await open(
      { greeting: { text: 'Questions about shipping?', afterSeconds: 0 } },
      { bypassCSP: true, ...(viewport && { viewport }) },
    );
    await page.goto(`${suite.runtime.url}/`);
    await page.getByRole('button', { name: 'Dismiss greeting' }).waitFor();
    expect(await axe(page)).toEqual([]);
    // A chat started from the launcher meanwhile: gone.
    await startDemoChat(page, suite.runtime.url);
    expect(await shown(page)).toBe(false);
    await context.close();
  });
});
