/**
 * What the steps of `npm run setup` share: its options, what it learned
 * about the account, the plan it builds, and two helpers (the functions' own
 * config rules, and Twilio failures turned into messages that say what to do).
 *
 * The plan is how setup keeps explicit choices and never loses anyone's
 * values. Every .env variable it decides carries where it came from:
 *
 *   flag      a command-line flag, or the environment (credentials)
 *   answer    an answer typed at a question
 *   created   a resource this run creates (or reuses, for a --create-* flag)
 *   found     a proposal taken without asking (--yes), or derived from one
 *
 * Only `found` values may not replace a different value already in .env
 * (unless --force, or the value in .env was found broken: a SID that does
 * not exist on the account). Twilio writes are queued in the plan and run
 * only once that is settled, so a run that cannot keep its promises stops
 * before it creates anything.
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

export interface AccountFacts {
  defaultService: string | null;
  flex: FlexConfiguration;
}

/** Where a decided value came from (see the top of this file). */
export type Source = 'flag' | 'answer' | 'created' | 'found';

/** A value known now, or (for what a queued write creates) once that write has run. */
export type Value = string | (() => string);

export interface Decision {
  /** '' empties the variable. */
  value: Value;
  source: Source;
  /** Why setup wants this value, when that is not obvious (said when it conflicts). */
  why?: string;
}

/** One Twilio write, queued until the plan is settled. */
export interface Write {
  run(): Promise<void>;
}

export class Plan {
  /** The .env variables this run decided, in the order they were decided. */
  readonly decisions = new Map<string, Decision>();
  /** .env variables whose current value was found broken, and why: any value may replace them. */
  readonly broken = new Map<string, string>();
  readonly writes: Write[] = [];
  /** What the writes created so far, and the flag that reuses it (said if a later step fails). */
  readonly created: { what: string; reuse: string }[] = [];

  decide(key: string, value: Value | undefined, source: Source, why?: string): void {
    if (value === undefined) return;
    this.decisions.set(key, { value, source, ...(why !== undefined && { why }) });
  }

  /** Queues a Twilio write; it runs after every question, in the order queued. */
  queue(run: () => Promise<void>): void {
    this.writes.push({ run });
  }
}

/**
 * `answer` when the question was put to someone, `found` when --yes took
 * its proposal: the source of whatever a question decides.
 */
export function asked(term: Terminal): Source {
  return term.interactive ? 'answer' : 'found';
}

export interface ModeContext {
  opts: SetupOptions;
  term: Terminal;
  client: Client;
  file: EnvFile;
  account: AccountFacts;
  serviceSid: string;
  plan: Plan;
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
