/**
 * What every mode needs to know about the account, read through the REST API
 * (what one mode needs is read in its module, or in studio-flows.ts and
 * routing.ts for what several modes share):
 *
 *   defaultServiceSid  GET conversations /v1/Configuration  -> default_chat_service_sid
 *   serviceName        GET conversations /v1/Services/{IS}  (404: undefined)
 *   flexConfiguration  GET flex-api /v1/Configuration       -> Flex's chat service, workspace
 *                      (404: the account has no Flex)
 *
 * Every function throws Twilio's other errors as they are; the caller explains them.
 */
import { fetchIfExists, type Client } from './twilio';

/** A resource as setup lists it. */
export interface Named {
  sid: string;
  friendlyName: string;
}

export interface FlexConfiguration {
  chatServiceSid: string | null;
  workspaceSid: string | null;
  workflowSid: string | null;
}

export async function defaultServiceSid(client: Client): Promise<string | null> {
  const configuration = await client.conversations.v1.configuration().fetch();
  return configuration.defaultChatServiceSid ?? null;
}

/** The service's name; undefined when it does not exist. */
export async function serviceName(client: Client, sid: string): Promise<string | undefined> {
  const service = await fetchIfExists(() => client.conversations.v1.services(sid).fetch());
  return service?.friendlyName;
}

/** Flex's configuration; undefined when the account has no Flex. */
export async function flexConfiguration(client: Client): Promise<FlexConfiguration | undefined> {
  const c = await fetchIfExists(() => client.flexApi.v1.configuration().fetch());
  return (
    c && {
      chatServiceSid: c.chatServiceInstanceSid ?? null,
      workspaceSid: c.taskrouterWorkspaceSid ?? null,
      workflowSid: c.taskrouterTargetWorkflowSid ?? null,
    }
  );
}

/** The first item whose name matches, else the first item. */
export function byName<T extends Named>(items: T[], pattern: RegExp): T | undefined {
  return items.find((i) => pattern.test(i.friendlyName)) ?? items[0];
}
