/**
 * Wall-clock time in an IANA time zone, with nothing but `Intl` (Node's full
 * ICU): an instant's local date and time, and a local date and time's
 * instant. No date library: these two conversions are all opening hours need.
 *
 * A local date is a day number (days since 1970-01-01, as if the date were
 * UTC), so that "the next day" is `+ 1` whatever the zone's DST does.
 *
 * Local times that do not exist or exist twice (DST) are resolved the way
 * JavaScript's `Date` and Temporal's `compatible` option do:
 *   - in a gap (spring forward, 02:30 in Madrid on the last Sunday of March),
 *     the time is moved forward by the gap's length (03:30);
 *   - in an overlap (fall back, 02:30 twice), the earlier instant is taken.
 *
 * @example
 *   wallTime('Europe/Madrid', Date.parse('2026-07-01T07:00:00Z')); // {day: 20635, ms: 32_400_000}
 *   instantOf('Europe/Madrid', 20635, 9 * 60); // Date.parse('2026-07-01T07:00:00Z')
 */

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

export interface WallTime {
  /** The local date, as days since 1970-01-01. */
  day: number;
  /** Milliseconds since the local midnight. */
  ms: number;
}

// A formatter takes ~0.1 ms to build and is reused (per zone, per process).
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** Whether `Intl` knows this IANA zone (e.g. `Europe/Madrid`; not `CET+1`). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false; // RangeError: Invalid time zone specified
  }
}

/** The zone's canonical spelling (`europe/madrid` -> `Europe/Madrid`). */
export function canonicalTimeZone(timeZone: string): string {
  return formatter(timeZone).resolvedOptions().timeZone;
}

/** The local wall-clock time at `instantMs`, as if it were UTC (ms). */
function wallMs(timeZone: string, instantMs: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(instantMs)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  // Years before 100 are not a concern here; Date.UTC would map them to 19xx.
  const subSecond = ((instantMs % 1000) + 1000) % 1000;
  return Date.UTC(year, month - 1, day, hour, minute, second) + subSecond;
}

export function wallTime(timeZone: string, instantMs: number): WallTime {
  const local = wallMs(timeZone, instantMs);
  const day = Math.floor(local / DAY_MS);
  return { day, ms: local - day * DAY_MS };
}

/** Monday 0 ... Sunday 6 (1970-01-01 was a Thursday). */
export function weekdayOf(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}

/** `YYYY-MM-DD` of a local day number. */
export function dateKey(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The day number of a `YYYY-MM-DD` that is a real date, else undefined. */
export function dayOfDate(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const ms = Date.parse(`${text}T00:00:00Z`);
  // Date.parse accepts 2026-02-30 as March 2: a round trip catches it.
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text) return undefined;
  return ms / DAY_MS;
}

/**
 * The instant at local `day`, `minute` minutes after midnight (1440 is the
 * next midnight). Assumes at most one offset change within a day either side,
 * which holds for every zone in the IANA database since 1970.
 */
export function instantOf(timeZone: string, day: number, minute: number): number {
  const wall = day * DAY_MS + minute * MINUTE_MS;
  const before = wallMs(timeZone, wall - DAY_MS) - (wall - DAY_MS);
  const after = wallMs(timeZone, wall + DAY_MS) - (wall + DAY_MS);
  const candidates = [wall - before, wall - after].filter((t) => wallMs(timeZone, t) === wall);
  // Two: an overlap, take the earlier. None: a gap, keep the offset from
  // before it, which lands as far past the gap's start as `wall` was.
  return candidates.length > 0 ? Math.min(...candidates) : wall - before;
}
