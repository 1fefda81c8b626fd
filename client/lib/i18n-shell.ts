/**
 * The strings webchat.js itself shows (the launcher, its unread count, the
 * greeting, the note when the rest of the widget cannot be loaded), per
 * locale, and choosing the locale. Everything else the widget says is in
 * i18n.ts, which spreads these tables into its own: that module comes with
 * webchat-ui.js, so a page view that never chats downloads only these.
 */
const SHELL_EN = {
  title: 'Chat with us',
  openChat: 'Open chat',
  closeChat: 'Minimize chat',
  'unread.one': '{count} unread message',
  'unread.other': '{count} unread messages',
  'error.notConfigured': 'Chat is not available right now.',
  'greeting.text': "Hi! Questions? We're here to help.",
  'greeting.dismiss': 'Dismiss greeting',
};

export type ShellKey = keyof typeof SHELL_EN;
export type ShellStrings = Record<ShellKey, string>;

const SHELL_ES: ShellStrings = {
  title: 'Chatea con nosotros',
  openChat: 'Abrir el chat',
  closeChat: 'Minimizar el chat',
  'unread.one': '{count} mensaje sin leer',
  'unread.other': '{count} mensajes sin leer',
  'error.notConfigured': 'El chat no está disponible en este momento.',
  'greeting.text': '¡Hola! ¿Tienes preguntas? Estamos aquí para ayudarte.',
  'greeting.dismiss': 'Cerrar el saludo',
};

export const SHELL_LOCALES = { en: SHELL_EN, es: SHELL_ES } as const;
export type Locale = keyof typeof SHELL_LOCALES;

export type ShellTranslate = (key: ShellKey, params?: Record<string, string | number>) => string;

/** The locale to use: the configured one if we have it, else the browser's, else English. */
export function pickLocale(configured: string | undefined, browser: readonly string[]): Locale {
  for (const candidate of [configured, ...browser]) {
    const language = candidate?.toLowerCase().split('-')[0];
    if (language && language in SHELL_LOCALES) return language as Locale;
  }
  return 'en';
}

/** `{name}` placeholders filled from `params`; unknown ones stay as they are. */
export function fill(text: string, params: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (match, name: string) =>
    name in params ? String(params[name]) : match,
  );
}

/** The shell's translate: its own table, with the site's `strings` over it. */
export function shellTranslator(
  locale: Locale,
  overrides: Partial<Record<string, string>> = {},
): ShellTranslate {
  const table = SHELL_LOCALES[locale];
  return (key, params = {}) => fill(overrides[key] ?? table[key], params);
}

/** "3 unread messages", with the locale's plural rules. */
export function unreadLabel(t: ShellTranslate, locale: Locale, count: number): string {
  const form = new Intl.PluralRules(locale).select(count) === 'one' ? 'one' : 'other';
  return t(`unread.${form}`, { count });
}
