import { ApiError, type Api, type StartedChat } from './api';
import { ChatController } from './controller';
import {
  CustomerTokens,
  decodeCustomer,
  isCustomerAccessToken,
  withCustomer,
  type CustomerEvents,
  type Fail,
  type GetCustomerToken,
} from './customer';
import { CustomerSession } from './customer-session';
import { SessionStore } from './session-store';

const fail: Fail = (status, code, message) => new ApiError(status, code, message);
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A JWT-shaped token (unsigned: the widget never checks signatures, the service does). */
const jwt = (payload: object) => `${b64url({ alg: 'HS256' })}.${b64url(payload)}.sig`;
const accessToken = (identity: string, n = 1) => jwt({ grants: { identity }, n });
const CUST = 'cust_' + 'a'.repeat(32);
const WEB = 'web_abc_' + '1'.repeat(32);

/** An Api that records what it was sent and answers from scripts. */
function fakeApi() {
  const calls = {
    starts: [] as Record<string, unknown>[],
    refreshes: [] as { token: string; customerToken?: string }[],
  };
  const answers = { start: [] as (StartedChat | ApiError)[], refresh: [] as ApiError[] };
  let issued = 0;
  const api: Api = {
    startChat: (body) => {
      calls.starts.push({ ...body });
      const next = answers.start.shift();
      if (next instanceof ApiError) return Promise.reject(next);
      return Promise.resolve(
        next ?? {
          conversationSid: 'CH1',
          identity: CUST,
          token: accessToken(CUST, ++issued),
          expiresAt: '2026-12-03T12:00:00.000Z',
        },
      );
    },
    refreshToken: (token, customerToken) => {
      calls.refreshes.push({ token, ...(customerToken && { customerToken }) });
      const next = answers.refresh.shift();
      if (next) return Promise.reject(next);
      return Promise.resolve({
        identity: CUST,
        token: accessToken(CUST, ++issued),
        expiresAt: '2026-12-03T13:00:00.000Z',
      });
    },
    endChat: () => Promise.resolve({ ended: true, alreadyEnded: false }),
  };
  return { api, calls, answers };
}

/** A page callback handing out t1, t2, … (or what `next` says), counting its calls. */
function pageTokens(next?: () => string | null | Promise<string | null>) {
  let calls = 0;
  const getCustomerToken: GetCustomerToken = () => {
    calls++;
    return next ? next() : `t${calls}`;
  };
  return { getCustomerToken, calls: () => calls };
}

/** Events nobody listens to. */
const QUIET: CustomerEvents = { started: () => {} };

const expired = () =>
  new ApiError(401, 'customer_token_expired', 'The customer token has expired.');

describe('CustomerTokens', () => {
  it('asks the page every time, and keeps nothing', async () => {
    const page = pageTokens();
    const tokens = new CustomerTokens(page, fail);
    expect(tokens.configured).toBe(true);
    expect([await tokens.fresh(), await tokens.fresh()]).toEqual(['t1', 't2']);
    expect(page.calls()).toBe(2);
  });

  it('reads null, an empty string, a non-string or an oversized token as "nobody signed in"', async () => {
    for (const answer of [null, '', '   ', 42, 'x'.repeat(4097)]) {
      const tokens = new CustomerTokens({ getCustomerToken: () => answer as string }, fail);
      expect(await tokens.fresh()).toBeUndefined();
    }
  });

  it('turns a throwing or hanging callback into customer_token_unavailable (not a refusal)', async () => {
    const throwing = new CustomerTokens(
      {
        getCustomerToken: () => {
          throw new Error('backend down');
        },
      },
      fail,
    );
    await expect(throwing.fresh()).rejects.toMatchObject({
      status: 0,
      code: 'customer_token_unavailable',
    });
    jest.useFakeTimers();
    try {
      const hanging = new CustomerTokens({ getCustomerToken: () => new Promise(() => {}) }, fail);
      const answer = hanging.fresh();
      jest.advanceTimersByTime(10_000);
      await expect(answer).rejects.toMatchObject({ code: 'customer_token_unavailable' });
    } finally {
      jest.useRealTimers();
    }
  });

  it('uses a static token until logout forgets it; the callback wins over it', async () => {
    const tokens = new CustomerTokens({ customerToken: ' abc ' }, fail);
    expect(await tokens.fresh()).toBe('abc');
    tokens.forget();
    expect(tokens.configured).toBe(false);
    expect(await tokens.fresh()).toBeUndefined();
    const both = new CustomerTokens(
      { customerToken: 'static', getCustomerToken: () => null },
      fail,
    );
    expect(await both.fresh()).toBeUndefined();
  });
});

