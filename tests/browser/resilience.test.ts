/**
 * What a real customer's connection and browser put the widget through:
 * attachments (rules, previews, drops), reloads mid-chat, token renewal,
 * lost connections, failed sends, chats ended by the agent, and a service
 * too busy to start a chat at once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { conversations } from '../../dev/twilio-fake/apis';
import { verifyTestToken } from '../support/tokens';
import {
  describeInBrowser,
  eventually,
  fake,
  newPage,
  pauseTimers,
  startDemoChat,
  useBrowserStack,
} from '../../dev/browser';

const suite = useBrowserStack(TEST_ENV);

const startChat = (page: Page) => startDemoChat(page, suite.runtime.url);

const textbox = (page: Page) => page.getByRole('textbox', { name: 'Message' });
const alertText = (page: Page) => page.locator('.fw-composer-alert').textContent();
const PNG_1PX = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYPj/HwADAgH/p3xSXQAAAABJRU5ErkJggg==',
  'base64',
);

describeInBrowser('attachments', () => {
  // The 16 MB file goes by path: as a buffer, Playwright sends it base64 over
  // the DevTools socket, which took over 10 s on a loaded CI machine.
  const scratch = mkdtempSync(join(tmpdir(), 'webchat-attachments-'));
  const largePdf = join(scratch, 'scan.pdf');
  beforeAll(() => writeFileSync(largePdf, Buffer.alloc(16_777_217)));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it.each([
    ['too large (16 MB + 1 byte)', largePdf, 'scan.pdf is too large: files can be up to 16 MB.'],
    [
      'of a type Flex refuses',
      { name: 'setup.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') },
      'setup.exe cannot be sent. Use JPG, PNG, GIF, HEIC, PDF, TXT, MP3, MP4 or AMR files.',
    ],
    [
      'empty',
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.alloc(0) },
      'notes.txt is empty.',
    ],
  ])('refuses a file %s, before any upload', async (_, file, message) => {
    const { page, context } = await newPage(suite.browser);
    await startChat(page);
    await page.locator('.fw-file-input').setInputFiles(file);
    await eventually(async () => expect(await alertText(page)).toBe(message));
    expect(await page.locator('.fw-attachment').isHidden()).toBe(true);
    expect(await fake(page, (c) => c.sent)).toEqual([]);
    await context.close();
  });

  it('refuses two files at once', async () => {
    const { page, context } = await newPage(suite.browser);
    await startChat(page);
    const one = { name: 'a.png', mimeType: 'image/png', buffer: PNG_1PX };
    await page.locator('.fw-file-input').evaluate((input) => input.setAttribute('multiple', ''));
    await page.locator('.fw-file-input').setInputFiles([one, { ...one, name: 'b.png' }]);
    await eventually(async () => expect(await alertText(page)).toBe('Attach one file at a time.'));
    await context.close();
  });

  it('previews a picked image, sends it with text, and shows it', async () => {
    const { page, context, problems } = await newPage(suite.browser);
    await startChat(page);
    // Picked through the attach button, as a customer would.
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Attach a file' }).click();
    await (await chooser).setFiles({ name: 'photo.png', mimeType: 'image/png', buffer: PNG_1PX });
    await page.locator('.fw-attachment-thumb').waitFor();
    expect(await page.locator('.fw-attachment-name').textContent()).toBe('photo.png (70 B)');
    await textbox(page).fill('The damaged box');
    await textbox(page).press('Enter');
    await page.locator('.fw-from-customer img[alt="photo.png"]').waitFor();
    expect(await fake(page, (c) => c.sent)).toEqual([
      { body: 'The damaged box', filename: 'photo.png', size: 70, type: 'image/png' },
    ]);
    expect(await page.locator('.fw-attachment').isHidden()).toBe(true);
    expect(problems).toEqual([]); // the blob: preview passes the page's strict CSP
    await context.close();
  });

  it('takes a dropped file', async () => {
    const { page, context } = await newPage(suite.browser);
    await startChat(page);
    await page.locator('.fw-chat').evaluate((chat) => {
      const data = new DataTransfer();
      data.items.add(new File(['order 1042'], 'order.txt', { type: 'text/plain' }));
      chat.dispatchEvent(
        new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }),
      );
      chat.dispatchEvent(
        new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }),
      );
    });
    await eventually(async () =>
      expect(await page.locator('.fw-attachment-name').textContent()).toBe('order.txt (10 B)'),
    );
    await context.close();
  });

  it("shows the agent's images through their temporary URL", async () => {
    const { page, context } = await newPage(suite.browser);
    await startChat(page);
    await page.evaluate(
      (src) => window.fakeChat.agentSendsImage('label.png', src),
      `data:image/png;base64,${PNG_1PX.toString('base64')}`,
    );
    await page.locator('.fw-from-agent img[alt="label.png"]').waitFor();
    await context.close();
  });
});

describeInBrowser('a reload mid-chat', () => {
  it('brings the same conversation back, with a renewed token', async () => {
    const { page, context } = await newPage(suite.browser);
    await startChat(page);
    await textbox(page).fill('Before the reload');
    await textbox(page).press('Enter');
    await page.getByText('Before the reload').waitFor();
    const [firstToken] = await fake(page, (c) => c.tokens);
    const created = suite.mock.requests('conversations.create').length;

    // Renewed before reconnecting (a token minted in the same second as the
    // first one is byte-identical, so the call is what proves it).
    const renewed = page.waitForResponse((r) => r.url().endsWith('/refresh-token'));
    await page.reload();
    expect((await renewed).status()).toBe(200);
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByText('Before the reload').waitFor();
    const [resumedToken] = await fake(page, (c) => c.tokens);
    expect(verifyTestToken(resumedToken!).payload.grants.identity).toBe(
      verifyTestToken(firstToken!).payload.grants.identity,
    );
    expect(suite.mock.requests('conversations.create')).toHaveLength(created);
    await context.close();
  });

  it('shows the form again when the stored chat can no longer be renewed', async () => {
    const { page, context } = await newPage(suite.browser);
    await startChat(page);
    await page.route('**/refresh-token', (route) =>
      route.fulfill({
        status: 403,
        contentType: 'application/json',
        body: '{"error":{"code":"session_expired","message":"x"}}',
      }),
    );
    await page.reload();
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByRole('button', { name: 'Start chat' }).waitFor();
    expect(
      await page.evaluate(() =>
        Object.keys(sessionStorage).filter((k) => k.startsWith('flex-webchat:')),
      ),
    ).toEqual([]);
    await context.close();
  });
});

