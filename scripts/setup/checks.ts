/**
 * What doctor's checks share: the rows they add (OK, a warning, or a problem
 * with how to fix it), the context each mode's check gets, and one way to
 * fetch what a check is about.
 */
import type { Env } from '../../src/config';
import { explain, fetchIfExists, type Client } from './twilio';

export type Status = 'ok' | 'warn' | 'problem';

export interface Check {
  /** What was checked: a variable's name, or a short label. */
  name: string;
  status: Status;
  detail: string;
  /** How to fix it (problems and warnings). */
  fix?: string;
}

export type Add = (name: string, status: Status, detail: string, fix?: string) => void;

/** The fix doctor's rows give most often. */
export const SETUP = 'run npm run setup';

/** What a mode's check works with (see modes/types.ts). */
export interface DoctorContext {
  client: Client;
  /** A variable's trimmed value; undefined when empty, or when the functions' rules refuse it. */
  value: (name: keyof Env) => string | undefined;
  /** Whether the functions' rules refuse the variable (a configuration row already says why). */
  refused: (name: keyof Env) => boolean;
  /**
   * This service's /interaction URL as the functions build it (PUBLIC_BASE_URL,
   * else the deployed domain); undefined when PUBLIC_BASE_URL is refused.
   */
  interactionUrl: string | undefined;
  /**
   * This service's /check-customer URL (the same base), for the flow's
   * customer check; undefined when it cannot be told (running locally
   * without PUBLIC_BASE_URL).
   */
  checkCustomerUrl: string | undefined;
  /** Customer tokens are on: what a flow does with `customer` matters (trust.ts). */
  customerTokens: boolean;
  add: Add;
  /** Gives a configuration row a better fix, once a check knows what the account calls for. */
  refine: (name: keyof Env, fix: string) => void;
}

/** A problem and how to fix it. */
export type Problem = [detail: string, fix: string];

/**
 * The resource a check is about (a failure is explained as the step
 * `reading`, "read the Studio flow"); undefined, after a problem row under
 * `name`, when it does not exist (`missing`) or cannot be read.
 */
export async function fetchChecked<T>(
  add: Add,
  name: string,
  reading: string,
  missing: Problem,
  call: () => Promise<T>,
): Promise<T | undefined> {
  try {
    const found = await fetchIfExists(call);
    if (found === undefined) add(name, 'problem', ...missing);
    return found;
  } catch (error) {
    add(name, 'problem', explain(error, reading));
    return undefined;
  }
}

/** The problems whose condition holds, from rows of [condition, detail, fix]. */
export const problemsOf = (...rows: [boolean, ...Problem][]): Problem[] =>
  rows.filter(([holds]) => holds).map(([, detail, fix]) => [detail, fix]);

/** One row per problem; with none, one OK row. */
export function addProblems(add: Add, name: string, problems: Problem[], ok: string): void {
  for (const [detail, fix] of problems) add(name, 'problem', detail, fix);
  if (problems.length === 0) add(name, 'ok', ok);
}
