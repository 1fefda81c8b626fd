/**
 * Shared state in Sync, through the real `twilio` library against the local
 * fake (which checks every request against Twilio's Sync spec).
 */
import { DEFAULT_SYNC_SERVICE_SID, syncService } from '../../dev/twilio-fake/apis';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { ConfigError, UpstreamError } from '../errors';
import { sharedState } from './shared-state';

const mock = TwilioMock.perTest();
const state = (syncServiceSid = 'default') => sharedState(mock.client(), { syncServiceSid });

/** 2030-01-01T00:00:00Z plus `seconds`. */
const at = (seconds: number) => Date.UTC(2030, 0, 1) + seconds * 1000;
const MINUTE = Date.UTC(2030, 0, 1) / 1000;
const names = () => mock.requests().map((r) => r.name);

async function rejection(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

beforeEach(() => jest.spyOn(console, 'warn').mockImplementation(() => undefined));

describe('countInWindow', () => {
  it('opens the window with one list, then counts with one append each', async () => {
    const first = await state().countInWindow('webchat-chats', 60, at(15));
    expect(first).toEqual({ count: 1, windowStartMs: at(0), windowEndMs: at(60) });
    expect(names()).toEqual([
      'sync.listItems.create',
      'sync.lists.create',
      'sync.listItems.create',
    ]);
    expect(mock.requests('sync.lists.create')[0]?.form).toEqual({
      UniqueName: [`webchat-chats-${MINUTE}`],
      // 45 s left in the window, then one more window.
      CollectionTtl: ['105'],
    });

    mock.recorded.length = 0;
    expect((await state().countInWindow('webchat-chats', 60, at(59.5))).count).toBe(2);
    expect(names()).toEqual(['sync.listItems.create']);
    const append = mock.requests('sync.listItems.create')[0];
    expect(append?.path).toBe(`/v1/Services/default/Lists/webchat-chats-${MINUTE}/Items`);
    // The same absolute expiry as the list's creator gave it.
    expect(append?.form).toEqual({ Data: ['{}'], CollectionTtl: ['61'] });
  });

  it('starts again from 1 in the next window, in a list of its own', async () => {
    await state().countInWindow('webchat-chats', 60, at(10));
    await state().countInWindow('webchat-chats', 60, at(20));
    const next = await state().countInWindow('webchat-chats', 60, at(60));
    expect(next).toEqual({ count: 1, windowStartMs: at(60), windowEndMs: at(120) });
    const lists = syncService(mock, 'default')?.lists.map((l) => l.uniqueName);
    expect(lists).toEqual([`webchat-chats-${MINUTE}`, `webchat-chats-${MINUTE + 60}`]);
  });

  it('counts every one of many concurrent first requests once: one list, distinct counts', async () => {
    const counts = await Promise.all(
      Array.from({ length: 12 }, () => state().countInWindow('webchat-chats', 60, at(1))),
    );
    expect(counts.map((c) => c.count).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    expect(syncService(mock, 'default')?.lists).toHaveLength(1);
    expect(mock.requests('sync.lists.create').length).toBeGreaterThan(0);
  });

  it('uses the service SYNC_SERVICE_SID names', async () => {
    const created = await mock.client().sync.v1.services.create({ friendlyName: 'x' });
    await state(created.sid).countInWindow('webchat-chats', 60, at(0));
    expect(mock.requests('sync.lists.create')[0]?.path).toBe(`/v1/Services/${created.sid}/Lists`);
    expect(syncService(mock, created.sid)?.lists).toHaveLength(1);
    expect(syncService(mock, DEFAULT_SYNC_SERVICE_SID)?.lists).toHaveLength(0);
  });

  it('does not retry an append that failed without an answer (it may have counted)', async () => {
    await state().countInWindow('webchat-chats', 60, at(0));
    mock.recorded.length = 0;
    mock.failNext('sync.listItems.create', { status: 500, when: 'after' });
    const error = await rejection(state().countInWindow('webchat-chats', 60, at(1)));
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).upstreamStatus).toBe(500);
    expect(names()).toEqual(['sync.listItems.create']);

    mock.failNext('sync.listItems.create', { status: 0, when: 'drop' });
    const dropped = await rejection(state().countInWindow('webchat-chats', 60, at(2)));
    expect((dropped as UpstreamError).upstreamStatus).toBeUndefined();
    // Both counted: the next count says so.
    expect((await state().countInWindow('webchat-chats', 60, at(3))).count).toBe(4);
  });

  it("passes Sync's 429 on as an UpstreamError with status 429", async () => {
    mock.failNext('sync.listItems.create', { status: 429, code: 54009 });
    const error = await rejection(state().countInWindow('webchat-chats', 60, at(0)));
    expect((error as UpstreamError).upstreamStatus).toBe(429);
    expect((error as UpstreamError).twilioCode).toBe(54009);
  });

  it('names SYNC_SERVICE_SID when the service does not exist, without creating anything', async () => {
    const missing = 'IS' + '0'.repeat(32);
    const error = await rejection(state(missing).countInWindow('webchat-chats', 60, at(0)));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      { field: 'SYNC_SERVICE_SID', problem: 'does not exist on this Twilio account' },
    ]);
    expect(names()).toEqual(['sync.listItems.create']);
  });

  it('says so when SYNC_SERVICE_SID is unset and the account has no default service', async () => {
    syncService(mock, 'default')!.uniqueName = null;
    const error = await rejection(state().countInWindow('webchat-chats', 60, at(0)));
    expect((error as ConfigError).problems).toEqual([
      {
        field: 'SYNC_SERVICE_SID',
        problem: expect.stringMatching(/^is not set, and this account has no default Sync service/),
      },
    ]);
  });
});

