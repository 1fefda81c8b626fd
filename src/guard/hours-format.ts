/**
 * The `OPENING_HOURS` format: parsed once per request into `OpeningHours`,
 * or a `HoursFormatError` saying which part is wrong and how to write it
 * (never echoing the value). Parts are separated by `;`:
 *
 *   Europe/Madrid; Mon-Fri 09:00-13:00, 15:00-18:00; Sat 10:00-14:00; closed 2026-12-24..2026-12-26, 2027-01-01
 *
 *   1. an IANA time zone (`Europe/Madrid`, `America/New_York`, `UTC`): every
 *      time and date below is wall-clock time there, DST included;
 *   2. any number of `<days> <times>`: days are `Mon` ... `Sun` (any case),
 *      ranges `Mon-Fri` (may wrap: `Sat-Mon`) and lists `Sat,Sun`; times are
 *      `HH:MM-HH:MM` ranges, comma separated, `24:00` for midnight at the end
 *      of the day. A range past midnight is two: `Fri 22:00-24:00; Sat 00:00-02:00`
 *      (and counts as one opening: open until Sat 02:00). Days not named are closed;
 *   3. optionally `closed <dates>`: `YYYY-MM-DD` or `YYYY-MM-DD..YYYY-MM-DD`,
 *      comma separated, closed all day (holidays), however often it is written.
 */
import { dayOfDate, isKnownTimeZone, canonicalTimeZone } from './zone-time';

/** Minutes since local midnight, [start, end), end <= 1440. */
export type MinuteRange = readonly [start: number, end: number];

export interface OpeningHours {
  /** The IANA zone, canonically spelt. */
  timeZone: string;
  /** Monday 0 ... Sunday 6: sorted, merged, non-overlapping ranges. */
  week: readonly (readonly MinuteRange[])[];
  /** Local day numbers (see zone-time.ts) closed all day. */
  closedDays: ReadonlySet<number>;
}

/** A problem with the text, in words for the `OPENING_HOURS` config error. */
export class HoursFormatError extends Error {}

export const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
/** A long closed stretch is a typo more likely than a plan. */
const MAX_CLOSED_RANGE_DAYS = 366;

export function parseOpeningHours(text: string): OpeningHours {
  const [zonePart = '', ...parts] = text.split(';').map((part) => part.trim());
  if (!isKnownTimeZone(zonePart) || /\s/.test(zonePart)) {
    throw new HoursFormatError(
      'must start with an IANA time zone such as Europe/Madrid or America/New_York, then ";"',
    );
  }
  const week: MinuteRange[][] = DAY_NAMES.map(() => []);
  const closedDays = new Set<number>();
  parts.forEach((part, index) => {
    const where = `part ${index + 2} (counting the time zone as part 1)`;
    if (part === '') return; // a trailing ";"
    try {
      if (/^closed\s/i.test(part)) addClosedDates(closedDays, part.slice(6));
      else addDays(week, part);
    } catch (error) {
      if (error instanceof HoursFormatError)
        throw new HoursFormatError(`${where} ${error.message}`);
      throw error;
    }
  });
  if (week.every((ranges) => ranges.length === 0)) {
    throw new HoursFormatError(
      'names no opening times: add parts like "Mon-Fri 09:00-18:00", or leave it empty to be always open',
    );
  }
  return { timeZone: canonicalTimeZone(zonePart), week: week.map(merge), closedDays };
}

function addDays(week: MinuteRange[][], part: string): void {
  const match = /^(\S+)\s+(.+)$/.exec(part);
  if (!match) {
    throw new HoursFormatError('must be days then times, like "Mon-Fri 09:00-18:00"');
  }
  const [, daysText = '', timesText = ''] = match;
  const days = daysText.split(',').flatMap(parseDayRange);
  const ranges = timesText.split(',').map((range) => parseTimeRange(range.trim()));
  for (const day of days) week[day]?.push(...ranges);
}

function parseDayRange(text: string): number[] {
  const [from, to, ...rest] = text.split('-').map(dayIndex);
  if (from === undefined || rest.length > 0) {
    throw new HoursFormatError(
      `has days that are not Mon, Tue, Wed, Thu, Fri, Sat, Sun, a range like Mon-Fri or a list like Sat,Sun`,
    );
  }
  if (to === undefined) return [from];
  const days = [from];
  for (let day = from; day !== to;) days.push((day = (day + 1) % 7));
  return days;
}

function dayIndex(name: string): number {
  const index = DAY_NAMES.findIndex((day) => day.toLowerCase() === name.toLowerCase());
  if (index < 0) throw new HoursFormatError('has a day that is not one of Mon ... Sun');
  return index;
}

function parseTimeRange(text: string): MinuteRange {
  const match = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/.exec(text);
  const [start, end] = match ? [minutes(match[1], match[2]), minutes(match[3], match[4])] : [];
  if (start === undefined || end === undefined || start >= 1440 || end > 1440) {
    throw new HoursFormatError(
      'has a time range that is not HH:MM-HH:MM from 00:00 to 24:00, like 09:00-18:00',
    );
  }
  if (start >= end) {
    throw new HoursFormatError(
      'has a time range that ends before it starts: write one past midnight as two, like "Fri 22:00-24:00; Sat 00:00-02:00"',
    );
  }
  return [start, end];
}

function minutes(hours = '', mins = ''): number | undefined {
  const [h, m] = [Number(hours), Number(mins)];
  return h > 24 || m > 59 || (h === 24 && m > 0) ? undefined : h * 60 + m;
}

function addClosedDates(closed: Set<number>, text: string): void {
  for (const item of text.split(',').map((date) => date.trim())) {
    const [from, to, ...rest] = item.split('..').map((date) => dayOfDate(date.trim()));
    const last = to ?? from;
    if (from === undefined || last === undefined || rest.length > 0 || item.endsWith('..')) {
      throw new HoursFormatError(
        'has closed dates that are not real dates as YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD, comma separated',
      );
    }
    if (last < from || last - from >= MAX_CLOSED_RANGE_DAYS) {
      throw new HoursFormatError(
        `has a closed range that ends before it starts or is over ${MAX_CLOSED_RANGE_DAYS} days`,
      );
    }
    for (let day = from; day <= last; day++) closed.add(day);
  }
}

function merge(ranges: readonly MinuteRange[]): MinuteRange[] {
  const merged: [number, number][] = [];
  for (const [start, end] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}
