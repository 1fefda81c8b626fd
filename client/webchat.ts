/**
 * webchat.js: the embeddable widget. One script tag on any site adds a
 * launcher and a chat panel, isolated in a shadow root:
 *
 *   <script src="https://example-1234.twil.io/webchat.js" async
 *           data-title="Chat with us" data-locale="en"></script>
 *
 * or, with `data-manual` on the tag, `FlexWebchat.init({ ... })` from your own
 * code (options: client/lib/config.ts). The Conversations SDK is not in this
 * file: webchat-sdk.js is fetched at the visitor's first sign of intent (or
 * as `preloadSdk` says), so the launcher never waits for it. Nor is the challenge solver:
 * webchat-solver.js runs in a worker once the form is shown.
 */
import { AfterChat } from './lib/after-chat';
import { registerAfterChat } from './lib/after-chat-loader';
import { createApi, createChallengeFetch, siblingUrl, toStartError, type Api } from './lib/api';
import { fetchAvailability, type Availability } from './lib/availability';
import { Captcha, loadProviderScript, withCaptcha } from './lib/captcha';
import { Challenges } from './lib/challenge';
import {
  mergeOptions,
  optionsFromDataset,
  resolveConfig,
  type WidgetConfig,
  type WidgetOptions,
} from './lib/config';
import { withAgentNames } from './lib/agent-name';
import { ChatController } from './lib/controller';
import { customerApi, customerPart, registerCustomer } from './lib/customer-loader';
import { announceLogout } from './lib/customer-logout';
import { followChat, SiteEvents, type SiteEventName, type SiteListener } from './lib/events';
import { checkContext, SiteDetails } from './lib/site-details';
import { translator } from './lib/i18n';
import { registerFormatter } from './lib/markdown-host';
import { lazyNotifier, registerNotifier } from './lib/notify-host';
import { loadSdk, preloadOnIntent, preloadWhenIdle, registerSdk } from './lib/sdk-loader';
import { SessionStore } from './lib/session-store';
import type { StartError } from './lib/state';
import { createSolver, registerSolver } from './lib/solver-host';
import { reportUnavailable } from './lib/unavailable';
import css from './styles/widget.css';
import { createAfterChatSlot } from './view/after-chat-slot';
import { applyPrefill } from './view/prefill';
import { createGreeting, type GreetingView } from './view/greeting';
import { mountWidget } from './view/widget';

export interface FlexWebchatApi {
  init(options?: WidgetOptions): void;
  /** Opens the panel; `prefill` fills the form's empty fields (client/view/prefill.ts). */
  open(options?: { prefill?: Record<string, string> }): void;
  close(): void;
  /** Forgets the chat in this browser (signing out); with `endChat`, ends it first. */
  logout(options?: { endChat?: boolean }): Promise<void>;
  /** Listens to the widget's events (client/lib/events.ts). */
  on<E extends SiteEventName>(name: E, listener: SiteListener<E>): void;
  off<E extends SiteEventName>(name: E, listener: SiteListener<E>): void;
  /** What the agent should see about the next chat (client/lib/site-details.ts); throws if invalid. */
  setContext(context: Record<string, string | number | boolean>): void;
  /** Used by webchat-sdk.js to hand over the Conversations SDK. */
  registerSdk: typeof registerSdk;
  /** Used by webchat-after.js (the survey, the emailed transcript) when it has run. */
  registerAfterChat: typeof registerAfterChat;
  /** Used by webchat-solver.js when it runs on the page instead of in a worker. */
  registerSolver: typeof registerSolver;
  /** Used by webchat-customer.js, the signed-in customer's part. */
  registerCustomer: typeof registerCustomer;
  /** Used by webchat-sdk.js to hand over the rich-text formatter (client/lib/markdown.ts). */
  registerFormatter: typeof registerFormatter;
  /** Used by webchat-sdk.js to hand over the unread alerts (client/lib/notify.ts). */
  registerNotifier: typeof registerNotifier;
  /** Shows the greeting bubble by the launcher now (see the `greeting` option). */
  greet(text?: string): void;
}

declare global {
  interface Window {
    FlexWebchat?: FlexWebchatApi;
    FlexWebchatConfig?: WidgetOptions;
  }
}

const script = document.currentScript as HTMLScriptElement | null;
const scriptUrl = script?.src || new URL('webchat.js', location.href).href;
let controller: ChatController | undefined;
let logout: FlexWebchatApi['logout'] = () => Promise.resolve();
const events = new SiteEvents((message, error) => console.error(message, error));
/** The context set before the widget started, checked already. */
let context: Record<string, string | number | boolean> = {};
let details: SiteDetails | undefined;
let prefill: ((values: unknown) => void) | undefined;
let greeting: GreetingView | undefined;
/** A greet() before the widget was mounted (webchat.js loads async). */
let greetEarly: { text?: string | undefined } | undefined;

