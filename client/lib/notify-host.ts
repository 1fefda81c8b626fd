/**
 * webchat.js's stand-in for the unread alerts (notify.ts), whose code comes
 * with webchat-sdk.js (FlexWebchat.registerNotifier): nothing to alert about
 * before then, since messages arrive only through the SDK. Until it is here,
 * updates do nothing and "Notify me" (shown only while a chat is on, so
 * after it) reads as off.
 */
import type { Notifier } from './notify';

type Controls = Pick<
  Notifier,
  'update' | 'unlockAudio' | 'available' | 'permission' | 'enabled' | 'toggle'
>;

let Registered: typeof Notifier | undefined;

/** Called by webchat-sdk.js. */
export function registerNotifier(notifier: typeof Notifier): void {
  Registered = notifier;
}

/** The widget's notifier: the real one, built with these arguments once it is registered. */
export function lazyNotifier(...args: ConstructorParameters<typeof Notifier>): Controls {
  let real: Notifier | undefined;
  const get = () => (real ??= Registered && new Registered(...args));
  return {
    available: args[0].notifyBrowser && typeof Notification === 'function',
    get permission() {
      return get()?.permission ?? 'default';
    },
    enabled: () => get()?.enabled() ?? false,
    toggle: () => get()?.toggle() ?? Promise.resolve(),
    update: (state, action) => get()?.update(state, action),
    unlockAudio: () => get()?.unlockAudio(),
  };
}
