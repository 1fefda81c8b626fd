/**
 * The widget's calls to this service: one request shape, one error shape, and
 * a timeout that works in the older browsers the build targets.
 */
import { ApiError, createApi, REQUEST_TIMEOUT_MS, timeoutSignal } from './api';

const START = 'https://example-1234.twil.io/start-chat';

function recordingFetch(response: () => Promise<Response>) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchImpl = ((url: string, init: RequestInit) => {
    calls.push({ url, init });
    return response();
  }) as typeof fetch;
  return { calls, fetchImpl };
}

const json = (status: number, body: unknown) =>
  Promise.resolve(
    new Response(JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json' },
    }),
  );

describe('createApi', () => {
  it('posts JSON without cookies to the sibling functions, with a timeout signal', async () => {
    const { calls, fetchImpl } = recordingFetch(() => json(200, { ended: true }));
    const api = createApi(START, fetchImpl);
    await api.endChat('tok', 'CH1');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe('https://example-1234.twil.io/end-chat');
    const init = calls[0]!.init;
    expect(init).toMatchObject({ method: 'POST', credentials: 'omit' });
    expect(JSON.parse(init.body as string)).toEqual({ token: 'tok', conversationSid: 'CH1' });
    expect(init.signal).toBeInstanceOf(AbortSignal);
  });

  it('sends the token only in the body, never in a URL', async () => {
    const { calls, fetchImpl } = recordingFetch(() => json(200, { ended: true }));
    const api = createApi(`${START}?site=docs`, fetchImpl);
    await api.refreshToken('secret-token');
    await api.endChat('secret-token', 'CH1');
    expect(calls.map((c) => c.url)).toEqual([
      'https://example-1234.twil.io/refresh-token',
      'https://example-1234.twil.io/end-chat',
    ]);
    for (const { init } of calls) {
      expect(JSON.parse(init.body as string)).toMatchObject({ token: 'secret-token' });
      expect(init.headers).toMatchObject({ 'Content-Type': 'application/json' });
    }
  });

  it("turns the service's error into an ApiError with its code and fields", async () => {
    const fields = [{ field: 'question', problem: 'must be plain text' }];
    const { fetchImpl } = recordingFetch(() =>
      json(400, { error: { code: 'invalid_request', message: 'Bad', fields } }),
    );
    await expect(
      createApi(START, fetchImpl).startChat({ preEngagement: {} }),
    ).rejects.toMatchObject({
      status: 400,
      code: 'invalid_request',
      fields,
    });
  });

  it('reads Retry-After (whole seconds) into the ApiError; a date or none leaves it unset', async () => {
    const busy = (retryAfter?: string) =>
      Promise.resolve(
        new Response(JSON.stringify({ error: { code: 'upstream_rate_limited', message: 'm' } }), {
          status: 503,
          headers: retryAfter === undefined ? {} : { 'Retry-After': retryAfter },
        }),
      );
    const refusal = (retryAfter?: string) =>
      createApi(START, recordingFetch(() => busy(retryAfter)).fetchImpl)
        .startChat({ preEngagement: {} })
        .then(() => {
          throw new Error('expected a refusal');
        })
        .catch((e: unknown) => e as ApiError);
    expect((await refusal('7')).retryAfterSeconds).toBe(7);
    expect((await refusal('Wed, 21 Oct 2026 07:28:00 GMT')).retryAfterSeconds).toBeUndefined();
    expect((await refusal()).retryAfterSeconds).toBeUndefined();
  });

  it('reports a failed fetch as a network error', async () => {
    const { fetchImpl } = recordingFetch(() => Promise.reject(new TypeError('offline')));
    const error = await createApi(START, fetchImpl)
      .refreshToken('t')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 0, code: 'network' });
  });
});

describe('timeoutSignal', () => {
  const original = AbortSignal.timeout;
  afterEach(() => {
    AbortSignal.timeout = original;
    jest.useRealTimers();
  });

  it('uses AbortSignal.timeout where the browser has it', () => {
    const spy = jest.fn((ms: number) => original.call(AbortSignal, ms));
    AbortSignal.timeout = spy;
    timeoutSignal(1000);
    expect(spy).toHaveBeenCalledWith(1000);
  });

  it('aborts after the time where AbortSignal.timeout is missing (Safari 15)', () => {
    jest.useFakeTimers();
    // @ts-expect-error: the browsers this stands in for have no such method.
    delete AbortSignal.timeout;
    const signal = timeoutSignal(REQUEST_TIMEOUT_MS);
    jest.advanceTimersByTime(REQUEST_TIMEOUT_MS - 1);
    expect(signal.aborted).toBe(false);
    jest.advanceTimersByTime(1);
    expect(signal.aborted).toBe(true);
  });

  it('lets createApi work there too', async () => {
    // Fake timers: the fallback's real 15 s timer would keep Jest from exiting.
    jest.useFakeTimers();
    // @ts-expect-error: as above.
    delete AbortSignal.timeout;
    const { fetchImpl } = recordingFetch(() => json(200, { token: 't2' }));
    await expect(createApi(START, fetchImpl).refreshToken('t')).resolves.toEqual({ token: 't2' });
  });
});
