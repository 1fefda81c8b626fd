/**
 * TaskRouter: tasks (created by the Flex mock with each Interaction), listed
 * with the one `EvaluateTaskAttributes` shape this project uses.
 */
import { TEST_ENV } from '../env';
import { type TwilioMock } from '../twilio-mock';
import { listMeta, now, stateList } from './common';

export interface MockTask {
  sid: string;
  workspaceSid: string;
  workflowSid: string;
  taskChannel: string;
  attributes: string;
  assignmentStatus: string;
}

/** TaskRouter tasks the mock holds, in creation order. */
export function tasks(mock: TwilioMock): MockTask[] {
  return stateList<MockTask>(mock, 'tasks');
}

function taskJson(t: MockTask) {
  return {
    account_sid: TEST_ENV.ACCOUNT_SID,
    age: 0,
    assignment_status: t.assignmentStatus,
    attributes: t.attributes,
    addons: '{}',
    date_created: now(),
    date_updated: now(),
    task_queue_entered_date: null,
    priority: 0,
    reason: null,
    sid: t.sid,
    task_queue_sid: null,
    task_queue_friendly_name: null,
    task_channel_sid: null,
    task_channel_unique_name: t.taskChannel,
    timeout: 86400,
    workflow_sid: t.workflowSid,
    workflow_friendly_name: 'Assign to Anyone',
    workspace_sid: t.workspaceSid,
    url: `https://taskrouter.twilio.com/v1/Workspaces/${t.workspaceSid}/Tasks/${t.sid}`,
    links: {},
    virtual_start_time: now(),
    ignore_capacity: false,
    routing_target: null,
  };
}

export function installTaskRouterRoutes(mock: TwilioMock): void {
  mock.route(
    'tasks.list',
    'GET',
    'taskrouter.twilio.com/v1/Workspaces/:workspaceSid/Tasks',
    (input) => {
      const workspaceSid = input.params.workspaceSid ?? '';
      const expression = input.query.EvaluateTaskAttributes?.[0];
      // Only the one expression shape this project uses: `name == "value"`.
      const match = expression === undefined ? null : /^(\w+) == "([^"]*)"$/.exec(expression);
      if (expression !== undefined && !match) {
        mock.violations.push(`mock cannot evaluate task attributes expression ${expression}`);
      }
      const found = tasks(mock).filter((t) => {
        if (t.workspaceSid !== workspaceSid) return false;
        if (!match) return true;
        const attributes = JSON.parse(t.attributes) as Record<string, unknown>;
        return attributes[match[1] ?? ''] === match[2];
      });
      const url = `https://taskrouter.twilio.com/v1/Workspaces/${workspaceSid}/Tasks`;
      return {
        status: 200,
        body: { tasks: found.map(taskJson), meta: listMeta(url, 'tasks') },
      };
    },
  );
}
