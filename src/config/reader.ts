/**
 * Reads environment variables one at a time, collecting every problem before
 * throwing one `ConfigError` (HTTP 503) that names each variable at fault.
 * Values are never echoed: a problem says what was expected, and for a SID
 * which kind was found instead.
 *
 * @example
 *   const read = new EnvReader(env);
 *   const flowSid = read.sid('STUDIO_FLOW_SID', 'FW');
 *   const ttl = read.integer('TOKEN_TTL_SECONDS', 3600, 60, 86_400);
 *   read.throwIfAny();
 */
import { ConfigError, type FieldProblem } from '../errors';

/** Variables as the Functions runtime passes them: every value a string, or absent. */
export type EnvValues = Partial<Record<string, string>>;

/** What each SID prefix is, so a wrong one can be named in the error. */
const SID_KINDS: Readonly<Record<string, string>> = {
  AC: 'an Account SID',
  SK: 'an API Key SID',
  IS: 'a Conversations Service SID',
  FW: 'a Studio Flow SID',
  WS: 'a TaskRouter Workspace SID',
  WW: 'a TaskRouter Workflow SID',
  WQ: 'a TaskRouter Queue SID',
  IG: 'a Conversations Address Configuration (Chat Address) SID',
  FO: 'a Flex Flow SID',
  CH: 'a Conversation SID',
  MG: 'a Messaging Service SID',
  PN: 'a Phone Number SID',
  KD: 'an Interaction SID',
  UO: 'an Interaction Channel SID',
  WT: 'a TaskRouter Task SID',
};

// Twilio writes the kind in capitals; the hex part may come in either case.
export const SID_SHAPE = /^[A-Z]{2}[0-9a-fA-F]{32}$/;

export function describeSidKind(prefix: string): string {
  return SID_KINDS[prefix] ?? `a SID of another kind (${prefix}…)`;
}

/** A sane upper bound for conversation timers. */
const MAX_TIMER_SECONDS = 365 * 86_400;

export class EnvReader<Name extends string = string> {
  private readonly found: FieldProblem[] = [];

  constructor(private readonly env: Partial<Record<Name, string>>) {}

  /** Records a problem; the same problem twice (two sections reading one variable) counts once. */
  problem(field: Name, problem: string): void {
    if (this.found.some((p) => p.field === field && p.problem === problem)) return;
    this.found.push({ field, problem });
  }

  get ok(): boolean {
    return this.found.length === 0;
  }

  get problems(): readonly FieldProblem[] {
    return this.found;
  }

  throwIfAny(): void {
    if (this.found.length > 0) throw new ConfigError([...this.found]);
  }

  /** The trimmed value, or undefined when absent or blank. */
  raw(name: Name): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  isSet(name: Name): boolean {
    return this.raw(name) !== undefined;
  }

  secret(name: Name): string {
    const value = this.raw(name);
    if (value === undefined) this.problem(name, 'is required');
    return value ?? '';
  }

  sid(name: Name, prefix: string): string {
    const value = this.raw(name);
    const expected = `${describeSidKind(prefix)} (${prefix} followed by 32 hex characters)`;
    if (value === undefined) {
      this.problem(name, `is required: ${expected}`);
    } else if (!SID_SHAPE.test(value)) {
      this.problem(name, `must be ${expected}`);
    } else if (value.slice(0, 2) !== prefix) {
      const found = describeSidKind(value.slice(0, 2));
      this.problem(name, `must be ${expected}, but this is ${found}`);
    }
    return value ?? '';
  }

  oneOf<T extends string>(name: Name, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problem(name, `must be one of: ${allowed.join(', ')}`);
    return fallback;
  }

  integer(name: Name, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      this.problem(name, `must be a whole number of seconds from ${min} to ${max}`);
      return fallback;
    }
    return n;
  }

  duration(
    name: Name,
    fallback: string | undefined,
    minSeconds: number,
  ): { text: string; seconds: number } | undefined {
    const text = this.raw(name) ?? fallback;
    if (text === undefined) return undefined;
    const seconds = parseIsoDuration(text);
    if (seconds === undefined) {
      this.problem(
        name,
        'must be an ISO 8601 duration in weeks, days, hours, minutes or seconds, e.g. PT30M or P1D',
      );
      return undefined;
    }
    if (seconds > MAX_TIMER_SECONDS) {
      this.problem(name, 'must be at most a year (P365D)');
      return undefined;
    }
    if (seconds < minSeconds) {
      const minutes = minSeconds / 60;
      this.problem(
        name,
        `must be at least ${minutes} minute${minutes === 1 ? '' : 's'} (Twilio's minimum)`,
      );
      return undefined;
    }
    return { text, seconds };
  }

  /** A unique name such as a task channel's: letters, digits, `_` and `-`. */
  name(name: Name, fallback: string): string {
    const value = this.raw(name) ?? fallback;
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(value)) {
      this.problem(name, 'must be a unique name: letters, digits, _ or -, at most 64');
    }
    return value;
  }
}

/**
 * Seconds in an ISO 8601 duration made of weeks, days, hours, minutes and
 * seconds (`P1D`, `PT10M`, `P1DT12H`). Years and months are refused: their
 * length depends on the calendar. Returns undefined when malformed.
 */
export function parseIsoDuration(text: string): number | undefined {
  const match = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) return undefined;
  const [w, d, h, m, s] = match.slice(1).map((part) => Number(part ?? 0));
  return (((w ?? 0) * 7 + (d ?? 0)) * 24 + (h ?? 0)) * 3600 + (m ?? 0) * 60 + (s ?? 0);
}

/** What the Functions runtime tells us about where we run. */
export interface RuntimeInfo {
  /** `context.DOMAIN_NAME`: where this service is served (`localhost:3000` locally). */
  domainName?: string;
}
