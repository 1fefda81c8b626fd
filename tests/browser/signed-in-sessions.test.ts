/**
 * A signed-in customer's session in a real (headless) Chromium, with
 * SHOW_PREVIOUS_CHAT off (signed-in.test.ts has it on): every renewal asks
 * the page for a fresh customer token, and stops when the page says nobody
 * is signed in (the chat forgotten in this browser, not ended); no
 * /previous-chat request when the service does not offer it; and
 * FlexWebchat.logout() in one tab reaching the site's other tabs. The real
 * local runtime and functions against the Twilio mock; the Conversations
 * SDK replaced by the fake at the widget's seam. Requests are counted, not
 * timed.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { CUSTOMER_ENV, mintCustomerToken } from '../../dev/customer-token';
import { conversations } from '../../dev/twilio-fake/apis';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import {
  axe,
  describeInBrowser,
  eventually,
  fake,
  fakeChatScript,
  newPage,
  useBrowserStack,
  DESKTOP,
  PHONE,
  type PageOptions,
} from '../../dev/browser';

const suite = useBrowserStack({ ...TEST_ENV, ...CUSTOMER_ENV, SHOW_PREVIOUS_CHAT: 'false' });

let customers = 0;
/** A new customer each time: their chat in progress would come back at every start. */
const nextSub = () => `cus_session_${++customers}`;

/** What a page asked the service, by function, in order. */
type Calls = Record<'start-chat' | 'refresh-token' | 'previous-chat', Record<string, unknown>[]>;

/**
 * Makes `page` a page of the demo site whose customer is `who()` (null:
 * nobody signed in), answering `getCustomerToken` with tokens minted here,
 * as a site's backend would; counts the page's calls to the service.
 */
async function signIn(page: Page, who: () => string | null): Promise<Calls> {
  await page.exposeFunction('testCustomerToken', async () => {
    const sub = who();
    return sub && (await mintCustomerToken({ sub, name: 'Ana Signed', email: 'ana@example.com' }));
  });
  await page.addInitScript(() => {
    const page = window as unknown as { testCustomerToken: () => Promise<string | null> };
    window.FlexWebchatConfig = {
      ...window.FlexWebchatConfig,
      availability: 'off', // not about opening hours
      getCustomerToken: () => page.testCustomerToken(),
    };
  });
  const calls: Calls = { 'start-chat': [], 'refresh-token': [], 'previous-chat': [] };
  page.on('request', (request) => {
    const name = new URL(request.url()).pathname.slice(1) as keyof Calls;
    if (name in calls && request.method() === 'POST') {
      calls[name].push(request.postDataJSON() as Record<string, unknown>);
    }
  });
  return calls;
}

async function signedInPage(who: () => string | null, options: PageOptions = {}) {
  const opened = await newPage(suite.browser, options);
  return { ...opened, calls: await signIn(opened.page, who) };
}

/** Opens the panel and starts a chat with the question only (the token answers the rest). */
async function startChat(page: Page, question = 'Where is my order?'): Promise<void> {
  await page.goto(`${suite.runtime.url}/`);
  await page.getByRole('button', { name: 'Open chat' }).click();
  await page.getByLabel('How can we help?').fill(question);
  await page.getByRole('button', { name: 'Start chat' }).click();
  await page.getByRole('textbox', { name: 'Message' }).waitFor();
}

const storedChats = (page: Page) =>
  page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('flex-webchat:')));

function conversationOf(sid: string) {
  const conversation = conversations(suite.mock).get(sid);
  if (!conversation) throw new Error(`no conversation ${sid}`);
  return conversation;
}