describe('claimOnce', () => {
  it('claims a key once: created, then already claimed', async () => {
    expect(await state().claimOnce('webchat-challenge-abc', 600)).toBe(true);
    expect(await state().claimOnce('webchat-challenge-abc', 600)).toBe(false);
    expect(mock.requests('sync.documents.create').map((r) => r.form)).toEqual([
      { UniqueName: ['webchat-challenge-abc'], Data: ['{}'], Ttl: ['600'] },
      { UniqueName: ['webchat-challenge-abc'], Data: ['{}'], Ttl: ['600'] },
    ]);
  });

  it('lets exactly one of many concurrent claims of one key win', async () => {
    const claims = await Promise.all(
      Array.from({ length: 15 }, () => state().claimOnce('webchat-challenge-race', 60)),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it('throws when the answer is lost: a retry would read its own claim as "claimed before"', async () => {
    mock.failNext('sync.documents.create', { status: 503, when: 'after' });
    const error = await rejection(state().claimOnce('webchat-challenge-lost', 60));
    expect((error as UpstreamError).upstreamStatus).toBe(503);
    // Twilio did make it: which is why the caller must treat the key as used.
    expect(await state().claimOnce('webchat-challenge-lost', 60)).toBe(false);
  });

  it('refuses keys Sync or the URL path would misread, before any request', async () => {
    for (const key of ['', 'a/b', 'a?b', 'x'.repeat(257), 'ET' + 'a'.repeat(32)]) {
      await expect(state().claimOnce(key, 60)).rejects.toThrow(/letters, digits/);
    }
    expect(mock.requests()).toHaveLength(0);
  });
});

describe('read and write', () => {
  it('reads nothing for a key never written, then what was written', async () => {
    expect(await state().read('webchat-pointer')).toBeUndefined();
    await state().write('webchat-pointer', { conversationSid: 'CH1' }, 60, { exists: false });
    expect(await state().read('webchat-pointer')).toEqual({ conversationSid: 'CH1' });
    expect(mock.requests('sync.documents.create')[0]?.form).toEqual({
      UniqueName: ['webchat-pointer'],
      Data: ['{"conversationSid":"CH1"}'],
      Ttl: ['60'],
    });
  });

  it('updates in one request when the document exists, with a new TTL', async () => {
    await state().write('webchat-pointer', { n: 1 }, 60, { exists: false });
    mock.recorded.length = 0;
    await state().write('webchat-pointer', { n: 2 }, 120, { exists: true });
    expect(names()).toEqual(['sync.documents.update']);
    expect(mock.requests('sync.documents.update')[0]?.form).toEqual({
      Data: ['{"n":2}'],
      Ttl: ['120'],
    });
    expect(await state().read('webchat-pointer')).toEqual({ n: 2 });
  });

  it('a wrong guess costs one more request either way', async () => {
    await state().write('webchat-a', { n: 1 }, 60, { exists: true }); // not there: created
    await state().write('webchat-a', { n: 2 }, 60, { exists: false }); // there: updated
    expect(names()).toEqual([
      'sync.documents.update',
      'sync.documents.create',
      'sync.documents.create',
      'sync.documents.update',
    ]);
    expect(await state().read('webchat-a')).toEqual({ n: 2 });
  });

  it('passes other failures on: a missing service names SYNC_SERVICE_SID', async () => {
    const missing = await rejection(state('IS' + '0'.repeat(32)).read('webchat-a'));
    expect(missing).toBeInstanceOf(ConfigError);
    mock.failNext('sync.documents.update', { status: 500 });
    const failed = await rejection(state().write('webchat-a', {}, 60, { exists: true }));
    expect(failed).toBeInstanceOf(UpstreamError);
  });
});
