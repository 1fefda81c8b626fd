/**
 * What setup creates on the account, when asked to:
 *
 *   studioFlow   POST studio /v2/Flows/Validate, then POST /v2/Flows (Status=published)
 *                from web-chat.flow.json; an invalid definition creates nothing
 *   apiKey       POST api /2010-04-01/Accounts/{AC}/Keys.json: the secret is in
 *                this answer only (the caller writes it to .env, never to a log)
 *   chatAddress  POST conversations /v1/Configuration/Addresses, Type=chat,
 *                auto-creation to a Studio flow or to this service's /interaction
 *   flexFlow     POST flex-api /v1/FlexFlows, ChannelType=web (legacy Flex UI 1.x)
 */
import type twilio from 'twilio';
import { INTERACTION_PATH } from '../../src/config';
import {
  FLOW_FRIENDLY_NAME,
  webChatFlowDefinition,
  type FlowPlaceholders,
} from './flow-definition';
import { SetupError } from './terminal';
import { statusOf } from './twilio';

type Client = twilio.Twilio;

/** Studio's list of what is wrong with a definition (error 81022), as lines. */
function definitionErrors(error: unknown): string[] {
  const details = (error as { details?: { errors?: unknown } } | null)?.details;
  const errors = Array.isArray(details?.errors) ? details.errors : [];
  return errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)));
}

export async function createStudioFlow(
  client: Client,
  values: FlowPlaceholders,
): Promise<{ sid: string; friendlyName: string }> {
  const request = {
    friendlyName: FLOW_FRIENDLY_NAME,
    status: 'published' as const,
    definition: webChatFlowDefinition(values),
    commitMessage: 'Created by npm run setup (scripts/setup/web-chat.flow.json)',
  };
  try {
    await client.studio.v2.flowValidate.update(request);
  } catch (error) {
    if (statusOf(error) !== 400) throw error;
    const lines = definitionErrors(error);
    throw new SetupError(
      `Studio refused the flow definition (nothing was created):\n${
        lines.map((l) => `  - ${l}`).join('\n') || '  (no details given)'
      }`,
    );
  }
  const flow = await client.studio.v2.flows.create(request);
  return { sid: flow.sid, friendlyName: flow.friendlyName };
}

export interface NewApiKey {
  sid: string;
  secret: string;
}

export async function createApiKey(client: Client): Promise<NewApiKey> {
  const key = await client.api.v2010.account.newKeys.create({
    friendlyName: `${FLOW_FRIENDLY_NAME}: customer tokens`,
  });
  return { sid: key.sid, secret: key.secret };
}

export type AddressTarget =
  { type: 'studio'; flowSid: string } | { type: 'webhook'; publicBaseUrl: string };

export async function createChatAddress(
  client: Client,
  options: { name: string; serviceSid: string; target: AddressTarget },
): Promise<{ sid: string }> {
  const { target } = options;
  const address = await client.conversations.v1.addressConfigurations.create({
    type: 'chat',
    address: options.name,
    friendlyName: FLOW_FRIENDLY_NAME,
    'autoCreation.enabled': true,
    'autoCreation.conversationServiceSid': options.serviceSid,
    ...(target.type === 'studio'
      ? { 'autoCreation.type': 'studio', 'autoCreation.studioFlowSid': target.flowSid }
      : {
          'autoCreation.type': 'webhook',
          'autoCreation.webhookUrl': interactionUrlOf(target.publicBaseUrl),
          // Lower case: the API spec's enum is `get | post`.
          'autoCreation.webhookMethod': 'post',
          'autoCreation.webhookFilters': ['onMessageAdded'],
        }),
  });
  return { sid: address.sid };
}

/** `https://abc.ngrok.app/` -> `https://abc.ngrok.app/interaction`, as config.ts builds it. */
export function interactionUrlOf(publicBaseUrl: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}${INTERACTION_PATH}`;
}

export type FlexFlowIntegration =
  | { type: 'task'; workspaceSid: string; workflowSid: string; taskChannel: string }
  | { type: 'studio'; flowSid: string };

export async function createFlexFlow(
  client: Client,
  options: { serviceSid: string; integration: FlexFlowIntegration },
): Promise<{ sid: string }> {
  const { integration } = options;
  const flow = await client.flexApi.v1.flexFlow.create({
    friendlyName: FLOW_FRIENDLY_NAME,
    chatServiceSid: options.serviceSid,
    channelType: 'web',
    enabled: true,
    ...(integration.type === 'task'
      ? {
          integrationType: 'task',
          'integration.workspaceSid': integration.workspaceSid,
          'integration.workflowSid': integration.workflowSid,
          'integration.channel': integration.taskChannel,
        }
      : { integrationType: 'studio', 'integration.flowSid': integration.flowSid }),
  });
  return { sid: flow.sid };
}