describeInBrowser('token renewal', () => {
  it.each(['tokenAboutToExpire', 'tokenExpired'] as const)(
    'renews the token through /refresh-token on %s',
    async (event) => {
      const { page, context } = await newPage(suite.browser);
      await startChat(page);
      await page.evaluate((name) => window.fakeChat[name](), event);
      await eventually(async () => expect(await fake(page, (c) => c.tokens.length)).toBe(2));
      const [first, renewed] = await fake(page, (c) => c.tokens);
      expect(verifyTestToken(renewed!).payload.grants.identity).toBe(
        verifyTestToken(first!).payload.grants.identity,
      );
      const stored = await page.evaluate(() => Object.values(sessionStorage).join());
      expect(stored).toContain(renewed);
      await page.getByRole('textbox', { name: 'Message' }).fill('Still here');
      await page.getByRole('textbox', { name: 'Message' }).press('Enter');
      await page.locator('.fw-from-customer', { hasText: 'Still here' }).waitFor();
      await context.close();
    },
  );

  it('ends the chat honestly when the token expired and cannot be renewed', async () => {
    const { page, context } = await newPage(suite.browser);
    await startChat(page);
    await page.route('**/refresh-token', (route) =>
      route.fulfill({
        status: 401,
        contentType: 'application/json',
        body: '{"error":{"code":"token_expired","message":"x"}}',
      }),
    );
    await fake(page, (c) => c.tokenExpired());
    await page.getByText('Your chat session has ended.').waitFor();
    await page.getByRole('button', { name: 'Start a new chat' }).waitFor();
    await context.close();
  });
});

