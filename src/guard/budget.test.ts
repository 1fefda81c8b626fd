/**
 * The service-wide chat budget: what it answers within and over budget, and
 * when Sync fails (through the real `twilio` library and the local fake).
 */
import { syncService } from '../../dev/twilio-fake/apis';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { captureLogsPerTest } from '../../tests/support/logs';
import { BudgetExceededError, ConfigError, UpstreamError } from '../errors';
import { budgetStatus, spendChatBudget } from './budget';

const mock = TwilioMock.perTest();
const logs = captureLogsPerTest();

const at = (seconds: number) => Date.UTC(2030, 0, 1) + seconds * 1000;
const BUDGET = { maxChatsPerMinute: 2, syncServiceSid: 'default' };
const spend = (nowMs: number, config = BUDGET, timeout?: number) =>
  spendChatBudget(() => mock.client({ ...(timeout !== undefined && { timeout }) }), config, nowMs);

async function refusal(call: Promise<unknown>): Promise<BudgetExceededError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BudgetExceededError);
  return error as BudgetExceededError;
}

it('with no budget, builds no Twilio client and makes no request', async () => {
  const twilio = jest.fn(() => mock.client());
  await spendChatBudget(twilio, { maxChatsPerMinute: undefined, syncServiceSid: 'default' }, 0);
  expect(twilio).not.toHaveBeenCalled();
  expect(mock.requests()).toHaveLength(0);
});

it('lets the budget through, then answers 429 with the seconds to the next minute', async () => {
  await spend(at(5));
  await spend(at(10));
  const over = await refusal(spend(at(15.2)));
  expect(over.status).toBe(429);
  expect(over.code).toBe('budget_exceeded');
  expect(over.headers).toEqual({
    'Retry-After': '45',
    'Access-Control-Expose-Headers': 'Retry-After',
  });
  expect((await refusal(spend(at(59.9)))).headers['Retry-After']).toBe('1');
  // Logged once a window, however many are refused.
  expect(logs.events().filter((e) => e === 'budget.exhausted')).toHaveLength(1);
  await expect(spend(at(60))).resolves.toBeUndefined();
});

it("fails closed on Sync's 429: the counter's list is throttled, as in a flood", async () => {
  mock.failNext('sync.listItems.create', { status: 429, code: 54009 });
  const busy = await refusal(spend(at(0)));
  expect(busy.headers['Retry-After']).toBe('5');
});

it.each([
  ['a 500', { status: 500 }],
  ['a 503 after acting', { status: 503, when: 'after' as const }],
  ['no answer', { status: 0, when: 'drop' as const }],
])('fails open on %s from Sync, and logs it', async (_, failure) => {
  mock.failNext('sync.listItems.create', failure);
  await expect(spend(at(0))).resolves.toBeUndefined();
  expect(logs.events()).toContain('budget.unavailable');
});

it("fails open when Sync's answer takes longer than the client's timeout", async () => {
  await spend(at(0)); // the minute's list exists: one append to wait for
  mock.latencyMs = 80;
  await expect(spend(at(1), BUDGET, 20)).resolves.toBeUndefined();
  expect(logs.text()).toMatch(/"event":"budget.unavailable"/);
  // The append went on without us, and counted: let it land before the next test.
  while (mock.requests().some((r) => r.endedAt === r.startedAt)) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(syncService(mock, 'default')?.lists[0]?.nextIndex).toBe(2);
});

it('fails closed, naming the variable, when the Sync service does not exist', async () => {
  const config = { ...BUDGET, syncServiceSid: 'IS' + '0'.repeat(32) };
  const error = await spend(at(0), config).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).status).toBe(503);
});

it('fails closed on a refusal it does not expect (a 400: our bug, not load)', async () => {
  mock.failNext('sync.listItems.create', { status: 400, code: 54008 });
  const error = await spend(at(0)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UpstreamError);
  expect((error as UpstreamError).status).toBe(502);
});

it('reports the budget and which Sync service, never its SID', () => {
  expect(budgetStatus(BUDGET)).toEqual({
    chatBudget: { maxPerMinute: 2 },
    syncService: 'default',
  });
  const sid = 'IS' + 'a'.repeat(32);
  const status = budgetStatus({ maxChatsPerMinute: undefined, syncServiceSid: sid });
  expect(status).toEqual({ chatBudget: null, syncService: 'SYNC_SERVICE_SID' });
  expect(JSON.stringify(status)).not.toContain(sid);
});
