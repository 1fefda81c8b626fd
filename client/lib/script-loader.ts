/**
 * The one way the widget loads its other bundles (webchat-ui.js,
 * webchat-sdk.js, webchat-solver.js, webchat-customer.js, webchat-after.js):
 * a classic <script>, not import(). It needs no CORS headers when the widget
 * is embedded on another site, and works under a strict CSP that allows the
 * service's origin. Each bundle hands what it brings to webchat.js through
 * `window.FlexWebchat.register…` as it runs, before its load event.
 *
 * One load per URL per page, however many callers ask (the launcher's intent
 * and the chat's start both ask for the SDK): they share one promise. A load
 * that fails (the network, a 404, or a script that ran but did not register)
 * is forgotten, so the next call tries again.
 *
 * webchat.js owns the loader; webchat-ui.js is a separate script with its
 * own copy of this module, so it adopts webchat.js's (`shareLoader`) and both
 * count the same loads.
 */
export type LoadScript = (url: string, started?: () => boolean) => Promise<void>;

const loads = new Map<string, Promise<void>>();

function loadOnce(url: string, started: () => boolean = () => true): Promise<void> {
  let load = loads.get(url);
  if (!load) {
    load = new Promise<void>((resolve, reject) => {
      const script = document.createElement('script');
      script.src = url;
      script.async = true;
      const fail = (message: string) => {
        loads.delete(url); // a later call tries again
        script.remove();
        reject(new Error(message));
      };
      script.onerror = () => fail(`${url} could not be loaded.`);
      // Loaded but never registered (it failed to run, or another copy of
      // the widget replaced FlexWebchat): say so instead of waiting forever.
      script.onload = () =>
        queueMicrotask(() => (started() ? resolve() : fail(`${url} did not start.`)));
      document.head.append(script);
    });
    loads.set(url, load);
  }
  return load;
}

let shared: LoadScript = loadOnce;

/** Loads `url` once; resolves when it has run and `started()` says it registered. */
export const loadScript: LoadScript = (url, started) => shared(url, started);

/** webchat.js's own loader, for the bundles webchat-ui.js loads in turn. */
export const ownLoader: LoadScript = loadOnce;

/** In webchat-ui.js: load through webchat.js's loader from now on. */
export function shareLoader(load: LoadScript): void {
  shared = load;
}
