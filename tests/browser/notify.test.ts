/**
 * Unread alerts in a real Chromium on the demo page (its strict CSP), each
 * opted into by the site: the count in the page title, a WebAudio chime, and
 * browser notifications only after the customer's "Notify me" click. The
 * page's AudioContext and Notification are stubs that count what the widget
 * does with them; the permission itself is the browser context's (granted
 * through Playwright, or left to be refused).
 */
import type { BrowserContext, Page } from 'playwright-core';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import {
  axe,
  describeInBrowser,
  eventually,
  fake,
  newPage,
  startDemoChat,
  useBrowserStack,
  PHONE,
  type PageOptions,
} from '../../dev/browser';
import type { WidgetOptions } from '../../client/lib/config';

const suite = useBrowserStack(TEST_ENV);

interface Recorded {
  audioContexts: number;
  tones: number;
  permissionRequests: number;
  notifications: { title: string; body: string; tag: string }[];
}

declare global {
  interface Window {
    recorded: Recorded;
    shownNotifications: { onclick: (() => void) | null }[];
  }
}

/** Stubs that record, installed before the page's own scripts; and the widget's options. */
function stubs(options: WidgetOptions): void {
  const recorded: Recorded = {
    audioContexts: 0,
    tones: 0,
    permissionRequests: 0,
    notifications: [],
  };
  window.recorded = recorded;
  window.shownNotifications = [];
  const param = () => ({
    value: 0,
    setValueAtTime: () => undefined,
    exponentialRampToValueAtTime: () => undefined,
  });
  class FakeAudioContext {
    state = 'running';
    currentTime = 0;
    destination = {};
    constructor() {
      recorded.audioContexts++;
    }
    resume = () => Promise.resolve();
    createGain = () => ({ gain: param(), connect: (next: unknown) => next });
    createOscillator = () => ({
      frequency: param(),
      connect: (next: unknown) => next,
      start: () => void recorded.tones++,
      stop: () => undefined,
    });
  }
  const Real = window.Notification;
  class RecordingNotification {
    onclick: (() => void) | null = null;
    static get permission() {
      return Real.permission;
    }
    static requestPermission() {
      recorded.permissionRequests++;
      return Real.requestPermission();
    }
    constructor(title: string, init: NotificationOptions = {}) {
      recorded.notifications.push({ title, body: init.body ?? '', tag: init.tag ?? '' });
      window.shownNotifications.push(this);
    }
    close() {}
  }
  Object.assign(window, { AudioContext: FakeAudioContext, Notification: RecordingNotification });
  window.FlexWebchatConfig = { ...window.FlexWebchatConfig, ...options };
}

async function open(
  options: WidgetOptions,
  pageOptions: PageOptions & { grant?: boolean } = {},
): Promise<{ page: Page; context: BrowserContext; problems: string[] }> {
  const opened = await newPage(suite.browser, pageOptions);
  if (pageOptions.grant) {
    await opened.context.grantPermissions(['notifications'], { origin: suite.runtime.url });
  }
  await opened.page.addInitScript(stubs, options);
  return opened;
}

const recorded = (page: Page) => page.evaluate(() => window.recorded);

