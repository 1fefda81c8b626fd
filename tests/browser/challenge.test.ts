/**
 * The challenge in a real (headless) Chromium, at the default difficulty: the
 * widget fetches it when the form is shown, solves it in a Web Worker while
 * the customer types, and sends the proof with the start; "Preparing…" when
 * the customer is quicker; a refused proof replaced once; and a site whose
 * CSP allows no blob: worker still gets its chat (solved on the page).
 */
import { createServer, type Server } from 'node:http';
import type { Page, Request } from 'playwright-core';
import { freePort } from '../../dev/local-runtime';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import {
  axe,
  describeInBrowser,
  eventually,
  newPage,
  startBrowserStack,
  type BrowserStack,
} from '../../dev/browser';

let suite: BrowserStack;
/** A third-party site with a strict CSP that does not allow blob: workers. */
let strictSite: { server: Server; url: string } | undefined;

beforeAll(async () => {
  const port = await freePort();
  // The default difficulty (CHALLENGE_MAX_NUMBER unset), as a real site has it.
  suite = await startBrowserStack({
    ...TEST_ENV,
    CHALLENGE_MAX_NUMBER: undefined,
    ALLOWED_ORIGINS: `${TEST_ENV.ALLOWED_ORIGINS},http://127.0.0.1:${port}`,
  });
  const base = suite.runtime.url;
  const csp = `default-src 'self'; script-src ${base}; connect-src ${base}; style-src 'self'`;
  const server = createServer((req, res) => {
    if (req.url !== '/') return void res.writeHead(204).end();
    res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Security-Policy': csp });
    res.end(`<!doctype html><html lang="en"><head><title>Strict shop</title></head>
      <body><h1>Strict shop</h1><script src="${base}/webchat.js" async></script></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  strictSite = { server, url: `http://127.0.0.1:${port}/` };
}, 60_000);
afterAll(async () => {
  strictSite?.server.close();
  await suite?.stop();
});
afterEach(() => expect(suite.mock.violations).toEqual([]));

type Proof = { challenge: { parameters: { nonce: string; data: { issuedAt: number } } } };

async function openForm(page: Page, url = `${suite.runtime.url}/`): Promise<void> {
  await page.goto(url);
  await page.getByRole('button', { name: 'Open chat' }).click();
  await page.getByRole('dialog', { name: 'Chat with us' }).waitFor();
}

/** The /start-chat and /challenge requests a page makes, and any to another origin. */
function watch(page: Page): { starts: Request[]; challenges: Request[]; others: string[] } {
  const seen = { starts: [] as Request[], challenges: [] as Request[], others: [] as string[] };
  page.on('request', (r) => {
    if (r.url().endsWith('/start-chat')) seen.starts.push(r);
    if (r.url().endsWith('/challenge')) seen.challenges.push(r);
    // Anything not from this service (or the page's own blob: worker).
    if (!r.url().startsWith(suite.runtime.url) && !r.url().startsWith('blob:')) {
      seen.others.push(r.url());
    }
  });
  return seen;
}

describeInBrowser('the challenge before a chat', () => {
  it('is solved in a worker while the form is filled in, and starts the chat', async () => {
    const { page, context, problems } = await newPage(suite.browser);
    const seen = watch(page);
    const workers: string[] = [];
    page.on('worker', (worker) => workers.push(worker.url()));
    const issued = page.waitForResponse((r) => r.url().endsWith('/challenge'));
    await openForm(page);
    expect((await issued).status()).toBe(200); // on open, before anything is typed
    await page.getByLabel('Name').pressSequentially('Ana', { delay: 50 });
    await page.getByLabel('How can we help?').fill('Where is my order?');
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();

    expect(workers).toEqual([expect.stringMatching(/^blob:/)]);
    // No CAPTCHA configured: none shown, and no provider's script asked for.
    expect(await page.getByRole('group', { name: 'Security check' }).count()).toBe(0);
    expect(seen.others).toEqual([]);
    expect(seen.challenges).toHaveLength(1);
    expect(seen.starts).toHaveLength(1);
    const { proof } = seen.starts[0]!.postDataJSON() as { proof: Proof };
    const { nonce, data } = proof.challenge.parameters;
    // The conversation is named after the challenge: Twilio keeps it single use.
    const [created] = suite.mock.requests('conversations.create');
    expect(created?.form.UniqueName).toEqual([`web_${data.issuedAt.toString(36)}_${nonce}`]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('says "Preparing your chat…" when the customer is quicker than the solver', async () => {
    const { page, context } = await newPage(suite.browser, { bypassCSP: true }); // for axe-core
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/challenge', async (route) => {
      await held; // the challenge arrives late, as on a slow network or phone
      await route.continue();
    });
    await openForm(page);
    const before = suite.mock.requests('conversations.create').length;
    await page.getByLabel('Name').fill('Ana');
    await page.getByRole('button', { name: 'Start chat' }).click();
    const button = page.getByRole('button', { name: 'Preparing your chat…' });
    await button.waitFor();
    expect(await button.isDisabled()).toBe(true);
    expect(await page.getByRole('status').filter({ hasText: 'Preparing your chat…' }).count()).toBe(
      1,
    );
    expect(await axe(page)).toEqual([]);
    expect(suite.mock.requests('conversations.create')).toHaveLength(before);
    release();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    await context.close();
  });

  it('replaces a refused proof once, without the customer noticing', async () => {
    const { page, context, problems } = await newPage(suite.browser);
    const seen = watch(page);
    let refusals = 0;
    await page.route('**/start-chat', async (route) => {
      if (refusals++ > 0) return route.continue();
      await route.fulfill({
        status: 403,
        headers: { 'access-control-allow-origin': '*' },
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'challenge_expired', message: 'expired' } }),
      });
    });
    await openForm(page);
    await page.getByLabel('Name').fill('Ana');
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    expect(seen.challenges).toHaveLength(2);
    expect(seen.starts).toHaveLength(2);
    const nonces = seen.starts.map(
      (r) => (r.postDataJSON() as { proof: Proof }).proof.challenge.parameters.nonce,
    );
    expect(new Set(nonces).size).toBe(2);
    // What the browser says of the refusal this test made up, and nothing else.
    expect(problems).toEqual([expect.stringMatching(/status of 403 .*\/start-chat\)$/)]);
    await context.close();
  });
});

describeInBrowser('a site whose Content-Security-Policy allows no blob: worker', () => {
  it('still starts the chat, solving on the page instead', async () => {
    const { page, context, problems } = await newPage(suite.browser);
    await openForm(page, strictSite!.url);
    await page.getByLabel('Name').fill('Ana');
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    // The only problem: the worker the policy refused (the site owner's to allow, docs/widget.md).
    await eventually(() => expect(problems.join('\n')).toMatch(/CSP violation: worker-src blob/));
    expect(problems.filter((p) => !/worker-src|blob:/.test(p))).toEqual([]);
    await context.close();
  });
});
