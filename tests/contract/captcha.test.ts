/**
 * The optional CAPTCHA (src/guard/captcha.ts), end to end: /challenge hands
 * the widget the provider and site key, /start-chat checks the token with the
 * provider's siteverify endpoint (the local fake of each, dev/captcha-fake.ts,
 * which records what it was sent) after the proof and before Twilio, through
 * the real `twilio` library and the spec-validating Twilio fake. Every
 * refusal is counted in Twilio requests: zero.
 */
import { handler as challengeHandler } from '../../functions/challenge';
import { handler as startChat } from '../../functions/start-chat';
import { handler as status } from '../../functions/status';
import { CaptchaFake, FAKE_KEYS } from '../../dev/captcha-fake';
import { withProof } from '../../dev/challenge';
import { invoke, type InvokeResult } from '../../dev/invoke';
import { SITE_ORIGIN, TEST_ENV, type TestEnv } from '../../dev/twilio-fake/env';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import type { CaptchaProvider } from '../../src/config/captcha';
import { captureLogsPerTest } from '../support/logs';

const mock = TwilioMock.perTest();
const logs = captureLogsPerTest();
let fake: CaptchaFake;
beforeEach(async () => (fake = await CaptchaFake.start()));
afterEach(() => fake.stop());

type ErrorBody = { error: { code: string; message: string; fields?: { field: string }[] } };
const codeOf = (res: InvokeResult) => (res.body as ErrorBody).error?.code;
const fieldsOf = (res: InvokeResult) => (res.body as ErrorBody).error.fields?.map((f) => f.field);
const HOSTNAME = new URL(SITE_ORIGIN).hostname;
const PROVIDERS: CaptchaProvider[] = ['turnstile', 'hcaptcha'];

const envFor = (provider: CaptchaProvider): TestEnv => ({ ...TEST_ENV, ...fake.env(provider) });

/** A start as the widget makes it: a solved challenge, and `body` (with its `captcha`). */
async function start(env: TestEnv, body: object): Promise<InvokeResult> {
  return invoke(startChat, { mock, env, body: await withProof({ friendlyName: 'Ana', ...body }) });
}

describe.each(PROVIDERS)('CAPTCHA=%s', (provider) => {
  it('/challenge names the provider and its public site key; /status says it is on', async () => {
    const env = envFor(provider);
    const asked = await invoke(challengeHandler, { env, headers: { 'content-type': undefined } });
    expect(asked.status).toBe(200);
    const { siteKey, secret } = FAKE_KEYS[provider];
    expect((asked.body as { captcha: unknown }).captcha).toEqual({ provider, siteKey });
    const said = await invoke(status, { env });
    expect((said.body as { captcha: unknown }).captcha).toEqual({ provider, siteKey });
    expect(asked.text + said.text).not.toContain(secret);
  });

  it('verifies the token once, form-encoded as the provider documents, then starts the chat', async () => {
    const token = fake.issue(provider, { hostname: HOSTNAME });
    const res = await start(envFor(provider), { captcha: token });
    expect(res.status).toBe(200);
    expect(fake.requests).toHaveLength(1);
    const [sent] = fake.requests;
    expect(sent?.method).toBe('POST');
    expect(sent?.contentType).toBe('application/x-www-form-urlencoded');
    const { secret, siteKey } = FAKE_KEYS[provider];
    expect(sent?.form).toEqual(
      provider === 'turnstile'
        ? { secret, response: token, idempotency_key: expect.stringMatching(/^[0-9a-f-]{36}$/) }
        : { secret, response: token, sitekey: siteKey },
    );
    expect(mock.requests().map((r) => r.name)).toEqual(['conversations.create', 'webhooks.create']);
    expect(logs.text()).not.toContain(token);
    expect(logs.text()).not.toContain(secret);
  });

  it.each([
    ['no token', () => undefined, 'captcha_required', 403, 0],
    ['a made-up token', () => 'P1_made-up', 'captcha_invalid', 403, 1],
    [
      'a token solved on another site',
      () => fake.issue(provider, { hostname: 'evil.example' }),
      'captcha_invalid',
      403,
      1,
    ],
    [
      "a token for another site key of the provider's",
      () => fake.issue(provider, { hostname: HOSTNAME, siteKey: 'other-site-key' }),
      'captcha_invalid',
      403,
      1,
    ],
  ])('refuses %s: %s, and no Twilio request', async (_, token, code, statusCode, verifies) => {
    const res = await start(envFor(provider), { captcha: token() });
    expect(res.status).toBe(statusCode);
    expect(codeOf(res)).toBe(code);
    expect(fake.requests).toHaveLength(verifies);
    expect(mock.requests()).toHaveLength(0);
  });

  it('refuses a token used once already: the provider says so, and Twilio hears nothing more', async () => {
    const token = fake.issue(provider, { hostname: HOSTNAME });
    expect((await start(envFor(provider), { captcha: token })).status).toBe(200);
    const requests = mock.requests().length;
    const again = await start(envFor(provider), { captcha: token });
    expect(again.status).toBe(403);
    expect(codeOf(again)).toBe('captcha_invalid');
    expect(mock.requests()).toHaveLength(requests);
    expect(logs.lines.join('\n')).toContain(
      provider === 'turnstile' ? 'timeout-or-duplicate' : 'invalid-or-already-seen-response',
    );
  });

  it('checks the proof first: without one, the provider is not even asked', async () => {
    const token = fake.issue(provider, { hostname: HOSTNAME });
    const res = await invoke(startChat, { mock, env: envFor(provider), body: { captcha: token } });
    expect(codeOf(res)).toBe('challenge_required');
    expect(fake.requests).toHaveLength(0);
    expect(mock.requests()).toHaveLength(0);
  });

  it('fails closed when the provider does not answer in time: 503, no Twilio request', async () => {
    fake.hang = true;
    const res = await start(envFor(provider), {
      captcha: fake.issue(provider, { hostname: HOSTNAME }),
    });
    expect(res.status).toBe(503);
    expect(codeOf(res)).toBe('captcha_unavailable');
    expect(fake.requests).toHaveLength(1);
    expect(mock.requests()).toHaveLength(0);
    expect(logs.events()).toContain('captcha.unavailable');
  });

  it('fails closed, as a configuration fault, when the provider refuses our secret', async () => {
    const wrong =
      provider === 'turnstile' ? '0x4AAAAAAAsomeoneElsesSecret0000000002' : '0x' + 'cd'.repeat(20);
    const res = await start(
      { ...envFor(provider), CAPTCHA_SECRET: wrong },
      { captcha: fake.issue(provider, { hostname: HOSTNAME }) },
    );
    expect(res.status).toBe(503);
    expect(codeOf(res)).toBe('captcha_unavailable');
    expect(mock.requests()).toHaveLength(0);
    expect(logs.events()).toContain('captcha.secret_refused');
    expect(logs.text()).not.toContain(wrong);
  });
});

