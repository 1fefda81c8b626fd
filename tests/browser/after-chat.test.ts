/**
 * After a chat, in a real Chromium (issue 12 items 5 and 4): the post-chat
 * survey (a rating by keyboard, sent once, stored on the conversation by the
 * real /survey through the Twilio fake) and "Email me this transcript"
 * (the real /transcript, to the SendGrid fake); both axe-clean at phone and
 * desktop widths, under the demo page's strict CSP.
 */
import type { Page } from 'playwright-core';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { addConversationUser, conversations } from '../../dev/twilio-fake/apis';
import { startSendGridFake, SENDGRID_TEST_KEY, type SendGridFake } from '../../dev/sendgrid-fake';
import {
  axe,
  describeInBrowser,
  DESKTOP,
  fake,
  newPage,
  PHONE,
  useBrowserStack,
} from '../../dev/browser';

const env: Record<string, string | undefined> = {
  ...TEST_ENV,
  SURVEY: 'on',
  SENDGRID_API_KEY: SENDGRID_TEST_KEY,
  TRANSCRIPT_FROM: 'Acme Support <help@acme.example>',
};
let sendgrid: SendGridFake;
// Before the stack starts (hooks run in order): the runtime reads its URL.
beforeAll(async () => {
  sendgrid = await startSendGridFake();
  env.SENDGRID_API_URL = sendgrid.url;
});
afterAll(() => sendgrid.stop());
const suite = useBrowserStack(env);

async function endedChat(page: Page, email?: string, more: object = {}): Promise<string> {
  await page.addInitScript((extra) => {
    window.FlexWebchatConfig = {
      ...window.FlexWebchatConfig,
      availability: 'off',
      survey: true,
      emailTranscript: true,
      ...extra,
    };
  }, more);
  await page.goto(`${suite.runtime.url}/`);
  await page.getByRole('button', { name: 'Open chat' }).click();
  await page.getByLabel('Name').fill('Ana');
  if (email) await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Start chat' }).click();
  await page.getByRole('textbox', { name: 'Message' }).waitFor();
  await fake(page, (c) => {
    c.agentJoins('Alex');
    c.agentSays('Glad to help.');
  });
  await page.getByRole('button', { name: 'End chat' }).click();
  await page.getByRole('button', { name: 'End chat' }).last().click();
  await page.getByText('You ended the chat.').waitFor();
  return [...conversations(suite.mock).keys()].at(-1) ?? '';
}

const surveyOf = (sid: string) =>
  (JSON.parse(conversations(suite.mock).get(sid)?.attributes ?? '{}') as { survey?: unknown })
    .survey;

