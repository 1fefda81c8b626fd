/**
 * Times and dates in the customer's locale: message times, the day labels
 * between messages ("Today", "Yesterday", "12 March"), and day keys to know
 * where a new day starts.
 */
import type { Translate } from './i18n';

/** `2026-11-21`: local calendar day, for grouping messages. */
export function dayKey(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** How a time of day is written: "09:00", "9:00 AM". */
export const TIME_OF_DAY: Intl.DateTimeFormatOptions = { hour: 'numeric', minute: '2-digit' };

export function formatTime(date: Date, locale: string): string {
  return new Intl.DateTimeFormat(locale, TIME_OF_DAY).format(date);
}

export function formatDay(date: Date, now: Date, locale: string, t: Translate): string {
  const today = dayKey(now);
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  const key = dayKey(date);
  if (key === today) return t('today');
  if (key === dayKey(yesterday)) return t('yesterday');
  const sameYear = date.getFullYear() === now.getFullYear();
  return new Intl.DateTimeFormat(locale, {
    day: 'numeric',
    month: 'long',
    ...(sameYear ? {} : { year: 'numeric' }),
  }).format(date);
}
