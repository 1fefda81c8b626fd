/**
 * webchat.js: the embeddable widget. One script tag on any site adds a
 * launcher and a chat panel, isolated in a shadow root:
 *
 *   <script src="https://example-1234.twil.io/webchat.js" async
 *           data-title="Chat with us" data-locale="en"></script>
 *
 * or, with `data-manual` on the tag, `FlexWebchat.init({ ... })` from your own
 * code (options: client/lib/config.ts).
 *
 * This file is only what a page view that never chats needs (client/lib/
 * shell.ts): the configuration, the launcher and the greeting, the public
 * API (client/lib/public-api.ts) and the events. The panel, the form and
 * the chat are webchat-ui.js (client/webchat-ui.ts), the Conversations SDK is
 * webchat-sdk.js: both are fetched at the visitor's first sign of intent (or
 * as `preloadSdk` says), or at once when a chat in this browser is to be
 * resumed. Nor is the challenge solver here: webchat-solver.js runs in a
 * worker once the form is shown.
 */
import { optionsFromDataset } from './lib/config';
import { createPublicApi } from './lib/public-api';

export type { FlexWebchatApi } from './lib/public-api';

const script = document.currentScript as HTMLScriptElement | null;
const scriptUrl = script?.src || new URL('webchat.js', location.href).href;

window.FlexWebchat = createPublicApi(scriptUrl);

if (script && !script.hasAttribute('data-manual')) {
  window.FlexWebchat.init(optionsFromDataset(script.dataset));
}