describe('decodeCustomer', () => {
  it('reads name and email from the payload, UTF-8 included', () => {
    expect(decodeCustomer(jwt({ sub: '42', name: 'Zoë Ñúñez', email: 'zoe@example.com' }))).toEqual(
      { name: 'Zoë Ñúñez', email: 'zoe@example.com' },
    );
  });

  it('leaves out claims unfit to show, and says undefined for what is not a JWT', () => {
    expect(decodeCustomer(jwt({ sub: '42', name: 'Ana\nEvil', email: 7 }))).toEqual({});
    expect(decodeCustomer(jwt({ name: '\u202E\u200B ' }))).toEqual({});
    expect(decodeCustomer(jwt({ name: 'x'.repeat(300) }))).toEqual({});
    expect(decodeCustomer('not a token')).toBeUndefined();
    expect(decodeCustomer('a.%%%.c')).toBeUndefined();
    expect(decodeCustomer(`a.${b64url('just a string')}.c`)).toBeUndefined();
  });
});

describe('isCustomerAccessToken', () => {
  it('tells a signed-in customer’s Access Token from an anonymous one', () => {
    expect(isCustomerAccessToken(accessToken(CUST))).toBe(true);
    expect(isCustomerAccessToken(accessToken(WEB))).toBe(false);
    expect(isCustomerAccessToken('opaque')).toBe(false);
  });
});

describe('withCustomer: the start', () => {
  it('sends a fresh customer token with the start, and tells what the service answered', async () => {
    const { api, calls, answers } = fakeApi();
    const page = pageTokens();
    const heard: StartedChat[] = [];
    const answer: StartedChat = {
      conversationSid: 'CH9',
      identity: CUST,
      token: accessToken(CUST),
      expiresAt: '2026-12-03T12:00:00.000Z',
      resumed: true,
      customer: { name: 'Ana' },
    };
    answers.start.push(answer);
    const chat = await withCustomer(api, new CustomerTokens(page, fail), fail, {
      started: (c) => heard.push(c),
    }).startChat({ question: 'Hi', preEngagement: {} });
    expect(calls.starts).toEqual([{ question: 'Hi', preEngagement: {}, customerToken: 't1' }]);
    expect(chat).toBe(answer);
    expect(heard).toEqual([answer]);
  });

  it('asks the page once more after an expired or invalid token, and sends that one', async () => {
    for (const code of ['customer_token_expired', 'customer_token_invalid']) {
      const { api, calls, answers } = fakeApi();
      answers.start.push(new ApiError(401, code, 'no'));
      const page = pageTokens();
      await withCustomer(api, new CustomerTokens(page, fail), fail, QUIET).startChat({
        preEngagement: {},
      });
      expect(calls.starts.map((b) => b.customerToken)).toEqual(['t1', 't2']);
      expect(page.calls()).toBe(2);
    }
  });

  it('gives up after the second refusal, or when the page has nothing newer', async () => {
    const twice = fakeApi();
    twice.answers.start.push(expired(), expired());
    const page = pageTokens();
    const api = withCustomer(twice.api, new CustomerTokens(page, fail), fail, QUIET);
    await expect(api.startChat({ preEngagement: {} })).rejects.toMatchObject({
      code: 'customer_token_expired',
    });
    expect(twice.calls.starts).toHaveLength(2);
    expect(page.calls()).toBe(2);

    const same = fakeApi();
    same.answers.start.push(expired());
    const stale = withCustomer(
      same.api,
      new CustomerTokens({ customerToken: 'old' }, fail),
      fail,
      QUIET,
    );
    await expect(stale.startChat({ preEngagement: {} })).rejects.toMatchObject({
      code: 'customer_token_expired',
    });
    expect(same.calls.starts).toHaveLength(1); // the same token again would be refused again
  });

  it('does not retry other refusals, and sends no customerToken for nobody signed in', async () => {
    const { api, calls, answers } = fakeApi();
    answers.start.push(new ApiError(401, 'customer_token_required', 'Sign in.'));
    const page = pageTokens(() => null);
    const wrapped = withCustomer(api, new CustomerTokens(page, fail), fail, QUIET);
    await expect(wrapped.startChat({ preEngagement: {} })).rejects.toMatchObject({
      code: 'customer_token_required',
    });
    expect(calls.starts).toEqual([{ preEngagement: {} }]);
    expect(page.calls()).toBe(1);
  });
});

