/**
 * What the Twilio account already has, read through the REST API, and which
 * of it setup proposes:
 *
 *   conversationsDefaults  GET conversations /v1/Configuration  -> default_chat_service_sid
 *   flexConfiguration      GET flex-api /v1/Configuration       -> Flex's chat service, workspace
 *                          (404: the account has no Flex)
 *   studioFlows            GET studio /v2/Flows, then each flow -> one that sends chats to Flex: ours,
 *                                                                  else the Flex web chat or messaging flow
 *   workspaces, workflows, taskChannels (TaskRouter)            -> Flex Task Assignment, its workflows, `chat`
 *   chatAddresses          GET conversations /v1/Configuration/Addresses?Type=chat
 *   webFlexFlows           GET flex-api /v1/FlexFlows (channel type web)
 *   apiKeyStatus           GET api Keys/{SK}, then a request made as the key: does it work?
 *
 * Every function throws Twilio's error as it is; the caller explains it.
 */
import type twilio from 'twilio';
import { FLOW_FRIENDLY_NAME, sendsChatsToFlex, type ChatTrigger } from './flow-definition';
import { statusOf, type ClientFactory } from './twilio';

type Client = twilio.Twilio;

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

export async function serviceName(client: Client, sid: string): Promise<string> {
  return (await client.conversations.v1.services(sid).fetch()).friendlyName;
}

