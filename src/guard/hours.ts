/**
 * Opening hours (`OPENING_HOURS`, format in hours-format.ts) and what happens
 * outside them (`AFTER_HOURS`):
 *
 *   closed   (default) the widget says "We're closed; back Monday at 9:00",
 *            and /start-chat refuses with 403 `outside_opening_hours`
 *   hide     the widget shows no launcher; /start-chat refuses the same way
 *   message  the customer may leave a message: the chat starts as usual,
 *            marked `afterHours: true` in its pre-engagement data, which
 *            every mode carries to the task (task attribute
 *            `pre_engagement_data.afterHours`), so a workflow can route or
 *            hold it and agents see it
 *
 * Unset: always open, and nothing here makes a request or costs more than a
 * comparison. Everything is computed from the schedule and the instant
 * given: no clock is read here, so tests fix it.
 *
 * @example
 *   const hours = parseOpeningHours('Europe/Madrid; Mon-Fri 09:00-18:00');
 *   hoursAt(hours, Date.parse('2026-07-03T15:00:00Z')); // {open: true, closesAt: <Fri 18:00 Madrid>}
 */
import type { EnvReader } from '../config/reader';
import type { FlatObject } from '../fields';
import { OutsideHoursError } from '../errors';
import {
  HoursFormatError,
  parseOpeningHours,
  type MinuteRange,
  type OpeningHours,
} from './hours-format';
import { instantOf, MINUTE_MS, wallTime, weekdayOf } from './zone-time';

export { parseOpeningHours, type OpeningHours } from './hours-format';

export const AFTER_HOURS_CHOICES = ['closed', 'hide', 'message'] as const;
export type AfterHours = (typeof AFTER_HOURS_CHOICES)[number];

export interface HoursSettings {
  /** Undefined: always open. */
  schedule: OpeningHours | undefined;
  afterHours: AfterHours;
}

export interface HoursState {
  open: boolean;
  /** While open: when it closes; undefined if it never does (open around the clock). */
  closesAt?: number;
  /** While closed: when it opens next; undefined if not within a year and a week. */
  opensAt?: number;
}

/**
 * The pre-engagement key that marks a chat started after hours. The server's
 * alone: a customer's own `afterHours` answer is dropped, so a chat started
 * within hours can never pass for one left after them, nor the reverse.
 */
export const AFTER_HOURS_KEY = 'afterHours';

/** The customer's answers, with the after-hours mark set by the server. */
export function markAfterHours(preEngagement: FlatObject, afterHours: boolean): FlatObject {
  const answers = Object.entries(preEngagement).filter(([key]) => key !== AFTER_HOURS_KEY);
  return Object.fromEntries(afterHours ? [...answers, [AFTER_HOURS_KEY, true]] : answers);
}

/** How far ahead an opening is looked for: a year of closed dates and a week. */
const SEARCH_DAYS = 366 + 7;

export function readHours(read: EnvReader): HoursSettings {
  const afterHours = read.oneOf('AFTER_HOURS', AFTER_HOURS_CHOICES, 'closed');
  const text = read.raw('OPENING_HOURS');
  if (text === undefined) return { schedule: undefined, afterHours };
  try {
    return { schedule: parseOpeningHours(text), afterHours };
  } catch (error) {
    if (!(error instanceof HoursFormatError)) throw error;
    read.problem('OPENING_HOURS', error.message);
    return { schedule: undefined, afterHours };
  }
}

/** The ranges open on a local day: none on a closed date. */
function rangesOn(hours: OpeningHours, day: number): readonly MinuteRange[] {
  return hours.closedDays.has(day) ? [] : (hours.week[weekdayOf(day)] ?? []);
}

/** Open or closed at `nowMs`, and until when. */
export function hoursAt(hours: OpeningHours, nowMs: number): HoursState {
  const { day, ms } = wallTime(hours.timeZone, nowMs);
  const minute = ms / MINUTE_MS;
  const current = rangesOn(hours, day).find(([start, end]) => start <= minute && minute < end);
  if (current) {
    const closesAt = closingOf(hours, day, current[1]);
    return closesAt === undefined ? { open: true } : { open: true, closesAt };
  }
  const opensAt = nextOpening(hours, day, minute);
  return opensAt === undefined ? { open: false } : { open: false, opensAt };
}

/** A range ending at 24:00 goes on into the next day's 00:00 range, if any. */
function closingOf(hours: OpeningHours, day: number, end: number): number | undefined {
  let [lastDay, lastEnd] = [day, end];
  for (let i = 0; lastEnd === 1440 && i < SEARCH_DAYS; i++) {
    const next = rangesOn(hours, lastDay + 1)[0];
    if (!next || next[0] !== 0) break;
    [lastDay, lastEnd] = [lastDay + 1, next[1]];
  }
  if (lastEnd === 1440 && lastDay - day >= SEARCH_DAYS) return undefined;
  return instantOf(hours.timeZone, lastDay, lastEnd);
}

function nextOpening(hours: OpeningHours, today: number, minute: number): number | undefined {
  for (let day = today; day <= today + SEARCH_DAYS; day++) {
    const range = rangesOn(hours, day).find(([start]) => day > today || start > minute);
    if (range) return instantOf(hours.timeZone, day, range[0]);
  }
  return undefined;
}

/**
 * The guard's first step, with no request: throws `OutsideHoursError` when
 * closed and chats are refused then; returns whether the chat starts after
 * hours (AFTER_HOURS=message), so the caller marks it.
 */
export function checkHours(settings: HoursSettings, nowMs: number): { afterHours: boolean } {
  if (!settings.schedule) return { afterHours: false };
  const state = hoursAt(settings.schedule, nowMs);
  if (state.open) return { afterHours: false };
  if (settings.afterHours === 'message') return { afterHours: true };
  throw new OutsideHoursError(state.opensAt, settings.schedule.timeZone);
}

/** What /status says about the hours (no times: /availability has those). */
export function hoursStatus({ schedule, afterHours }: HoursSettings): {
  openingHours: { timeZone: string; closedDates: number; afterHours: AfterHours } | null;
} {
  return {
    openingHours: schedule
      ? { timeZone: schedule.timeZone, closedDates: schedule.closedDays.size, afterHours }
      : null,
  };
}
