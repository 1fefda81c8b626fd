/**
 * Every string the widget shows, per locale. English is the reference table;
 * other locales must translate every key (the type checker enforces it).
 * `{name}` placeholders are filled by `translate`.
 *
 * @example
 *   const t = translator('es');
 *   t('typing', { name: 'Alex' }); // 'Alex está escribiendo…'
 */
import { SHELL_LOCALES } from './i18n-shell';

const en = {
  ...SHELL_LOCALES.en, // the launcher's strings (i18n-shell.ts)
  formIntro: "Tell us a little about yourself and we'll connect you with someone from our team.",
  'field.friendlyName': 'Name',
  'field.email': 'Email',
  'field.question': 'How can we help?',
  optional: 'optional',
  startChat: 'Start chat',
  preparing: 'Preparing your chat…',
  starting: 'Starting your chat…',
  queued: "We're busy right now: you're in line, and your chat will start shortly…",
  resuming: 'Reconnecting to your chat…',
  'error.required': 'Please fill in {field}.',
  'error.tooLong': '{field} can be at most {max} characters.',
  'error.singleLine': '{field} must be a single line of text.',
  'error.email': 'Please enter a valid email address.',
  'error.refused': 'The chat service did not accept this answer. Please change it.',
  'error.checkFields': 'Please check the answers marked below.',
  'error.tooLarge': 'Your answers are too long. Please shorten them.',
  'error.originNotAllowed': 'Chat is not available on this website.',
  'error.network': 'We could not reach the chat service. Check your connection and try again.',
  'error.rateLimited': 'We are very busy right now. Please try again in a moment.',
  'error.generic': 'Something went wrong. Please try again.',
  'error.details': 'Details for the site owner',
  'captcha.label': 'Security check',
  'captcha.required': 'Please complete the security check.',
  'captcha.again': 'Please complete the security check again.',
  'captcha.failed': 'The security check could not be loaded. Reload the page to try again.',
  'captcha.unavailable': 'We could not confirm the security check just now. Please try again.',
  tryAgain: 'Try again',
  'error.sessionEnded': 'Your chat session has ended.',
  messageLabel: 'Message',
  messagePlaceholder: 'Type a message',
  send: 'Send',
  attach: 'Attach a file',
  removeAttachment: 'Remove {name}',
  dropHint: 'Drop a file to attach it',
  loadOlder: 'Show earlier messages',
  loadingOlder: 'Loading earlier messages…',
  messages: 'Messages',
  you: 'You',
  agent: 'Agent',
  system: 'Notice',
  seen: 'Seen',
  typing: '{name} is typing…',
  joined: '{name} joined the chat',
  left: '{name} left the chat',
  today: 'Today',
  yesterday: 'Yesterday',
  sendFailed: 'Your message was not sent. Please try again.',
  attachmentFile: 'File: {name}',
  openAttachment: 'Open {name}',
  endChat: 'End chat',
  confirmEnd: 'End this chat? You can download the transcript afterwards.',
  keepChatting: 'Keep chatting',
  ending: 'Ending the chat…',
  ended: 'This chat has ended.',
  endedByYou: 'You ended the chat.',
  newChat: 'Start a new chat',
  transcript: 'Download transcript',
  transcriptTitle: 'Chat transcript',
  'banner.connecting': 'Connecting…',
  'banner.reconnecting': 'Connection lost. Reconnecting…',
  'banner.offline': 'You are offline. What you type stays here until you are back.',
  'banner.denied': 'Chat cannot connect right now. We will keep trying.',
  'attach.tooMany': 'Attach one file at a time.',
  'attach.tooLarge': '{name} is too large: files can be up to 16 MB.',
  'attach.badType':
    '{name} cannot be sent. Use JPG, PNG, GIF, HEIC, PDF, TXT, MP3, MP4 or AMR files.',
  'attach.empty': '{name} is empty.',
  'live.message': '{name} says: {text}',
  'live.file': '{name} sent a file: {file}',
  'hours.openUntil': "We're open until {time}.",
  'hours.openUntilLater': "We're open until {when}.",
  'hours.closedUntil': "We're closed; back {when}.",
  'hours.closed': "We're closed right now.",
  'hours.leaveMessage': "Leave a message and we'll answer when we're back.",
  'hours.today': 'at {time}',
  'hours.tomorrow': 'tomorrow at {time}',
  'hours.weekday': '{day} at {time}',
  'hours.date': 'on {date} at {time}',
  'hours.waiting': 'Right now customers are waiting up to about {minutes} min.',
  'hours.agentsAvailable': 'An agent is available now.',
  'error.closed': "We're closed right now. Please come back during our opening hours.",
  'error.signInRequired': 'Please sign in to chat.',
  signIn: 'Sign in',
  'notify.toggleLabel': 'Notify me of new messages',
  'notify.blocked': 'Notifications are blocked in your browser settings.',
  'notify.title': 'New message from {name}',
  'notify.file': 'Sent a file: {file}',
};

