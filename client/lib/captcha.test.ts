/**
 * The widget's CAPTCHA without a browser: a provider API that records what it
 * was asked, behind the loader seam, and an Api that records each start.
 */
import { startWithRetry } from './start-retry';
import { ApiError, type Api, type StartedChat } from './api';
import {
  Captcha,
  PROVIDER_SCRIPTS,
  TURNSTILE_ACTION,
  withCaptcha,
  type CaptchaProvider,
  type ProviderApi,
} from './captcha';

type Params = Record<string, unknown> & { callback: (token: string) => void };

function fakeProvider() {
  const renders: { container: unknown; params: Params }[] = [];
  const resets: (string | undefined)[] = [];
  const api: ProviderApi = {
    render: (container, params) => {
      renders.push({ container, params: params as Params });
      return `w${renders.length}`;
    },
    reset: (id) => void resets.push(id),
  };
  const loads: { url: string; provider: CaptchaProvider }[] = [];
  const load = (url: string, provider: CaptchaProvider) => {
    loads.push({ url, provider });
    return Promise.resolve(api);
  };
  /** The customer solves it: the provider calls back with a token. */
  const solve = (token: string) => renders[0]!.params.callback(token);
  return { renders, resets, loads, load, solve };
}

const container = {} as HTMLElement;
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
const CHAT: StartedChat = { conversationSid: 'CH1', identity: 'web_1', token: 't', expiresAt: 'x' };

function recordingApi(answer: () => Promise<StartedChat>) {
  const bodies: unknown[] = [];
  const api = {
    startChat: (body: unknown) => {
      bodies.push(body);
      return answer();
    },
    refreshToken: jest.fn(),
    endChat: jest.fn(),
  } as unknown as Api;
  return { api, bodies };
}

describe('Captcha', () => {
  it('loads nothing, and requires nothing, until the service names a provider', async () => {
    const provider = fakeProvider();
    const captcha = new Captcha({ load: provider.load });
    captcha.mount(container);
    captcha.configure(null);
    await flush();
    expect(provider.loads).toEqual([]);
    expect(captcha.required).toBe(false);
    expect(captcha.status).toBe('off');
  });

  it.each([
    ['turnstile', { action: TURNSTILE_ACTION, language: 'es' }],
    ['hcaptcha', { hl: 'es' }],
  ] as const)('%s: loads its script once and renders with the site key', async (name, extra) => {
    const provider = fakeProvider();
    const captcha = new Captcha({ load: provider.load, language: 'es' });
    captcha.configure({ provider: name, siteKey: 'KEY' });
    captcha.mount(container);
    captcha.configure({ provider: name, siteKey: 'KEY' }); // every /challenge answer says it
    await flush();
    expect(provider.loads).toEqual([{ url: PROVIDER_SCRIPTS[name], provider: name }]);
    expect(provider.renders).toHaveLength(1);
    expect(provider.renders[0]?.container).toBe(container);
    expect(provider.renders[0]?.params).toMatchObject({ sitekey: 'KEY', ...extra });
    expect(captcha.status).toBe('waiting');
    provider.solve('tok-1');
    expect(captcha.token).toBe('tok-1');
    expect(captcha.status).toBe('solved');
  });

  it('takes the script from the seam when given one', async () => {
    const provider = fakeProvider();
    const captcha = new Captcha({ load: provider.load, scriptUrl: 'http://127.0.0.1:9/api.js' });
    captcha.configure({ provider: 'turnstile', siteKey: 'KEY' });
    captcha.mount(container);
    await flush();
    expect(provider.loads).toEqual([{ url: 'http://127.0.0.1:9/api.js', provider: 'turnstile' }]);
  });

  it('forgets an expired token, and says when the script failed', async () => {
    const provider = fakeProvider();
    const captcha = new Captcha({ load: provider.load });
    captcha.configure({ provider: 'hcaptcha', siteKey: 'KEY' });
    captcha.mount(container);
    await flush();
    provider.solve('tok');
    (provider.renders[0]!.params['expired-callback'] as () => void)();
    expect(captcha.token).toBeUndefined();
    expect(captcha.status).toBe('waiting');

    const failing = new Captcha({ load: () => Promise.reject(new Error('blocked')) });
    failing.configure({ provider: 'hcaptcha', siteKey: 'KEY' });
    failing.mount(container);
    await flush();
    expect(failing.status).toBe('failed');
  });
});

