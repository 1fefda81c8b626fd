/**
 * `window.FlexWebchat`: the widget's public API (docs/widget.md), and the
 * door through which the lazily loaded bundles hand over what they bring
 * (`register…`, into the registry webchat-ui.js follows). Part of webchat.js.
 *
 * Calls made before the widget has started (webchat.js loads async, and
 * starts once the document's body is there) are queued and replayed in
 * order when it starts; calls made before webchat-ui.js has loaded are the
 * shell's (client/lib/shell.ts), which answers them or passes them on.
 */
import { mergeOptions, type WidgetOptions } from './config';
import { SiteEvents, type SiteEventName, type SiteListener } from './events';
import type { Registrations } from './registry';
import { Registry } from './registry';
import { Shell } from './shell';
import { checkContext, type ContextValue } from './site-details';

type Register<K extends keyof Registrations> = (value: Registrations[K]) => void;

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
  /** Shows the greeting bubble by the launcher now (see the `greeting` option). */
  greet(text?: string): void;
  /** Used by webchat-ui.js (the panel, the form, the chat) when it has run. */
  registerUi: Register<'ui'>;
  /** Used by webchat-sdk.js to hand over the Conversations SDK. */
  registerSdk: Register<'sdk'>;
  /** Used by webchat-after.js (the survey, the emailed transcript) when it has run. */
  registerAfterChat: Register<'afterChat'>;
  /** Used by webchat-solver.js when it runs on the page instead of in a worker. */
  registerSolver: Register<'solver'>;
  /** Used by webchat-customer.js, the signed-in customer's part. */
  registerCustomer: Register<'customer'>;
  /** Used by webchat-sdk.js to hand over the rich-text formatter (client/lib/markdown.ts). */
  registerFormatter: Register<'formatter'>;
  /** Used by webchat-sdk.js to hand over the unread alerts (client/lib/notify.ts). */
  registerNotifier: Register<'notifier'>;
}

declare global {
  interface Window {
    FlexWebchat?: FlexWebchatApi;
    FlexWebchatConfig?: WidgetOptions;
  }
}

/** The API for the widget whose script is at `scriptUrl`. */
export function createPublicApi(scriptUrl: string): FlexWebchatApi {
  const events = new SiteEvents((message, error) => console.error(message, error));
  const registry = new Registry();
  let shell: Shell | undefined;
  /** The context set before the widget started, checked already. */
  let context: Record<string, ContextValue> = {};
  /** Calls made before the widget started, in order. */
  const early: ((started: Shell) => void)[] = [];
  const whenStarted = (call: (started: Shell) => void) => (shell ? call(shell) : early.push(call));
  const register =
    <K extends keyof Registrations>(name: K): Register<K> =>
    (value) =>
      registry.put(name, value);

  return {
    init: (options) => {
      const run = () => {
        if (shell) return; // one widget per page
        const config = mergeOptions(window.FlexWebchatConfig, options);
        const started = new Shell(config, scriptUrl, registry, events, context);
        shell = started;
        for (const call of early.splice(0)) call(started);
      };
      if (document.body) run();
      else document.addEventListener('DOMContentLoaded', run, { once: true });
    },
    open: (options) => whenStarted((s) => s.open(options?.prefill)),
    close: () => whenStarted((s) => s.close()),
    logout: (options) => new Promise((done) => whenStarted((s) => done(s.logout(options)))),
    on: (name, listener) => events.on(name, listener),
    off: (name, listener) => events.off(name, listener),
    setContext: (value) => {
      context = checkContext(value);
      shell?.setContext(context);
    },
    greet: (text) => whenStarted((s) => s.greet(typeof text === 'string' ? text : undefined)),
    registerUi: register('ui'),
    registerSdk: (factory) => {
      performance.mark('flex-webchat:sdk-ready'); // what npm run bench times
      registry.put('sdk', factory);
    },
    registerAfterChat: register('afterChat'),
    registerSolver: register('solver'),
    registerCustomer: register('customer'),
    registerFormatter: register('formatter'),
    registerNotifier: register('notifier'),
  };
}
