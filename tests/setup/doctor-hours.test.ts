/**
 * `npm run setup -- doctor` with opening hours and live availability: rows
 * only when configured, the TaskQueue's statistics asked for as
 * /availability asks, against the local mock (checked against the spec).
 */
import { ACCOUNT } from '../../dev/twilio-fake/apis';
import { DOCTOR_BASE, doctorPerTest } from '../support/doctor';

const { mock, doctor: runDoctor } = doctorPerTest();

const BASE = {
  ...DOCTOR_BASE,
  OPENING_HOURS: 'Europe/Madrid; Mon-Fri 09:00-18:00; closed 2030-01-01',
  AFTER_HOURS: 'message',
  TASKROUTER_WORKSPACE_SID: ACCOUNT.workspaceSid,
  AVAILABILITY_QUEUE_SID: ACCOUNT.taskQueueSid,
} as Record<string, string>;

async function doctor(env: Record<string, string>) {
  const res = await runDoctor(env);
  return { ...res, row: res.line };
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