describe('withCaptcha', () => {
  async function solvedCaptcha() {
    const provider = fakeProvider();
    const captcha = new Captcha({ load: provider.load });
    captcha.configure({ provider: 'turnstile', siteKey: 'KEY' });
    captcha.mount(container);
    await flush();
    provider.solve('tok-1');
    return { captcha, provider };
  }

  it('a busy start retried (startWithRetry) sends the same token again, and starts', async () => {
    const { captcha, provider } = await solvedCaptcha();
    let calls = 0;
    const { api, bodies } = recordingApi(() =>
      ++calls === 1
        ? Promise.reject(new ApiError(503, 'upstream_rate_limited', 'busy', undefined, 1))
        : Promise.resolve(CHAT),
    );
    const sent = withCaptcha(api, captcha);
    const chat = await startWithRetry(() => sent.startChat({ preEngagement: {} }), {
      sleep: () => Promise.resolve(),
      random: () => 0,
    });
    expect(chat).toEqual(CHAT);
    expect(bodies).toEqual([
      { preEngagement: {}, captcha: 'tok-1' },
      { preEngagement: {}, captcha: 'tok-1' },
    ]);
    expect(provider.resets).toHaveLength(1); // after the start, for the next one
  });

  it('sends starts unchanged when no CAPTCHA is configured', async () => {
    const { api, bodies } = recordingApi(() => Promise.resolve(CHAT));
    await withCaptcha(api, new Captcha({ load: fakeProvider().load })).startChat({
      preEngagement: {},
    });
    expect(bodies).toEqual([{ preEngagement: {} }]);
  });

  it('sends the token, then resets the CAPTCHA: a token is good once', async () => {
    const { captcha, provider } = await solvedCaptcha();
    const { api, bodies } = recordingApi(() => Promise.resolve(CHAT));
    await withCaptcha(api, captcha).startChat({ preEngagement: {} });
    expect(bodies).toEqual([{ preEngagement: {}, captcha: 'tok-1' }]);
    expect(provider.resets).toEqual(['w1']);
    expect(captcha.token).toBeUndefined();
  });

  it('refuses at once without a token, sending nothing', async () => {
    const provider = fakeProvider();
    const captcha = new Captcha({ load: provider.load });
    captcha.configure({ provider: 'turnstile', siteKey: 'KEY' });
    const { api, bodies } = recordingApi(() => Promise.resolve(CHAT));
    await expect(withCaptcha(api, captcha).startChat({ preEngagement: {} })).rejects.toMatchObject({
      code: 'captcha_required',
    });
    expect(bodies).toEqual([]);
  });

  it.each([
    ['captcha_invalid', true],
    ['network', true],
    ['budget_exceeded', false], // busy: the retry sends the same proof and token (Turnstile's key)
    ['upstream_rate_limited', false],
    ['challenge_expired', false], // refused before the provider was asked: reused by the retry
    ['invalid_request', false],
    ['customer_token_expired', false], // the customer token is checked before the CAPTCHA
    ['customer_keys_unavailable', false],
  ])('after a %s refusal, resets: %s', async (code, resets) => {
    const { captcha, provider } = await solvedCaptcha();
    const { api } = recordingApi(() => Promise.reject(new ApiError(403, code, code)));
    await expect(withCaptcha(api, captcha).startChat({ preEngagement: {} })).rejects.toThrow();
    expect(provider.resets).toHaveLength(resets ? 1 : 0);
    expect(captcha.token).toBe(resets ? undefined : 'tok-1');
  });
});
