/**
 * Signed-in customers in a real (headless) Chromium: the demo page from the
 * real local runtime configured for customer tokens (HS256, dev/customer-token.ts),
 * the page handing the widget tokens through `getCustomerToken` (minted in
 * the test, as a site's backend would, and counted), /start-chat verifying
 * them through the local Twilio mock; the Conversations SDK replaced by the
 * fake at the widget's seam.
 */
import type { Page } from 'playwright-core';
import { CUSTOMER_ENV, mintCustomerToken } from '../../dev/customer-token';
import { conversations } from '../../dev/twilio-fake/apis';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import {
  axe,
  describeInBrowser,
  eventually,
  fake,
  isFocused,
  newPage,
  useBrowserStack,
  DESKTOP,
  PHONE,
  type PageOptions,
} from '../../dev/browser';

const suite = useBrowserStack({ ...TEST_ENV, ...CUSTOMER_ENV, SHOW_PREVIOUS_CHAT: 'true' });

interface Customer {
  sub: string;
  name?: string;
  email?: string;
}

let customers = 0;
/**
 * Ana, as a new customer of the shop each time (her own `sub`): a signed-in
 * customer's chat in progress comes back at every start, so tests that
 * share the mock must not share a customer.
 */
const ana = (): Customer => ({
  sub: `cus_ana_${++customers}`,
  name: 'Ana Signed',
  email: 'ana@example.com',
});

/**
 * A page of the demo site whose customer is `who()` (null: nobody signed
 * in): the widget's `getCustomerToken` asks the test, which mints a token
 * and counts the calls. `config` goes into FlexWebchatConfig.
 */
async function signedInPage(
  who: () => Customer | null,
  config: Record<string, unknown> = {},
  options: PageOptions = {},
) {
  const opened = await newPage(suite.browser, options);
  const { page } = opened;
  const tokens: (string | null)[] = [];
  await page.exposeFunction('testCustomerToken', async () => {
    const customer = who();
    // Each token its own (`jti`), as a backend's are: two in one second would be the same JWT.
    const token = customer && (await mintCustomerToken({ ...customer, jti: `t${tokens.length}` }));
    tokens.push(token);
    return token;
  });
  await page.addInitScript((extra) => {
    const page = window as unknown as { testCustomerToken: () => Promise<string | null> };
    window.FlexWebchatConfig = {
      ...window.FlexWebchatConfig,
      availability: 'off', // not about opening hours
      ...extra,
      getCustomerToken: () => page.testCustomerToken(),
    };
  }, config);
  const starts: Record<string, unknown>[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/start-chat') && request.method() === 'POST') {
      starts.push(request.postDataJSON() as Record<string, unknown>);
    }
  });
  return { ...opened, tokens, starts };
}

/** Until the page's /previous-chat (asked after connecting) is answered: a reload would abort it. */
const previousAnswered = (page: Page) =>
  page.waitForResponse((r) => r.url().endsWith('/previous-chat'));

async function openPanel(page: Page): Promise<void> {
  await page.goto(`${suite.runtime.url}/`);
  await page.getByRole('button', { name: 'Open chat' }).click();
  await page.getByRole('dialog', { name: 'Chat with us' }).waitFor();
}

/** The conversation the page's chat is in (in the Twilio mock), and its attributes. */
async function chatConversation(page: Page) {
  const sid = await fake(page, (c) => c.conversation().sid);
  const conversation = conversations(suite.mock).get(sid);
  if (!conversation) throw new Error(`no conversation ${sid}`);
  const attributes = JSON.parse(conversation.attributes) as Record<string, unknown>;
  return { conversation, attributes };
}

