/**
 * An emailed transcript's content, built on the server from Twilio's own
 * messages (never the browser's copy): a subject, plain text, and HTML with
 * every piece of chat text escaped. In the chat's language (`locale` in the
 * attributes, which the widget sends at start; English when unknown or not
 * one of ours), with times in UTC, named as such (the customer's zone is not
 * known here).
 *
 * Who said what: "You" for the customer, "Agent" for everyone else, never an
 * agent's identity (often their email) or full name. The notice this service
 * posts for the agent when the customer ends the chat is left out: it is
 * addressed to the agent, in English.
 *
 * @example
 *   const mail = transcriptContent(lines, 'es');
 *   mail.subject; // 'La transcripción de tu chat'
 */

export interface TranscriptLine {
  by: 'customer' | 'agent' | 'system';
  at: Date;
  text: string;
  files: string[];
}

const STRINGS = {
  en: {
    subject: 'Your chat transcript',
    heading: 'Your chat transcript',
    intro: 'Here is the conversation you had with us{date}. Times are in UTC.',
    customer: 'You',
    agent: 'Agent',
    system: 'Notice',
    file: 'File: {name}',
    empty: 'Nothing was said in this chat.',
  },
  es: {
    subject: 'La transcripción de tu chat',
    heading: 'La transcripción de tu chat',
    intro: 'Esta es la conversación que tuviste con nosotros{date}. Las horas están en UTC.',
    customer: 'Tú',
    agent: 'Agente',
    system: 'Aviso',
    file: 'Archivo: {name}',
    empty: 'No se dijo nada en este chat.',
  },
} as const;

export type TranscriptLanguage = keyof typeof STRINGS;

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

export function transcriptContent(lines: TranscriptLine[], locale: unknown): TranscriptMail {
  const language = transcriptLanguage(locale);
  const s = STRINGS[language];
  const time = new Intl.DateTimeFormat(language, { timeStyle: 'short', timeZone: 'UTC' });
  const day = new Intl.DateTimeFormat(language, { dateStyle: 'long', timeZone: 'UTC' });
  const first = lines[0]?.at;
  const intro = s.intro.replace('{date}', first ? ` (${day.format(first)})` : '');
  const said = lines.map((line) => ({
    when: time.format(line.at),
    who: s[line.by],
    parts: [
      ...(line.text ? [line.text] : []),
      ...line.files.map((name) => s.file.replace('{name}', name)),
    ],
  }));

  const text = [
    s.heading,
    '',
    intro,
    '',
    ...(said.length === 0
      ? [s.empty]
      : said.map((l) => `[${l.when}] ${l.who}: ${l.parts.join('\n').replace(/\n/g, '\n  ')}`)),
    '',
  ].join('\n');

  const rows = said.map(
    (l) =>
      `<p style="margin:0 0 12px"><span style="color:#555">${escapeHtml(l.when)}</span> ` +
      `<strong>${escapeHtml(l.who)}</strong><br>${l.parts
        .map((part) => escapeHtml(part).replace(/\n/g, '<br>'))
        .join('<br>')}</p>`,
  );
  const html =
    `<!doctype html><html lang="${language}"><head><meta charset="utf-8">` +
    `<title>${escapeHtml(s.subject)}</title></head>` +
    `<body style="font-family:sans-serif;line-height:1.4;color:#111">` +
    `<h1 style="font-size:20px">${escapeHtml(s.heading)}</h1><p>${escapeHtml(intro)}</p>` +
    (rows.length === 0 ? `<p>${escapeHtml(s.empty)}</p>` : rows.join('')) +
    `</body></html>`;
  return { subject: s.subject, text, html };
}
