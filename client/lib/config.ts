/**
 * The widget's configuration, from (in increasing priority) defaults, a global
 * `window.FlexWebchatConfig` object, and the `data-*` attributes of its own
 * `<script>` tag, or from a `FlexWebchat.init({...})` call.
 *
 *   <script src="https://example-1234.twil.io/webchat.js"
 *           data-title="Talk to us" data-locale="es"
 *           data-color-primary="#0b5cff"
 *           data-fields="friendlyName:required,email,question"
 *           data-prefill-friendly-name="Ana" async></script>
 */
import type { AgentNameMode } from './agent-name';
import type { ChatClientFactory } from './chat-client';
import type { GetCustomerToken } from './customer';
import type { CustomerStrings } from './customer-i18n';
import type { AfterChatKey, Locale, Strings } from './i18n';
import { pickLocale } from './i18n-shell';
import {
  DEFAULT_FIELDS,
  isValidFieldName,
  type FieldConfig,
  type FieldType,
} from './pre-engagement';

/** When to fetch the Conversations SDK before a chat needs it (`start`: only then). */
export const PRELOAD_SDK = ['intent', 'idle', 'start'] as const;
export type PreloadSdk = (typeof PRELOAD_SDK)[number];

export interface WidgetOptions {
  /** URL of /start-chat; default: next to webchat.js. */
  startChatUrl?: string;
  /** URL of the SDK bundle; default: next to webchat.js. */
  sdkUrl?: string;
  title?: string;
  locale?: string;
  /** CSS custom properties without the `--fw-` prefix, e.g. `{ primary: '#0b5cff' }`. */
  colors?: Record<string, string>;
  /** The pre-engagement form's fields; `false` starts the chat without a form. */
  fields?: FieldConfig[] | false;
  /** Values to fill in (for signed-in customers), by field name. */
  prefill?: Record<string, string>;
  /** Open the panel on load. */
  open?: boolean;
  /** Where the launcher sits. */
  position?: 'right' | 'left';
  /**
   * When to fetch the Conversations SDK: on the visitor's first sign of
   * intent (pointer over or focus in the widget, the panel opening; the
   * default), when the browser is idle, or only at chat start.
   */
  preloadSdk?: PreloadSdk;
  /** Replace any string (i18n.ts, and customer-i18n.ts for signed-in customers). */
  strings?: Partial<Strings & CustomerStrings> & Partial<Record<AfterChatKey, string>>;
  /** Replaces the Conversations SDK (tests, custom transports). */
  chatClientFactory?: ChatClientFactory;
  /**
   * Where a chat is remembered for reloads: this tab only (default), or the
   * whole browser (survives closing the tab; avoid on shared computers).
   */
  persist?: 'tab' | 'browser';
  /**
   * Replaces the CAPTCHA provider's script URL (lib/captcha.ts). For tests,
   * which cannot reach the provider; sites leave it unset.
   */
  captchaScriptUrl?: string;
  /**
   * When to ask /availability about opening hours: each time the panel
   * opens (default), also on page load (`load`: AFTER_HOURS=hide needs it),
   * or never (`off`). See client/lib/availability.ts.
   */
  availability?: 'open' | 'load' | 'off';
  /** A signed-in customer's token, signed by the site's backend (docs/signed-in.md). */
  customerToken?: string;
  /** Preferred to `customerToken`: asked each time a fresh token is needed; null: nobody signed in. */
  getCustomerToken?: GetCustomerToken;
  /** For a signed-in customer: skip the fields their token answers (default), or show them read-only. */
  signedInForm?: 'skip' | 'prefill';
  /** Where "Please sign in to chat" links to (REQUIRE_SIGNED_IN): `https://…` or `/path`. */
  signInUrl?: string;
  /**
   * Send the page's URL and title with the chat's start, for the agent
   * (default true; `false` or `data-send-page="false"` to leave them out).
   */
  sendPage?: boolean;
  /** Include each message's text in `message` events (client/lib/events.ts); default false. */
  messageText?: boolean;
  /** Ask for a rating when a chat ends (the service needs SURVEY=on); default false. */
  survey?: boolean;
  /**
   * Offer "Email me this transcript" when a chat ends (the service needs
   * SENDGRID_API_KEY and TRANSCRIPT_FROM); default false.
   */
  emailTranscript?: boolean;
  /** While the panel is closed or the tab hidden: the unread count in the page title. */
  notifyTitle?: boolean;
  /** …a short sound (generated with WebAudio, nothing fetched) for each new message. */
  notifySound?: boolean;
  /** …a browser notification, once the customer turns them on ("Notify me" in the panel). */
  notifyBrowser?: boolean;
  /**
   * A greeting bubble by the launcher after `afterSeconds` (default 5), with
   * `text` (default: the locale's "Hi! Questions? We're here to help.").
   */
  greeting?: { text?: string; afterSeconds?: number };
  /**
   * How agents are named to the customer: their `full` friendly name
   * (default), their `first` name only, or a `role` label (`agentRoleLabel`,
   * default "Agent"). Display only: see docs/widget.md (Agent privacy).
   */
  agentName?: AgentNameMode;
  agentRoleLabel?: string;
}

