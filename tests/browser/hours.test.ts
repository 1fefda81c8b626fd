/**
 * Opening hours in a real (headless) Chromium, against the real local
 * runtime with a schedule relative to the real time (closed all of today in
 * UTC, open tomorrow 09:00-17:00). Other answers of /availability (message,
 * hide, open with live figures) are served to the page by the test, with the
 * page's clock fixed (`page.clock`): the widget's side of the contract, whose
 * server side tests/contract/availability.test.ts checks. No sleeps.
 */
import type { Page, Request } from 'playwright-core';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import {
  axe,
  describeInBrowser,
  eventually,
  newPage,
  useBrowserStack,
  widget,
} from '../../dev/browser';

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const tomorrow = DAYS[(new Date().getUTCDay() + 7) % 7] ?? 'Mon'; // getUTCDay: Sunday 0
const suite = useBrowserStack({ ...TEST_ENV, OPENING_HOURS: `UTC; ${tomorrow} 09:00-17:00` });

/** The /availability and /start-chat requests a page makes. */
function watch(page: Page): { availability: Request[]; starts: Request[] } {
  const seen = { availability: [] as Request[], starts: [] as Request[] };
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/availability') seen.availability.push(r);
    if (r.url().endsWith('/start-chat')) seen.starts.push(r);
  });
  return seen;
}

const note = (page: Page) => page.locator('[data-flex-webchat] >> .fw-hours');

/** Serves this answer as /availability (and a page with the widget's tag, if given). */
async function serve(page: Page, answer: object, tag?: string): Promise<void> {
  await page.route('**/availability', (route) =>
    route.fulfill({ json: answer, headers: { 'Access-Control-Allow-Origin': '*' } }),
  );
  if (tag) {
    await page.route('**/hours-page', (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><html lang="en"><head><title>Shop</title></head><body><h1>Shop</h1>${tag}</body></html>`,
      }),
    );
  }
}

describeInBrowser('opening hours in the widget', () => {
  it('closed: no request on load, one when the panel opens, the note instead of the form', async () => {
    const { page, problems } = await newPage(suite.browser, {
      locale: 'en-GB',
      timezoneId: 'UTC',
      bypassCSP: true,
    });
    const seen = watch(page);
    await page.goto(`${suite.runtime.url}/`);
    await page.waitForLoadState('networkidle');
    expect(seen.availability).toHaveLength(0);

    await page.getByRole('button', { name: 'Open chat' }).click();
    await expect(
      page.getByRole('status').filter({ hasText: "We're closed" }).textContent(),
    ).resolves.toBe("We're closed; back tomorrow at 9:00.");
    expect(seen.availability).toHaveLength(1);
    expect(seen.availability[0]?.method()).toBe('GET');
    await eventually(async () =>
      expect(await page.getByRole('button', { name: 'Start chat' }).isVisible()).toBe(false),
    );
    // Focus stayed in the panel (not lost with the hidden form), and Escape still closes it.
    expect(
      await page
        .locator(widget.panel)
        .evaluate((el) => el.contains((el.getRootNode() as ShadowRoot).activeElement)),
    ).toBe(true);
    expect(await axe(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await eventually(async () => expect(await page.locator(widget.panel).isHidden()).toBe(true));
    expect(await page.locator(widget.launcher).isVisible()).toBe(true);
    expect(seen.starts).toHaveLength(0);
    expect(problems).toEqual([]);
  });

  it('when /availability cannot answer, the form shows, and /start-chat itself refuses after hours', async () => {
    const { page } = await newPage(suite.browser);
    await page.route('**/availability', (route) => route.fulfill({ status: 503, json: {} }));
    const seen = watch(page);
    await page.goto(`${suite.runtime.url}/`);
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByLabel('Name').fill('Ana');
    await page.getByRole('button', { name: 'Start chat' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toBe(
      "We're closed right now. Please come back during our opening hours.",
    );
    expect(seen.starts).toHaveLength(1);
    expect(suite.mock.requests()).toHaveLength(0);
  });

  it('AFTER_HOURS=message, in Spanish, in New York: the note offers a message and keeps the form', async () => {
    const { page, problems } = await newPage(suite.browser, {
      locale: 'es-ES',
      timezoneId: 'America/New_York',
    });
    await page.clock.setFixedTime(new Date('2030-01-07T23:00:00Z')); // Monday 18:00 in New York
    await serve(
      page,
      {
        open: false,
        timeZone: 'America/New_York',
        closesAt: null,
        opensAt: '2030-01-08T14:00:00.000Z',
        afterHours: 'message',
        live: null,
      },
      `<script src="/webchat.js" data-locale="es" async></script>`,
    );
    await page.goto(`${suite.runtime.url}/hours-page`);
    await page.getByRole('button', { name: 'Abrir el chat' }).click();
    await eventually(async () =>
      expect(await note(page).textContent()).toBe(
        'Estamos cerrados; volvemos mañana a las 9:00. Déjanos un mensaje y te responderemos a la vuelta.',
      ),
    );
    expect(await page.getByRole('button', { name: 'Iniciar chat' }).isVisible()).toBe(true);
    expect(problems).toEqual([]);
  });

  it('AFTER_HOURS=hide with data-availability="load": one request on load, and no launcher', async () => {
    const { page, problems } = await newPage(suite.browser);
    await serve(
      page,
      {
        open: false,
        timeZone: 'UTC',
        closesAt: null,
        opensAt: null,
        afterHours: 'hide',
        live: null,
      },
      `<script src="/webchat.js" data-availability="load" async></script>`,
    );
    const seen = watch(page);
    await page.goto(`${suite.runtime.url}/hours-page`);
    await page.waitForLoadState('networkidle');
    await eventually(async () => expect(await page.locator(widget.launcher).isHidden()).toBe(true));
    expect(seen.availability).toHaveLength(1);
    expect(problems).toEqual([]);
  });

  it('open, with live figures: until when, in the customer’s zone and labelled, and the wait', async () => {
    const { page, problems } = await newPage(suite.browser, { timezoneId: 'America/New_York' });
    await page.clock.setFixedTime(new Date('2030-01-07T15:00:00Z')); // 10:00 in New York
    const live = { availableAgents: 0, waitingChats: 2, longestWaitSeconds: 420 };
    const answer = {
      open: true,
      timeZone: 'Europe/Madrid',
      closesAt: '2030-01-07T17:00:00.000Z',
      opensAt: null,
      afterHours: 'closed',
      live,
    };
    await serve(page, answer);
    await page.goto(`${suite.runtime.url}/`);
    await page.getByRole('button', { name: 'Open chat' }).click();
    await eventually(async () =>
      expect(await note(page).textContent()).toBe(
        "We're open until 12:00 PM EST. Right now customers are waiting up to about 7 min.",
      ),
    );
    expect(await page.getByRole('button', { name: 'Start chat' }).isVisible()).toBe(true);
    expect(problems).toEqual([]);
  });
});