describe('a busy start retried by the widget (the same proof and token)', () => {
  /** A body as the widget sends it, proof included, to send twice. */
  const bodyWith = async (captcha: string) => withProof({ friendlyName: 'Ana', captcha });
  const busyOnce = () => mock.failNext('conversations.create', { status: 429, code: 20429 });

  it('Turnstile: the retry gets the first answer again (same idempotency_key), one chat', async () => {
    const body = await bodyWith(fake.issue('turnstile', { hostname: HOSTNAME }));
    busyOnce();
    const busy = await invoke(startChat, { mock, env: envFor('turnstile'), body });
    expect(codeOf(busy)).toBe('upstream_rate_limited');
    const retried = await invoke(startChat, { mock, env: envFor('turnstile'), body });
    expect(retried.status).toBe(200);
    const keys = fake.requests.map((r) => r.form.idempotency_key);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[0]).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('Turnstile: the same token with another proof is spent (another key): refused, no Twilio request', async () => {
    const token = fake.issue('turnstile', { hostname: HOSTNAME });
    expect((await start(envFor('turnstile'), { captcha: token })).status).toBe(200);
    mock.reset();
    const again = await start(envFor('turnstile'), { captcha: token });
    expect(codeOf(again)).toBe('captcha_invalid');
    expect(mock.requests()).toHaveLength(0);
  });

  it('hCaptcha: the retry meets a spent token (captcha_invalid), so the widget asks again', async () => {
    const body = await bodyWith(fake.issue('hcaptcha', { hostname: HOSTNAME }));
    busyOnce();
    await invoke(startChat, { mock, env: envFor('hcaptcha'), body });
    mock.reset();
    const retried = await invoke(startChat, { mock, env: envFor('hcaptcha'), body });
    expect(codeOf(retried)).toBe('captcha_invalid');
    expect(mock.requests()).toHaveLength(0);
  });
});

describe('a provider answering 5xx, or not as documented', () => {
  it('Turnstile: one retry with the same idempotency_key, and the chat starts', async () => {
    fake.failNext = [502];
    const res = await start(envFor('turnstile'), {
      captcha: fake.issue('turnstile', { hostname: HOSTNAME }),
    });
    expect(res.status).toBe(200);
    const keys = fake.requests.map((r) => r.form.idempotency_key);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
  });

  it('Turnstile: a retry Cloudflare answered already gets the same answer (the token is spent once)', async () => {
    const token = fake.issue('turnstile', { hostname: HOSTNAME });
    // Verified once through the fake, then replayed with that request's key: same verdict.
    expect((await start(envFor('turnstile'), { captcha: token })).status).toBe(200);
    const [first] = fake.requests;
    const replay = await fetch(fake.env('turnstile').CAPTCHA_VERIFY_URL!, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(first!.form).toString(),
    });
    expect(((await replay.json()) as { success: boolean }).success).toBe(true);
  });

  it('Turnstile: 5xx twice is a 503, and no Twilio request', async () => {
    fake.failNext = [500, 503];
    const res = await start(envFor('turnstile'), {
      captcha: fake.issue('turnstile', { hostname: HOSTNAME }),
    });
    expect(codeOf(res)).toBe('captcha_unavailable');
    expect(fake.requests).toHaveLength(2);
    expect(mock.requests()).toHaveLength(0);
  });

  it('hCaptcha: no retry (it has no idempotency key): a 503, and no Twilio request', async () => {
    fake.failNext = [500];
    const res = await start(envFor('hcaptcha'), {
      captcha: fake.issue('hcaptcha', { hostname: HOSTNAME }),
    });
    expect(res.status).toBe(503);
    expect(codeOf(res)).toBe('captcha_unavailable');
    expect(fake.requests).toHaveLength(1);
    expect(mock.requests()).toHaveLength(0);
  });

  it('hCaptcha: a 200 that is not the documented JSON counts as no answer: 503', async () => {
    fake.failNext = [200]; // answered with an HTML page
    const res = await start(envFor('hcaptcha'), {
      captcha: fake.issue('hcaptcha', { hostname: HOSTNAME }),
    });
    expect(codeOf(res)).toBe('captcha_unavailable');
    expect(mock.requests()).toHaveLength(0);
  });
});

