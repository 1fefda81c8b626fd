/**
 * The strings of the signed-in customer's part (webchat-customer.js), per
 * locale, kept beside it rather than in i18n.ts so that pages without a
 * signed-in customer never download them. The same rules as i18n.ts:
 * English is the reference, Spanish must translate every key (the type
 * checker enforces it), and a site's `strings` option replaces any of them.
 * The two a page without the customer's part can show ("Please sign in to
 * chat." and its link) are in i18n.ts.
 */
import type { Locale } from './i18n';

const en = {
  'signedIn.as': "You're signed in as {name}.",
  'signedIn.verified': 'From your account (cannot be changed here)',
  'error.customerToken':
    "We couldn't confirm that you're signed in. Please reload the page or sign in again.",
  'error.customerKeys': "We couldn't confirm your sign-in just now. Please try again in a moment.",
  'error.signedOut':
    'You signed out, so your chat is no longer shown here. Sign in again to continue it.',
  resumed: 'Welcome back: your chat continues.',
  'previous.title': 'Previous chat, {date}',
  'previous.end': 'End of the previous chat',
  'previous.media': 'Attachments not shown: {count}',
  you: 'You',
  agent: 'Agent',
};

export type CustomerMessageKey = keyof typeof en;
export type CustomerStrings = Record<CustomerMessageKey, string>;

const es: CustomerStrings = {
  'signedIn.as': 'Has iniciado sesión como {name}.',
  'signedIn.verified': 'De tu cuenta (no se puede cambiar aquí)',
  'error.customerToken':
    'No pudimos confirmar que has iniciado sesión. Recarga la página o vuelve a iniciar sesión.',
  'error.customerKeys':
    'No pudimos confirmar tu inicio de sesión en este momento. Inténtalo de nuevo en un momento.',
  'error.signedOut':
    'Cerraste la sesión, así que tu chat ya no se muestra aquí. Vuelve a iniciar sesión para continuarlo.',
  resumed: 'Hola de nuevo: tu chat continúa.',
  'previous.title': 'Chat anterior, {date}',
  'previous.end': 'Fin del chat anterior',
  'previous.media': 'Archivos adjuntos no mostrados: {count}',
  you: 'Tú',
  agent: 'Agente',
};

export type CustomerTranslate = (
  key: CustomerMessageKey,
  params?: Record<string, string | number>,
) => string;

/** Like i18n.ts's translator, over these strings (and the site's replacements). */
export function customerTranslator(
  locale: Locale,
  overrides: Partial<Record<string, string>> = {},
): CustomerTranslate {
  const table = { ...{ en, es }[locale] };
  for (const key of Object.keys(table) as CustomerMessageKey[]) {
    const replaced = overrides[key];
    if (typeof replaced === 'string') table[key] = replaced;
  }
  return (key, params = {}) =>
    table[key].replace(/\{(\w+)\}/g, (match, name: string) =>
      name in params ? String(params[name]) : match,
    );
}

/** The customer-token refusals, as the form says them. */
export const CUSTOMER_ERRORS: Record<string, CustomerMessageKey> = {
  customer_token_invalid: 'error.customerToken',
  customer_token_expired: 'error.customerToken',
  customer_token_unavailable: 'error.customerToken',
  customer_keys_unavailable: 'error.customerKeys',
  customer_signed_out: 'error.signedOut',
};
