/**
 * `npm run setup -- doctor` with opening hours and live availability: rows
 * only when configured, the TaskQueue's statistics asked for as
 * /availability asks, against the local mock (checked against the spec).
 */
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { ACCOUNT } from '../../dev/twilio-fake/apis';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { EnvDir, setupCli } from '../support/setup-cli';

const mock = TwilioMock.perTest();
let dir: EnvDir;
beforeEach(async () => {
  dir = await EnvDir.create();
});
afterEach(() => dir.remove());

const BASE = {
  ACCOUNT_SID: TEST_ENV.ACCOUNT_SID,
  AUTH_TOKEN: TEST_ENV.AUTH_TOKEN,
  API_KEY: TEST_ENV.API_KEY,
  API_SECRET: TEST_ENV.API_SECRET,
  CONVERSATIONS_SERVICE_SID: TEST_ENV.CONVERSATIONS_SERVICE_SID,
  HANDOFF_MODE: 'studio',
  STUDIO_FLOW_SID: TEST_ENV.STUDIO_FLOW_SID,
  ALLOWED_ORIGINS: 'https://www.example.com',
  OPENING_HOURS: 'Europe/Madrid; Mon-Fri 09:00-18:00; closed 2030-01-01',
  AFTER_HOURS: 'message',
  TASKROUTER_WORKSPACE_SID: ACCOUNT.workspaceSid,
  AVAILABILITY_QUEUE_SID: ACCOUNT.taskQueueSid,
};

async function doctor(env: Record<string, string>) {
  const envText = Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
  const res = await setupCli(mock, dir, ['doctor'], { envText });
  const row = (name: string) =>
    res.stdout.split('\n').find((line) => new RegExp(`^\\S+ \\S*\\s+${name}\\s{2,}`).test(line));
  return { ...res, row };
}

describe('doctor: opening hours and live availability', () => {
  it('says the hours now and what the TaskQueue reports, all OK', async () => {
    const res = await doctor(BASE);
    expect(res.row('OPENING_HOURS')).toMatch(
      /✔ OK\s+OPENING_HOURS\s+Europe\/Madrid, 1 closed date, AFTER_HOURS=message: (open now, until|closed now, opens) \d{4}-\d\d-\d\dT/,
    );
    expect(res.row('AVAILABILITY_QUEUE_SID')).toMatch(
      /✔ OK\s+AVAILABILITY_QUEUE_SID\s+WQb+ answers for chat: 2 available of 5 agents now/,
    );
    expect(mock.requests('taskQueueRealTimeStatistics.fetch')[0]?.query).toEqual({
      TaskChannel: ['chat'],
    });
    expect(res.code).toBe(0);
  });

  it.each([
    ['a queue the workspace does not have', { AVAILABILITY_QUEUE_SID: 'WQ' + 'c'.repeat(32) }],
    ['a task channel the workspace does not have', { TASK_CHANNEL: 'sms' }],
  ])('%s is a problem, with how to fix it', async (_, extra) => {
    const res = await doctor({ ...BASE, ...extra });
    expect(res.row('AVAILABILITY_QUEUE_SID')).toMatch(/✘ PROBLEM/);
    expect(res.stdout).toMatch(/how to fix: use a TaskQueue of TASKROUTER_WORKSPACE_SID/);
    expect(res.code).not.toBe(0);
  });

  it('without them: no rows at all, and no TaskRouter statistics asked for', async () => {
    const hoursVariables = ['OPENING_HOURS', 'AFTER_HOURS', 'AVAILABILITY_QUEUE_SID'];
    const res = await doctor(
      Object.fromEntries(Object.entries(BASE).filter(([name]) => !hoursVariables.includes(name))),
    );
    expect(res.row('OPENING_HOURS')).toBeUndefined();
    expect(res.row('AVAILABILITY_QUEUE_SID')).toBeUndefined();
    expect(mock.requests('taskQueueRealTimeStatistics.fetch')).toHaveLength(0);
  });

  it('a malformed OPENING_HOURS is a configuration problem naming it', async () => {
    const res = await doctor({ ...BASE, OPENING_HOURS: 'Europe/Madrid; Mon-Fri 9-18' });
    expect(res.stdout).toMatch(/✘ PROBLEM\s+OPENING_HOURS\s+OPENING_HOURS part 2 .*HH:MM-HH:MM/);
    expect(res.code).not.toBe(0);
  });
});
