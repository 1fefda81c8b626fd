/**
 * The chat as plain text, for the customer to keep: one line per message,
 * `[date time] Name: text`, files by name.
 */
import type { Translate } from './i18n';

export interface TranscriptEntry {
  date: Date | null;
  author: string;
  text: string;
  files: string[];
}

export function transcriptText(
  entries: readonly TranscriptEntry[],
  title: string,
  locale: string,
  t: Translate,
): string {
  const stamp = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const lines = [title, ''];
  for (const entry of entries) {
    const when = entry.date ? `[${stamp.format(entry.date)}] ` : '';
    const parts = [entry.text, ...entry.files.map((name) => t('attachmentFile', { name }))].filter(
      (part) => part !== '',
    );
    lines.push(`${when}${entry.author}: ${parts.join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `chat-2026-11-21.txt`, in the customer's own calendar (not UTC's). */
export function transcriptFilename(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `chat-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.txt`;
}
