/**
 * Flex API, what setup discovers and doctor checks: the Flex configuration
 * (404 on an account without Flex) and legacy Flex Flows (list, fetch,
 * create). Creating a Flex Flow with an integration stores it the way Twilio
 * reports it (`integration.flow_sid`, `integration.workflow_sid`, ...).
 */
import { TEST_ENV } from '../env';
import { field, sid, twilioError, type RouteInput, type TwilioMock } from '../twilio-mock';
import { account, type MockFlexFlow } from './account';
import { listMeta, now } from './common';

const base = 'https://flex-api.twilio.com/v1';

function flexFlowJson(f: MockFlexFlow) {
  return {
    account_sid: TEST_ENV.ACCOUNT_SID,
    date_created: now(),
    date_updated: now(),
    sid: f.sid,
    friendly_name: f.friendlyName,
    chat_service_sid: f.chatServiceSid,
    channel_type: f.channelType,
    contact_identity: null,
    enabled: f.enabled,
    integration_type: f.integrationType,
    integration: f.integration,
    long_lived: false,
    janitor_enabled: false,
    url: `${base}/FlexFlows/${f.sid}`,
  };
}

/** `Integration.FlowSid=FW…` -> `{flow_sid: "FW…"}`, as Twilio reports it. */
function integrationOf(input: RouteInput): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, values] of Object.entries(input.form)) {
    const name = /^Integration\.(\w+)$/.exec(key)?.[1];
    if (name) out[name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()] = values[0];
  }
  return out;
}

export function installFlexSetupRoutes(mock: TwilioMock): void {
  mock.route('flexConfiguration.fetch', 'GET', 'flex-api.twilio.com/v1/Configuration', () => {
    const flex = account(mock).flex;
    if (!flex)
      return twilioError(404, 20404, 'The requested resource /Configuration was not found');
    return {
      status: 200,
      body: {
        account_sid: TEST_ENV.ACCOUNT_SID,
        date_created: now(),
        date_updated: now(),
        chat_service_instance_sid: flex.chatServiceSid,
        taskrouter_workspace_sid: flex.workspaceSid,
        taskrouter_target_workflow_sid: flex.workflowSid,
        url: `${base}/Configuration`,
      },
    };
  });

  mock.route('flexFlows.list', 'GET', 'flex-api.twilio.com/v1/FlexFlows', () => ({
    status: 200,
    body: {
      flex_flows: account(mock).flexFlows.map(flexFlowJson),
      meta: listMeta(`${base}/FlexFlows`, 'flex_flows'),
    },
  }));

  mock.route('flexFlows.fetch', 'GET', 'flex-api.twilio.com/v1/FlexFlows/:sid', (input) => {
    const flow = account(mock).flexFlows.find((f) => f.sid === input.params.sid);
    if (!flow) return twilioError(404, 20404, `Flex Flow ${input.params.sid} was not found`);
    return { status: 200, body: flexFlowJson(flow) };
  });

  mock.route('flexFlows.create', 'POST', 'flex-api.twilio.com/v1/FlexFlows', (input) => {
    const flow: MockFlexFlow = {
      sid: sid('FO'),
      friendlyName: field(input, 'FriendlyName') ?? '',
      chatServiceSid: field(input, 'ChatServiceSid') ?? '',
      channelType: field(input, 'ChannelType') ?? '',
      enabled: field(input, 'Enabled') === 'true',
      integrationType: field(input, 'IntegrationType') ?? null,
      integration: integrationOf(input),
    };
    account(mock).flexFlows.push(flow);
    return { status: 201, body: flexFlowJson(flow) };
  });
}