/** Flex's configuration; undefined when the account has no Flex (404). */
export async function flexConfiguration(client: Client): Promise<FlexConfiguration | undefined> {
  try {
    const c = await client.flexApi.v1.configuration().fetch();
    return {
      chatServiceSid: c.chatServiceInstanceSid ?? null,
      workspaceSid: c.taskrouterWorkspaceSid ?? null,
      workflowSid: c.taskrouterTargetWorkflowSid ?? null,
    };
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

export interface StudioFlow extends Named {
  status: string;
  /** The flow's JSON definition (from its fetch), to see where chats go. */
  definition: unknown;
}

/** Flows fetched at once: quick on big accounts, gentle on Twilio's rate limits. */
const FLOW_FETCHES_AT_ONCE = 8;

/**
 * The account's flows with their definitions. Studio's list leaves
 * `definition` null ("use the Fetch method", says its reference), so each
 * listed flow is fetched, a few at a time.
 */
export async function studioFlows(client: Client): Promise<StudioFlow[]> {
  const listed = await client.studio.v2.flows.list({ limit: 200 });
  const withDefinition = async ({ sid }: { sid: string }): Promise<StudioFlow | undefined> => {
    const f = await client.studio.v2
      .flows(sid)
      .fetch()
      .catch((error: unknown) => {
        if (statusOf(error) === 404) return undefined; // deleted since the list
        throw error;
      });
    if (!f) return undefined;
    return {
      sid: f.sid,
      friendlyName: f.friendlyName,
      status: f.status,
      definition: f.definition as unknown,
    };
  };
  const flows: StudioFlow[] = [];
  for (let i = 0; i < listed.length; i += FLOW_FETCHES_AT_ONCE) {
    const batch = await Promise.all(listed.slice(i, i + FLOW_FETCHES_AT_ONCE).map(withDefinition));
    flows.push(...batch.filter((flow) => flow !== undefined));
  }
  return flows;
}

/**
 * The flow to propose: only one that sends chats to Flex (see
 * sendsChatsToFlex), and among those the one setup created before, else
 * Flex's web chat flow, else its messaging flow; published ones first.
 */
export function preferredFlow(
  flows: StudioFlow[],
  event: ChatTrigger = 'incomingConversationMessage',
): StudioFlow | undefined {
  const rank = (f: StudioFlow) => {
    const name = f.friendlyName.toLowerCase();
    const byName =
      name === FLOW_FRIENDLY_NAME.toLowerCase()
        ? 0
        : /web ?chat/.test(name)
          ? 1
          : /messaging|chat/.test(name)
            ? 2
            : 3;
    return byName * 2 + (f.status === 'published' ? 0 : 1);
  };
  const routing = flows.filter((f) => sendsChatsToFlex(f.definition, event));
  return [...routing].sort((a, b) => rank(a) - rank(b))[0];
}

export async function workspaces(client: Client): Promise<Named[]> {
  const found = await client.taskrouter.v1.workspaces.list({ limit: 100 });
  return found.map((w) => ({ sid: w.sid, friendlyName: w.friendlyName }));
}

export async function workflows(client: Client, workspaceSid: string): Promise<Named[]> {
  const found = await client.taskrouter.v1.workspaces(workspaceSid).workflows.list({ limit: 100 });
  return found.map((w) => ({ sid: w.sid, friendlyName: w.friendlyName }));
}

export interface TaskChannel extends Named {
  uniqueName: string;
}

export async function taskChannels(client: Client, workspaceSid: string): Promise<TaskChannel[]> {
  const found = await client.taskrouter.v1
    .workspaces(workspaceSid)
    .taskChannels.list({ limit: 100 });
  return found.map((c) => ({ sid: c.sid, friendlyName: c.friendlyName, uniqueName: c.uniqueName }));
}

export interface ChatAddress extends Named {
  address: string;
  autoCreation: AutoCreation;
}

/** An address's `auto_creation`, as Twilio reports it. */
export interface AutoCreation {
  enabled?: boolean;
  type?: string;
  conversation_service_sid?: string | null;
  studio_flow_sid?: string | null;
  webhook_url?: string | null;
  webhook_method?: string | null;
}

export async function chatAddresses(client: Client): Promise<ChatAddress[]> {
  // Pages of at most 50 (the API refuses more); every page is read.
  const found = await client.conversations.v1.addressConfigurations.list({
    type: 'chat',
    pageSize: 50,
  });
  return found.map((a) => ({
    sid: a.sid,
    friendlyName: a.friendlyName ?? a.address,
    address: a.address,
    autoCreation: (a.autoCreation ?? {}) as AutoCreation,
  }));
}

export interface FlexFlow extends Named {
  chatServiceSid: string;
  channelType: string;
  enabled: boolean;
  integrationType: string | null;
  integration: Record<string, unknown>;
}

export async function webFlexFlows(client: Client): Promise<FlexFlow[]> {
  const found = await client.flexApi.v1.flexFlow.list({ limit: 100 });
  return found.filter((f) => f.channelType === 'web').map(toFlexFlow);
}

export function toFlexFlow(f: {
  sid: string;
  friendlyName: string;
  chatServiceSid: string;
  channelType: string;
  enabled: boolean;
  integrationType: string;
  integration: unknown;
}): FlexFlow {
  return {
    sid: f.sid,
    friendlyName: f.friendlyName,
    chatServiceSid: f.chatServiceSid,
    channelType: f.channelType,
    enabled: f.enabled,
    integrationType: f.integrationType ?? null,
    integration: (f.integration ?? {}) as Record<string, unknown>,
  };
}

/**
 * Whether an API key can sign tokens: `missing` when it does not exist on
 * the account, `wrong-secret` when Twilio refuses the secret with it (a
 * request made as the key itself). Other failures are thrown as they are.
 */
export async function apiKeyStatus(
  client: Client,
  makeClient: ClientFactory,
  key: { accountSid: string; apiKey: string; apiSecret: string },
): Promise<'works' | 'missing' | 'wrong-secret'> {
  try {
    await client.api.v2010.account.keys(key.apiKey).fetch();
  } catch (error) {
    if (statusOf(error) === 404) return 'missing';
    throw error;
  }
  try {
    const asKey = makeClient({
      accountSid: key.accountSid,
      username: key.apiKey,
      password: key.apiSecret,
    });
    await asKey.conversations.v1.configuration().fetch();
  } catch (error) {
    if (statusOf(error) === 401) return 'wrong-secret';
    throw error;
  }
  return 'works';
}

/** The first item whose name matches, else the first item. */
export function byName<T extends Named>(items: T[], pattern: RegExp): T | undefined {
  return items.find((i) => pattern.test(i.friendlyName)) ?? items[0];
}
