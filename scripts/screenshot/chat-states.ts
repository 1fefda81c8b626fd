/**
 * States 1-8 of one chat on the configured service, in order: launcher, form,
 * form errors, a conversation with an agent (messages, Seen, an image,
 * typing), a file about to be sent, reconnecting, the end-chat confirmation,
 * and the ended chat. The agent's side is the fake chat client's.
 */
import type { Page } from 'playwright-core';
import { fake } from '../../dev/browser';
import { agentSendsMap } from './agent-image';
import { type Scene, type Shot } from './camera';

/** 1-3: the launcher, the form, and the form's errors; then starts the chat. */
async function form(page: Page, baseUrl: string, shot: Shot): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByRole('button', { name: 'Open chat' }).waitFor();
  await shot('1-launcher');
  await page.getByRole('button', { name: 'Open chat' }).click();
  await page.getByRole('button', { name: 'Start chat' }).waitFor(); // webchat-ui.js is loaded
  await shot('2-form');
  await page.getByLabel('Email').fill('ana@');
  await page.getByRole('button', { name: 'Start chat' }).click();
  await shot('3-form-errors');
  await page.getByLabel('Name').fill('Ana López');
  await page.getByLabel('Email').fill('ana@example.com');
  await page.getByRole('button', { name: 'Start chat' }).click();
}

/** 4: the customer's message, the agent's answer and image, the agent typing. */
async function conversation(page: Page, shot: Shot): Promise<void> {
  const message = page.getByRole('textbox', { name: 'Message' });
  await message.waitFor();
  await message.fill('Hi! My order #1042 has not arrived yet.');
  await message.press('Enter');
  await fake(page, (c) => c.agentJoins('Alex'));
  await fake(page, (c) => c.agentSays('Hi Ana, sorry about that. Let me look it up.'));
  await fake(page, (c) => c.agentReadsAll());
  await agentSendsMap(page);
  await fake(page, (c) => c.agentTyping(true));
  await shot('4-chat');
}

/** 5-8: a file attached, reconnecting, the end-chat confirmation, the ended chat. */
async function attachmentToEnd(page: Page, shot: Shot): Promise<void> {
  await page.locator('.fw-file-input').setInputFiles({
    name: 'receipt.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4 receipt'),
  });
  await page.getByRole('textbox', { name: 'Message' }).fill('Here is my receipt.');
  await shot('5-attachment');
  await fake(page, (c) => c.connection('connecting'));
  await shot('6-reconnecting');
  await fake(page, (c) => c.connection('connected'));
  await page.getByRole('button', { name: 'End chat' }).click();
  await shot('7-confirm-end');
  await page.getByRole('button', { name: 'End chat' }).last().click();
  await page.getByText('You ended the chat.').waitFor();
  await shot('8-ended');
}

/** The scene on the service at `baseUrl`. */
export const chatStates =
  (baseUrl: string): Scene =>
  async (page, shot) => {
    await form(page, baseUrl, shot);
    await conversation(page, shot);
    await attachmentToEnd(page, shot);
  };
