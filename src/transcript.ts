/**
 * An emailed transcript's content, built on the server from Twilio's own
 * messages (never the browser's copy): a subject, plain text, and HTML with
 * every piece of chat text escaped. In the chat's language (`locale` in the
 * attributes, which the widget sends at start; English when unknown or not
 * one of ours), with times in the customer's time zone (the widget sends it
 * with the request; UTC when it did not), named in the introduction. A line
 * on another day than the first says its date too.
 *
 * Who said what: "You" for the customer, each agent as the widget named them
 * (src/transcript-agents.ts: full name, first name, or the role label), never
 * an agent's identity (often their email). The notice this service posts for
 * the agent when the customer ends the chat is left out: it is addressed to
 * the agent, in English. A chat too long for one email has a line where its
 * middle is left out (src/transcript-messages.ts), and its longest messages
 * are shortened if their text passes TRANSCRIPT_MAX_CHARS.
 *
 * @example
 *   const mail = transcriptContent(lines, { locale: 'es', timeZone: 'Europe/Madrid' });
 *   mail.subject; // 'La transcripción de tu chat'
 */

import { knownTimeZone } from './transcript-request';

export type TranscriptLine =
  | {
      by: 'customer' | 'agent' | 'system';
      /** An agent's name as the widget showed it; absent: the role label. */
      name?: string;
      at: Date;
      text: string;
      files: string[];
    }
  | {
      /** The middle of a long chat, left out. */
      by: 'cut';
      first: number;
      last: number;
    };

type SaidLine = Exclude<TranscriptLine, { by: 'cut' }>;

export interface TranscriptOptions {
  /** The chat's language tag (`es-MX`); English unless one of ours. */
  locale: unknown;
  /** An IANA zone Intl knows (src/transcript-request.ts checked it). */
  timeZone: string;
  /** The site's `agentRoleLabel`; absent: "Agent" in the chat's language. */
  agentLabel?: string;
}

const STRINGS = {
  en: {
    subject: 'Your chat transcript',
    heading: 'Your chat transcript',
    intro: 'Here is the conversation you had with us{date}. Times are in {zone}.',
    cut: 'This chat was too long to send whole: here are its first {first} and last {last} messages.',
    customer: 'You',
    agent: 'Agent',
    system: 'Notice',
    file: 'File: {name}',
    empty: 'Nothing was said in this chat.',
    shortened: '[shortened: this email would be too big]',
  },
  es: {
    subject: 'La transcripción de tu chat',
    heading: 'La transcripción de tu chat',
    intro: 'Esta es la conversación que tuviste con nosotros{date}. Las horas están en {zone}.',
    cut: 'Este chat era demasiado largo para enviarlo entero: estos son sus primeros {first} y sus últimos {last} mensajes.',
    customer: 'Tú',
    agent: 'Agente',
    system: 'Aviso',
    file: 'Archivo: {name}',
    empty: 'No se dijo nada en este chat.',
    shortened: '[acortado: el correo sería demasiado grande]',
  },
} as const;

export type TranscriptLanguage = keyof typeof STRINGS;

/** The strings of the chat's language (`locale`), e.g. its default agent label. */
export const transcriptStrings = (locale: unknown) => STRINGS[transcriptLanguage(locale)];

