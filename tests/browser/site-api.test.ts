/**
 * The site's JavaScript API in a real Chromium (issue 12 item 6):
 * FlexWebchat.on/off and the events in order, setContext reaching the
 * conversation's attributes (through the real /start-chat and the Twilio
 * fake), the page's URL and title with it, and open({ prefill }).
 */
import type { Page } from 'playwright-core';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { describeInBrowser, eventually, fake, newPage, useBrowserStack } from '../../dev/browser';
import { sealed } from '../support/seal';

const suite = useBrowserStack(TEST_ENV);

declare global {
  interface Window {
    seen: string[];
  }
}

/** Records every event as `name` or `name:detail` in window.seen. */
async function recordEvents(page: Page): Promise<void> {
  await page.waitForFunction(() => window.FlexWebchat !== undefined);
  await page.evaluate(() => {
    window.seen = [];
    const names = ['ready', 'open', 'close', 'chatStarted', 'message', 'unreadChange', 'chatEnded'];
    for (const name of names) {
      window.FlexWebchat!.on(name as 'ready', (detail: object) => {
        const shown = Object.entries(detail)
          .filter(([key]) => key !== 'conversationSid' && key !== 'index')
          .map(([key, value]) => `${key}=${String(value)}`)
          .join(',');
        window.seen.push(shown ? `${name}:${shown}` : name);
      });
    }
  });
}

/**
 * A page whose widget does not ask /availability: opening hours are not what
 * these tests are about, and a slow answer on a loaded machine aborts it.
 */
async function sitePage() {
  const opened = await newPage(suite.browser);
  await opened.page.addInitScript(() => {
    window.FlexWebchatConfig = { ...window.FlexWebchatConfig, availability: 'off' };
  });
  return opened;
}

const attributesOfLastChat = () => {
  const created = suite.mock.requests('conversations.create').at(-1);
  return JSON.parse(created?.form.Attributes?.[0] ?? '{}') as Record<string, unknown>;
};

describeInBrowser('the site API', () => {
  it('fires ready, open, chatStarted, message, close, unreadChange, chatEnded in order', async () => {
    const { page, problems, context } = await sitePage();
    await page.goto(`${suite.runtime.url}/`);
    await recordEvents(page);
    // A listener that throws breaks nothing: not the widget, not the other listeners.
    await page.evaluate(() =>
      window.FlexWebchat!.on('open', () => {
        throw new Error('site bug');
      }),
    );
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByLabel('Name').fill('Ana');
    await page.getByRole('button', { name: 'Start chat' }).click();
    const message = page.getByRole('textbox', { name: 'Message' });
    await message.waitFor();
    await message.fill('Hello');
    await message.press('Enter');
    await fake(page, (c) => {
      c.agentJoins('Alex');
      c.agentSays('Hi Ana');
    });
    await page.locator('.fw-from-agent', { hasText: 'Hi Ana' }).waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Minimize chat' }).click();
    await fake(page, (c) => c.agentSays('Still there?'));
    await page.getByRole('button', { name: 'Open chat, 1 unread message' }).click();
    await page.getByRole('button', { name: 'End chat' }).click();
    await page.getByRole('button', { name: 'End chat' }).last().click();
    await page.getByText('You ended the chat.').waitFor();
    await eventually(async () =>
      expect(await page.evaluate(() => window.seen)).toEqual([
        'ready',
        'open',
        'chatStarted:resumed=false',
        'message:from=customer,hasMedia=false',
        'message:from=agent,hasMedia=false',
        'close',
        'message:from=agent,hasMedia=false',
        'unreadChange:count=1',
        'open',
        'unreadChange:count=0',
        'chatEnded:endedBy=customer',
      ]),
    );
    expect(problems.filter((p) => !p.includes('a "open" listener threw'))).toEqual([]);
    expect(problems.filter((p) => p.includes('a "open" listener threw'))).toHaveLength(2);
    await context.close();
  });

  it('off stops a listener; a late ready listener still hears ready', async () => {
    const { page, context } = await sitePage();
    await page.goto(`${suite.runtime.url}/`);
    await recordEvents(page);
    await page.evaluate(() => {
      const count = { opens: 0 };
      (window as unknown as { count: typeof count }).count = count;
      const listener = () => count.opens++;
      window.FlexWebchat!.on('open', listener);
      window.FlexWebchat!.open();
      window.FlexWebchat!.close();
      window.FlexWebchat!.off('open', listener);
      window.FlexWebchat!.open();
    });
    await eventually(async () =>
      expect(await page.evaluate(() => window.seen)).toEqual(['ready', 'open', 'close', 'open']),
    );
    expect(
      await page.evaluate(() => (window as unknown as { count: { opens: number } }).count),
    ).toEqual({
      opens: 1,
    });
    await context.close();
  });

  it('sends setContext, the page and the language with the start, into the attributes', async () => {
    const { page, problems, context } = await sitePage();
    await page.goto(`${suite.runtime.url}/?utm=spring`);
    await page.waitForFunction(() => window.FlexWebchat !== undefined);
    const refused = await page.evaluate(() => {
      try {
        window.FlexWebchat!.setContext({ cart: { total: 3 } } as never);
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    });
    expect(refused).toMatch(/"cart" must be a string, a finite number or a boolean/);
    await page.evaluate(() =>
      window.FlexWebchat!.setContext({ plan: 'pro', cartTotal: 42.5, returning: true }),
    );
    await page.evaluate(() =>
      window.FlexWebchat!.open({ prefill: { friendlyName: 'Bea', email: 'bea@example.com' } }),
    );
    expect(await page.getByLabel('Name').inputValue()).toBe('Bea');
    expect(await page.getByLabel('Email').inputValue()).toBe('bea@example.com');
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    expect(attributesOfLastChat()).toEqual({
      from: 'Bea',
      channel_type: 'web',
      pre_engagement_data: { email: 'bea@example.com' },
      context: { plan: 'pro', cartTotal: 42.5, returning: true },
      page: { url: `${suite.runtime.url}/?utm=spring`, title: 'Flex web chat demo' },
      locale: 'en',
      webchat_seal: sealed('bea@example.com'),
    });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('prefills only empty fields of a form on screen: nothing typed is replaced', async () => {
    const { page, context } = await sitePage();
    await page.goto(`${suite.runtime.url}/`);
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByLabel('Name').fill('Typed by me');
    await page.evaluate(() =>
      window.FlexWebchat!.open({ prefill: { friendlyName: 'Site', email: 'site@example.com' } }),
    );
    expect(await page.getByLabel('Name').inputValue()).toBe('Typed by me');
    expect(await page.getByLabel('Email').inputValue()).toBe('site@example.com');
    await context.close();
  });
});
