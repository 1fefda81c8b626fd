/**
 * The preview (npm run preview), in real headless Chromium: a customer on the
 * demo page and an agent on the agent page, in two browser contexts, through
 * a whole chat. No Twilio account: the real widget and the real functions
 * against the local Twilio fake, the simulated Flex in between.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  axe,
  browserAvailable,
  describeInBrowser,
  eventually,
  launchBrowser,
  newPage,
} from '../../dev/browser';
import { freePort } from '../../dev/local-runtime';
import { startPreview, type Preview } from '../../dev/preview/main';
import { conversations, interactions, tasks } from '../../dev/twilio-fake/apis';

// A 1×1 PNG (70 bytes).
const PNG_1PX = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

let preview: Preview;
let browser: Browser;

// What a site owner tunes in preview-options.json (docs/preview.md).
const optionsFile = join(mkdtempSync(join(tmpdir(), 'preview-options-')), 'preview-options.json');
const OPTIONS = {
  title: 'Talk to Acme',
  colors: { primary: '#7a1fa2' },
  fields: [
    { name: 'friendlyName', type: 'text', required: true, label: 'Your name' },
    { name: 'question', type: 'textarea', required: false },
  ],
  strings: { startChat: 'Ask us' },
};

beforeAll(async () => {
  if (!browserAvailable) return;
  writeFileSync(optionsFile, JSON.stringify(OPTIONS));
  preview = await startPreview({ port: await freePort(), validate: true, optionsFile });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await preview?.stop();
});

/**
 * A page problem other than the widget giving up on /availability after its 5 s
 * timeout (it then acts as open, by design): on this shared 2-core machine a
 * twilio-run fork for it can take that long.
 */
const unexpected = (problem: string) => !/\/availability \(net::ERR_ABORTED\)$/.test(problem);

const customerMessages = (page: Page) => page.locator('.fw-from-customer');

