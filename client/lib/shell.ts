/**
 * webchat.js's part of the widget: what every page view needs, and no more.
 * It reads the configuration, shows the launcher (and the greeting), and
 * loads the rest, webchat-ui.js (the panel, the form, the chat: ui.ts), only
 * when the visitor shows intent (pointer over or focus on the launcher), the
 * panel opens, or a chat in progress in this browser is to be resumed, and
 * the Conversations SDK (webchat-sdk.js) alongside, as `preloadSdk` says.
 * Until webchat-ui.js is here the shell answers the public API itself: an
 * open waits for it (and opens the panel then), prefill values go into the
 * configuration the form is built from.
 *
 * If webchat-ui.js cannot be loaded, an open shows a small panel saying chat
 * is not available (view/shell-panel.ts); the next open tries again.
 */
import { resolveConfig, type WidgetConfig, type WidgetOptions } from './config';
import { announceLogout } from './customer-logout';
import type { SiteEvents } from './events';
import { shellTranslator } from './i18n-shell';
import type { Registry } from './registry';
import { ownLoader } from './script-loader';
import { SessionStore } from './session-store';
import type { ContextValue } from './site-details';
import type { UiHandle } from './ui-contract';
import css from '../styles/launcher.css';
import { h } from '../view/dom';
import { createGreeting, type GreetingView } from '../view/greeting';
import { createLauncher, type LauncherView } from '../view/launcher';
import { applyPrefill } from '../view/prefill';
import { createShellPanel, type ShellPanel } from '../view/shell-panel';
import { addStyles } from '../view/styles';

/** The pointer, focus or touch events that show a visitor may be about to chat. */
const INTENT_EVENTS = ['pointerover', 'focusin', 'touchstart'] as const;

/** The tab's storage by default; the browser's when the site opted in. */
export function storage(persist: 'tab' | 'browser'): Storage | undefined {
  try {
    return persist === 'browser' ? window.localStorage : window.sessionStorage;
  } catch {
    return undefined; // blocked storage: chats just will not survive a reload
  }
}

/** The widget's host element, themed, with its shadow root and the launcher's styles. */
function createHost(config: WidgetConfig): { host: HTMLElement; shadow: ShadowRoot } {
  const host = document.createElement('div');
  host.setAttribute('data-flex-webchat', '');
  for (const [name, value] of Object.entries(config.colors))
    host.style.setProperty(`--fw-${name}`, value);
  const shadow = host.attachShadow({ mode: 'open' });
  addStyles(shadow, css);
  return { host, shadow };
}

/** Runs `start` once the page has loaded and the browser has nothing better to do. */
function whenIdle(start: () => void): void {
  const idle = (window as { requestIdleCallback?: (cb: () => void, o?: object) => number })
    .requestIdleCallback;
  const later = () => (idle ? idle(start, { timeout: 5000 }) : setTimeout(start, 2000));
  if (document.readyState === 'complete') later();
  else window.addEventListener('load', later, { once: true });
}

/** The public API's calls, answered by the shell until webchat-ui.js is here, then by it. */
export class Shell {
  readonly config: WidgetConfig;
  private readonly shadow: ShadowRoot;
  private readonly root: HTMLElement;
  private readonly launcher: LauncherView;
  private readonly greeting: GreetingView;
  private readonly panel: ShellPanel;
  private ui?: UiHandle;
  private loading?: Promise<UiHandle>;
  /** Opened before webchat-ui.js was here: open the panel when it is. */
  private wantOpen = false;
  /** A chat was stored in this browser when the page loaded. */
  private readonly stored: boolean;

  constructor(
    options: WidgetOptions,
    scriptUrl: string,
    private readonly registry: Registry,
    private readonly events: SiteEvents,
    private context: Record<string, ContextValue>,
  ) {
    const config = resolveConfig(options, scriptUrl, navigator.languages ?? [navigator.language]);
    this.config = config;
    const t = shellTranslator(config.locale, config.strings);
    const { host, shadow } = createHost(config);
    this.shadow = shadow;
    const open = () => this.open();
    const close = () => this.close();
    this.panel = createShellPanel(config.title ?? t('title'), t, close);
    this.launcher = createLauncher({ open, close }, t, config.locale);
    this.greeting = createGreeting(open, t, storage('browser'));
    this.root = h(
      'div',
      { class: 'fw-root', 'data-position': config.position },
      this.panel.element,
      this.greeting.element,
      this.launcher.element,
    );
    shadow.append(this.root);
    document.body.append(host);
    performance.mark('flex-webchat:ready');
    events.emit('ready', {});
    this.stored = !!new SessionStore(storage(config.persist), config.startChatUrl).load();
    this.startLoading();
    if (config.greeting) this.greeting.schedule(config.greeting.text, config.greeting.afterSeconds);
  }