/** The tab's storage by default; the browser's when the site opted in. */
function storage(persist: 'tab' | 'browser'): Storage | undefined {
  try {
    return persist === 'browser' ? window.localStorage : window.sessionStorage;
  } catch {
    return undefined; // blocked storage: chats just will not survive a reload
  }
}

/**
 * Styles the shadow root. A constructed stylesheet needs no <style> element,
 * so a strict CSP needs no 'unsafe-inline'; browsers without constructable
 * stylesheets (Safari < 16.4, Firefox < 101) get a <style> element instead.
 */
function applyStyles(shadow: ShadowRoot): void {
  if ('adoptedStyleSheets' in shadow && typeof CSSStyleSheet.prototype.replaceSync === 'function') {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    shadow.adoptedStyleSheets = [sheet];
    return;
  }
  const style = document.createElement('style');
  style.textContent = css;
  shadow.append(style);
}

/** The widget's host element, themed, with its shadow root and styles. */
function createHost(config: WidgetConfig): { host: HTMLElement; shadow: ShadowRoot } {
  const host = document.createElement('div');
  host.setAttribute('data-flex-webchat', '');
  for (const [name, value] of Object.entries(config.colors))
    host.style.setProperty(`--fw-${name}`, value);
  const shadow = host.attachShadow({ mode: 'open' });
  applyStyles(shadow);
  return { host, shadow };
}

/** What the page tells the widget: online or not, visible or not, a first gesture (audio). */
function watchPage(
  chat: ChatController,
  shadow: ShadowRoot,
  notifier: ReturnType<typeof lazyNotifier>,
): void {
  window.addEventListener('online', () => chat.setOnline(true));
  window.addEventListener('offline', () => chat.setOnline(false));
  document.addEventListener('visibilitychange', () => {
    chat.setVisible(document.visibilityState === 'visible');
    notifier.update(chat.state);
  });
  for (const type of ['pointerdown', 'keydown'])
    shadow.addEventListener(type, () => notifier.unlockAudio());
}

/** Off until /challenge names a provider: only then is its script loaded. */
function createCaptcha(config: WidgetConfig): Captcha {
  return new Captcha({
    load: loadProviderScript,
    language: config.locale,
    ...(config.captchaScriptUrl && { scriptUrl: config.captchaScriptUrl }),
  });
}

function init(options: WidgetOptions = {}): void {
  if (controller) return; // one widget per page
  const config = resolveConfig(options, scriptUrl, navigator.languages ?? [navigator.language]);
  const t = translator(config.locale, config.strings);

  const { host, shadow } = createHost(config);
  const factory = config.chatClientFactory;
  const captcha = createCaptcha(config);
  const plainApi = createApi(config.startChatUrl);
  // A signed-in customer's page loads webchat-customer.js (client/lib/customer-loader.ts).
  const api = customerApi(config, plainApi, (part) => {
    part.attach(chat);
    render(chat.state);
  });
  const site = siteParts(config, withCaptcha(api ?? plainApi, captcha));
  let unavailable: StartError | undefined;
  const chat = new ChatController({
    api: site.api,
    sessions: new SessionStore(storage(config.persist), config.startChatUrl),
    clientFactory: () => clientFactory(config, t('agent')),
    challenges: new Challenges({
      fetch: challengeFetch(config, captcha, (refusal) => {
        unavailable = refusal;
        render(chat.state);
      }),
      solve: createSolver(new URL('webchat-solver.js', config.sdkUrl).href),
    }),
    online: navigator.onLine,
  });
  controller = chat;
  logout = (options) => (announceLogout(config.startChatUrl), forget(chat, options));
  let hours: Availability | undefined;
  const notifier = lazyNotifier(config, t, () => chat.open(), storage(config.persist));
  const render = mountWidget(shadow, chat, config, t, config.locale, {
    captcha,
    availability: () => hours,
    afterChat: site.afterChat,
    notifier,
    greeting: (greeting = createGreeting(() => chat.open(), t, storage('browser'))),
    unavailable: () => unavailable,
  });
  chat.subscribe(render);
  chat.subscribe((state, action) => notifier.update(state, action));
  chat.subscribe(followChat(events, chat.state, { messageText: config.messageText }));
  prefill = (values) => applyPrefill(shadow, config, values);
  render(chat.state);
  watchHours(chat, config, (answer) => {
    hours = answer;
    render(chat.state);
  });
  document.body.append(host);
  performance.mark('flex-webchat:ready');
  events.emit('ready', {});

  watchPage(chat, shadow, notifier);
  void chat.resume();
  if (config.open) chat.open();
  if (config.greeting) greeting.schedule(config.greeting.text, config.greeting.afterSeconds);
  if (greetEarly) greeting.show(greetEarly.text);
  if (!factory) preloadSdk(config, shadow, chat);
}

