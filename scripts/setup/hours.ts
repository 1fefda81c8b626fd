/**
 * Doctor's rows for opening hours and live availability (src/guard/hours.ts,
 * src/guard/availability.ts), only when they are configured:
 *
 *   OPENING_HOURS           OK: the zone, closed dates, AFTER_HOURS, and whether
 *                           it is open right now (until / from when, in UTC)
 *   AVAILABILITY_QUEUE_SID  the queue's real-time statistics answer, as
 *                           /availability will ask for them (the queue is in
 *                           TASKROUTER_WORKSPACE_SID; TASK_CHANNEL exists there)
 *
 * Malformed values are the configuration row's business.
 */
import type { Env } from '../../src/config';
import { EnvReader } from '../../src/config/reader';
import { readAvailability } from '../../src/guard/availability';
import { hoursAt, readHours } from '../../src/guard/hours';
import type { Add } from './checks';
import { explain, type Client } from './twilio';

export async function checkHours(env: Env, client: Client, add: Add, nowMs: number): Promise<void> {
  const read = new EnvReader(env);
  const { schedule, afterHours } = readHours(read);
  const live = readAvailability(read);
  if (!read.ok) return;
  if (schedule) {
    const state = hoursAt(schedule, nowMs);
    const iso = (ms: number | undefined) =>
      ms === undefined ? 'not within a year' : new Date(ms).toISOString();
    const now = state.open
      ? `open now, until ${iso(state.closesAt)}`
      : `closed now, opens ${iso(state.opensAt)}`;
    const dates = schedule.closedDays.size;
    add(
      'OPENING_HOURS',
      'ok',
      `${schedule.timeZone}, ${dates} closed date${dates === 1 ? '' : 's'}, AFTER_HOURS=${afterHours}: ${now}`,
    );
  }
  if (!live) return;
  try {
    const stats = await client.taskrouter.v1
      .workspaces(live.workspaceSid)
      .taskQueues(live.queueSid)
      .realTimeStatistics()
      .fetch({ taskChannel: live.taskChannel });
    add(
      'AVAILABILITY_QUEUE_SID',
      'ok',
      `${live.queueSid} answers for ${live.taskChannel}: ${stats.totalAvailableWorkers} available of ${stats.totalEligibleWorkers} agents now`,
    );
  } catch (error) {
    add(
      'AVAILABILITY_QUEUE_SID',
      'problem',
      explain(
        error,
        `read the real-time statistics of TaskQueue ${live.queueSid} (task channel ${live.taskChannel})`,
      ),
      'use a TaskQueue of TASKROUTER_WORKSPACE_SID that your web chats wait in, and a TASK_CHANNEL of that workspace (Console > TaskRouter > Workspaces > TaskQueues)',
    );
  }
}
