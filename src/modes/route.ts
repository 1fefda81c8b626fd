/**
 * This service's own `/interaction` webhook, as the modes that route through
 * it (webhook, and address when `ADDRESS_ROUTES_TO=webhook`) configure it:
 * its variables, its URL, and the shape of the webhook that points a
 * conversation at it. `npm run setup` builds a Chat Address's webhook from
 * the same constants.
 */
import type { WebhookListInstanceCreateOptions } from 'twilio/lib/rest/conversations/v1/service/conversation/webhook';
import type { EnvReader, RuntimeInfo } from '../config/reader';
import { readPublicBaseUrl } from '../config/urls';
import type { InteractionRoute } from './types';

/** The path of the webhook hand-off function (functions/interaction.protected.ts). */
export const INTERACTION_PATH = '/interaction';

/** TaskRouter task channel `/interaction` routes to when `TASK_CHANNEL` is not set. */
export const DEFAULT_TASK_CHANNEL = 'chat';

/** What `/interaction` reads: where Twilio calls it, and where it routes. */
export const ROUTE_VARIABLES = [
  'PUBLIC_BASE_URL',
  'TASKROUTER_WORKSPACE_SID',
  'TASKROUTER_WORKFLOW_SID',
  'TASK_CHANNEL',
] as const;

/** How Twilio calls `/interaction`: lower-case `post` (the API spec's enum is `get | post`). */
export const INTERACTION_WEBHOOK = { method: 'post', filters: ['onMessageAdded'] } as const;

/** `https://abc.ngrok.app/` -> `https://abc.ngrok.app/interaction`. */
export function interactionUrlOf(publicBaseUrl: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}${INTERACTION_PATH}`;
}

export function readInteractionRoute(
  read: EnvReader,
  runtime: RuntimeInfo,
  namedAfterCustomer: boolean,
): InteractionRoute {
  return {
    interactionUrl: interactionUrlOf(
      readPublicBaseUrl(read, 'PUBLIC_BASE_URL', runtime.domainName),
    ),
    workspaceSid: read.sid('TASKROUTER_WORKSPACE_SID', 'WS'),
    workflowSid: read.sid('TASKROUTER_WORKFLOW_SID', 'WW'),
    taskChannel: read.name('TASK_CHANNEL', DEFAULT_TASK_CHANNEL),
    namedAfterCustomer,
  };
}

/** The conversation-scoped webhook that points a conversation at `/interaction`. */
export function interactionWebhook(interactionUrl: string): WebhookListInstanceCreateOptions {
  return {
    target: 'webhook',
    'configuration.url': interactionUrl,
    'configuration.method': INTERACTION_WEBHOOK.method,
    'configuration.filters': [...INTERACTION_WEBHOOK.filters],
  };
}
