/**
 * What the steps of `npm run setup` share: its options, what it learned
 * about the account, and two helpers (the functions' own config rules, and
 * Twilio failures turned into messages that say what to do).
 */
import type twilio from 'twilio';
import { loadConfig, type Env, type HandoffMode } from '../../src/config';
import { ConfigError } from '../../src/errors';
import type { FlexConfiguration } from './discover';
import type { EnvFile } from './dotenv';
import { SetupError, type Terminal } from './terminal';
import { CREDENTIALS_REJECTED, explain, statusOf, type ClientFactory } from './twilio';

export interface SetupOptions {
  envFile: string;
  /** .env.example: the starting text of a new .env. */
  templateFile: string;
  /** Where the configuration is checked for (`localhost:3000`, as `npm start` runs it). */
  domainName: string;
  yes: boolean;
  force: boolean;
  skipDoctor: boolean;
  accountSid?: string;
  authToken?: string;
  mode?: HandoffMode;
  service?: string;
  studioFlow?: string;
  createStudioFlow: boolean;
  workspace?: string;
  workflow?: string;
  taskChannel?: string;
  address?: string;
  createAddress: boolean;
  addressTarget?: 'studio' | 'webhook';
  addressName: string;
  flexFlow?: string;
  createFlexFlow: boolean;
  flexFlowIntegration?: 'task' | 'studio';
  publicBaseUrl?: string;
  allowedOrigins?: string;
}

export interface SetupDeps {
  makeClient: ClientFactory;
  /** The process environment (credentials may come from it). */
  env: NodeJS.ProcessEnv;
}

export type Client = twilio.Twilio;
/** Variables for .env; undefined ones are not written. */
export type Updates = Record<string, string | undefined>;

export interface AccountFacts {
  defaultService: string | null;
  flex: FlexConfiguration;
}

export interface ModeContext {
  opts: SetupOptions;
  term: Terminal;
  client: Client;
  file: EnvFile;
  account: AccountFacts;
  serviceSid: string;
  /** What this run created so far, and the flag that reuses it. */
  created: { what: string; reuse: string }[];
}

/** What one of the functions' own config rules says about a value; undefined when fine. */
export function problemWith(field: keyof Env, env: Env, domainName: string): string | undefined {
  try {
    loadConfig(env, { domainName });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.find((p) => p.field === field)?.problem;
  }
  return undefined;
}

/** Runs one Twilio step, turning its failure into a message that says what to do. */
export async function step<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof SetupError) throw error;
    throw new SetupError(statusOf(error) === 401 ? CREDENTIALS_REJECTED : explain(error, what));
  }
}