describeInBrowser('a signed-in customer', () => {
  it('skips the fields the token answers: the question only, and a verified chat', async () => {
    const me = ana();
    const { page, problems, context, tokens, starts } = await signedInPage(() => me);
    await openPanel(page);
    await page.getByText("You're signed in as Ana Signed.").waitFor();
    expect(await page.getByLabel('Name').isVisible()).toBe(false); // not shown, not just read-only
    expect(await page.getByLabel('Email').isVisible()).toBe(false);
    expect(await page.locator('.fw-intro', { hasText: 'Tell us a little' }).isHidden()).toBe(true);
    const question = page.getByLabel('How can we help?');
    await eventually(async () => expect(await isFocused(question)).toBe(true));
    expect(tokens).toHaveLength(1); // asked when the form was shown, to say who

    await question.fill('Where is my order?');
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    expect(tokens).toHaveLength(2); // and again for the start: never kept
    expect(starts).toHaveLength(1);
    expect(starts[0]).toMatchObject({
      customerToken: tokens[1],
      friendlyName: 'Ana Signed',
      preEngagement: { email: 'ana@example.com' },
      question: 'Where is my order?',
    });
    // The service verified it: agents see it marked so, and the chat is the customer's identity's.
    const { attributes, conversation } = await chatConversation(page);
    expect(attributes.customer).toEqual({
      verified: true,
      id: me.sub,
      issuer: CUSTOMER_ENV.CUSTOMER_TOKEN_ISSUER,
      name: 'Ana Signed',
      email: 'ana@example.com',
      verifiedAt: expect.any(Number) as unknown,
      signature: expect.stringMatching(/^v2\./) as unknown,
    });
    const [client] = await fake(page, (c) => c.tokens);
    const identity = JSON.parse(Buffer.from(client!.split('.')[1]!, 'base64url').toString()).grants
      .identity as string;
    expect(identity).toMatch(/^cust_[0-9a-f]{32}$/);
    expect(conversation.participants.map((p) => p.identity)).toContain(identity);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('prefill: name and email shown read-only, described as from their account', async () => {
    const me = ana();
    const { page, problems, context, starts } = await signedInPage(() => me, {
      signedInForm: 'prefill',
    });
    await openPanel(page);
    const name = page.getByLabel('Name');
    await eventually(async () => expect(await name.inputValue()).toBe('Ana Signed'));
    const email = page.getByLabel('Email');
    expect(await email.inputValue()).toBe('ana@example.com');
    for (const field of [name, email]) {
      expect(await field.getAttribute('readonly')).not.toBeNull();
      expect(await field.isEditable()).toBe(false);
      // Screen readers hear why: the hint describes the field.
      const described = (await field.getAttribute('aria-describedby'))?.split(' ') ?? [];
      const hints = await Promise.all(
        described.map((id) =>
          page.locator(`[data-flex-webchat] >> #${id}`).evaluate((el) => el.textContent ?? ''),
        ),
      );
      expect(hints).toContain('From your account (cannot be changed here)');
    }
    expect(await page.getByLabel('How can we help?').isEditable()).toBe(true);
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    expect(starts[0]).toMatchObject({
      friendlyName: 'Ana Signed',
      preEngagement: { email: 'ana@example.com' },
    });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('nobody signed in: the usual form, and an anonymous chat', async () => {
    const { page, problems, context, tokens, starts } = await signedInPage(() => null);
    await openPanel(page);
    await eventually(() => expect(tokens).toHaveLength(1));
    await page.getByLabel('Name').fill('Visitor');
    expect(await page.getByLabel('Name').isEditable()).toBe(true);
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    expect(starts[0]).not.toHaveProperty('customerToken');
    expect((await chatConversation(page)).attributes).not.toHaveProperty('customer');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('logout forgets the chat in this browser; with endChat it ends it first', async () => {
    for (const endChat of [false, true]) {
      const me = ana();
      const { page, problems, context } = await signedInPage(() => me);
      const ends: unknown[] = [];
      page.on('request', (r) => {
        if (r.url().endsWith('/end-chat')) ends.push(r.postDataJSON());
      });
      await openPanel(page);
      const answered = previousAnswered(page);
      await page.getByRole('button', { name: 'Start chat' }).click();
      await page.getByRole('textbox', { name: 'Message' }).waitFor();
      await answered;
      const [token] = await fake(page, (c) => c.tokens);
      const { conversation } = await chatConversation(page);
      await page.evaluate((endChat) => window.FlexWebchat?.logout({ endChat }), endChat);
      await page.getByRole('dialog').waitFor({ state: 'hidden' });
      const stored = await page.evaluate(() =>
        Object.keys(sessionStorage).filter((k) => k.startsWith('flex-webchat:')),
      );
      expect(stored).toEqual([]);
      expect(await fake(page, (c) => c.shutdowns)).toBe(1); // the connection closed too
      expect(ends).toEqual(endChat ? [{ token, conversationSid: conversation.sid }] : []);
      expect(conversation.state).toBe(endChat ? 'closed' : 'active');
      // A reload does not bring it back: the form, for whoever is here now.
      await page.reload();
      await page.getByRole('button', { name: 'Open chat' }).click();
      await page.getByRole('button', { name: 'Start chat' }).waitFor();
      expect(problems).toEqual([]);
      await context.close();
    }
  });

  it('on a second device, the same customer gets the same chat back, with what was said', async () => {
    const me = ana();
    const laptop = await signedInPage(() => me);
    await openPanel(laptop.page);
    await laptop.page.getByLabel('How can we help?').fill('Where is my order?');
    await laptop.page.getByRole('button', { name: 'Start chat' }).click();
    await laptop.page.getByRole('textbox', { name: 'Message' }).waitFor();
    const { conversation } = await chatConversation(laptop.page);
    const created = suite.mock.requests('conversations.create').length;

    // Another browser (its own storage): what Twilio holds is the history the SDK finds there.
    const phone = await signedInPage(() => me, {}, { viewport: PHONE, bypassCSP: true });
    await phone.page.addInitScript(
      ({ sid, messages }) => {
        sessionStorage.setItem(
          `fake-conversation:${sid}`,
          JSON.stringify({ status: 'active', messages }),
        );
      },
      {
        sid: conversation.sid,
        messages: conversation.messages.map((m) => ({
          sid: m.sid,
          index: m.index,
          author: m.author,
          body: m.body,
          date: new Date().toISOString(),
          media: [],
        })),
      },
    );
    const answers: Record<string, unknown>[] = [];
    phone.page.on('response', (r) => {
      if (r.url().endsWith('/start-chat'))
        void r.json().then((body: Record<string, unknown>) => answers.push(body));
    });
    await openPanel(phone.page);
    await phone.page.getByLabel('How can we help?').fill('Any news?');
    await phone.page.getByRole('button', { name: 'Start chat' }).click();
    await phone.page.getByRole('textbox', { name: 'Message' }).waitFor();
    await eventually(() => expect(answers).toHaveLength(1));
    expect(answers[0]).toMatchObject({ conversationSid: conversation.sid, resumed: true });
    expect(suite.mock.requests('conversations.create')).toHaveLength(created); // no second chat
    await phone.page.getByText('Welcome back: your chat continues.').waitFor();
    // Both questions are in the one conversation, and the phone shows what was said.
    expect(conversation.messages.map((m) => m.body)).toEqual(
      expect.arrayContaining(['Where is my order?', 'Any news?']),
    );
    await phone.page.locator('.fw-from-customer', { hasText: 'Where is my order?' }).waitFor();
    expect(await axe(phone.page)).toEqual([]);
    expect(laptop.problems).toEqual([]);
    expect(phone.problems).toEqual([]);
    await laptop.context.close();
    await phone.context.close();
  });

  it('a reload asks for a fresh token to resume; a page whose customer signed out forgets the chat', async () => {
    let customer: Customer | null = ana();
    const { page, problems, context, tokens } = await signedInPage(() => customer);
    const refreshes: Record<string, unknown>[] = [];
    let previousAsked = 0;
    page.on('request', (r) => {
      if (r.url().endsWith('/refresh-token'))
        refreshes.push(r.postDataJSON() as Record<string, unknown>);
      if (r.url().endsWith('/previous-chat')) previousAsked++;
    });
    await openPanel(page);
    let answered = previousAnswered(page);
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    await answered;
    const { conversation } = await chatConversation(page);
    const [token] = await fake(page, (c) => c.tokens);

    answered = previousAnswered(page);
    await page.reload();
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor(); // the same chat, resumed
    await answered;
    expect(refreshes).toEqual([{ token, customerToken: tokens[2] }]);
    expect(tokens).toHaveLength(3); // form shown, start, resume
    // SHOW_PREVIOUS_CHAT is on: asked once per page (the renewal said so after the reload).
    expect(previousAsked).toBe(2);

    customer = null; // signed out of the site, without FlexWebchat.logout()
    await page.reload();
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByRole('button', { name: 'Start chat' }).waitFor();
    expect(refreshes).toHaveLength(1); // nothing sent for a customer who is not here
    expect(await page.getByLabel('Name').isVisible()).toBe(true); // the anonymous form
    expect(conversation.state).toBe('active'); // forgotten here, not ended
    expect(problems).toEqual([]);
    await context.close();
  });

  it('renews with a fresh token from the page, asking once more when the service refuses it', async () => {
    const me = ana();
    const { page, problems, context, tokens } = await signedInPage(() => me);
    await openPanel(page);
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    // The first renewal's customer token is refused as expired (tests/contract/ checks the
    // service does so); the one the page gives next goes to the real /refresh-token.
    const refreshes: Record<string, unknown>[] = [];
    await page.route('**/refresh-token', async (route) => {
      const body = route.request().postDataJSON() as Record<string, unknown>;
      refreshes.push(body);
      if (refreshes.length > 1) return route.continue();
      return route.fulfill({
        status: 401,
        contentType: 'application/json',
        body: JSON.stringify({
          error: { code: 'customer_token_expired', message: 'The customer token has expired.' },
        }),
      });
    });
    const before = tokens.length;
    await fake(page, (c) => c.tokenAboutToExpire());
    await eventually(async () => expect(await fake(page, (c) => c.tokens.length)).toBe(2));
    expect(tokens).toHaveLength(before + 2);
    expect(refreshes.map((b) => b.customerToken)).toEqual([tokens[before], tokens[before + 1]]);
    expect(await page.getByRole('textbox', { name: 'Message' }).isVisible()).toBe(true);
    expect(problems.filter((p) => !/401 \(Unauthorized\) \(.*\/refresh-token\)$/.test(p))).toEqual(
      [],
    );
    await context.close();
  });

  it('has no axe violations, phone and desktop: skipped and prefilled forms, the sign-in error', async () => {
    for (const viewport of [PHONE, DESKTOP]) {
      for (const signedInForm of ['skip', 'prefill']) {
        const { page, context } = await signedInPage(
          ana,
          { signedInForm },
          { viewport, bypassCSP: true },
        );
        await openPanel(page);
        await page.getByLabel('How can we help?').waitFor();
        await eventually(async () =>
          expect(
            await page
              .getByText(signedInForm === 'skip' ? "You're signed in" : 'From your account')
              .count(),
          ).toBeGreaterThan(0),
        );
        expect(await axe(page)).toEqual([]);
        await context.close();
      }
    }
  });

  it('shows the previous chat above the new one, read-only and set apart', async () => {
    for (const viewport of [PHONE, DESKTOP]) {
      const me = ana();
      const { page, problems, context } = await signedInPage(
        () => me,
        {},
        {
          viewport,
          bypassCSP: true,
        },
      );
      const asked: unknown[] = [];
      page.on('request', (r) => {
        if (r.url().endsWith('/previous-chat')) asked.push(r.postDataJSON());
      });
      // A first chat, ended.
      await openPanel(page);
      await page.getByLabel('How can we help?').fill('My parcel is late');
      await page.getByRole('button', { name: 'Start chat' }).click();
      await page.getByRole('textbox', { name: 'Message' }).waitFor();
      const first = (await chatConversation(page)).conversation;
      expect(asked).toHaveLength(1); // asked after connecting: none yet
      await page.getByRole('button', { name: 'End chat' }).click();
      await page.getByRole('button', { name: 'End chat' }).last().click();
      await page.getByText('You ended the chat.').waitFor();
      expect(first.state).toBe('closed');

      // The next one shows it above, from /previous-chat (the real function, over REST).
      await page.getByRole('button', { name: 'Start a new chat' }).click();
      await page.getByLabel('How can we help?').fill('Any news?');
      await page.getByRole('button', { name: 'Start chat' }).click();
      await page.getByRole('textbox', { name: 'Message' }).waitFor();
      const date = new Intl.DateTimeFormat('en-US', { dateStyle: 'long' }).format(new Date());
      const previous = page.getByRole('region', { name: `Previous chat, ${date}` });
      await previous.waitFor();
      const tokens = await fake(page, (c) => c.tokens);
      expect(asked).toEqual([{ token: tokens[0] }, { token: tokens[1] }]);
      expect(await previous.getByRole('heading').textContent()).toBe(`Previous chat, ${date}`);
      const said = await previous.locator('li').allTextContents();
      expect(said[0]).toMatch(/^You: My parcel is late\s*\d/);
      // Read-only: nothing in it to act on, and not in this chat's message list.
      expect(await previous.locator('button, input, textarea, a').count()).toBe(0);
      expect(await page.locator('[data-flex-webchat] >> .fw-timeline .fw-previous').count()).toBe(
        0,
      );
      expect(await previous.getByText('End of the previous chat').isVisible()).toBe(true);
      // The new chat goes on below it, as usual.
      await fake(page, (c) => c.agentSays('Hello again, Ana'));
      await page.locator('.fw-from-agent', { hasText: 'Hello again, Ana' }).waitFor();
      expect(await axe(page)).toEqual([]);
      expect(problems).toEqual([]);
      await context.close();
    }
  });

  it('a members-only line: "Please sign in to chat", with the site\'s sign-in link', async () => {
    for (const viewport of [PHONE, DESKTOP]) {
      // An anonymous page (no customer options): REQUIRE_SIGNED_IN refuses its start.
      const { page, problems, context } = await newPage(suite.browser, {
        viewport,
        bypassCSP: true,
      });
      await page.addInitScript(() => {
        window.FlexWebchatConfig = { ...window.FlexWebchatConfig, signInUrl: '/login?next=chat' };
      });
      await page.route('**/start-chat', (route) =>
        route.fulfill({
          status: 401,
          contentType: 'application/json',
          body: JSON.stringify({
            error: { code: 'customer_token_required', message: 'Sign in to chat.' },
          }),
        }),
      );
      await openPanel(page);
      await page.getByLabel('Name').fill('Visitor');
      await page.getByRole('button', { name: 'Start chat' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'Please sign in to chat.' });
      await alert.waitFor();
      const link = alert.getByRole('link', { name: 'Sign in' });
      expect(await link.getAttribute('href')).toBe('/login?next=chat');
      expect(await page.getByLabel('Name').inputValue()).toBe('Visitor'); // kept
      expect(await axe(page)).toEqual([]);
      // The customer's part is not even loaded on an anonymous page.
      expect(
        await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name)),
      ).not.toContainEqual(expect.stringContaining('webchat-customer.js'));
      expect(problems.filter((p) => !p.includes('401 (Unauthorized)'))).toEqual([]);
      await context.close();
    }
  });
});
