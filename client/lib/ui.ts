/**
 * webchat-ui.js's part of the widget: the panel, the form, the chat, loaded
 * by webchat.js (client/lib/shell.ts) at the visitor's first sign of intent,
 * or at once to resume a chat. `startUi` gets what the shell built (the
 * configuration, the shadow root with the launcher and the greeting, the
 * events, the registry, the one script loader) and builds the rest around
 * the chat controller; it answers the public API from then on.
 */
import { AfterChat } from './after-chat';
import { registerAfterChat } from './after-chat-loader';
import { createApi, createChallengeFetch, siblingUrl, toStartError, type Api } from './api';
import { fetchAvailability, type Availability } from './availability';
import { Captcha, loadProviderScript, withCaptcha } from './captcha';
import { Challenges } from './challenge';
import type { WidgetConfig } from './config';
import { withAgentNames } from './agent-name';
import { ChatController } from './controller';
import { customerApi, customerPart, registerCustomer } from './customer-loader';
import { followChat } from './events';
import { SiteDetails } from './site-details';
import { translator } from './i18n';
import { registerFormatter } from './markdown-host';
import { lazyNotifier, registerNotifier } from './notify-host';
import { shareLoader } from './script-loader';
import { loadSdk, registerSdk } from './sdk-loader';
import { SessionStore } from './session-store';
import type { StartError } from './state';
import { createSolver, registerSolver } from './solver-host';
import type { ShellParts, UiHandle } from './ui-contract';
import { reportUnavailable } from './unavailable';
import css from '../styles/widget.css';
import { createAfterChatSlot } from '../view/after-chat-slot';
import { addStyles } from '../view/styles';
import { mountWidget } from '../view/widget';

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

export function startUi(parts: ShellParts): UiHandle {
  shareLoader(parts.loadScript);
  parts.registry.follow({
    sdk: registerSdk,
    formatter: registerFormatter,
    notifier: registerNotifier,
    solver: registerSolver,
    customer: registerCustomer,
    afterChat: registerAfterChat,
  });
  addStyles(parts.shadow, css);
  return mountUi(parts);
}

/** The chat controller, its parts and its views, answering the public API. */
function mountUi(parts: ShellParts): UiHandle {
  const { config, shadow, events, storage } = parts;
  const t = translator(config.locale, config.strings);
  const captcha = createCaptcha(config);
  const plainApi = createApi(config.startChatUrl);
  // A signed-in customer's page loads webchat-customer.js (client/lib/customer-loader.ts).
  const api = customerApi(config, plainApi, (part) => {
    part.attach(chat);
    render(chat.state);
  });
  const site = siteParts(config, withCaptcha(api ?? plainApi, captcha), parts.context);
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
  if (parts.opened) chat.open(); // before the views and events follow it: it is open already
  let hours: Availability | undefined;
  const notifier = lazyNotifier(config, t, () => chat.open(), storage(config.persist));
  const render = mountWidget(parts, chat, config, t, config.locale, {
    captcha,
    availability: () => hours,
    afterChat: site.afterChat,
    notifier,
    greeting: parts.greeting,
    unavailable: () => unavailable,
  });
  chat.subscribe(render);
  chat.subscribe((state, action) => notifier.update(state, action));
  chat.subscribe(followChat(events, chat.state, { messageText: config.messageText }));
  render(chat.state);
  watchHours(chat, config, (answer) => {
    hours = answer;
    render(chat.state);
  });
  watchPage(chat, shadow, notifier);
  void chat.resume();
  return {
    open: () => chat.open(),
    close: () => chat.close(),
    logout: (options) => forget(chat, options),
    setContext: (context) => site.details.setContext(context),
  };
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
function siteParts(config: WidgetConfig, api: Api, context: ShellParts['context']) {
  const details = new SiteDetails({ sendPage: config.sendPage, locale: config.locale });
  details.setContext(context);
  const after = new AfterChat(config.startChatUrl);
  const url = new URL('webchat-after.js', config.sdkUrl).href;
  return {
    details,
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