describeInBrowser('connection trouble', () => {
  it('says when the connection drops, keeps what was typed, and sends once back', async () => {
    const { page, context } = await newPage(suite.browser);
    await startChat(page);
    const banner = page.locator('.fw-banner');
    await fake(page, (c) => c.connection('connecting'));
    await eventually(async () =>
      expect(await banner.textContent()).toBe('Connection lost. Reconnecting…'),
    );
    await textbox(page).fill('Typed while offline');
    await textbox(page).press('Enter');
    expect(await page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    expect(await textbox(page).inputValue()).toBe('Typed while offline');
    expect(await fake(page, (c) => c.sent)).toEqual([]);

    await fake(page, (c) => c.connection('connected'));
    await eventually(async () => expect(await banner.isHidden()).toBe(true));
    await textbox(page).press('Enter');
    await page.locator('.fw-from-customer', { hasText: 'Typed while offline' }).waitFor();
    await context.close();
  });

  it('says when the browser goes offline', async () => {
    const { page, context } = await newPage(suite.browser);
    await startChat(page);
    await context.setOffline(true);
    await eventually(async () =>
      expect(await page.locator('.fw-banner').textContent()).toBe(
        'You are offline. What you type stays here until you are back.',
      ),
    );
    await context.setOffline(false);
    await eventually(async () => expect(await page.locator('.fw-banner').isHidden()).toBe(true));
    await context.close();
  });

  it('keeps the text of a message that failed to send', async () => {
    const { page, context } = await newPage(suite.browser);
    await startChat(page);
    await page.evaluate(() => (window.fakeChat.failSends = 1));
    await textbox(page).fill('Please keep me');
    await textbox(page).press('Enter');
    await eventually(async () =>
      expect(await alertText(page)).toBe('Your message was not sent. Please try again.'),
    );
    expect(await textbox(page).inputValue()).toBe('Please keep me');
    await textbox(page).press('Enter');
    await page.locator('.fw-from-customer', { hasText: 'Please keep me' }).waitFor();
    await context.close();
  });

  it('renews the token when the connection is denied', async () => {
    const { page, context } = await newPage(suite.browser);
    await startChat(page);
    await fake(page, (c) => c.connection('denied'));
    // Being renewed: to the customer, just a reconnect.
    await eventually(async () =>
      expect(await page.locator('.fw-banner').textContent()).toBe('Connection lost. Reconnecting…'),
    );
    await eventually(async () => expect(await fake(page, (c) => c.tokens.length)).toBe(2));
    // Refused again with the fresh token: Twilio is refusing the service itself.
    await fake(page, (c) => c.connection('denied'));
    await eventually(async () =>
      expect(await page.locator('.fw-banner').textContent()).toBe(
        'Chat cannot connect right now. We will keep trying.',
      ),
    );
    expect(await fake(page, (c) => c.tokens.length)).toBe(2);
    await context.close();
  });
});

describeInBrowser('the agent ends the chat', () => {
  it('shows the end, forgets the session, and offers a new chat', async () => {
    const { page, context } = await newPage(suite.browser);
    await startChat(page);
    await fake(page, (c) => c.agentJoins('Alex'));
    await fake(page, (c) => c.agentSays('Glad I could help!'));
    const updates = suite.mock.requests('conversations.update').length;
    await fake(page, (c) => c.closeConversation());
    await page.getByText('This chat has ended.').waitFor();
    expect(await page.getByRole('button', { name: 'End chat' }).count()).toBe(0);
    expect(await page.getByRole('textbox', { name: 'Message' }).count()).toBe(0);
    await page.reload();
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByRole('button', { name: 'Start chat' }).waitFor();
    // The widget did not end it again: no /end-chat, the mock's copy untouched.
    expect(suite.mock.requests('conversations.update')).toHaveLength(updates);
    await context.close();
  });
});

describeInBrowser('a chat that cannot be reached yet', () => {
  it('is kept when the first connection fails, and comes back with "Try again"', async () => {
    const { page, context } = await newPage(suite.browser);
    await page.clock.install();
    await page.goto(`${suite.runtime.url}/`);
    await page.evaluate(() => (window.fakeChat.failConnects = 2));
    const created = suite.mock.requests('conversations.create').length;
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByLabel('Name').fill('Ana');
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.getByText('Reconnecting to your chat…').waitFor();
    // No automatic retry from here on: only the button can bring it back.
    await pauseTimers(page);
    await page.evaluate(() => (window.fakeChat.failConnects = 0));
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    expect(suite.mock.requests('conversations.create')).toHaveLength(created + 1);
    await context.close();
  });

  it('does not take focus from the page when the chat comes back on its own', async () => {
    const { page, context } = await newPage(suite.browser);
    await page.goto(`${suite.runtime.url}/`);
    await page.evaluate(() => {
      const search = document.createElement('input');
      search.id = 'site-search';
      search.setAttribute('aria-label', 'Search the site');
      document.body.prepend(search);
      window.fakeChat.failConnects = 1;
    });
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.getByText('Reconnecting to your chat…').waitFor();
    await page.locator('#site-search').focus();
    await textbox(page).waitFor(); // the automatic retry
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('site-search');
    await context.close();
  });

  it('survives a reload while /refresh-token is failing', async () => {
    const { page, context } = await newPage(suite.browser);
    await page.clock.install();
    await startChat(page);
    await textbox(page).fill('Before the outage');
    await textbox(page).press('Enter');
    await page.getByText('Before the outage').waitFor();
    await page.route('**/refresh-token', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: '{"error":{"code":"upstream_unavailable","message":"x"}}',
      }),
    );
    await page.reload();
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByText('Reconnecting to your chat…').waitFor();
    await pauseTimers(page);
    await page.unroute('**/refresh-token');
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByText('Before the outage').waitFor();
    await context.close();
  });

  it('can be given up: ended at the service, then the form', async () => {
    const { page, context } = await newPage(suite.browser);
    await startChat(page);
    const updates = suite.mock.requests('conversations.update').length;
    await page.addInitScript(() => (window.fakeChat.failConnects = 100));
    await page.reload();
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByRole('button', { name: 'Start a new chat' }).click();
    await page.getByRole('button', { name: 'Start chat' }).waitFor();
    expect(suite.mock.requests('conversations.update').length).toBeGreaterThan(updates);
    const [closed] = suite.mock.requests('conversations.update').slice(updates);
    expect(closed?.form.State).toEqual(['closed']);
    await context.close();
  });
});