/** `es-MX` -> `es`; anything we do not speak -> `en`. */
export function transcriptLanguage(locale: unknown): TranscriptLanguage {
  const language = typeof locale === 'string' ? locale.toLowerCase().split('-')[0] : undefined;
  return language && language in STRINGS ? (language as TranscriptLanguage) : 'en';
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

export interface TranscriptMail {
  subject: string;
  text: string;
  html: string;
}

/** `UTC`, or the zone's name in the language and its IANA name: "Central European Time (Europe/Madrid)". */
export function zoneLabel(language: TranscriptLanguage, timeZone: string): string {
  if (knownTimeZone(timeZone) === 'UTC') return 'UTC'; // also Etc/UTC, GMT
  const name = new Intl.DateTimeFormat(language, { timeZone, timeZoneName: 'longGeneric' })
    .formatToParts(new Date())
    .find((part) => part.type === 'timeZoneName')?.value;
  return name && name !== timeZone ? `${name} (${timeZone})` : timeZone;
}

interface Said {
  when: string;
  who: string;
  parts: string[];
  cut?: true;
}

function said(lines: TranscriptLine[], language: TranscriptLanguage, options: TranscriptOptions) {
  const s = STRINGS[language];
  const { timeZone } = options;
  const time = new Intl.DateTimeFormat(language, { timeStyle: 'short', timeZone });
  const dated = new Intl.DateTimeFormat(language, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone,
  });
  const dayOf = new Intl.DateTimeFormat('en-CA', { dateStyle: 'short', timeZone });
  let firstDay: string | undefined;
  const longest = longestText(lines);
  return lines.map((line): Said => {
    if (line.by === 'cut') {
      const text = s.cut
        .replace('{first}', String(line.first))
        .replace('{last}', String(line.last));
      return { when: '…', who: s.system, parts: [text], cut: true };
    }
    const day = dayOf.format(line.at);
    firstDay ??= day;
    const text =
      line.text.length > longest ? `${line.text.slice(0, longest)}… ${s.shortened}` : line.text;
    return {
      when: (day === firstDay ? time : dated).format(line.at),
      who: line.by === 'agent' ? (line.name ?? options.agentLabel ?? s.agent) : s[line.by],
      parts: [...(text ? [text] : []), ...line.files.map((name) => s.file.replace('{name}', name))],
    };
  });
}

/**
 * All of the messages' text fits in TRANSCRIPT_MAX_CHARS: SendGrid takes at
 * most 20 MB a message, and the email holds the text twice (plain and HTML,
 * where escaping can make a character six). Over it, only the longest
 * messages are shortened, all to the same length, the most that fits (so a
 * few 32 KB messages do not cost the ordinary ones anything).
 */
export const TRANSCRIPT_MAX_CHARS = 2_000_000;

function longestText(lines: TranscriptLine[]): number {
  const lengths = lines
    .map((line) => (line.by === 'cut' ? 0 : line.text.length))
    .sort((a, b) => a - b);
  let left = TRANSCRIPT_MAX_CHARS;
  for (const [i, length] of lengths.entries()) {
    const share = Math.floor(left / (lengths.length - i));
    if (length > share) return share;
    left -= length;
  }
  return Infinity;
}

export function transcriptContent(
  lines: TranscriptLine[],
  options: TranscriptOptions,
): TranscriptMail {
  const language = transcriptLanguage(options.locale);
  const s = STRINGS[language];
  const day = new Intl.DateTimeFormat(language, { dateStyle: 'long', timeZone: options.timeZone });
  const first = lines.find((line): line is SaidLine => line.by !== 'cut');
  const intro = s.intro
    .replace('{date}', first ? ` (${day.format(first.at)})` : '')
    .replace('{zone}', zoneLabel(language, options.timeZone));
  const rows = said(lines, language, options);

  const text = [
    s.heading,
    '',
    intro,
    '',
    ...(rows.length === 0
      ? [s.empty]
      : rows.map((l) => `[${l.when}] ${l.who}: ${l.parts.join('\n').replace(/\n/g, '\n  ')}`)),
    '',
  ].join('\n');

  const html =
    `<!doctype html><html lang="${language}"><head><meta charset="utf-8">` +
    `<title>${escapeHtml(s.subject)}</title></head>` +
    `<body style="font-family:sans-serif;line-height:1.4;color:#111">` +
    `<h1 style="font-size:20px">${escapeHtml(s.heading)}</h1><p>${escapeHtml(intro)}</p>` +
    (rows.length === 0 ? `<p>${escapeHtml(s.empty)}</p>` : rows.map(htmlRow).join('')) +
    `</body></html>`;
  return { subject: s.subject, text, html };
}

function htmlRow(l: Said): string {
  const parts = l.parts.map((part) => escapeHtml(part).replace(/\n/g, '<br>')).join('<br>');
  if (l.cut) return `<p style="margin:0 0 12px;color:#555"><em>${parts}</em></p>`;
  return (
    `<p style="margin:0 0 12px"><span style="color:#555">${escapeHtml(l.when)}</span> ` +
    `<strong>${escapeHtml(l.who)}</strong><br>${parts}</p>`
  );
}
