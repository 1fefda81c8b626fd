/**
 * Rich text in a real Chromium, on the demo page (its strict CSP): an agent's
 * Markdown renders as elements, plain URLs become links on both sides, and
 * what would be dangerous (a javascript: link, raw HTML with handlers or
 * script) stays inert text. The Conversations SDK is the fake at the seam,
 * which hands over the formatter as webchat-sdk.js does.
 */
import type { Page } from 'playwright-core';
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
} from '../../dev/browser';

const suite = useBrowserStack(TEST_ENV);

const agentBubble = (page: Page, text: string) =>
  page.locator('.fw-from-agent .fw-bubble', { hasText: text });

describeInBrowser('rich text', () => {
  it('renders an agent’s Markdown: each element, links in a new tab', async () => {
    const { page, problems, context } = await newPage(suite.browser);
    await startDemoChat(page, suite.runtime.url);
    await fake(page, (c) => {
      c.agentJoins('Alex');
      c.agentSays(
        'Hi **Ana**, _thanks_ for ~~waiting~~ holding.\nRun `npm ci` then:\n\n' +
          '- one\n- two\n\n1. first\n2. second\n\nDocs: [the guide](https://example.com/guide) ' +
          'or https://example.com/faq. Call [us](tel:+15551234) or [write](mailto:help@example.com).',
      );
    });
    const bubble = agentBubble(page, 'thanks');
    await bubble.waitFor();
    const rendered = await bubble.locator('.fw-rich').evaluate((el) => ({
      strong: [...el.querySelectorAll('strong')].map((e) => e.textContent),
      em: [...el.querySelectorAll('em')].map((e) => e.textContent),
      del: [...el.querySelectorAll('del')].map((e) => e.textContent),
      code: [...el.querySelectorAll('code')].map((e) => e.textContent),
      ul: [...el.querySelectorAll('ul > li')].map((e) => e.textContent),
      ol: [...el.querySelectorAll('ol > li')].map((e) => e.textContent),
      br: el.querySelectorAll('br').length,
      links: [...el.querySelectorAll('a')].map((a) => ({
        text: a.textContent,
        href: a.getAttribute('href'),
        target: a.getAttribute('target'),
        rel: a.getAttribute('rel'),
      })),
    }));
    const newTab = { target: '_blank', rel: 'noopener noreferrer' };
    expect(rendered).toEqual({
      strong: ['Ana'],
      em: ['thanks'],
      del: ['waiting'],
      code: ['npm ci'],
      ul: ['one', 'two'],
      ol: ['first', 'second'],
      br: 1,
      links: [
        { text: 'the guide', href: 'https://example.com/guide', ...newTab },
        { text: 'https://example.com/faq', href: 'https://example.com/faq', ...newTab },
        { text: 'us', href: 'tel:+15551234', ...newTab },
        { text: 'write', href: 'mailto:help@example.com', ...newTab },
      ],
    });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('keeps a javascript: link and raw HTML inert: shown as text, nothing runs', async () => {
    const { page, problems, context } = await newPage(suite.browser);
    await startDemoChat(page, suite.runtime.url);
    await page.evaluate(() => {
      Object.assign(window, { pwned: [] as string[] });
    });
    const attack =
      '[click me](javascript:window.pwned.push("link")) ' +
      '<img src=x onerror="window.pwned.push(\'img\')"> ' +
      '<script>window.pwned.push("script")</script>\n\n' +
      '<iframe src="javascript:parent.pwned.push(\'frame\')"></iframe>\n\n' +
      '![x](javascript:window.pwned.push("image")) [y](data:text/html,<b>x</b>) [z](JaVaScRiPt:alert(1))';
    await fake(page, (c) => c.agentJoins('Alex'));
    await page.evaluate((text) => window.fakeChat.agentSays(text), attack);
    const bubble = agentBubble(page, 'click me');
    await bubble.waitFor();
    // Customers may type the same: their own messages are never markup either.
    const message = page.getByRole('textbox', { name: 'Message' });
    await message.fill(
      '<img src=x onerror="window.pwned.push(\'mine\')"> [a](javascript:alert(1))',
    );
    await message.press('Enter');
    await page.locator('.fw-from-customer .fw-text', { hasText: 'onerror' }).waitFor();

    const inside = await page.locator('[data-flex-webchat]').evaluate((host) => {
      const root = host.shadowRoot!;
      return {
        links: root.querySelectorAll('.fw-text a').length,
        dangerous: root.querySelectorAll('.fw-text img, .fw-text script, .fw-text iframe').length,
        handlers: [...root.querySelectorAll('.fw-text *')].filter((el) =>
          [...el.attributes].some((attr) => attr.name.startsWith('on')),
        ).length,
      };
    });
    expect(inside).toEqual({ links: 0, dangerous: 0, handlers: 0 });
    const text = await bubble.locator('.fw-rich').textContent();
    expect(text).toContain('[click me](javascript:window.pwned.push("link"))');
    expect(text).toContain('<img src=x onerror="window.pwned.push(\'img\')">');
    expect(text).toContain('<script>window.pwned.push("script")</script>');
    // Clicking the text does nothing either.
    await bubble.getByText('click me').click();
    await page.waitForTimeout(200); // let any error handler (there must be none) run
    expect(await page.evaluate(() => (window as unknown as { pwned: string[] }).pwned)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('links plain URLs in the customer’s own messages, without Markdown', async () => {
    const { page, problems, context } = await newPage(suite.browser);
    await startDemoChat(page, suite.runtime.url);
    const message = page.getByRole('textbox', { name: 'Message' });
    await message.fill('My order: https://shop.example/orders/42. **urgent**');
    await message.press('Enter');
    const text = page.locator('.fw-from-customer .fw-text', { hasText: 'urgent' });
    await text.waitFor();
    expect(await text.textContent()).toBe('My order: https://shop.example/orders/42. **urgent**');
    const link = text.locator('a');
    expect(await link.getAttribute('href')).toBe('https://shop.example/orders/42');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await text.locator('strong').count()).toBe(0);
    // What was sent is what was typed: formatting is only how it is shown.
    expect((await fake(page, (c) => c.sent)).map((s) => s.body)).toEqual([
      'My order: https://shop.example/orders/42. **urgent**',
    ]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('announces an agent’s Markdown as the words, not the asterisks', async () => {
    const { page, context } = await newPage(suite.browser);
    await startDemoChat(page, suite.runtime.url);
    await fake(page, (c) => {
      c.agentJoins('Alex');
      c.agentSays('Your code is **X-42**, see [the guide](https://example.com/g)');
    });
    await eventually(async () =>
      expect(await page.locator('[aria-live="polite"].fw-sr-only').textContent()).toBe(
        'Alex says: Your code is X-42, see the guide',
      ),
    );
    await context.close();
  });

  it.each([
    ['desktop', undefined],
    ['phone', PHONE],
  ])('is axe-clean with every element, on %s', async (_, viewport) => {
    const { page, context } = await newPage(suite.browser, {
      bypassCSP: true,
      ...(viewport && { viewport }),
    });
    await startDemoChat(page, suite.runtime.url);
    await page.getByRole('textbox', { name: 'Message' }).fill('See https://example.com/x');
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');
    await fake(page, (c) => {
      c.agentJoins('Alex');
      c.agentSays(
        '**Bold** _it_ ~~old~~ `code` [link](https://example.com)\n\n- a\n- b\n\n1. c\n2. d\n\n> quote\n\n```\nblock\n```',
      );
    });
    await agentBubble(page, 'Bold').waitFor();
    await page.locator('.fw-from-customer a').waitFor();
    expect(await axe(page)).toEqual([]);
    await context.close();
  });
});