export interface WidgetConfig {
  startChatUrl: string;
  sdkUrl: string;
  title?: string;
  locale: Locale;
  colors: Record<string, string>;
  fields: readonly FieldConfig[] | false;
  prefill: Record<string, string>;
  open: boolean;
  position: 'right' | 'left';
  preloadSdk: PreloadSdk;
  strings: Partial<Strings & CustomerStrings> & Partial<Record<AfterChatKey, string>>;
  chatClientFactory?: ChatClientFactory;
  persist: 'tab' | 'browser';
  captchaScriptUrl?: string;
  availability: 'open' | 'load' | 'off';
  customerToken?: string;
  getCustomerToken?: GetCustomerToken;
  signedInForm: 'skip' | 'prefill';
  signInUrl?: string;
  sendPage: boolean;
  messageText: boolean;
  survey: boolean;
  emailTranscript: boolean;
  notifyTitle: boolean;
  notifySound: boolean;
  notifyBrowser: boolean;
  greeting?: { text?: string; afterSeconds: number };
  agentName: AgentNameMode;
  agentRoleLabel?: string;
}

const AVAILABILITY_WHEN = ['open', 'load', 'off'] as const;
const isAvailabilityWhen = (value: unknown): value is WidgetConfig['availability'] =>
  (AVAILABILITY_WHEN as readonly unknown[]).includes(value);

const isAgentNameMode = (value: unknown): value is AgentNameMode =>
  value === 'full' || value === 'first' || value === 'role';

const FIELD_TYPES: Record<string, FieldType> = {
  email: 'email',
  phone: 'tel',
  tel: 'tel',
  question: 'textarea',
};

/** `friendlyName:required,email,orderNumber` -> field configs. */
export function parseFieldList(text: string): FieldConfig[] | false {
  if (['off', 'none', 'false'].includes(text.trim().toLowerCase())) return false;
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [name = '', ...flags] = part.split(':');
      return {
        name,
        type: FIELD_TYPES[name] ?? 'text',
        required: flags.includes('required'),
      };
    })
    .filter((field) => isValidFieldName(field.name));
}

const kebabToCamel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Options from a script tag's data attributes. */
export function optionsFromDataset(dataset: DOMStringMap): WidgetOptions {
  const options: WidgetOptions = {};
  const colors: Record<string, string> = {};
  const prefill: Record<string, string> = {};
  for (const [key, value] of Object.entries(dataset)) {
    if (value === undefined) continue;
    if (key.startsWith('color') && key.length > 5) {
      colors[
        key
          .slice(5)
          .replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
          .replace(/^-/, '')
      ] = value;
    } else if (key.startsWith('prefill') && key.length > 7) {
      const name = key.slice(7);
      prefill[name.charAt(0).toLowerCase() + kebabToCamel(name.slice(1))] = value;
    }
  }
  if (dataset.startChatUrl) options.startChatUrl = dataset.startChatUrl;
  if (dataset.sdkUrl) options.sdkUrl = dataset.sdkUrl;
  if (dataset.title) options.title = dataset.title;
  if (dataset.locale) options.locale = dataset.locale;
  if (dataset.fields !== undefined) options.fields = parseFieldList(dataset.fields);
  if (dataset.open !== undefined) options.open = dataset.open !== 'false';
  if (dataset.position === 'left' || dataset.position === 'right')
    options.position = dataset.position;
  const preload = PRELOAD_SDK.find((p) => p === dataset.preloadSdk);
  if (preload) options.preloadSdk = preload;
  if (dataset.persist === 'tab' || dataset.persist === 'browser') options.persist = dataset.persist;
  if (dataset.captchaScriptUrl) options.captchaScriptUrl = dataset.captchaScriptUrl;
  if (isAvailabilityWhen(dataset.availability)) options.availability = dataset.availability;
  if (dataset.customerToken) options.customerToken = dataset.customerToken;
  if (dataset.signedInForm) options.signedInForm = dataset.signedInForm as 'prefill'; // checked below
  if (dataset.signInUrl) options.signInUrl = dataset.signInUrl;
  const flag = (value: string | undefined) => (value === undefined ? undefined : value !== 'false');
  const flags = {
    sendPage: flag(dataset.sendPage),
    messageText: flag(dataset.messageText),
    survey: flag(dataset.survey),
    emailTranscript: flag(dataset.emailTranscript),
    notifyTitle: flag(dataset.notifyTitle),
    notifySound: flag(dataset.notifySound),
    notifyBrowser: flag(dataset.notifyBrowser),
  };
  for (const [name, value] of Object.entries(flags)) {
    if (value !== undefined) options[name as keyof typeof flags] = value;
  }
  if (isAgentNameMode(dataset.agentName)) options.agentName = dataset.agentName;
  if (dataset.agentRoleLabel) options.agentRoleLabel = dataset.agentRoleLabel;
  if (dataset.greeting !== undefined || dataset.greetingAfter !== undefined) {
    const after = Number(dataset.greetingAfter);
    options.greeting = {
      ...(dataset.greeting && { text: dataset.greeting }),
      ...(dataset.greetingAfter && Number.isFinite(after) && { afterSeconds: after }),
    };
  }
  if (Object.keys(colors).length) options.colors = colors;
  if (Object.keys(prefill).length) options.prefill = prefill;
  return options;
}

