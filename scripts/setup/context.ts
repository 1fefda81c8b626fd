/**
 * What the steps of setup and doctor share: what the account is (read
 * through the REST API), the context each mode's setup gets, and the
 * functions' own configuration rules (src/config), so that setup, doctor and
 * the running service say the same about a value.
 *
 *   defaultServiceSid  GET conversations /v1/Configuration -> default_chat_service_sid
 *   flexConfiguration  GET flex-api /v1/Configuration -> Flex's chat service, workspace,
 *                      workflow; undefined (404) when the account has no Flex
 */
import { HANDOFF_MODES, loadConfig, type Env } from '../../src/config';
import { ConfigError, type FieldProblem } from '../../src/errors';
import type { EnvFile } from './dotenv';
import type { SetupOptions } from './options';
import type { Plan } from './plan';
import type { Terminal } from './terminal';
import { fetchIfExists, type Client, type ClientFactory } from './twilio';

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

export interface SetupDeps {
  makeClient: ClientFactory;
  /** The process environment (credentials may come from it). */
  env: NodeJS.ProcessEnv;
}

/** What a mode's setup works with (see modes/types.ts). */
export interface ModeContext {
  opts: SetupOptions;
  term: Terminal;
  client: Client;
  file: EnvFile;
  account: { defaultService: string | null; flex: FlexConfiguration };
  serviceSid: string;
  plan: Plan;
}

/** What the steps that ask and decide work with (before there is a client). */
export type Steps = Pick<ModeContext, 'opts' | 'term' | 'file' | 'plan'>;

/** The functions' own problems with these values (every section of the configuration). */
export function configProblems(env: Env, domainName = 'localhost'): readonly FieldProblem[] {
  try {
    loadConfig(env, { domainName });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
  return [];
}

/**
 * What the functions' own rules say about one variable's value, in
 * whichever mode reads it; undefined when fine.
 */
export function problemWith(field: keyof Env, value: string): string | undefined {
  for (const mode of HANDOFF_MODES) {
    const env: Env = { HANDOFF_MODE: mode, [field]: value };
    const found = configProblems(env).find((p) => p.field === field);
    if (found) return found.problem;
  }
  return undefined;
}
