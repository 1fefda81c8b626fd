/**
 * TaskRouter, what setup discovers and doctor checks: workspaces, their
 * workflows and task channels (list and fetch). A workflow fetched under
 * another workspace is a 404, as on Twilio.
 */
import { TEST_ENV } from '../env';
import { twilioError, type RouteInput, type TwilioMock } from '../twilio-mock';
import { account, type MockTaskChannel, type MockWorkflow, type MockWorkspace } from './account';
import { listMeta, now } from './common';

const base = 'https://taskrouter.twilio.com/v1/Workspaces';

function workspaceJson(w: MockWorkspace) {
  return {
    account_sid: TEST_ENV.ACCOUNT_SID,
    date_created: now(),
    date_updated: now(),
    default_activity_name: 'Offline',
    default_activity_sid: null,
    event_callback_url: null,
    events_filter: null,
    friendly_name: w.friendlyName,
    multi_task_enabled: true,
    sid: w.sid,
    timeout_activity_name: 'Offline',
    timeout_activity_sid: null,
    prioritize_queue_order: 'FIFO',
    url: `${base}/${w.sid}`,
    links: {},
  };
}

function workflowJson(w: MockWorkspace, f: MockWorkflow) {
  return {
    account_sid: TEST_ENV.ACCOUNT_SID,
    assignment_callback_url: null,
    configuration: '{"task_routing":{"filters":[]}}',
    date_created: now(),
    date_updated: now(),
    document_content_type: 'application/json',
    fallback_assignment_callback_url: null,
    friendly_name: f.friendlyName,
    sid: f.sid,
    task_reservation_timeout: 120,
    workspace_sid: w.sid,
    url: `${base}/${w.sid}/Workflows/${f.sid}`,
    links: {},
  };
}

function channelJson(w: MockWorkspace, c: MockTaskChannel) {
  return {
    account_sid: TEST_ENV.ACCOUNT_SID,
    date_created: now(),
    date_updated: now(),
    friendly_name: c.friendlyName,
    sid: c.sid,
    unique_name: c.uniqueName,
    workspace_sid: w.sid,
    channel_optimized_routing: null,
    url: `${base}/${w.sid}/TaskChannels/${c.sid}`,
    links: {},
  };
}

function withWorkspace(
  mock: TwilioMock,
  input: RouteInput,
  then: (w: MockWorkspace) => { status: number; body?: unknown },
) {
  const sid = input.params.workspaceSid ?? input.params.sid;
  const workspace = account(mock).workspaces.find((w) => w.sid === sid);
  return workspace ? then(workspace) : twilioError(404, 20404, `Workspace ${sid} was not found`);
}

export function installTaskRouterSetupRoutes(mock: TwilioMock): void {
  mock.route('workspaces.list', 'GET', 'taskrouter.twilio.com/v1/Workspaces', () => ({
    status: 200,
    body: {
      workspaces: account(mock).workspaces.map(workspaceJson),
      meta: listMeta(base, 'workspaces'),
    },
  }));

  mock.route('workspaces.fetch', 'GET', 'taskrouter.twilio.com/v1/Workspaces/:sid', (input) =>
    withWorkspace(mock, input, (w) => ({ status: 200, body: workspaceJson(w) })),
  );

  const ws = 'taskrouter.twilio.com/v1/Workspaces/:workspaceSid';
  mock.route('workflows.list', 'GET', `${ws}/Workflows`, (input) =>
    withWorkspace(mock, input, (w) => ({
      status: 200,
      body: {
        workflows: w.workflows.map((f) => workflowJson(w, f)),
        meta: listMeta(`${base}/${w.sid}/Workflows`, 'workflows'),
      },
    })),
  );

  mock.route('workflows.fetch', 'GET', `${ws}/Workflows/:sid`, (input) =>
    withWorkspace(mock, input, (w) => {
      const found = w.workflows.find((f) => f.sid === input.params.sid);
      if (!found) return twilioError(404, 20404, `Workflow ${input.params.sid} was not found`);
      return { status: 200, body: workflowJson(w, found) };
    }),
  );

  mock.route('taskChannels.list', 'GET', `${ws}/TaskChannels`, (input) =>
    withWorkspace(mock, input, (w) => ({
      status: 200,
      body: {
        channels: w.taskChannels.map((c) => channelJson(w, c)),
        meta: listMeta(`${base}/${w.sid}/TaskChannels`, 'channels'),
      },
    })),
  );
}