  /** When to load webchat-ui.js and webchat-sdk.js ahead of an open. */
  private startLoading(): void {
    const { config } = this;
    for (const type of INTENT_EVENTS)
      this.shadow.addEventListener(type, this.intent, { passive: true });
    if (this.stored) {
      // A chat in progress in this browser: bring it back at once.
      void this.loadUi().catch(() => undefined);
      this.loadSdk();
    } else if (config.availability === 'load') {
      void this.loadUi().catch(() => undefined); // opening hours may hide the launcher
    }
    if (config.preloadSdk === 'idle') {
      whenIdle(() => {
        this.intent();
        this.loadSdk();
      });
    }
    if (config.open) this.open();
  }

  open(prefill?: unknown): void {
    if (prefill) applyPrefill(this.shadow, this.config, prefill);
    if (this.ui) return this.ui.open();
    this.setOpen(true);
    this.intent();
    // Loaded, webchat-ui.js opens the panel itself (ShellParts.opened); failed, this says so.
    this.loadUi().catch(() => this.wantOpen && this.panel.show());
  }

  close(): void {
    if (this.ui) return this.ui.close();
    const hadFocus = this.panel.element.contains(this.shadow.activeElement);
    this.panel.hide();
    this.setOpen(false);
    if (hadFocus) this.launcher.element.focus();
  }

  logout(options?: { endChat?: boolean }): Promise<void> {
    announceLogout(this.config.startChatUrl); // the site's other tabs forget theirs too
    if (this.ui) return this.ui.logout(options);
    // Nothing to forget unless a chat is stored or a customer signed in: then the UI does it.
    if (!this.loading && !this.stored && !this.signedIn()) return Promise.resolve();
    return this.loadUi().then((ui) => ui.logout(options));
  }

  setContext(context: Record<string, ContextValue>): void {
    this.context = context;
    this.ui?.setContext(context);
  }

  greet(text?: string): void {
    this.greeting.show(text);
  }

  /**
   * Before webchat-ui.js is here: the launcher and the greeting follow the
   * shell's open, and the site hears `open` and `close` as they are asked for
   * (webchat-ui.js starts from this state, so it does not tell them again).
   */
  private setOpen(open: boolean): void {
    if (open === this.wantOpen) return;
    this.wantOpen = open;
    this.root.classList.toggle('fw-open', open);
    this.launcher.render({ open, unread: 0 });
    this.greeting.render({ open, phase: 'form' });
    this.events.emit(open ? 'open' : 'close', {});
  }

  /** The visitor may be about to chat: the UI now, the SDK too unless `preloadSdk` says later. */
  private readonly intent = () => {
    for (const type of INTENT_EVENTS) this.shadow.removeEventListener(type, this.intent);
    void this.loadUi().catch(() => undefined); // an open says what failed
    if (this.config.preloadSdk === 'intent') this.loadSdk();
  };

  /** The page says who is signed in (docs/signed-in.md): webchat-customer.js comes too. */
  private signedIn(): boolean {
    const { customerToken, getCustomerToken } = this.config;
    return customerToken !== undefined || getCustomerToken !== undefined;
  }

  private loadSdk(): void {
    if (this.config.chatClientFactory) return; // a test's or the preview's: no SDK
    const sdk = ownLoader(this.config.sdkUrl, () => this.registry.get('sdk') !== undefined);
    void sdk.catch(() => undefined); // the chat's own load says what failed
  }

  private loadUi(): Promise<UiHandle> {
    const url = (name: string) => new URL(name, this.config.sdkUrl).href;
    const ui = ownLoader(url('webchat-ui.js'), () => this.registry.get('ui') !== undefined);
    // A signed-in customer's part alongside, so the form knows who it is as it shows
    // (customer-loader.ts loads it again through the same loader, and says if it failed).
    const customer = this.signedIn()
      ? ownLoader(url('webchat-customer.js'), () => this.registry.get('customer') !== undefined)
      : undefined;
    this.loading ??= Promise.all([ui, customer?.catch(() => undefined)]).then(
      () => this.startUi(),
      (error: unknown) => {
        this.loading = undefined; // the next open tries again
        throw error;
      },
    );
    return this.loading;
  }

  private startUi(): UiHandle {
    const start = this.registry.get('ui');
    if (!start) throw new Error('webchat-ui.js did not start.');
    this.panel.element.remove();
    const { config, shadow, root, launcher, greeting, events, registry, context } = this;
    const parts = { config, shadow, root, launcher, greeting, events, registry, context };
    this.ui = start({ ...parts, opened: this.wantOpen, loadScript: ownLoader, storage });
    return this.ui;
  }
}