export type MessageKey = keyof typeof en;
export type Strings = Record<MessageKey, string>;

const es: Strings = {
  ...SHELL_LOCALES.es,
  formIntro: 'Cuéntanos un poco sobre ti y te pondremos en contacto con alguien de nuestro equipo.',
  'field.friendlyName': 'Nombre',
  'field.email': 'Correo electrónico',
  'field.question': '¿En qué podemos ayudarte?',
  optional: 'opcional',
  startChat: 'Iniciar chat',
  preparing: 'Preparando tu chat…',
  starting: 'Iniciando tu chat…',
  queued: 'Estamos muy ocupados: estás en la cola y tu chat empezará en breve…',
  resuming: 'Reconectando con tu chat…',
  'error.required': 'Completa el campo {field}.',
  'error.tooLong': '{field} puede tener como máximo {max} caracteres.',
  'error.singleLine': '{field} debe ser una sola línea de texto.',
  'error.email': 'Introduce una dirección de correo electrónico válida.',
  'error.refused': 'El servicio de chat no aceptó esta respuesta. Cámbiala, por favor.',
  'error.checkFields': 'Revisa las respuestas marcadas abajo.',
  'error.tooLarge': 'Tus respuestas son demasiado largas. Acórtalas, por favor.',
  'error.originNotAllowed': 'El chat no está disponible en este sitio web.',
  'error.network':
    'No pudimos conectar con el servicio de chat. Revisa tu conexión e inténtalo de nuevo.',
  'error.rateLimited': 'Estamos muy ocupados. Inténtalo de nuevo en un momento.',
  'error.generic': 'Algo salió mal. Inténtalo de nuevo.',
  'error.details': 'Detalles para el administrador del sitio',
  'captcha.label': 'Verificación de seguridad',
  'captcha.required': 'Completa la verificación de seguridad.',
  'captcha.again': 'Completa de nuevo la verificación de seguridad.',
  'captcha.failed':
    'No se pudo cargar la verificación de seguridad. Recarga la página para intentarlo de nuevo.',
  'captcha.unavailable':
    'No pudimos confirmar la verificación de seguridad en este momento. Inténtalo de nuevo.',
  tryAgain: 'Reintentar',
  'error.sessionEnded': 'Tu sesión de chat ha terminado.',
  messageLabel: 'Mensaje',
  messagePlaceholder: 'Escribe un mensaje',
  send: 'Enviar',
  attach: 'Adjuntar un archivo',
  removeAttachment: 'Quitar {name}',
  dropHint: 'Suelta un archivo para adjuntarlo',
  loadOlder: 'Ver mensajes anteriores',
  loadingOlder: 'Cargando mensajes anteriores…',
  messages: 'Mensajes',
  you: 'Tú',
  agent: 'Agente',
  system: 'Aviso',
  seen: 'Visto',
  typing: '{name} está escribiendo…',
  joined: '{name} se unió al chat',
  left: '{name} salió del chat',
  today: 'Hoy',
  yesterday: 'Ayer',
  sendFailed: 'Tu mensaje no se envió. Inténtalo de nuevo.',
  attachmentFile: 'Archivo: {name}',
  openAttachment: 'Abrir {name}',
  endChat: 'Finalizar chat',
  confirmEnd: '¿Finalizar este chat? Después podrás descargar la transcripción.',
  keepChatting: 'Seguir chateando',
  ending: 'Finalizando el chat…',
  ended: 'Este chat ha finalizado.',
  endedByYou: 'Finalizaste el chat.',
  newChat: 'Iniciar un chat nuevo',
  transcript: 'Descargar transcripción',
  transcriptTitle: 'Transcripción del chat',
  'banner.connecting': 'Conectando…',
  'banner.reconnecting': 'Se perdió la conexión. Reconectando…',
  'banner.offline': 'No tienes conexión. Lo que escribas se quedará aquí hasta que vuelvas.',
  'banner.denied': 'El chat no puede conectarse ahora. Seguiremos intentándolo.',
  'attach.tooMany': 'Adjunta un archivo cada vez.',
  'attach.tooLarge': '{name} es demasiado grande: los archivos pueden tener hasta 16 MB.',
  'attach.badType':
    '{name} no se puede enviar. Usa archivos JPG, PNG, GIF, HEIC, PDF, TXT, MP3, MP4 o AMR.',
  'attach.empty': '{name} está vacío.',
  'live.message': '{name} dice: {text}',
  'live.file': '{name} envió un archivo: {file}',
  'hours.openUntil': 'Estamos abiertos hasta las {time}.',
  'hours.openUntilLater': 'Estamos abiertos hasta {when}.',
  'hours.closedUntil': 'Estamos cerrados; volvemos {when}.',
  'hours.closed': 'Ahora estamos cerrados.',
  'hours.leaveMessage': 'Déjanos un mensaje y te responderemos a la vuelta.',
  'hours.today': 'a las {time}',
  'hours.tomorrow': 'mañana a las {time}',
  'hours.weekday': 'el {day} a las {time}',
  'hours.date': 'el {date} a las {time}',
  'hours.waiting': 'Ahora mismo hay clientes esperando hasta unos {minutes} min.',
  'hours.agentsAvailable': 'Hay un agente disponible ahora.',
  'error.closed': 'Ahora estamos cerrados. Vuelve en nuestro horario de atención.',
  'error.signInRequired': 'Inicia sesión para chatear.',
  signIn: 'Iniciar sesión',
  'notify.toggleLabel': 'Avisarme de los mensajes nuevos',
  'notify.blocked': 'Las notificaciones están bloqueadas en la configuración de tu navegador.',
  'notify.title': 'Nuevo mensaje de {name}',
  'notify.file': 'Envió un archivo: {file}',
};