async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((hide) => {
    Object.defineProperty(document, 'visibilityState', {
      value: hide ? 'hidden' : 'visible',
      configurable: true,
    });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

const minimize = (page: Page) =>
  page.getByRole('dialog').getByRole('button', { name: 'Minimize chat' }).click();

describeInBrowser('unread alerts', () => {
  it('counts unread messages in the page title while closed or hidden, and restores it', async () => {
    const { page, problems, context } = await open({ notifyTitle: true });
    await startDemoChat(page, suite.runtime.url);
    const title = await page.title();
    expect(title).toBe('Flex web chat demo');
    await fake(page, (c) => c.agentJoins('Alex'));
    await minimize(page);
    await fake(page, (c) => {
      c.agentSays('First');
      c.agentSays('Second');
    });
    await eventually(async () => expect(await page.title()).toBe(`(2) ${title}`));
    // Read: the page's own title again.
    await page.getByRole('button', { name: 'Open chat, 2 unread messages' }).click();
    await eventually(async () => expect(await page.title()).toBe(title));

    // Open but the tab hidden: counted too, and cleared when the customer comes back.
    await setHidden(page, true);
    await fake(page, (c) => c.agentSays('Third'));
    await eventually(async () => expect(await page.title()).toBe(`(1) ${title}`));
    // The page retitles itself meanwhile: the count goes in front of its new title.
    await page.evaluate(() => (document.title = 'Checkout'));
    await fake(page, (c) => c.agentSays('Fourth'));
    await eventually(async () => expect(await page.title()).toBe('(2) Checkout'));
    await setHidden(page, false);
    await eventually(async () => expect(await page.title()).toBe('Checkout'));
    expect(problems).toEqual([]);
    await context.close();
  });

  it('leaves the title alone unless the site opted in', async () => {
    const { page, context } = await open({});
    await startDemoChat(page, suite.runtime.url);
    await minimize(page);
    await fake(page, (c) => {
      c.agentJoins('Alex');
      c.agentSays('Hello');
    });
    await page.getByRole('button', { name: 'Open chat, 1 unread message' }).waitFor();
    expect(await page.title()).toBe('Flex web chat demo');
    await context.close();
  });

  it('chimes once per message while away, with WebAudio (nothing fetched)', async () => {
    const { page, problems, context } = await open({ notifySound: true });
    const mediaRequests: string[] = [];
    page.on('request', (r) => {
      if (r.resourceType() === 'media') mediaRequests.push(r.url());
    });
    await page.goto(`${suite.runtime.url}/`);
    // Nothing on load: no audio until the customer does something in the widget.
    expect((await recorded(page)).audioContexts).toBe(0);
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByLabel('Name').fill('Ana');
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    await fake(page, (c) => {
      c.agentJoins('Alex');
      c.agentSays('While looking');
    });
    await page.locator('.fw-from-agent', { hasText: 'While looking' }).waitFor();
    expect((await recorded(page)).tones).toBe(0);
    await minimize(page);
    await fake(page, (c) => c.agentSays('While away'));
    await eventually(async () => expect((await recorded(page)).tones).toBe(2)); // one chime, two notes
    await fake(page, (c) => c.agentSays('Again'));
    await eventually(async () => expect((await recorded(page)).tones).toBe(4));
    // The customer's own messages never chime.
    await page.getByRole('button', { name: /Open chat/ }).click();
    await setHidden(page, true);
    await page.getByRole('textbox', { name: 'Message' }).fill('Mine');
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');
    await page.locator('.fw-from-customer', { hasText: 'Mine' }).waitFor();
    expect((await recorded(page)).tones).toBe(4);
    expect((await recorded(page)).audioContexts).toBe(1);
    expect(mediaRequests).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows browser notifications only after the customer turns them on (granted)', async () => {
    const { page, problems, context } = await open({ notifyBrowser: true }, { grant: true });
    await startDemoChat(page, suite.runtime.url);
    // Never asked on load, nor on starting a chat.
    expect((await recorded(page)).permissionRequests).toBe(0);
    await fake(page, (c) => c.agentJoins('Alex Morgan'));
    await minimize(page);
    await fake(page, (c) => c.agentSays('Not yet'));
    await page.getByRole('button', { name: 'Open chat, 1 unread message' }).click();
    expect((await recorded(page)).notifications).toEqual([]);

    const toggle = page.getByRole('button', { name: 'Notify me of new messages' });
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    await toggle.click();
    await eventually(async () => expect(await toggle.getAttribute('aria-pressed')).toBe('true'));
    // Granted already (by the context): nothing to ask. The refusal test sees the ask.
    expect((await recorded(page)).permissionRequests).toBe(0);

    await minimize(page);
    await fake(page, (c) => c.agentSays('Your **order** shipped'));
    await eventually(async () =>
      expect((await recorded(page)).notifications).toEqual([
        {
          title: 'New message from Alex Morgan',
          body: 'Your order shipped',
          tag: expect.stringMatching(/^flex-webchat-CH/) as string,
        },
      ]),
    );
    // Clicking the notification opens the chat.
    await page.evaluate(() => window.shownNotifications[0]?.onclick?.());
    await page.getByRole('dialog', { name: 'Chat with us' }).waitFor();
    await fake(page, (c) => c.agentSays('Seen in the panel'));
    await page.locator('.fw-from-agent', { hasText: 'Seen in the panel' }).waitFor();
    expect((await recorded(page)).notifications).toHaveLength(1);

    // Off again: nothing more, and no second permission prompt.
    await toggle.click();
    await eventually(async () => expect(await toggle.getAttribute('aria-pressed')).toBe('false'));
    await minimize(page);
    await fake(page, (c) => c.agentSays('Quiet'));
    await page.getByRole('button', { name: 'Open chat, 1 unread message' }).waitFor();
    expect((await recorded(page)).notifications).toHaveLength(1);
    expect((await recorded(page)).permissionRequests).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('says so when the browser refuses, and never notifies', async () => {
    const { page, problems, context } = await open({ notifyBrowser: true });
    await startDemoChat(page, suite.runtime.url);
    await page.getByRole('button', { name: 'Notify me of new messages' }).click();
    await page.getByText('Notifications are blocked in your browser settings.').waitFor();
    expect((await recorded(page)).permissionRequests).toBe(1);
    expect(await page.getByRole('button', { name: 'Notify me of new messages' }).count()).toBe(0);
    await fake(page, (c) => c.agentJoins('Alex'));
    await minimize(page);
    await fake(page, (c) => c.agentSays('Hello'));
    await page.getByRole('button', { name: 'Open chat, 1 unread message' }).waitFor();
    expect((await recorded(page)).notifications).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('offers nothing when the site did not opt in', async () => {
    const { page, context } = await open({}, { grant: true });
    await startDemoChat(page, suite.runtime.url);
    expect(await page.getByRole('button', { name: 'Notify me of new messages' }).count()).toBe(0);
    await minimize(page);
    await fake(page, (c) => {
      c.agentJoins('Alex');
      c.agentSays('Hello');
    });
    await page.getByRole('button', { name: 'Open chat, 1 unread message' }).waitFor();
    expect(await recorded(page)).toEqual({
      audioContexts: 0,
      tones: 0,
      permissionRequests: 0,
      notifications: [],
    });
    await context.close();
  });

  it.each([
    ['desktop', undefined],
    ['phone', PHONE],
  ])('is axe-clean with "Notify me" off, on, and blocked, on %s', async (_, viewport) => {
    for (const grant of [true, false]) {
      const { page, context } = await open(
        { notifyBrowser: true },
        { grant, bypassCSP: true, ...(viewport && { viewport }) },
      );
      await startDemoChat(page, suite.runtime.url);
      const toggle = page.getByRole('button', { name: 'Notify me of new messages' });
      expect(await axe(page)).toEqual([]);
      await toggle.click();
      if (grant) {
        await eventually(async () =>
          expect(await toggle.getAttribute('aria-pressed')).toBe('true'),
        );
      } else {
        await page.getByText('Notifications are blocked in your browser settings.').waitFor();
      }
      expect(await axe(page)).toEqual([]);
      await context.close();
    }
  });
});
