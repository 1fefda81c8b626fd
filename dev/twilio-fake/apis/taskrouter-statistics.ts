/**
 * TaskRouter's TaskQueue real-time statistics, which /availability reads
 * (src/guard/availability.ts): `GET /v1/Workspaces/{WS}/TaskQueues/{WQ}/RealTimeStatistics`
 * with an optional `TaskChannel` (SID or unique name). An unknown workspace,
 * queue or task channel is Twilio's 404 (20404). Every task in the fake's
 * queue is on the `chat` channel, so other channels count nothing.
 */
import { TEST_ENV } from '../env';
import { twilioError, type TwilioMock } from '../twilio-mock';
import { account, type MockTaskQueue, type MockWorkspace } from './account';

const base = 'https://taskrouter.twilio.com/v1/Workspaces';

function statisticsJson(w: MockWorkspace, q: MockTaskQueue, counts: boolean) {
  const n = (value: number) => (counts ? value : 0);
  const byStatus = { pending: n(q.pending), reserved: n(q.reserved), assigned: n(q.assigned) };
  return {
    account_sid: TEST_ENV.ACCOUNT_SID,
    activity_statistics: [
      { friendly_name: 'Available', workers: q.availableWorkers, sid: null },
      { friendly_name: 'Offline', workers: q.eligibleWorkers - q.availableWorkers, sid: null },
    ],
    longest_task_waiting_age: n(q.longestWaitingAge),
    longest_task_waiting_sid: null,
    longest_relative_task_age_in_queue: n(q.longestWaitingAge),
    longest_relative_task_sid_in_queue: null,
    task_queue_sid: q.sid,
    // Twilio sends these counts as strings in an object.
    tasks_by_priority: { '0': String(byStatus.pending + byStatus.reserved + byStatus.assigned) },
    tasks_by_status: Object.fromEntries(
      Object.entries(byStatus).map(([status, count]) => [status, String(count)]),
    ),
    total_available_workers: q.availableWorkers,
    total_eligible_workers: q.eligibleWorkers,
    total_tasks: byStatus.pending + byStatus.reserved + byStatus.assigned,
    workspace_sid: w.sid,
    url: `${base}/${w.sid}/TaskQueues/${q.sid}/RealTimeStatistics`,
  };
}

export function installTaskRouterStatisticsRoutes(mock: TwilioMock): void {
  mock.route(
    'taskQueueRealTimeStatistics.fetch',
    'GET',
    'taskrouter.twilio.com/v1/Workspaces/:workspaceSid/TaskQueues/:queueSid/RealTimeStatistics',
    (input) => {
      const { workspaceSid, queueSid } = input.params;
      const workspace = account(mock).workspaces.find((w) => w.sid === workspaceSid);
      const queue = workspace?.taskQueues?.find((q) => q.sid === queueSid);
      if (!workspace || !queue) {
        return twilioError(404, 20404, `TaskQueue ${queueSid} was not found in ${workspaceSid}`);
      }
      const channel = input.query.TaskChannel?.[0];
      const known = workspace.taskChannels.find(
        (c) => c.sid === channel || c.uniqueName === channel,
      );
      if (channel !== undefined && !known) {
        return twilioError(404, 20404, `TaskChannel ${channel} was not found`);
      }
      const counts = channel === undefined || known?.uniqueName === 'chat';
      return { status: 200, body: statisticsJson(workspace, queue, counts) };
    },
  );
}
