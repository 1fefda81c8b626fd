/**
 * POST /start-chat when it is busy (Twilio's 429, the chat budget) and the
 * widget sends the same proof again after the wait (client/lib/start-retry.ts):
 * a start that made nothing may go again, and still no proof starts two chats.
 * Through the real `twilio` library and the local mock; the spike of 200 is
 * spikes.test.ts.
 */
import { handler } from '../../functions/start-chat';
import { withProof } from '../../dev/challenge';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { headerOf, invoke, type InvokeResult } from '../../dev/invoke';
import { conversations, syncService } from '../../dev/twilio-fake/apis';
import {
  ADDRESS_ENV,
  FLEX_FLOW_ENV,
  seedChatAddress,
  seedFlexFlow,
} from '../../dev/twilio-fake/modes';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { captureLogsPerTest } from '../support/logs';

const mock = TwilioMock.perTest((m) => {
  seedChatAddress(m);
  seedFlexFlow(m);
});
const logs = captureLogsPerTest();

type ErrorBody = { error: { code: string } };
const codeOf = (res: InvokeResult) => (res.body as ErrorBody).error.code;
const claims = () => syncService(mock, 'default')?.documents ?? [];

const CREATES = {
  address: ['webchats.create', ADDRESS_ENV],
  'flex-flow': ['flexChannels.create', FLEX_FLOW_ENV],
  studio: ['conversations.create', TEST_ENV],
} as const;

describe.each(Object.entries(CREATES))(
  '%s mode: Twilio refuses the create with a 429',
  (mode, [route, env]) => {
    it('503 upstream_rate_limited, Retry-After 1; the same proof then starts one chat, and only one', async () => {
      const body = await withProof({ friendlyName: 'Ana' }, { env });
      mock.failNext(route, { status: 429, code: 45010 });

      const busy = await invoke(handler, { mock, env, body });
      expect([busy.status, codeOf(busy)]).toEqual([503, 'upstream_rate_limited']);
      expect(headerOf(busy, 'retry-after')).toBe('1');
      expect(conversations(mock).size).toBe(0);
      // Address mode claimed the proof before the create, and frees it after the 429.
      expect(claims()).toHaveLength(0);
      expect(mock.requests('sync.documents.delete')).toHaveLength(mode === 'address' ? 1 : 0);

      const again = await invoke(handler, { mock, env, body });
      expect(again.status).toBe(200);
      expect(conversations(mock).size).toBe(1);
      expect(claims()).toHaveLength(mode === 'address' ? 1 : 0);

      const replay = await invoke(handler, { mock, env, body });
      expect([replay.status, codeOf(replay)]).toEqual([409, 'challenge_used']);
      expect(conversations(mock).size).toBe(1);
    });
  },
);

describe('address mode: what keeps the claim', () => {
  it('an ambiguous failure (500: Twilio may have acted): the same proof is refused, no second chat', async () => {
    const body = await withProof({ friendlyName: 'Ana' }, { env: ADDRESS_ENV });
    mock.failNext('webchats.create', { status: 500, when: 'after' });
    expect((await invoke(handler, { mock, env: ADDRESS_ENV, body })).status).toBe(502);
    expect(claims()).toHaveLength(1);
    expect(mock.requests('sync.documents.delete')).toHaveLength(0);
    const again = await invoke(handler, { mock, env: ADDRESS_ENV, body });
    expect([again.status, codeOf(again)]).toEqual([409, 'challenge_used']);
    expect(mock.requests('webchats.create')).toHaveLength(1);
  });

  it('a release Sync refuses is logged; the retry meets challenge_used and nothing was made twice', async () => {
    const body = await withProof({ friendlyName: 'Ana' }, { env: ADDRESS_ENV });
    mock.failNext('webchats.create', { status: 429 });
    mock.failNext('sync.documents.delete', { status: 503 });
    expect((await invoke(handler, { mock, env: ADDRESS_ENV, body })).status).toBe(503);
    expect(logs.events()).toContain('challenge.release_failed');
    const again = await invoke(handler, { mock, env: ADDRESS_ENV, body });
    expect([again.status, codeOf(again)]).toEqual([409, 'challenge_used']);
    expect(conversations(mock).size).toBe(0);
  });
});

describe('address mode over the chat budget', () => {
  const env = { ...ADDRESS_ENV, MAX_CHATS_PER_MINUTE: '1' };

  it('429 budget_exceeded frees the claim: the same proof may go again after the wait', async () => {
    expect((await invoke(handler, { mock, env, body: await withProof({}, { env }) })).status).toBe(
      200,
    );
    const body = await withProof({ friendlyName: 'Ana' }, { env });
    const over = await invoke(handler, { mock, env, body });
    expect([over.status, codeOf(over)]).toEqual([429, 'budget_exceeded']);
    expect(Number(headerOf(over, 'retry-after'))).toBeGreaterThanOrEqual(1);
    expect(claims()).toHaveLength(1); // the first chat's only
    expect(mock.requests('webchats.create')).toHaveLength(1);
  });
});
