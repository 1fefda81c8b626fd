/**
 * The customer's whole journey in a real (headless) Chromium: the demo page
 * from the real local runtime, /start-chat and /end-chat through the local
 * Twilio mock, the Conversations SDK replaced by the fake at the widget's seam.
 */
import type { Page } from 'playwright-core';
import { REQUIRED_WHEN_EMPTY, TEST_ENV } from '../../dev/twilio-fake/env';
import { startLocalRuntime, type LocalRuntime } from '../../dev/local-runtime';
import { conversations } from '../../dev/twilio-fake/apis';
import {
  describeInBrowser,
  eventually,
  fake,
  isFocused,
  newPage,
  startDemoChat,
  useBrowserStack,
  PHONE,
} from '../../dev/browser';
import { sealed } from '../support/seal';

const suite = useBrowserStack(TEST_ENV);

async function openForm(page: Page): Promise<void> {
  await page.goto(`${suite.runtime.url}/`);
  await page.getByRole('button', { name: 'Open chat' }).click();
  await page.getByRole('dialog', { name: 'Chat with us' }).waitFor();
}

const startChat = (page: Page, name?: string) => startDemoChat(page, suite.runtime.url, name);

describeInBrowser('the journey', () => {
  it('form -> chat -> send -> agent reply -> typing -> Seen -> end chat', async () => {
    const { page, problems, context } = await newPage(suite.browser);
    await openForm(page);

    // Pre-engagement form, validated before anything is sent.
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.getByText('Please enter a valid email address.').waitFor();
    expect(suite.mock.requests('conversations.create')).toHaveLength(0);
    expect(
      await page
        .getByLabel('Email')
        .evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement),
    ).toBe(true);

    await page.getByLabel('Name').fill('Ana');
    await page.getByLabel('Email').fill('ana@example.com');
    await page.getByLabel('How can we help?').fill('Where is my order?');
    await page.getByRole('button', { name: 'Start chat' }).click();

    const message = page.getByRole('textbox', { name: 'Message' });
    await message.waitFor();
    await eventually(async () => expect(await isFocused(message)).toBe(true));
    const [created] = suite.mock.requests('conversations.create');
    expect(JSON.parse(created?.form.Attributes?.[0] ?? '')).toEqual({
      from: 'Ana',
      channel_type: 'web',
      pre_engagement_data: { email: 'ana@example.com' },
      page: { url: `${suite.runtime.url}/`, title: 'Flex web chat demo' },
      locale: 'en',
      webchat_seal: sealed('ana@example.com'),
    });
    expect(suite.mock.requests('messages.create')[0]?.form.Body).toEqual(['Where is my order?']);

    // The customer writes.
    await message.fill('Hello, anyone there?');
    await message.press('Enter');
    await page.locator('.fw-from-customer .fw-text', { hasText: 'Hello, anyone there?' }).waitFor();
    expect(await message.inputValue()).toBe('');
    expect((await fake(page, (c) => c.sent)).map((s) => s.body)).toEqual(['Hello, anyone there?']);

    // The agent joins, types, answers.
    await fake(page, (c) => c.agentJoins('Alex'));
    await page.getByText('Alex joined the chat').waitFor();
    await fake(page, (c) => c.agentTyping(true));
    await page.getByText('Alex is typing…').waitFor();
    await fake(page, (c) => c.agentSays('Hi Ana, let me check.'));
    await page.locator('.fw-from-agent', { hasText: 'Hi Ana, let me check.' }).waitFor();
    expect(await page.locator('.fw-from-agent .fw-author').last().textContent()).toBe('Alex');
    await eventually(async () => expect(await page.locator('.fw-typing').textContent()).toBe(''));
    // Announced to screen readers, politely.
    await eventually(async () =>
      expect(await page.locator('[aria-live="polite"].fw-sr-only').textContent()).toBe(
        'Alex says: Hi Ana, let me check.',
      ),
    );

    // Read receipt.
    expect(await page.getByText('Seen').count()).toBe(0);
    await fake(page, (c) => c.agentReadsAll());
    await page.locator('.fw-from-customer .fw-seen', { hasText: 'Seen' }).waitFor();

    // The agent leaves; what they wrote stays signed with their name.
    await fake(page, (c) => c.agentLeaves());
    await page.getByText('Alex left the chat').waitFor();
    expect(await page.locator('.fw-from-agent .fw-author').last().textContent()).toBe('Alex');

    // The customer ends the chat.
    await page.getByRole('button', { name: 'End chat' }).click();
    await page.getByText('End this chat?').waitFor();
    await page.getByRole('button', { name: 'End chat' }).last().click();
    await page.getByText('You ended the chat.').waitFor();
    const conversation = conversations(suite.mock).get(
      created ? [...conversations(suite.mock).keys()][0]! : '',
    );
    expect(conversation?.state).toBe('closed');
    expect(conversation?.messages.at(-1)?.author).toBe('system');
    // The client stays up until a new chat: the transcript may page in history.
    expect(await fake(page, (c) => c.shutdowns)).toBe(0);

    // Transcript download, plain text.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download transcript' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^chat-\d{4}-\d{2}-\d{2}\.txt$/);
    const text = await (await file.createReadStream()).toArray();
    const transcript = Buffer.concat(text as Buffer[]).toString('utf8');
    expect(transcript).toMatch(
      /^Chat transcript\n\n\[.+\] You: Hello, anyone there\?\n\[.+\] Alex: Hi Ana, let me check\.\n$/,
    );

    // And a new one can start.
    await page.getByRole('button', { name: 'Start a new chat' }).click();
    await page.getByRole('button', { name: 'Start chat' }).waitFor();
    expect(await fake(page, (c) => c.shutdowns)).toBe(1);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('counts unread messages on the launcher while the panel is closed', async () => {
    const { page, problems, context } = await newPage(suite.browser);
    await startChat(page);
    await page.getByRole('dialog').getByRole('button', { name: 'Minimize chat' }).click();
    await fake(page, (c) => {
      c.agentJoins('Alex');
      c.agentSays('First');
      c.agentSays('Second');
    });
    const launcher = page.getByRole('button', { name: 'Open chat, 2 unread messages' });
    await launcher.waitFor();
    expect(await page.locator('.fw-badge').textContent()).toBe('2');
    const readsBefore = await fake(page, (c) => c.readCalls);
    await launcher.click();
    await eventually(async () => expect(await page.locator('.fw-badge').isHidden()).toBe(true));
    await eventually(async () =>
      expect(await fake(page, (c) => c.readCalls)).toBeGreaterThan(readsBefore),
    );
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows nothing unread after a reload: what was read stays read', async () => {
    const { page, context } = await newPage(suite.browser);
    await startChat(page);
    await fake(page, (c) => {
      c.agentJoins('Alex');
      c.agentSays('Read while open');
    });
    await page.locator('.fw-text', { hasText: 'Read while open' }).waitFor();
    await eventually(async () => expect(await fake(page, (c) => c.readCalls)).toBeGreaterThan(0));
    await page.reload();
    // The chat is back (closed): one new message is one unread, not two.
    await eventually(async () =>
      expect(await fake(page, (c) => c.conversation().sid)).toBeTruthy(),
    );
    await fake(page, (c) => c.agentSays('After the reload'));
    await page.getByRole('button', { name: 'Open chat, 1 unread message' }).waitFor();
    expect(await page.locator('.fw-badge').textContent()).toBe('1');
    await context.close();
  });

  it('reopens at the newest message', async () => {
    const { page, context } = await newPage(suite.browser);
    await openForm(page);
    await page.evaluate(() => (window.fakeChat.seed = { count: 30, daysAgo: 0 }));
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.getByText('Earlier message 30').waitFor();
    const scroller = page.locator('.fw-scroll');
    await scroller.evaluate((el) => (el.scrollTop = 0));
    await page.getByRole('dialog').getByRole('button', { name: 'Minimize chat' }).click();
    await fake(page, (c) => c.agentSays('While you were away'));
    await page.getByRole('button', { name: 'Open chat, 1 unread message' }).click();
    await eventually(async () =>
      expect(
        await scroller.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight),
      ).toBeLessThan(2),
    );
    await context.close();
  });

  it('empties the composer at once, so the next message can be typed during a send', async () => {
    const { page, context } = await newPage(suite.browser);
    await startChat(page);
    const message = page.getByRole('textbox', { name: 'Message' });
    await page.evaluate(() => (window.fakeChat.sendDelayMs = 400));
    await message.fill('First');
    await message.press('Enter');
    expect(await message.inputValue()).toBe('');
    await message.pressSequentially('Second', { delay: 5 });
    await page.locator('.fw-from-customer', { hasText: 'First' }).waitFor();
    expect(await message.inputValue()).toBe('Second');

    // A failed send puts its text back, ahead of what was typed since.
    await page.evaluate(() => (window.fakeChat.failSends = 1));
    await message.fill('Third');
    await message.press('Enter');
    await message.pressSequentially('Fourth', { delay: 5 });
    await page.getByText('Your message was not sent. Please try again.').waitFor();
    expect(await message.inputValue()).toBe('Third\nFourth');
    expect((await fake(page, (c) => c.sent)).map((s) => s.body)).toEqual(['First']);
    await context.close();
  });

  it('signals typing at most once per burst of keystrokes', async () => {
    const { page, context } = await newPage(suite.browser);
    await startChat(page);
    await page
      .getByLabel('Message', { exact: true })
      .pressSequentially('hello there', { delay: 10 });
    expect(await fake(page, (c) => c.typingSignals())).toBe(1);
    await context.close();
  });

  it('pages through history when scrolling up, with day separators', async () => {
    const { page, context } = await newPage(suite.browser);
    await openForm(page);
    await page.evaluate(() => (window.fakeChat.seed = { count: 45, daysAgo: 1 }));
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.getByText('Earlier message 45').waitFor();
    expect(await page.locator('.fw-from-agent').count()).toBe(30);
    expect(await page.locator('.fw-day').first().textContent()).toBe('Yesterday');
    // Focused and clicked where it is: Playwright's click would first scroll it
    // into view, and reaching the top loads the history by itself, taking the
    // button away before the click lands (a race that failed a run).
    await page
      .getByRole('button', { name: 'Show earlier messages' })
      .evaluate((button: HTMLButtonElement) => {
        button.focus({ preventScroll: true });
        button.click();
      });
    await page.getByText('Earlier message 1', { exact: true }).waitFor();
    expect(await page.locator('.fw-from-agent').count()).toBe(45);
    expect(await page.getByRole('button', { name: 'Show earlier messages' }).count()).toBe(0);
    // The button is gone, and keyboard focus with it: it lands on the timeline.
    await eventually(async () => expect(await isFocused(page.locator('.fw-scroll'))).toBe(true));
    await context.close();
  });

  it('keeps focus in the timeline when a scroll loads the last history under a focused button', async () => {
    const { page, context } = await newPage(suite.browser);
    await openForm(page);
    await page.evaluate(() => (window.fakeChat.seed = { count: 45, daysAgo: 0 }));
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.getByText('Earlier message 45').waitFor();
    // Tabbing to the button scrolls it into view, and that scroll loads the rest.
    await page.getByRole('button', { name: 'Show earlier messages' }).focus();
    await page.getByText('Earlier message 1', { exact: true }).waitFor();
    await eventually(async () => expect(await isFocused(page.locator('.fw-scroll'))).toBe(true));
    await context.close();
  });

  it('loads earlier messages when scrolled to the top', async () => {
    const { page, context } = await newPage(suite.browser);
    await openForm(page);
    await page.evaluate(() => (window.fakeChat.seed = { count: 45, daysAgo: 0 }));
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.getByText('Earlier message 45').waitFor();
    await page.locator('.fw-scroll').evaluate((el) => el.scrollTo({ top: 0 }));
    await page.getByText('Earlier message 1', { exact: true }).waitFor();
    expect(await page.locator('.fw-from-agent').count()).toBe(45);
    await context.close();
  });

  it.each([
    ['portrait', PHONE],
    ['landscape', { width: PHONE.height, height: PHONE.width }],
  ])(
    'fills a %s phone screen as a modal dialog, with nothing wider than it',
    async (_, viewport) => {
      const { page, context } = await newPage(suite.browser, { viewport });
      await startChat(page);
      const box = await page.locator('.fw-panel').boundingBox();
      expect(box).toEqual({ x: 0, y: 0, width: viewport.width, height: viewport.height });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(overflow).toBeLessThanOrEqual(viewport.width);
      expect(await page.locator('.fw-panel').getAttribute('aria-modal')).toBe('true');
      // Announcements are inside the modal, where a screen reader still hears them.
      expect(await page.locator('.fw-panel [aria-live="polite"]').count()).toBe(1);
      // Tab cannot leave it for the page hidden behind, either way, from
      // anywhere (the heading takes focus but is not in the tab order).
      const inWidget = () =>
        page.evaluate(() => document.activeElement?.hasAttribute('data-flex-webchat'));
      for (const key of ['Tab', 'Shift+Tab']) {
        for (let i = 0; i < 8; i++) {
          await page.keyboard.press(key);
          expect(await inWidget()).toBe(true);
        }
      }
      await page.locator('#fw-title').focus();
      await page.keyboard.press('Shift+Tab');
      expect(await inWidget()).toBe(true);
      expect(await isFocused(page.locator('#fw-title'))).toBe(false);
      await context.close();
    },
  );

  it('marks a field the server refused where the customer can fix it', async () => {
    const { page, context } = await newPage(suite.browser);
    await openForm(page);
    // A rule the form cannot know (a stricter server, say): refused by name.
    await page.route('**/start-chat', (route) =>
      route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({
          error: {
            code: 'invalid_request',
            message: 'Invalid request: question must be plain text.',
            fields: [{ field: 'question', problem: 'must be plain text' }],
          },
        }),
      }),
    );
    await page.getByLabel('How can we help?').fill('Where is my order?');
    await page.getByRole('button', { name: 'Start chat' }).click();

    await page.getByRole('alert').getByText('Please check the answers marked below.').waitFor();
    const question = page.getByLabel('How can we help?');
    expect(await question.getAttribute('aria-invalid')).toBe('true');
    const describedBy = await question.getAttribute('aria-describedby');
    expect(await page.locator(`#${describedBy}`).textContent()).toBe(
      'The chat service did not accept this answer. Please change it.',
    );
    await eventually(async () => expect(await isFocused(question)).toBe(true));
    expect(await page.getByLabel('Name').getAttribute('aria-invalid')).toBeNull();

    // The next answer is another problem: the old mark goes. (A busy answer
    // is waited out instead: resilience.test.ts, "a busy service".)
    await page.unroute('**/start-chat');
    await page.route('**/start-chat', (route) =>
      route.fulfill({
        status: 502,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'upstream_error', message: 'Failed' } }),
      }),
    );
    await question.fill('Where is my order #1042?');
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.getByRole('alert').getByText('Something went wrong. Please try again.').waitFor();
    expect(await question.getAttribute('aria-invalid')).toBeNull();
    expect(await page.locator(`#${describedBy}`).isHidden()).toBe(true);
    await context.close();
  });

  it('is a non-modal dialog beside the page on a desktop', async () => {
    const { page, context } = await newPage(suite.browser);
    await openForm(page);
    expect(await page.locator('.fw-panel').getAttribute('aria-modal')).toBe('false');
    await context.close();
  });

  it('speaks Spanish when the browser does', async () => {
    const { page, context } = await newPage(suite.browser, { locale: 'es-ES' });
    await page.goto(`${suite.runtime.url}/`);
    await page.getByRole('button', { name: 'Abrir el chat' }).click();
    await page.getByLabel('Nombre').waitFor();
    await page.getByRole('button', { name: 'Iniciar chat' }).waitFor();
    await context.close();
  });
});