/**
 * A value safe to put in a `--fw-*` custom property: short, no way out of the
 * declaration (`;`, `{`, `}`), no external fetches (`url(`), and, where the
 * browser can tell, a real color for color properties (so a typo falls back to
 * the default instead of a transparent button).
 */
function safeCssValue(name: string, value: string): boolean {
  if (value.length > 100 || /[;{}<>\\]|url\(/i.test(value)) return false;
  const isColor = !/^(radius|font|z)$|size|width|height|shadow/.test(name);
  const supports = typeof CSS !== 'undefined' && typeof CSS.supports === 'function';
  return !isColor || !supports || CSS.supports('color', value);
}

/**
 * Merges option sources, later ones winning; `colors`, `prefill` and
 * `strings` merge key by key, so a page can set a brand color globally and a
 * title per script tag.
 */
export function mergeOptions(...sources: (WidgetOptions | undefined)[]): WidgetOptions {
  const merged: WidgetOptions = {};
  for (const source of sources) {
    if (!source) continue;
    const { colors, prefill, strings, ...rest } = source;
    Object.assign(merged, rest);
    if (colors) merged.colors = { ...merged.colors, ...colors };
    if (prefill) merged.prefill = { ...merged.prefill, ...prefill };
    if (strings) merged.strings = { ...merged.strings, ...strings };
  }
  return merged;
}

export function resolveConfig(
  options: WidgetOptions,
  scriptUrl: string,
  browserLanguages: readonly string[],
): WidgetConfig {
  const base = new URL('.', scriptUrl);
  const colors = Object.fromEntries(
    Object.entries(options.colors ?? {}).filter(
      ([name, value]) =>
        /^[a-z][a-z0-9-]*$/.test(name) && typeof value === 'string' && safeCssValue(name, value),
    ),
  );
  return {
    startChatUrl: new URL(options.startChatUrl ?? 'start-chat', base).href,
    sdkUrl: new URL(options.sdkUrl ?? 'webchat-sdk.js', base).href,
    ...(options.title !== undefined && { title: options.title }),
    locale: pickLocale(options.locale, browserLanguages),
    colors,
    fields: options.fields === false ? false : (options.fields ?? DEFAULT_FIELDS),
    prefill: options.prefill ?? {},
    open: options.open ?? false,
    position: options.position ?? 'right',
    preloadSdk: options.preloadSdk ?? 'intent',
    strings: options.strings ?? {},
    persist: options.persist === 'browser' ? 'browser' : 'tab',
    ...(options.captchaScriptUrl && {
      captchaScriptUrl: new URL(options.captchaScriptUrl, base).href,
    }),
    availability: isAvailabilityWhen(options.availability) ? options.availability : 'open',
    sendPage: options.sendPage !== false,
    messageText: options.messageText === true,
    survey: options.survey === true,
    emailTranscript: options.emailTranscript === true,
    notifyTitle: options.notifyTitle === true,
    notifySound: options.notifySound === true,
    notifyBrowser: options.notifyBrowser === true,
    agentName: isAgentNameMode(options.agentName) ? options.agentName : 'full',
    ...(typeof options.agentRoleLabel === 'string' &&
      options.agentRoleLabel.trim() && { agentRoleLabel: options.agentRoleLabel.trim() }),
    ...(options.greeting && {
      greeting: {
        ...(typeof options.greeting.text === 'string' && { text: options.greeting.text }),
        afterSeconds: Number(options.greeting.afterSeconds ?? 5) || 0,
      },
    }),
    ...(options.chatClientFactory && { chatClientFactory: options.chatClientFactory }),
    customerToken: options.customerToken,
    getCustomerToken: options.getCustomerToken,
    signedInForm: options.signedInForm === 'prefill' ? 'prefill' : 'skip',
    // A web address (absolute, or a path on the page's site): never `javascript:`.
    ...(/^(https?:\/\/|\/)/i.test(options.signInUrl ?? '') && { signInUrl: options.signInUrl }),
  };
}