export const LOCALES = { en, es } as const;
export type Locale = keyof typeof LOCALES;

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export { pickLocale } from './i18n-shell';

export function translator(locale: Locale, overrides: Partial<Strings> = {}): Translate {
  const table: Strings = { ...LOCALES[locale], ...overrides };
  // Keys built at run time (`field.<name>`) may be unknown: they read as ''.
  return (key, params = {}) =>
    (table[key] ?? '').replace(/\{(\w+)\}/g, (match, name: string) =>
      name in params ? String(params[name]) : match,
    );
}

/** `orderNumber` -> `Order number`: a readable label for a field nobody translated. */
export function humanize(name: string): string {
  const words = name
    .replace(/[_.-]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export { unreadLabel } from './i18n-shell';

/**
 * The survey's and the emailed transcript's strings (client/view/after-chat.ts).
 * Only webchat-after.js imports them, so they are not in webchat.js (esbuild
 * leaves out what nothing imports); the `strings` option overrides them too.
 */
const afterChatEn = {
  'survey.question': 'How was your chat?',
  'survey.rating.1': '1, very poor',
  'survey.rating.2': '2, poor',
  'survey.rating.3': '3, okay',
  'survey.rating.4': '4, good',
  'survey.rating.5': '5, excellent',
  'survey.comment': 'Anything else you want to tell us?',
  'survey.send': 'Send feedback',
  'survey.sending': 'Sending your feedback…',
  'survey.chooseRating': 'Please choose a rating from 1 to 5.',
  'survey.thanks': 'Thank you for your feedback.',
  'survey.answered': 'This chat has been rated already. Thank you.',
  'transcript.email': 'Email me this transcript',
  'transcript.emailSending': 'Sending the transcript…',
  'transcript.emailSent': 'We sent the transcript to {to}.',
  'transcript.noEmail':
    'We have no email address for this chat, so we cannot email the transcript.',
  'transcript.limit': 'This transcript has been emailed as many times as we allow.',
  'afterChat.failed': 'Something went wrong. Please try again.',
};

export type AfterChatKey = keyof typeof afterChatEn;

export const AFTER_CHAT_STRINGS: Record<Locale, Record<AfterChatKey, string>> = {
  en: afterChatEn,
  es: {
    'survey.question': '¿Qué tal fue el chat?',
    'survey.rating.1': '1, muy malo',
    'survey.rating.2': '2, malo',
    'survey.rating.3': '3, normal',
    'survey.rating.4': '4, bueno',
    'survey.rating.5': '5, excelente',
    'survey.comment': '¿Algo más que quieras contarnos?',
    'survey.send': 'Enviar opinión',
    'survey.sending': 'Enviando tu opinión…',
    'survey.chooseRating': 'Elige una valoración del 1 al 5.',
    'survey.thanks': 'Gracias por tu opinión.',
    'survey.answered': 'Este chat ya se ha valorado. Gracias.',
    'transcript.email': 'Enviarme esta transcripción por correo',
    'transcript.emailSending': 'Enviando la transcripción…',
    'transcript.emailSent': 'Enviamos la transcripción a {to}.',
    'transcript.noEmail':
      'No tenemos un correo electrónico para este chat, así que no podemos enviar la transcripción.',
    'transcript.limit': 'Esta transcripción ya se ha enviado tantas veces como permitimos.',
    'afterChat.failed': 'Algo salió mal. Inténtalo de nuevo.',
  },
};

/** A translator for the after-chat views' own keys (not the widget's table: it stays out of their bundle). */
export type AfterChatTranslate = (
  key: AfterChatKey,
  params?: Record<string, string | number>,
) => string;

export function afterChatTranslator(
  locale: Locale,
  overrides: Partial<Record<AfterChatKey, string>> = {},
): AfterChatTranslate {
  const table: Record<string, string> = { ...AFTER_CHAT_STRINGS[locale], ...overrides };
  return (key, params = {}) =>
    (table[key] ?? '').replace(/\{(\w+)\}/g, (match, name: string) =>
      name in params ? String(params[name]) : match,
    );
}
