/**
 * What the steps of `npm run setup` share: its options and dependencies,
 * what it learned about the account, the context each mode's setup gets,
 * and the functions' own configuration rules (src/config), so that setup,
 * doctor and the running service say the same about a value.
 */
import { HANDOFF_MODES, loadConfig, type Env } from '../../src/config';
import { ConfigError, type FieldProblem } from '../../src/errors';
import type { FlexConfiguration } from './discover';
import type { EnvFile } from './dotenv';
import type { SetupOptions } from './options';
import type { Plan } from './plan';
import type { Terminal } from './terminal';
import type { Client, ClientFactory } from './twilio';

export interface SetupDeps {
  makeClient: ClientFactory;
  /** The process environment (credentials may come from it). */
  env: NodeJS.ProcessEnv;
}

export interface AccountFacts {
  defaultService: string | null;
  flex: FlexConfiguration;
}

/** What a mode's setup works with (see modes/types.ts). */
export interface ModeContext {
  opts: SetupOptions;
  term: Terminal;
  client: Client;
  file: EnvFile;
  account: AccountFacts;
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
