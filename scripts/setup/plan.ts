/**
 * How `npm run setup` keeps explicit choices and never loses anyone's
 * values: everything it decides goes into a plan first. Every .env variable
 * it decides carries where it came from:
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
 *
 *   settle      the conflicts between found values and .env's: with --yes an error
 *   runWrites   the queued Twilio writes; on a failure, says what was already created
 *   updatesOf   the decisions as .env updates (mergeEnv), and reportMerge says what changed
 */
import type { EnvFile, EnvUpdate, MergeResult } from './dotenv';
import { flagOf } from './options';
import { SetupError, type Terminal } from './terminal';

/** Where a decided value came from (see the top of this file). */
export type Source = 'flag' | 'answer' | 'created' | 'found';

/** A value known now, or (for what a queued write creates) once that write has run. */
export type Value = string | (() => string);

export const valueOf = (value: Value): string => (typeof value === 'function' ? value() : value);

export interface Decision {
  /** '' empties the variable. */
  value: Value;
  source: Source;
  /** Why setup wants this value, when that is not obvious (said when it conflicts). */
  why?: string;
}

/** Values never printed, not even as what they were. */
const SECRETS = new Set(['AUTH_TOKEN', 'API_SECRET', 'CUSTOMER_TOKEN_SECRET']);

export class Plan {
  /** The .env variables this run decided, in the order they were decided. */
  readonly decisions = new Map<string, Decision>();
  /** .env variables whose current value was found broken, and why: any value may replace them. */
  readonly broken = new Map<string, string>();
  private readonly writes: (() => Promise<void>)[] = [];
  /** What the writes created so far, and the flag that reuses it (said if a later step fails). */
  private readonly created: { what: string; reuse: string }[] = [];

  decide(key: string, value: Value | undefined, source: Source, why?: string): void {
    if (value === undefined) return;
    this.decisions.set(key, { value, source, ...(why !== undefined && { why }) });
  }

  /** Queues a Twilio write; it runs after every question, in the order queued. */
  queue(run: () => Promise<void>): void {
    this.writes.push(run);
  }

  /**
   * Queues the creation of a resource (`create` resolves to its SID, having
   * said so); returns that SID, for decisions, once it has run.
   */
  creates(resource: { kind: string; flag: string }, create: () => Promise<string>): () => string {
    const made = { sid: '' };
    this.queue(async () => {
      made.sid = await create();
      this.created.push({
        what: `${resource.kind} ${made.sid}`,
        reuse: `${resource.flag} ${made.sid}`,
      });
    });
    return () => made.sid;
  }

  /** Runs the queued writes; on a failure, says what was created before it and how to reuse it. */
  async runWrites(term: Terminal): Promise<void> {
    try {
      for (const run of this.writes) await run();
    } catch (error) {
      for (const { what, reuse } of this.created) {
        term.say(`! Created before this failure: ${what} (next time: ${reuse})`);
      }
      throw error;
    }
  }
}

/**
 * `answer` when the question was put to someone, `found` when --yes took
 * its proposal: the source of whatever a question decides.
 */
export function asked(term: Terminal): Source {
  return term.interactive ? 'answer' : 'found';
}

interface Conflict {
  key: string;
  decision: Decision;
  was: string;
}

/**
 * `found` decisions that would replace a different, working value in .env.
 * Decisions still to be created count: whatever they create differs.
 */
function conflictsOf(plan: Plan, file: EnvFile, force: boolean): Conflict[] {
  if (!file.exists || force) return [];
  const conflicts: Conflict[] = [];
  for (const [key, decision] of plan.decisions) {
    const was = file.values[key] ?? '';
    if (decision.source !== 'found' || was === '' || plan.broken.has(key)) continue;
    if (typeof decision.value === 'function' || decision.value !== was) {
      conflicts.push({ key, decision, was });
    }
  }
  return conflicts;
}

function describeConflict({ key, decision, was }: Conflict): string {
  const shown = (value: string) => (SECRETS.has(key) ? 'another value' : value);
  const wanted =
    typeof decision.value === 'function'
      ? 'a new one'
      : decision.value === ''
        ? 'empty'
        : shown(decision.value);
  return `${key}: .env has ${shown(was)}; setup would make it ${wanted}${decision.why ? ` (${decision.why})` : ''}`;
}

/**
 * With --yes nobody can be asked: any conflict stops the run before any
 * Twilio write. Asked questions decide explicitly, so interactively a
 * conflict can only come from a value nobody was asked about: it is kept
 * (and listed), unless keeping it would orphan what this run creates.
 */
export function settle(plan: Plan, file: EnvFile, force: boolean, term: Terminal): void {
  const conflicts = conflictsOf(plan, file, force);
  const blocking = term.interactive
    ? conflicts.filter((c) => typeof c.decision.value === 'function')
    : conflicts;
  if (blocking.length === 0) return;
  const flags = [...new Set(blocking.map((c) => flagOf(c.key)).filter(Boolean))];
  throw new SetupError(
    `.env already has other values than setup proposes${term.interactive ? '' : ', and --yes cannot ask'} (nothing was created or written):\n` +
      blocking.map((c) => `  - ${describeConflict(c)}`).join('\n') +
      `\nPass --force to take setup's proposals${flags.length ? `, or choose with ${flags.join(', ')}` : ''}.`,
  );
}

/** The decisions as .env updates: which may replace what .env has (see the top of this file). */
export function updatesOf(plan: Plan, force: boolean): Record<string, EnvUpdate> {
  const updates: Record<string, EnvUpdate> = {};
  for (const [key, decision] of plan.decisions) {
    const replace = decision.source !== 'found' || force || plan.broken.has(key);
    updates[key] = { value: valueOf(decision.value), replace };
  }
  return updates;
}

/** What was written: changed (with what it was, and why it was broken), set, kept. */
export function reportMerge(
  term: Terminal,
  envFile: string,
  merged: MergeResult,
  plan: Plan,
): void {
  const changed = merged.changed.map(({ key, was }) => {
    const broken = plan.broken.get(key);
    if (SECRETS.has(key)) return `${key}${broken ? ` (the old one: ${broken})` : ''}`;
    return `${key} (was ${was === '' ? 'empty' : was}${broken ? `: ${broken}` : ''})`;
  });
  const parts = [
    ...(changed.length ? [`changed ${changed.join(', ')}`] : []),
    ...(merged.set.length ? [`set ${merged.set.join(', ')}`] : []),
  ];
  term.say(`✔ Wrote ${envFile}${parts.length ? `: ${parts.join('; ')}` : ' (no changes)'}`);
  if (merged.kept.length > 0) {
    term.say(
      `! Kept the values already in .env for ${merged.kept.join(', ')} (setup proposed others; pass --force, or their flags, to replace them).`,
    );
  }
}