describeInBrowser('after a chat', () => {
  it('asks a rating by keyboard, sends it once, and thanks', async () => {
    const { page, problems, context } = await newPage(suite.browser);
    const sid = await endedChat(page);
    const group = page.getByRole('group', { name: 'How was your chat?' });
    await group.waitFor();
    await page.getByRole('button', { name: 'Send feedback' }).click();
    await page.getByText('Please choose a rating from 1 to 5.').waitFor();
    // Focus went to the first choice; arrows move along the native radio group.
    const first = page.getByRole('radio', { name: '1, very poor' });
    expect(
      await first.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement),
    ).toBe(true);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('radio', { name: '4, good' }).isChecked()).toBe(true);
    await page.getByLabel('Anything else you want to tell us?').fill('Quick answers');
    const before = suite.mock.requests('conversations.update').length;
    await page.getByRole('button', { name: 'Send feedback' }).click();
    await page.getByText('Thank you for your feedback.').waitFor();
    expect(await group.isHidden()).toBe(true);
    expect(surveyOf(sid)).toMatchObject({ rating: 4, comment: 'Quick answers' });
    const stored = suite.mock
      .requests('conversations.update')
      .slice(before)
      .filter((r) => r.form.Attributes);
    expect(stored).toHaveLength(1);
    expect(problems).toEqual([]);
    await context.close();
  });

  it.each([
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ])('is axe-clean on the %s, before and after the answer', async (_, viewport) => {
    const { page, context } = await newPage(suite.browser, { viewport, bypassCSP: true });
    await endedChat(page);
    await page.getByRole('group', { name: 'How was your chat?' }).waitFor();
    expect(await axe(page)).toEqual([]);
    await page.getByRole('radio', { name: '5, excellent' }).check();
    await page.getByRole('button', { name: 'Send feedback' }).click();
    await page.getByText('Thank you for your feedback.').waitFor();
    expect(await axe(page)).toEqual([]);
    await context.close();
  });

  it('emails the transcript to the address the customer gave, and says where', async () => {
    const { page, problems, context } = await newPage(suite.browser);
    const sid = await endedChat(page, 'ana@example.com');
    // What Twilio holds (the SDK is faked in the page, so its messages are not there).
    const held = conversations(suite.mock).get(sid)!;
    held.messages.push({
      sid: `IM${'b'.repeat(32)}`,
      index: held.messages.length,
      author: 'alex@acme.example',
      body: 'Your order ships today.',
      attributes: '{}',
      webhookEnabled: false,
    });
    const sent = sendgrid.sent.length;
    await page.getByRole('button', { name: 'Email me this transcript' }).click();
    await page.getByText('We sent the transcript to a•••@example.com.').waitFor();
    expect(sendgrid.sent).toHaveLength(sent + 1);
    const mail = sendgrid.sent.at(-1)!.body;
    expect(mail.personalizations[0]?.to).toEqual([{ email: 'ana@example.com' }]);
    // Built on the server from Twilio's messages, not from the browser's copy.
    expect(mail.content[0]?.value).toMatch(/\] Agent: Your order ships today\.\n/);
    expect(mail.content[0]?.value).not.toContain('Glad to help');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('says so when the chat has no email address, and sends nothing', async () => {
    const { page, context } = await newPage(suite.browser);
    await endedChat(page);
    const sent = sendgrid.sent.length;
    const button = page.getByRole('button', { name: 'Email me this transcript' });
    await button.click();
    await page.getByText('We have no email address for this chat').waitFor();
    expect(await button.isDisabled()).toBe(true);
    expect(sendgrid.sent).toHaveLength(sent);
    await context.close();
  });

  it.each([
    ['first', {}, 'Alex'],
    ['role', { agentRoleLabel: 'Support team' }, 'Support team'],
  ])(
    'names agents in the email as the widget did (%s), with times in the browser’s zone',
    async (agentName, more, shown) => {
      const { page, context } = await newPage(suite.browser, { timezoneId: 'Asia/Kolkata' });
      const sid = await endedChat(page, 'ana@example.com', { agentName, ...more });
      await expect(page.getByText(shown, { exact: true }).first().isVisible()).resolves.toBe(true);
      addConversationUser(suite.mock, {
        identity: 'alex@acme.example',
        friendlyName: 'Alex Smith',
      });
      const held = conversations(suite.mock).get(sid)!;
      held.messages.push({
        sid: `IM${'c'.repeat(32)}`,
        index: held.messages.length,
        author: 'alex@acme.example',
        body: 'Your order ships today.',
        attributes: '{}',
        webhookEnabled: false,
        dateCreated: '2026-12-03T09:30:00Z',
      });
      await page.getByRole('button', { name: 'Email me this transcript' }).click();
      await page.getByText('We sent the transcript to a•••@example.com.').waitFor();
      const text = sendgrid.sent.at(-1)!.body.content[0]!.value;
      // The zone as the browser names it (Chromium's ICU still says Calcutta).
      expect(text).toContain('Times are in India Standard Time (Asia/Calcutta).');
      expect(text).toContain(`[3:00 PM] ${shown}: Your order ships today.\n`);
      expect(text).not.toContain('Smith');
      await context.close();
    },
  );
});
