/**
 * Opening hours in the widget: `GET /availability` (functions/availability.ts)
 * and what the panel says about it. Fetched each time the panel opens (the
 * browser may reuse an answer up to 30 s), and on page load only with
 * `availability: 'load'` (`data-availability="load"`), which AFTER_HOURS=hide
 * needs to hide the launcher before anyone clicks it. `'off'`: never.
 *
 * Times are shown in the customer's own time zone (the browser's), in their
 * locale's style, since that is the clock they will act on; when that zone
 * reads another time than the schedule's, the zone's short name is added
 * ("until 12:00 PM EST"), so nobody mistakes one for the other.
 *
 * @example
 *   const answer = await fetchAvailability(siblingUrl(startChatUrl, 'availability'));
 *   hoursText(answer, t, 'en-GB', Date.now()); // "We're closed; back tomorrow at 09:00."
 */
import { timeoutSignal } from './api';
import { formatTime, TIME_OF_DAY } from './format';
import type { Translate } from './i18n';
import type { Phase } from './state';

export interface Availability {
  open: boolean;
  /** The schedule's IANA zone; null: no opening hours (always open). */
  timeZone: string | null;
  closesAt: string | null;
  opensAt: string | null;
  afterHours: 'closed' | 'hide' | 'message';
  live: { availableAgents: number; waitingChats: number; longestWaitSeconds: number } | null;
}

/**
 * What the widget does: `open` (nothing to add), `message` (closed; the form
 * stays, to leave a message), `closed` (closed; no form), `hide` (closed; no
 * launcher while the panel is shut).
 */
export type HoursMode = 'open' | 'message' | 'closed' | 'hide';

/** Fetching must never hold up the panel for long: it opens without it. */
const AVAILABILITY_TIMEOUT_MS = 5000;

/** The answer, or undefined when the service could not say (the widget then acts as open). */
export async function fetchAvailability(
  url: string,
  fetchImpl: typeof fetch = fetch,
): Promise<Availability | undefined> {
  try {
    const response = await fetchImpl(url, {
      headers: { Accept: 'application/json' },
      credentials: 'omit',
      signal: timeoutSignal(AVAILABILITY_TIMEOUT_MS),
    });
    if (!response.ok) return undefined;
    const body = (await response.json()) as Partial<Availability>;
    return typeof body.open === 'boolean' ? (body as Availability) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the chat has not started yet: the hours matter only then. */
export function isBeforeChat(phase: Phase): boolean {
  return phase === 'form' || phase === 'preparing' || phase === 'starting';
}

/** A chat already under way is never interrupted by the hours. */
export function hoursMode(answer: Availability | undefined, phase: Phase): HoursMode {
  if (!answer || answer.open || !isBeforeChat(phase)) return 'open';
  return answer.afterHours;
}

/** "09:00", or "12:00 PM EST" when the customer's zone reads another time than the schedule's. */
function timeOf(instant: Date, locale: string, scheduleZone: string | null): string {
  const local = formatTime(instant, locale);
  if (!scheduleZone) return local;
  const there = new Intl.DateTimeFormat(locale, { ...TIME_OF_DAY, timeZone: scheduleZone });
  return there.format(instant) === local
    ? local
    : new Intl.DateTimeFormat(locale, { ...TIME_OF_DAY, timeZoneName: 'short' }).format(instant);
}

/** Local calendar days from `nowMs` to `instant` (0 today, 1 tomorrow). */
function daysAhead(instant: Date, nowMs: number): number {
  const midnight = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  return Math.round((midnight(instant) - midnight(new Date(nowMs))) / 86_400_000);
}

/** "at 09:00", "tomorrow at 09:00", "Monday at 09:00", "on 5 January at 09:00". */
export function whenText(
  iso: string,
  t: Translate,
  locale: string,
  nowMs: number,
  zone: string | null,
): string {
  const instant = new Date(iso);
  const time = timeOf(instant, locale, zone);
  const days = daysAhead(instant, nowMs);
  if (days <= 0) return t('hours.today', { time });
  if (days === 1) return t('hours.tomorrow', { time });
  if (days < 7) {
    const day = new Intl.DateTimeFormat(locale, { weekday: 'long' }).format(instant);
    return t('hours.weekday', { day, time });
  }
  const date = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long' }).format(instant);
  return t('hours.date', { date, time });
}

/** What the panel says, or '' when open around the clock with nothing live to say. */
export function hoursText(
  answer: Availability,
  t: Translate,
  locale: string,
  nowMs: number,
): string {
  const { timeZone: zone } = answer;
  if (!answer.open) {
    const closed = answer.opensAt
      ? t('hours.closedUntil', { when: whenText(answer.opensAt, t, locale, nowMs, zone) })
      : t('hours.closed');
    return answer.afterHours === 'message' ? `${closed} ${t('hours.leaveMessage')}` : closed;
  }
  const closes = answer.closesAt === null ? undefined : new Date(answer.closesAt);
  const parts = !closes
    ? []
    : daysAhead(closes, nowMs) <= 0
      ? [t('hours.openUntil', { time: timeOf(closes, locale, zone) })]
      : [
          t('hours.openUntilLater', {
            when: whenText(closes.toISOString(), t, locale, nowMs, zone),
          }),
        ];
  const live = answer.live;
  if (live && live.waitingChats > 0 && live.longestWaitSeconds >= 60) {
    parts.push(t('hours.waiting', { minutes: Math.round(live.longestWaitSeconds / 60) }));
  } else if (live && live.availableAgents > 0) {
    parts.push(t('hours.agentsAvailable'));
  }
  return parts.join(' ');
}