describeInBrowser('the preview: a whole chat without a Twilio account', () => {
  it('form -> question at the agent -> join -> reply -> file -> agent ends -> customer sees the end', async () => {
    const customer = await newPage(browser, { fake: false });
    // bypassCSP: only to inject axe-core into the agent page.
    const agent = await newPage(browser, { fake: false, bypassCSP: true });
    const site = customer.page;
    const desk = agent.page;

    // The customer: the demo page says it is the preview; the form as usual.
    await site.goto(`${preview.url}/`);
    await site.getByText('Preview: a simulated Flex on this computer').waitFor();
    await site.getByRole('button', { name: 'Open chat' }).click();
    // The options file's title, colour, form and strings.
    await site.getByRole('dialog', { name: 'Talk to Acme' }).waitFor();
    expect(
      await site
        .locator('[data-flex-webchat]')
        .evaluate((host: HTMLElement) => host.style.getPropertyValue('--fw-primary')),
    ).toBe('#7a1fa2');
    expect(await site.getByLabel('Email').count()).toBe(0);
    await site.getByLabel('Your name').fill('Ana');
    await site.getByLabel('How can we help?').fill('Where is my order?');
    await site.getByRole('button', { name: 'Ask us' }).click();
    await site.getByRole('textbox', { name: 'Message' }).waitFor();

    // The question reached Flex the real way: /start-chat's webhook, then
    // /interaction created one Interaction (and its task) for the conversation.
    await eventually(() => expect(tasks(preview.mock)).toHaveLength(1), 15_000);
    const [conversation] = [...conversations(preview.mock).values()];
    expect(interactions(preview.mock)[0]?.channel).toMatchObject({
      type: 'web',
      properties: { media_channel_sid: conversation?.sid },
    });

    // The agent: the chat waits in the list, with the question.
    await desk.goto(`${preview.url}/agent`);
    const waiting = desk.getByRole('listitem').filter({ hasText: 'Ana' });
    await waiting.getByText('Where is my order?').waitFor();
    await waiting.getByText('waiting for an agent').waitFor();
    await desk.getByLabel('Your name').fill('Sam');
    await desk.getByRole('button', { name: 'Join the chat with Ana' }).click();
    const log = desk.getByRole('log', { name: 'Messages' });
    await log.getByText('Where is my order?').waitFor();
    expect(tasks(preview.mock)[0]?.assignmentStatus).toBe('assigned');
    expect(await axe(desk)).toEqual([]);

    // The customer sees the agent join, by name, and the agent's reply.
    await site.getByText('Sam joined the chat').waitFor();
    await desk.getByRole('textbox', { name: 'Message' }).fill('Hi Ana, let me check.');
    await site.getByText('Sam is typing…').waitFor();
    await desk.getByRole('button', { name: 'Send' }).click();
    const reply = site.locator('.fw-from-agent', { hasText: 'Hi Ana, let me check.' });
    await reply.waitFor();
    expect(await site.locator('.fw-from-agent .fw-author').last().textContent()).toBe('Sam');

    // The customer writes and sends a file; the agent sees both.
    const box = site.getByRole('textbox', { name: 'Message' });
    await box.fill('Thanks!');
    await box.press('Enter');
    await log.getByText('Thanks!').waitFor();
    // The agent page has it on screen, so it is read: the customer sees Seen.
    await site.locator('.fw-from-customer', { hasText: 'Thanks!' }).getByText('Seen').waitFor();
    await site.locator('.fw-file-input').setInputFiles({
      name: 'receipt.png',
      mimeType: 'image/png',
      buffer: PNG_1PX,
    });
    await site.locator('.fw-attachment-thumb').waitFor();
    await box.fill('My receipt');
    await box.press('Enter');
    await customerMessages(site).locator('img[alt="receipt.png"]').waitFor();
    await log.getByText('My receipt').waitFor();
    const link = log.getByRole('link', { name: 'receipt.png' });
    await link.waitFor();
    const href = await link.getAttribute('href');
    const served = await fetch(new URL(href ?? '', preview.url));
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await served.arrayBuffer())).toEqual(PNG_1PX);

    // The agent ends the chat, as in Flex: the customer sees it ended.
    await desk.getByRole('button', { name: 'End chat' }).click();
    await site.getByText('This chat has ended.').waitFor();
    await desk.getByText('This chat has ended.').waitFor();
    expect(conversation?.state).toBe('closed');
    expect(interactions(preview.mock)[0]?.channelStatus).toBe('closed');
    expect(tasks(preview.mock)[0]?.assignmentStatus).toBe('wrapping');

    // Every request to the fake met Twilio's spec; neither page had a problem.
    expect(preview.mock.violations).toEqual([]);
    expect(customer.problems.filter(unexpected)).toEqual([]);
    expect(agent.problems).toEqual([]);
    await customer.context.close();
    await agent.context.close();
  });

  it("the customer's End chat reaches the agent: /end-chat closes the Interaction Channel", async () => {
    const customer = await newPage(browser, { fake: false });
    const agent = await newPage(browser, { fake: false });
    const site = customer.page;
    const desk = agent.page;
    await site.goto(`${preview.url}/`);
    await site.getByRole('button', { name: 'Open chat' }).click();
    await site.getByLabel('Your name').fill('Bo');
    await site.getByLabel('How can we help?').fill('Do you ship to Norway?');
    await site.getByRole('button', { name: 'Ask us' }).click();
    await desk.goto(`${preview.url}/agent`);
    await desk.getByRole('button', { name: 'Join the chat with Bo' }).click();
    // The agent page's default name.
    await site.getByText('Alex joined the chat').waitFor();

    await site.getByRole('button', { name: 'End chat' }).click();
    await site.getByRole('button', { name: 'End chat' }).last().click();
    await site.getByText('You ended the chat.').waitFor();
    await desk.getByText('This chat has ended.').waitFor();
    const chat = (
      (await await fetch(`${preview.url}/agent/api/chats`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      }).then((r) => r.json())) as { chats: { customer: string; status: string }[] }
    ).chats;
    expect(chat.find((c) => c.customer === 'Bo')?.status).toBe('ended');
    expect(preview.mock.requests('interactionChannels.update').at(-1)?.form.Status).toEqual([
      'closed',
    ]);
    expect(preview.mock.violations).toEqual([]);
    expect(customer.problems.filter(unexpected)).toEqual([]);
    expect(agent.problems).toEqual([]);
    await customer.context.close();
    await agent.context.close();
  });
});