describe('withCustomer: renewals', () => {
  /** A started chat, and what the session heard: renewals, sign-outs. */
  async function started(page = pageTokens()) {
    const world = fakeApi();
    const heard = { renewed: [] as unknown[], signedOut: 0 };
    const api = withCustomer(world.api, new CustomerTokens(page, fail), fail, {
      started: () => {},
      renewed: (answer) => heard.renewed.push(answer),
      signedOut: () => void heard.signedOut++,
    });
    const chat = await api.startChat({ preEngagement: {} });
    return { ...world, api, chat, page, heard };
  }

  it('asks the page for a fresh customer token at every renewal, and sends it', async () => {
    const { api, calls, chat, page, heard } = await started();
    const renewed = await api.refreshToken(chat.token);
    await api.refreshToken(renewed.token);
    expect(calls.refreshes).toEqual([
      { token: chat.token, customerToken: 't2' },
      { token: renewed.token, customerToken: 't3' },
    ]);
    expect(page.calls()).toBe(3); // the start's, and one per renewal
    expect(heard.renewed).toHaveLength(2);
  });

  it('asks once more when the service refuses the token itself (it may have aged)', async () => {
    const { api, calls, answers, chat, page } = await started();
    answers.refresh.push(expired());
    await api.refreshToken(chat.token);
    expect(calls.refreshes.map((r) => r.customerToken)).toEqual(['t2', 't3']);
    expect(page.calls()).toBe(3);
  });

  it('the page says nobody is signed in: no request, the session hears it, then a refusal', async () => {
    let signedIn = true;
    const { api, calls, chat, heard } = await started(pageTokens(() => (signedIn ? 't' : null)));
    signedIn = false;
    const refusal = api.refreshToken(chat.token);
    await expect(refusal).rejects.toBeInstanceOf(ApiError);
    await expect(refusal).rejects.toMatchObject({ status: 401, code: 'customer_token_required' });
    expect(calls.refreshes).toEqual([]);
    expect(heard.signedOut).toBe(1);
  });

  it('another customer signed in on this page meanwhile: no request, as signed out', async () => {
    let sub = 'cus_ana';
    const { api, calls, chat, heard } = await started(pageTokens(() => jwt({ iss: 'shop', sub })));
    await api.refreshToken(chat.token); // Ana, still
    expect(calls.refreshes).toHaveLength(1);
    sub = 'cus_bob';
    await expect(api.refreshToken(chat.token)).rejects.toMatchObject({
      code: 'customer_token_required',
    });
    expect(calls.refreshes).toHaveLength(1); // Ana's chat is not renewed for Bob
    expect(heard.signedOut).toBe(1);
  });

  it('a callback that throws cannot say: no request, not signed out, kept (status 0)', async () => {
    let failing = false;
    const { api, calls, chat, heard } = await started(
      pageTokens(() => {
        if (failing) throw new Error('backend down');
        return 't';
      }),
    );
    failing = true;
    await expect(api.refreshToken(chat.token)).rejects.toMatchObject({
      status: 0,
      code: 'customer_token_unavailable',
    });
    expect(calls.refreshes).toEqual([]);
    expect(heard.signedOut).toBe(0);
  });

  it('resumes a signed-in customer’s stored chat with a fresh customer token', async () => {
    const { api, calls } = fakeApi();
    const page = pageTokens();
    const stored = accessToken(CUST, 99); // from an earlier page
    await withCustomer(api, new CustomerTokens(page, fail), fail, QUIET).refreshToken(stored);
    expect(calls.refreshes).toEqual([{ token: stored, customerToken: 't1' }]);
  });

  it('leaves an anonymous chat alone', async () => {
    const { api, calls } = fakeApi();
    const page = pageTokens();
    const stored = accessToken(WEB);
    await withCustomer(api, new CustomerTokens(page, fail), fail, QUIET).refreshToken(stored);
    expect(calls.refreshes).toEqual([{ token: stored }]);
    expect(page.calls()).toBe(0);
  });
});

describe('a reload on a page whose customer signed out', () => {
  class MemoryStorage {
    data = new Map<string, string>();
    getItem = (k: string) => this.data.get(k) ?? null;
    setItem = (k: string, v: string) => void this.data.set(k, v);
    removeItem = (k: string) => void this.data.delete(k);
  }

  it('forgets the stored chat (the next person at this browser sees the form)', async () => {
    const storage = new MemoryStorage();
    const sessions = new SessionStore(
      storage as unknown as Storage,
      'https://x.example/start-chat',
    );
    sessions.save({
      conversationSid: 'CH1',
      identity: CUST,
      token: accessToken(CUST, 7),
      expiresAt: '2026-12-03T12:00:00.000Z',
    });
    const { api, calls } = fakeApi();
    let sdkLoads = 0;
    const tokens = new CustomerTokens(
      pageTokens(() => null),
      fail,
    );
    const customer = new CustomerSession({ tokens });
    const chat = new ChatController({
      api: withCustomer(api, tokens, fail, customer),
      sessions,
      clientFactory: () => {
        sdkLoads++;
        return Promise.reject(new Error('not needed'));
      },
    });
    customer.attach(chat);
    expect(await chat.resume()).toBe(true);
    expect(chat.state.phase).toBe('form');
    expect(chat.state.startError?.code).toBe('customer_signed_out'); // the form says why
    expect(sessions.load()).toBeUndefined();
    expect(calls.refreshes).toEqual([]);
    expect(sdkLoads).toBe(0);
  });
});
