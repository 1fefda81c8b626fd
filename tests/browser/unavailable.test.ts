/**
 * A service that is not configured (`npm start` before `npm run setup`): the
 * widget says chat is not available as soon as its panel opens, not after
 * "Start chat", learning it from the form's challenge (POST /challenge, which
 * the service refuses with /start-chat's 503). A page view whose panel stays
 * shut asks the service nothing; the demo page says what to run. In real
 * Chromium against the real local runtime with no .env at all.
 */
import type { Page } from 'playwright-core';
import { REQUIRED_WHEN_EMPTY } from '../../dev/twilio-fake/env';
import {
  axe,
  describeInBrowser,
  DESKTOP,
  eventually,
  isFocused,
  newPage,
  PHONE,
  useBrowserStack,
} from '../../dev/browser';

const suite = useBrowserStack({});

/** The functions the page calls, by path, in order. */
function functionCalls(page: Page): string[] {
  const calls: string[] = [];
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (!/\.(js|css|html|svg)$/.test(path) && path !== '/') calls.push(path);
  });
  return calls;
}

describeInBrowser('a widget on a service that is not configured', () => {
  it('says chat is not available as the panel opens, with the variables for the owner', async () => {
    const { page, context } = await newPage(suite.browser);
    const calls = functionCalls(page);
    await page.goto(`${suite.runtime.url}/`);
    const launcher = page.getByRole('button', { name: 'Open chat' });
    await launcher.waitFor();
    // The demo page's own panel asks /status; the widget asks nothing while shut.
    await page.getByRole('status').filter({ hasText: 'not configured' }).waitFor();
    expect(calls).toEqual(['/status']);

    await launcher.click();
    const alert = page.getByRole('alert').filter({ hasText: 'Chat is not available right now.' });
    await alert.waitFor();
    // Only what opening the panel asks anyway: the hours, and the form's challenge.
    expect(calls.slice(1).sort()).toEqual(['/availability', '/challenge']);
    // No form to fill in for nothing; focus is in the panel, not lost with the form.
    expect(await page.getByLabel('Name').isHidden()).toBe(true);
    expect(await page.getByRole('button', { name: 'Start chat' }).isHidden()).toBe(true);
    await eventually(async () =>
      expect(await isFocused(page.getByRole('heading', { name: 'Chat with us' }))).toBe(true),
    );
    await alert.locator('summary').click();
    expect(await alert.locator('li code').allTextContents()).toEqual(REQUIRED_WHEN_EMPTY);
    expect(await alert.locator('details').textContent()).toContain('Run npm run setup');

    // Closed and opened again: said again at once, from a new challenge request.
    await page
      .getByRole('dialog', { name: 'Chat with us' })
      .getByRole('button', { name: 'Minimize chat' })
      .click();
    await launcher.click();
    await alert.waitFor();
    const challenges = () => calls.filter((path) => path === '/challenge');
    await eventually(() => expect(challenges()).toHaveLength(2));
    expect(calls).not.toContain('/start-chat');
    expect(suite.mock.requests()).toEqual([]);
    await context.close();
  });

  it('says it in Spanish too', async () => {
    const { page, context } = await newPage(suite.browser, { locale: 'es-ES' });
    await page.goto(`${suite.runtime.url}/`);
    await page.getByRole('button', { name: 'Abrir el chat' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'El chat no está disponible en este momento.' })
      .waitFor();
    expect(await page.getByLabel('Nombre').isHidden()).toBe(true);
    await context.close();
  });

  it('the demo page says to run npm run setup', async () => {
    const { page, context } = await newPage(suite.browser);
    await page.goto(`${suite.runtime.url}/`);
    const status = page.getByRole('status').filter({ hasText: 'not configured' });
    await status.waitFor();
    expect(await status.textContent()).toContain(
      'Run npm run setup: it finds these in your Twilio account and writes .env.',
    );
    await context.close();
  });

  it.each([
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ])('is axe-clean on %s, details open and shut', async (_, viewport) => {
    const { page, context } = await newPage(suite.browser, { viewport, bypassCSP: true });
    await page.goto(`${suite.runtime.url}/`);
    await page.getByRole('button', { name: 'Open chat' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Chat is not available right now.' });
    await alert.waitFor();
    expect(await axe(page)).toEqual([]);
    await alert.locator('summary').click();
    expect(await axe(page)).toEqual([]);
    await context.close();
  });
});
