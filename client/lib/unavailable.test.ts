import { ApiError } from './api';
import { isUnavailable, reportUnavailable } from './unavailable';

describe('reportUnavailable', () => {
  it('tells of a refusal a start would get too, and still throws it', async () => {
    const heard: string[] = [];
    const refusal = new ApiError(503, 'not_configured', 'Not configured: API_KEY.', [
      { field: 'API_KEY', problem: 'is required' },
    ]);
    const fetch = reportUnavailable(
      () => Promise.reject(refusal),
      (e) => heard.push(e.code),
    );
    await expect(fetch()).rejects.toBe(refusal);
    expect(heard).toEqual(['not_configured']);
  });

  it.each([
    new ApiError(0, 'network', 'The chat service could not be reached.'),
    new ApiError(500, 'internal_error', 'Something went wrong on our side.'),
    new ApiError(429, 'upstream_rate_limited', 'Busy'),
    new Error('not an ApiError'),
  ])('says nothing of %s: the start may still work', async (error) => {
    const heard: unknown[] = [];
    const fetch = reportUnavailable(
      () => Promise.reject(error),
      (e) => heard.push(e),
    );
    await expect(fetch()).rejects.toBe(error);
    expect(heard).toEqual([]);
  });

  it('passes an answer through', async () => {
    const heard: unknown[] = [];
    const fetch = reportUnavailable(
      () => Promise.resolve({ challenge: null }),
      (e) => heard.push(e),
    );
    expect(await fetch()).toEqual({ challenge: null });
    expect(heard).toEqual([]);
  });

  it('counts origin_not_allowed as unavailable too', () => {
    expect(isUnavailable(new ApiError(403, 'origin_not_allowed', 'No'))).toBe(true);
  });
});