/**
 * FlexWebchat.logout(): forgets the chat in this browser (the stored session,
 * the connection) and who was signed in; with `endChat`, ends it at the
 * service first (best effort: it may be unreachable). The panel closes.
 */
async function forget(chat: ChatController, options: { endChat?: boolean } = {}): Promise<void> {
  customerPart()?.forget();
  chat.close();
  await (options.endChat ? chat.abandon() : chat.newChat());
  chat.dispatch({ type: 'customer', signedIn: undefined });
}

/**
 * The site API's parts around the calls to the service: the start's details
 * (setContext, the page, the locale), the last token kept for after the chat,
 * and the place for the survey and emailed transcript.
 */
function siteParts(config: WidgetConfig, api: Api) {
  details = new SiteDetails({ sendPage: config.sendPage, locale: config.locale });
  details.setContext(context);
  const after = new AfterChat(config.startChatUrl);
  const url = new URL('webchat-after.js', config.sdkUrl).href;
  return {
    api: details.wrap(after.track(api)),
    afterChat: createAfterChatSlot(url, after, config),
  };
}

/** The SDK's (or a test's) client factory, naming agents as `agentName` says. */
async function clientFactory(config: WidgetConfig, agentLabel: string) {
  const factory = config.chatClientFactory ?? (await loadSdk(config.sdkUrl));
  return withAgentNames(factory, config.agentName, config.agentRoleLabel ?? agentLabel);
}

/**
 * POST /challenge, whose answer also configures the CAPTCHA, and tells
 * `onChange` when the service starts or stops refusing it as it would refuse
 * a start (not configured): the panel then says so on opening, not after
 * "Start chat" (client/lib/unavailable.ts).
 */
function challengeFetch(
  config: WidgetConfig,
  captcha: Captcha,
  onChange: (refusal: StartError | undefined) => void,
) {
  let refused = false;
  const fetchChallenge = createChallengeFetch(config.startChatUrl, fetch, (answer) => {
    captcha.configure(answer.captcha);
    if (refused) onChange(undefined);
    refused = false;
  });
  return reportUnavailable(fetchChallenge, (error) => {
    refused = true;
    onChange(toStartError(error));
  });
}

/** Fetches the SDK ahead of the chat as `preloadSdk` says (see client/lib/sdk-loader.ts). */
function preloadSdk(config: WidgetConfig, shadow: ShadowRoot, chat: ChatController): void {
  switch (config.preloadSdk) {
    case 'intent':
      return preloadOnIntent(shadow, config.sdkUrl, (start) => {
        if (chat.state.open) return start();
        const stop = chat.subscribe((state) => {
          if (!state.open) return;
          stop();
          start();
        });
      });
    case 'idle':
      return preloadWhenIdle(config.sdkUrl);
    case 'start':
      return;
  }
}

/**
 * Asks /availability when the panel opens (and on load with `availability:
 * 'load'`), at most one request at a time; see client/lib/availability.ts.
 */
function watchHours(
  chat: ChatController,
  config: WidgetConfig,
  onAnswer: (answer: Availability | undefined) => void,
): void {
  if (config.availability === 'off') return;
  const url = siblingUrl(config.startChatUrl, 'availability');
  let inFlight = false;
  const ask = () => {
    if (inFlight) return;
    inFlight = true;
    void fetchAvailability(url).then((answer) => {
      inFlight = false;
      onAnswer(answer);
    });
  };
  let wasOpen = chat.state.open;
  chat.subscribe((state) => {
    if (state.open && !wasOpen) ask();
    wasOpen = state.open;
  });
  if (config.availability === 'load' || wasOpen) ask();
}

window.FlexWebchat = {
  init: (options) => {
    const run = () => init(mergeOptions(window.FlexWebchatConfig, options));
    if (document.body) run();
    else document.addEventListener('DOMContentLoaded', run, { once: true });
  },
  open: (options) => {
    if (options?.prefill) prefill?.(options.prefill);
    controller?.open();
  },
  close: () => controller?.close(),
  logout: (options) => logout(options),
  registerSdk,
  registerSolver,
  registerCustomer,
  on: (name, listener) => events.on(name, listener),
  off: (name, listener) => events.off(name, listener),
  setContext: (value) => {
    context = checkContext(value);
    details?.setContext(context);
  },
  registerAfterChat,
  registerFormatter,
  registerNotifier,
  greet: (text) => {
    const custom = typeof text === 'string' ? text : undefined;
    if (greeting) greeting.show(custom);
    else greetEarly = { text: custom };
  },
};

if (script && !script.hasAttribute('data-manual')) {
  window.FlexWebchat.init(optionsFromDataset(script.dataset));
}