describeInBrowser('a busy service', () => {
  it('waits its turn: says the customer is in line, keeps their text, and starts one chat', async () => {
    const { page, context } = await newPage(suite.browser);
    await page.goto(`${suite.runtime.url}/`);
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByLabel('Name').fill('Ana');
    await page.getByLabel('Email').fill('ana@example.com');
    await page.getByLabel('How can we help?').fill('Where is my order?');

    const chatsBefore = conversations(suite.mock).size;
    const messagesBefore = suite.mock.requests('messages.create').length;
    // The budget's 429, then Twilio's rate limit (503), each with Retry-After;
    // then the real /start-chat. Every attempt's body is kept to compare.
    const bodies: string[] = [];
    const busy = [
      { status: 429, code: 'budget_exceeded' },
      { status: 503, code: 'upstream_rate_limited' },
    ];
    await page.route('**/start-chat', async (route) => {
      bodies.push(route.request().postData() ?? '');
      const answer = busy.shift();
      if (!answer) return route.continue();
      await route.fulfill({
        status: answer.status,
        contentType: 'application/json',
        headers: { 'Retry-After': '1', 'Access-Control-Expose-Headers': 'Retry-After' },
        body: JSON.stringify({ error: { code: answer.code, message: 'Busy' } }),
      });
    });
    await page.getByRole('button', { name: 'Start chat' }).click();

    // Said politely (a status region, not an alert), with the text still there.
    const inLine = "We're busy right now: you're in line, and your chat will start shortly…";
    await page.getByRole('status').filter({ hasText: inLine }).waitFor();
    expect(await page.getByRole('alert').filter({ hasText: /\S/ }).count()).toBe(0);
    expect(await page.getByLabel('Name').inputValue()).toBe('Ana');
    expect(await page.getByLabel('How can we help?').inputValue()).toBe('Where is my order?');

    await textbox(page).waitFor();
    expect(bodies).toHaveLength(3);
    // The same proof and the same answers each time: the retry is the same start.
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0]!)).toMatchObject({
      friendlyName: 'Ana',
      question: 'Where is my order?',
      proof: expect.any(Object),
    });
    expect(conversations(suite.mock).size).toBe(chatsBefore + 1);
    const messages = suite.mock.requests('messages.create').slice(messagesBefore);
    expect(messages.map((m) => m.form.Body)).toEqual([['Where is my order?']]);
    await context.close();
  });
});