describeInBrowser('a signed-in customer’s session', () => {
  it('renews with a fresh customer token each time; stops, and forgets the chat here, once the page says nobody is signed in', async () => {
    for (const viewport of [PHONE, DESKTOP]) {
      const lastSub = nextSub();
      let sub: string | null = lastSub;
      const { page, problems, context, calls } = await signedInPage(() => sub, {
        viewport,
        bypassCSP: true,
      });
      await startChat(page);
      const sid = await fake(page, (c) => c.conversation().sid);

      // Signed in: each renewal carries a token the page just gave.
      await fake(page, (c) => c.tokenAboutToExpire());
      await eventually(async () => expect(await fake(page, (c) => c.tokens.length)).toBe(2));
      expect(calls['refresh-token']).toEqual([
        { token: expect.any(String), customerToken: expect.any(String) },
      ]);

      // Signed out of the site in another tab, without FlexWebchat.logout().
      sub = null;
      await fake(page, (c) => c.tokenAboutToExpire());
      const notice = page
        .getByRole('alert')
        .filter({ hasText: 'You signed out, so your chat is no longer shown here.' });
      await notice.waitFor();
      expect(calls['refresh-token']).toHaveLength(1); // nothing sent for a customer not here
      expect(await storedChats(page)).toEqual([]);
      expect(await fake(page, (c) => c.shutdowns)).toBe(1); // the connection closed too
      expect(conversationOf(sid).state).toBe('active'); // forgotten here, not ended
      // What a signed-out visitor sees: the whole form, and no more renewals.
      expect(await page.getByLabel('Name').isVisible()).toBe(true);
      await fake(page, (c) => c.tokenAboutToExpire());
      await fake(page, (c) => c.tokenExpired());
      expect(calls['refresh-token']).toHaveLength(1);
      expect(await axe(page)).toEqual([]);

      if (viewport === DESKTOP) {
        // Signed in again: the notice goes at the next opening, and a start brings the chat back.
        sub = lastSub;
        await page.getByRole('button', { name: 'Minimize chat' }).first().click();
        await page.getByRole('button', { name: 'Open chat' }).click();
        await notice.waitFor({ state: 'detached' });
        await page.getByLabel('How can we help?').fill('I am back');
        await page.getByRole('button', { name: 'Start chat' }).click();
        await page.getByText('Welcome back: your chat continues.').waitFor();
        expect(await fake(page, (c) => c.conversation().sid)).toBe(sid);
        expect(conversationOf(sid).messages.map((m) => m.body)).toContain('I am back');
      }
      expect(problems).toEqual([]);
      await context.close();
    }
  });

  it('asks no /previous-chat when the service does not offer it, after a start or a reload', async () => {
    const sub = nextSub();
    const { page, problems, context, calls } = await signedInPage(() => sub);
    const answers: Record<string, unknown>[] = [];
    page.on('response', (r) => {
      if (/\/(start-chat|refresh-token)$/.test(r.url()))
        void r.json().then((body: Record<string, unknown>) => answers.push(body));
    });
    await startChat(page);
    await page.reload();
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor(); // resumed
    await eventually(() => expect(answers).toHaveLength(2));
    expect(calls['start-chat']).toHaveLength(1);
    expect(calls['refresh-token']).toHaveLength(1);
    for (const answer of answers) expect(answer).not.toHaveProperty('previousChat');
    expect(calls['previous-chat']).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('logout in one tab forgets the chat in the site’s other tabs too', async () => {
    const sub = nextSub();
    const context: BrowserContext = (await newPage(suite.browser)).context;
    const tabs = [];
    for (let i = 0; i < 2; i++) {
      const page = i === 0 ? context.pages()[0]! : await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      if (i === 1) await page.addInitScript({ content: await fakeChatScript() });
      tabs.push({ page, problems, calls: await signIn(page, () => sub) });
    }
    const [a, b] = tabs as [(typeof tabs)[0], (typeof tabs)[0]];
    await startChat(a.page, 'From tab A');
    await startChat(b.page, 'From tab B'); // the same chat: the customer's, continued
    const sid = await fake(a.page, (c) => c.conversation().sid);
    expect(await fake(b.page, (c) => c.conversation().sid)).toBe(sid);

    await a.page.evaluate(() => window.FlexWebchat?.logout());
    // Tab B, without a reload: closed, forgotten, the launcher as a signed-out visitor sees it.
    await b.page.getByRole('dialog').waitFor({ state: 'hidden' });
    expect(await storedChats(b.page)).toEqual([]);
    expect(await fake(b.page, (c) => c.shutdowns)).toBe(1);
    await b.page.getByRole('button', { name: 'Open chat' }).click();
    await b.page.getByRole('button', { name: 'Start chat' }).waitFor();
    expect(await storedChats(a.page)).toEqual([]);
    expect(conversationOf(sid).state).toBe('active'); // logout without endChat: not ended
    // And a reload of tab B does not bring it back.
    await b.page.reload();
    await b.page.getByRole('button', { name: 'Open chat' }).click();
    await b.page.getByRole('button', { name: 'Start chat' }).waitFor();
    expect(b.calls['refresh-token']).toEqual([]);
    expect([...a.problems, ...b.problems]).toEqual([]);
    await context.close();
  });
});
