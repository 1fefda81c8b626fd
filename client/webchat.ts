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
import { createApi, createChallengeFetch, siblingUrl, type Api } from './lib/api';
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
import { ChatController } from './lib/controller';
import { followChat, SiteEvents, type SiteEventName, type SiteListener } from './lib/events';
import { checkContext, SiteDetails } from './lib/site-details';
import { translator } from './lib/i18n';
import { loadSdk, preloadOnIntent, preloadWhenIdle, registerSdk } from './lib/sdk-loader';
import { SessionStore } from './lib/session-store';
import { createSolver, registerSolver } from './lib/solver-host';
import css from './styles/widget.css';
import { createAfterChatSlot } from './view/after-chat-slot';
import { applyPrefill } from './view/prefill';
import { mountWidget } from './view/widget';

export interface FlexWebchatApi {
  init(options?: WidgetOptions): void;
  /** Opens the panel; `prefill` fills the form's empty fields (client/view/prefill.ts). */
  open(options?: { prefill?: Record<string, string> }): void;
  close(): void;
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
const events = new SiteEvents((message, error) => console.error(message, error));
/** The context set before the widget started, checked already. */
let context: Record<string, string | number | boolean> = {};
let details: SiteDetails | undefined;
let prefill: ((values: unknown) => void) | undefined;

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

function init(options: WidgetOptions = {}): void {
  if (controller) return; // one widget per page
  const config = resolveConfig(options, scriptUrl, navigator.languages ?? [navigator.language]);
  const t = translator(config.locale, config.strings);

  const host = document.createElement('div');
  host.setAttribute('data-flex-webchat', '');
  for (const [name, value] of Object.entries(config.colors))
    host.style.setProperty(`--fw-${name}`, value);
  const shadow = host.attachShadow({ mode: 'open' });
  applyStyles(shadow);

  const factory = config.chatClientFactory;
  // Off until /challenge names one: only then is the provider's script loaded.
  const captcha = new Captcha({
    load: loadProviderScript,
    language: config.locale,
    ...(config.captchaScriptUrl && { scriptUrl: config.captchaScriptUrl }),
  });
  const site = siteParts(config, withCaptcha(createApi(config.startChatUrl), captcha));
  const chat = new ChatController({
    api: site.api,
    sessions: new SessionStore(storage(config.persist), config.startChatUrl),
    clientFactory: factory ? () => Promise.resolve(factory) : () => loadSdk(config.sdkUrl),
    challenges: new Challenges({
      fetch: createChallengeFetch(config.startChatUrl, fetch, (answer) =>
        captcha.configure(answer.captcha),
      ),
      solve: createSolver(new URL('webchat-solver.js', config.sdkUrl).href),
    }),
    online: navigator.onLine,
  });
  controller = chat;
  let hours: Availability | undefined;
  const render = mountWidget(shadow, chat, config, t, config.locale, {
    captcha,
    availability: () => hours,
    afterChat: site.afterChat,
  });
  chat.subscribe(render);
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

  window.addEventListener('online', () => chat.setOnline(true));
  window.addEventListener('offline', () => chat.setOnline(false));
  document.addEventListener('visibilitychange', () =>
    chat.setVisible(document.visibilityState === 'visible'),
  );
  void chat.resume();
  if (config.open) chat.open();
  if (!factory) preloadSdk(config, shadow, chat);
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
  on: (name, listener) => events.on(name, listener),
  off: (name, listener) => events.off(name, listener),
  setContext: (value) => {
    context = checkContext(value);
    details?.setContext(context);
  },
  registerSdk,
  registerSolver,
  registerAfterChat,
};

if (script && !script.hasAttribute('data-manual')) {
  window.FlexWebchat.init(optionsFromDataset(script.dataset));
}