describe('Turnstile actions and a budget', () => {
  it('refuses a token solved for another action', async () => {
    const token = fake.issue('turnstile', { hostname: HOSTNAME, action: 'login' });
    const res = await start(envFor('turnstile'), { captcha: token });
    expect(codeOf(res)).toBe('captcha_invalid');
    expect(mock.requests()).toHaveLength(0);
  });

  it('a refused CAPTCHA spends no budget: nothing reaches Sync either', async () => {
    const env = { ...envFor('turnstile'), MAX_CHATS_PER_MINUTE: '5' };
    const res = await start(env, {
      captcha: fake.issue('turnstile', { hostname: 'evil.example' }),
    });
    expect(codeOf(res)).toBe('captcha_invalid');
    expect(mock.requests()).toHaveLength(0);
    const ok = await start(env, { captcha: fake.issue('turnstile', { hostname: HOSTNAME }) });
    expect(ok.status).toBe(200);
    expect(mock.requests().some((r) => r.host === 'sync.twilio.com')).toBe(true);
  });
});

describe('CAPTCHA configuration', () => {
  it('is off by default: no captcha in /challenge or /status, and tokens are not needed', async () => {
    const asked = await invoke(challengeHandler, { headers: { 'content-type': undefined } });
    expect((asked.body as { captcha: unknown }).captcha).toBeNull();
    expect(((await invoke(status)).body as { captcha: unknown }).captcha).toBeNull();
    expect((await start(TEST_ENV, {})).status).toBe(200);
  });

  it.each([
    [{ CAPTCHA: 'recaptcha' }, ['CAPTCHA']],
    [{ CAPTCHA: 'turnstile' }, ['CAPTCHA_SITE_KEY', 'CAPTCHA_SECRET']],
    [{ CAPTCHA: 'hcaptcha', ...keysOf('turnstile') }, ['CAPTCHA_SITE_KEY', 'CAPTCHA_SECRET']],
    [{ CAPTCHA: 'turnstile', ...keysOf('hcaptcha') }, ['CAPTCHA_SITE_KEY', 'CAPTCHA_SECRET']],
    [
      {
        CAPTCHA: 'turnstile',
        ...keysOf('turnstile'),
        CAPTCHA_SECRET: keysOf('turnstile').CAPTCHA_SITE_KEY,
      },
      ['CAPTCHA_SECRET'],
    ],
    [
      { CAPTCHA: 'hcaptcha', ...keysOf('hcaptcha'), CAPTCHA_VERIFY_URL: 'https://evil.example/x' },
      ['CAPTCHA_VERIFY_URL'],
    ],
  ])('names what is wrong with %j, never its value', async (vars, names) => {
    const env = { ...TEST_ENV, ...vars };
    const res = await invoke(startChat, { mock, env, body: {} });
    expect(res.status).toBe(503);
    expect(fieldsOf(res)).toEqual(names);
    for (const value of Object.values(vars).filter((v) => v.length > 12)) {
      expect(res.text).not.toContain(value);
    }
    expect(mock.requests()).toHaveLength(0);
  });

  it('refuses a token that is not a string of printable characters', async () => {
    const res = await start(envFor('hcaptcha'), { captcha: { token: 'x' } });
    expect(res.status).toBe(400);
    expect(fieldsOf(res)).toEqual(['captcha']);
    expect(fake.requests).toHaveLength(0);
  });
});

function keysOf(provider: CaptchaProvider): { CAPTCHA_SITE_KEY: string; CAPTCHA_SECRET: string } {
  const { siteKey, secret } = FAKE_KEYS[provider];
  return { CAPTCHA_SITE_KEY: siteKey, CAPTCHA_SECRET: secret };
}
