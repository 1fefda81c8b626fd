/**
 * Loads the Conversations SDK bundle (webchat-sdk.js) only when it is needed,
 * so what a visitor downloads first is the small widget script. A classic
 * <script>, not import(): it needs no CORS headers when the widget is
 * embedded on another site, and works under a strict CSP that allows the
 * service's origin. The bundle registers its factory with `registerSdk`.
 */
import type { ChatClientFactory } from './chat-client';

let pending: Promise<ChatClientFactory> | undefined;
let resolveRegistration: ((factory: ChatClientFactory) => void) | undefined;

/** Called by webchat-sdk.js when it has run. */
export function registerSdk(factory: ChatClientFactory): void {
  performance.mark('flex-webchat:sdk-ready'); // what npm run bench times
  const resolve = resolveRegistration;
  resolveRegistration = undefined;
  if (resolve) resolve(factory);
  else pending = Promise.resolve(factory);
}

export function loadSdk(url: string, doc: Document = document): Promise<ChatClientFactory> {
  pending ??= new Promise<ChatClientFactory>((resolve, reject) => {
    resolveRegistration = resolve;
    const script = doc.createElement('script');
    script.src = url;
    script.async = true;
    const fail = (message: string) => {
      pending = undefined; // let a later attempt try again
      resolveRegistration = undefined;
      script.remove();
      reject(new Error(message));
    };
    script.onerror = () => fail('The chat library could not be loaded.');
    // Loaded but never registered (it failed to run, or another copy of the
    // widget replaced FlexWebchat): say so instead of waiting forever.
    script.onload = () =>
      queueMicrotask(() => {
        if (resolveRegistration === resolve) fail('The chat library did not start.');
      });
    doc.head.append(script);
  });
  return pending;
}

/** The pointer, focus or touch events that show a visitor may be about to chat. */
const INTENT_EVENTS = ['pointerover', 'focusin', 'touchstart'] as const;

/**
 * Starts loading at the first sign of intent inside `root` (the widget's
 * shadow root: its launcher or panel), or when `opened` fires (the panel
 * opened from code or on load). Most visitors never show any, and so never
 * download the SDK; one who does has it by the time the form is filled in.
 */
export function preloadOnIntent(
  root: EventTarget,
  url: string,
  opened: (start: () => void) => void,
): void {
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    for (const type of INTENT_EVENTS) root.removeEventListener(type, start);
    void loadSdk(url).catch(() => undefined); // the chat's own load says what failed
  };
  for (const type of INTENT_EVENTS) root.addEventListener(type, start, { passive: true });
  opened(start);
}

/** Starts loading once the browser has nothing better to do. */
export function preloadWhenIdle(url: string): void {
  const start = () => void loadSdk(url).catch(() => undefined);
  const idle = (window as { requestIdleCallback?: (cb: () => void, o?: object) => number })
    .requestIdleCallback;
  const later = () => (idle ? idle(start, { timeout: 5000 }) : setTimeout(start, 2000));
  if (document.readyState === 'complete') later();
  else window.addEventListener('load', later, { once: true });
}
