/** The guard's variables: MAX_CHATS_PER_MINUTE and SYNC_SERVICE_SID. */
import { ConfigError } from '../errors';
import { loadConfig } from '.';
import { MAX_CHATS_PER_MINUTE_LIMIT } from './budget';

const budget = (env: Record<string, string>) => loadConfig(env, {}, ['budget']);

function problemsOf(env: Record<string, string>): Record<string, string> {
  try {
    budget(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return Object.fromEntries(error.problems.map((p) => [p.field, p.problem]));
  }
  return {};
}

it('has no budget, and the default Sync service, when both are unset or blank', () => {
  expect(budget({})).toEqual({ maxChatsPerMinute: undefined, syncServiceSid: 'default' });
  expect(budget({ MAX_CHATS_PER_MINUTE: '  ', SYNC_SERVICE_SID: '' })).toEqual({
    maxChatsPerMinute: undefined,
    syncServiceSid: 'default',
  });
});

it('reads a budget from 1 to the limit, and a Sync service SID', () => {
  const sid = 'IS' + 'ab'.repeat(16);
  expect(budget({ MAX_CHATS_PER_MINUTE: '1', SYNC_SERVICE_SID: sid })).toEqual({
    maxChatsPerMinute: 1,
    syncServiceSid: sid,
  });
  expect(
    budget({ MAX_CHATS_PER_MINUTE: ` ${MAX_CHATS_PER_MINUTE_LIMIT} ` }).maxChatsPerMinute,
  ).toBe(1200);
});

it.each(['0', '1201', '-5', '1e3', '10.5', 'lots'])(
  'refuses MAX_CHATS_PER_MINUTE=%s, naming what it takes',
  (value) => {
    expect(problemsOf({ MAX_CHATS_PER_MINUTE: value })).toEqual({
      MAX_CHATS_PER_MINUTE:
        'must be a whole number of chats from 1 to 1200 (one Sync list takes about 20 writes a second), or empty for no budget',
    });
  },
);

it('takes `default` as written for the default service', () => {
  expect(budget({ SYNC_SERVICE_SID: 'default' }).syncServiceSid).toBe('default');
});

it.each(['Default', 'IS123', 'WS' + 'a'.repeat(32), 'IS' + 'g'.repeat(32)])(
  'refuses SYNC_SERVICE_SID=%s',
  (value) => {
    expect(problemsOf({ SYNC_SERVICE_SID: value })).toEqual({
      SYNC_SERVICE_SID:
        "must be a Sync Service SID (IS followed by 32 hex characters), or empty for the account's default Sync service",
    });
  },
);

it('reads SYNC_SERVICE_SID alone in the sync section, and neither in sections without them', () => {
  expect(loadConfig({ MAX_CHATS_PER_MINUTE: 'x' }, {}, ['sync'])).toEqual({
    syncServiceSid: 'default',
  });
  expect(() => loadConfig({ MAX_CHATS_PER_MINUTE: 'x' }, {}, ['mode'])).not.toThrow();
});
