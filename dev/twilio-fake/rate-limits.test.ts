/**
 * The fake's rate limits: Twilio's documented rates, counted in a sliding
 * window, refused with a 429 and Twilio's error JSON, through the real library.
 */
import { documentedRateLimits, RateLimiter, type RateLimit } from './rate-limits';
import { TwilioMock } from './twilio-mock';
import { ADDRESS_SID, seedChatAddress } from './modes';

const mock = TwilioMock.perTest((m) => seedChatAddress(m));

const input = { params: {}, query: {}, form: {}, headers: {} };

describe('RateLimiter', () => {
  const limit = documentedRateLimits().get('webchats.create') as RateLimit;

  it('lets 5 through in any 1000 ms, and counts only what it let through', () => {
    const limiter = new RateLimiter();
    const at = (ms: number) => limiter.admit(limit, input, ms);
    expect([0, 100, 200, 300, 400].map(at)).toEqual([true, true, true, true, true]);
    expect([500, 999].map(at)).toEqual([false, false]);
    // A sliding window: the first slot frees at 1000, the next at 1100, not all at once.
    expect([1000, 1001, 1100].map(at)).toEqual([true, false, true]);
  });

  it('keeps one counter per Conversations service', () => {
    const creates = documentedRateLimits().get('conversations.create') as RateLimit;
    const limiter = new RateLimiter();
    const inService = (serviceSid: string) => ({ ...input, params: { serviceSid } });
    for (let i = 0; i < 30; i++) expect(limiter.admit(creates, inService('IS1'), 0)).toBe(true);
    expect(limiter.admit(creates, inService('IS1'), 10)).toBe(false);
    expect(limiter.admit(creates, inService('IS2'), 10)).toBe(true);
  });
});

describe('the fake enforces them', () => {
  const create = () =>
    mock
      .client()
      .flexApi.v2.webChannels.create({ addressSid: ADDRESS_SID, customerFriendlyName: 'Ana' });

  it('6 WebChats at once: 5 made, 1 refused with 429 and Flex error 45010, which writes nothing', async () => {
    const results = await Promise.allSettled(Array.from({ length: 6 }, create));
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(refused).toEqual([expect.objectContaining({ status: 429, code: 45010 })]);
    expect(
      mock
        .requests('webchats.create')
        .map((r) => r.status)
        .sort(),
    ).toEqual([201, 201, 201, 201, 201, 429]);
    expect(mock.writes()).toHaveLength(5);
  });

  it('a test may lift a limit until the next reset', async () => {
    mock.rateLimit('webchats.create', undefined);
    const results = await Promise.allSettled(Array.from({ length: 8 }, create));
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
  });
});