describeInBrowser('a newcomer who has not configured anything yet', () => {
  // twilio-run with no .env at all: what `npm start` gives before setup.
  let bare: LocalRuntime | undefined;
  beforeAll(async () => {
    bare = await startLocalRuntime({});
  }, 60_000);
  afterAll(() => bare?.stop());

  it('the demo page lists exactly what to put in .env', async () => {
    const { page, context } = await newPage(suite.browser);
    await page.goto(`${bare!.url}/`);
    const status = page.getByRole('status').filter({ hasText: 'not configured' });
    await status.waitFor();
    expect(await status.locator('li code').allTextContents()).toEqual(REQUIRED_WHEN_EMPTY);
    expect(await status.textContent()).toContain(
      'Run npm run setup: it finds these in your Twilio account and writes .env. Then restart npm start.',
    );
    await context.close();
  });

  it('the widget tells the customer chat is unavailable as it opens, and the owner why', async () => {
    // More of this state (no request before the panel opens, Spanish, axe): unavailable.test.ts.
    const { page, context } = await newPage(suite.browser);
    await page.goto(`${bare!.url}/`);
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByText('Chat is not available right now.').waitFor();
    const details = page.locator('details').filter({ hasText: 'Details for the site owner' });
    await details.locator('summary').click();
    for (const name of REQUIRED_WHEN_EMPTY) expect(await details.textContent()).toContain(name);
    // No form to fill in for nothing.
    expect(await page.getByLabel('Name').isHidden()).toBe(true);
    await context.close();
  });
});
