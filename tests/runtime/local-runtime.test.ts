/**
 * Smoke test on the real local runtime: `twilio-run start` serving the built
 * dist/, on a free port, called over HTTP. Its functions' Twilio calls go to
 * the local mock (validated against Twilio's OpenAPI specs).
 */
import { REQUIRED_WHEN_EMPTY, SITE_ORIGIN, TEST_ENV } from '../../dev/twilio-fake/env';
import { proofOver } from '../../dev/challenge';
import { startLocalRuntime, type LocalRuntime } from '../../dev/local-runtime';
import { conversations, interactions } from '../../dev/twilio-fake/apis';
import { customerSignature } from '../../src/customer-signature';
import { verifyTestToken } from '../support/tokens';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { WEBHOOK_ENV, messageAddedParams, sign } from '../../dev/twilio-fake/webhooks';

let mock: TwilioMock;
let configured: LocalRuntime;
let unconfigured: LocalRuntime;
let webhookMode: LocalRuntime;

/** What a tunnel (twilio-run --ngrok, ngrok http) would give a local run. */
const TUNNEL = 'https://tunnel-1234.example';

beforeAll(async () => {
  mock = await TwilioMock.start();
  // Three runtimes at once: Studio mode, webhook mode, and no environment at all.
  [configured, webhookMode, unconfigured] = await Promise.all([
    startLocalRuntime(TEST_ENV, { mockUrl: mock.baseUrl }),
    startLocalRuntime({ ...WEBHOOK_ENV, PUBLIC_BASE_URL: TUNNEL }, { mockUrl: mock.baseUrl }),
    startLocalRuntime({}),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([configured?.stop(), webhookMode?.stop(), unconfigured?.stop()]);
  await mock?.stop();
});

afterEach(() => expect(mock.violations).toEqual([]));

function post(runtime: LocalRuntime, path: string, body: unknown, origin = SITE_ORIGIN) {
  return fetch(`${runtime.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: origin },
    body: JSON.stringify(body),
  });
}

describe('twilio-run start on dist/', () => {
  it('serves the demo page at / and /index.html', async () => {
    for (const path of ['/', '/index.html']) {
      const res = await fetch(`${configured.url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(await res.text()).toContain('<script src="/webchat.js" async></script>');
    }
    for (const script of ['/webchat.js', '/webchat-sdk.js', '/demo.js']) {
      const res = await fetch(`${configured.url}${script}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/javascript/);
    }
  });

  it("answers /check-customer as Studio's Make HTTP Request sends it (no Origin, JSON with a charset, nested objects)", async () => {
    const identity = `cust_${'ab'.repeat(16)}`;
    const fields = {
      id: 'cus_42',
      issuer: 'https://shop.example.com',
      claims: { plan: 'gold' },
      verifiedAt: Math.floor(Date.now() / 1000),
    };
    const customer = {
      verified: true,
      ...fields,
      signature: customerSignature(TEST_ENV.API_SECRET, identity, fields),
    };
    const before = mock.requests().length;
    const res = await fetch(`${configured.url}/check-customer`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json;charset=utf-8' },
      body: JSON.stringify({ identity, customer, answers: { topic: 'x', customer } }),
    });
    expect(res.status).toBe(200);
    const { signature: _, ...shown } = customer; // the answer never carries the signature
    expect(await res.json()).toEqual({ verified: true, customer: shown, answers: { topic: 'x' } });
    expect(mock.requests()).toHaveLength(before);
  });

  it('starts a chat through /start-chat and renews its token through /refresh-token', async () => {
    const res = await post(configured, '/start-chat', {
      friendlyName: 'Ana',
      question: 'Hello?',
      proof: await proofOver(configured.url),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(SITE_ORIGIN);
    const body = (await res.json()) as { conversationSid: string; identity: string; token: string };
    expect(verifyTestToken(body.token).payload.grants.identity).toBe(body.identity);
    expect(mock.requests().map((r) => r.name)).toEqual([
      'conversations.create',
      'webhooks.create',
      'messages.create',
    ]);
    expect([...conversations(mock).keys()]).toEqual([body.conversationSid]);

    const renewed = await post(configured, '/refresh-token', { token: body.token });
    expect(renewed.status).toBe(200);
    expect(((await renewed.json()) as { identity: string }).identity).toBe(body.identity);
  });

  it('takes a token only from the JSON body: one in the URL is refused', async () => {
    const started = await post(configured, '/start-chat', {
      proof: await proofOver(configured.url),
    });
    const { token } = (await started.json()) as { token: string };
    const before = mock.requests().length;
    const url = `${configured.url}/refresh-token?token=${encodeURIComponent(token)}`;
    const headers = { 'Content-Type': 'application/json', Origin: SITE_ORIGIN };
    for (const init of [
      { method: 'POST', headers, body: '{}' },
      { method: 'POST', headers },
      { method: 'GET', headers },
    ]) {
      const res = await fetch(url, init);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; fields: { field: string }[] } };
      expect(body.error.code).toBe('invalid_request');
      expect(body.error.fields.map((f) => f.field)).toEqual(['token']);
    }
    expect(mock.requests()).toHaveLength(before);
    // The same token in a JSON body renews.
    const renewed = await post(configured, '/refresh-token', { token });
    expect(renewed.status).toBe(200);
  });

  it('answers the browser preflight itself', async () => {
    const res = await fetch(`${configured.url}/start-chat`, {
      method: 'OPTIONS',
      headers: {
        Origin: SITE_ORIGIN,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/);
  });

  it('refuses other origins and non-JSON bodies before calling Twilio', async () => {
    mock.reset();
    expect((await post(configured, '/start-chat', {}, 'https://evil.example')).status).toBe(403);
    const form = await fetch(`${configured.url}/start-chat`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: SITE_ORIGIN },
      body: 'friendlyName=Ana',
    });
    expect(form.status).toBe(415);
    expect(mock.requests()).toHaveLength(0);
  });

  it('never lets a smuggled Origin give another page access to the answer', async () => {
    // A form post (no preflight) from https://evil.example, with query parameters
    // that replace the runtime's own `request` headers. The function cannot see
    // through that (docs/api.md, "What ALLOWED_ORIGINS protects"), but the browser
    // still compares the answer's Allow-Origin with the page's real origin.
    mock.reset();
    const res = await fetch(
      `${configured.url}/start-chat?request[headers][origin]=${encodeURIComponent(SITE_ORIGIN)}` +
        '&request[headers][content-type]=application/json',
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Origin: 'https://evil.example',
        },
        body: 'friendlyName=Mallory',
      },
    );
    expect(res.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
    expect(res.headers.get('access-control-allow-origin')).not.toBe('*');
  });

  it('refuses the drive-by GET from any page, and writes nothing', async () => {
    // What an <img src> on any page (or in an email) makes a visitor's browser
    // send: no Origin, no content type; the query replaces the runtime's own
    // `request` headers with an allowed origin and a JSON content type.
    mock.reset();
    const res = await fetch(
      `${configured.url}/start-chat?request[headers][origin]=${encodeURIComponent(SITE_ORIGIN)}` +
        '&request[headers][content-type]=application/json&question=x',
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_request' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(mock.requests()).toHaveLength(0);
  });

  it('issues challenges over HTTP to allowed origins only, without a preflight', async () => {
    const ask = (origin: string) =>
      fetch(`${configured.url}/challenge`, { method: 'POST', headers: { Origin: origin } });
    const allowed = await ask(SITE_ORIGIN);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(SITE_ORIGIN);
    const refused = await ask('https://evil.example');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect(await refused.text()).not.toContain('signature');
  });

  it('reports itself configured on /status, with the challenge on', async () => {
    const res = await fetch(`${configured.url}/status`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      configured: true,
      handoffMode: 'studio',
      chatBudget: null,
      syncService: 'default',
      challenge: 'on',
      captcha: null,
      openingHours: null,
      availability: 'off',
      customerTokens: null,
      survey: null,
      transcript: null,
    });
  });
});

describe('twilio-run start in webhook mode, behind a tunnel', () => {
  it('registers /interaction at the tunnel URL, and a signed delivery creates the Interaction', async () => {
    mock.reset();
    const res = await post(webhookMode, '/start-chat', {
      friendlyName: 'Ana',
      proof: await proofOver(webhookMode.url),
    });
    expect(res.status).toBe(200);
    const chat = (await res.json()) as { conversationSid: string; identity: string };
    const webhookUrl = mock.requests('webhooks.create')[0]?.form['Configuration.Url']?.[0];
    expect(webhookUrl).toBe(`${TUNNEL}/interaction`);

    // Twilio would post this to the tunnel, which forwards it to the local runtime.
    const params = messageAddedParams({
      conversationSid: chat.conversationSid,
      author: chat.identity,
    });
    const delivery = () =>
      fetch(`${webhookMode.url}/interaction`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'X-Twilio-Signature': sign(params, webhookUrl),
        },
        body: new URLSearchParams(params).toString(),
      });
    const handed = await delivery();
    expect(handed.status).toBe(200);
    expect(await handed.json()).toMatchObject({ outcome: 'handed_off' });
    expect(interactions(mock)).toHaveLength(1);

    const again = await delivery();
    expect(await again.json()).toMatchObject({ outcome: 'ignored' });
    expect(interactions(mock)).toHaveLength(1);

    const unsigned = await fetch(`${webhookMode.url}/interaction`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });
    expect(unsigned.status).toBe(403);
  });
});

describe('twilio-run start with no .env at all', () => {
  it('still serves the page, and says exactly what to configure', async () => {
    expect((await fetch(`${unconfigured.url}/`)).status).toBe(200);
    for (const res of [
      await fetch(`${unconfigured.url}/status`),
      await post(
        unconfigured,
        '/start-chat',
        {},
        unconfigured.url.replace('localhost', '127.0.0.1'),
      ),
    ]) {
      expect(res.status).toBe(503);
      const { error } = (await res.json()) as {
        error: { message: string; fields: { field: string }[] };
      };
      expect(error.fields.map((f) => f.field)).toEqual(REQUIRED_WHEN_EMPTY);
      expect(error.message).toContain('.env.example');
    }
  });
});
