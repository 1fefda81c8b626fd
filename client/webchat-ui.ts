/**
 * webchat-ui.js: the widget's panel, form and chat (client/lib/ui.ts), with
 * their styles and strings. webchat.js loads it at the visitor's first sign
 * of intent, when the panel opens, or at once when a chat in this browser is
 * to be resumed (client/lib/shell.ts); it hands itself over with
 * FlexWebchat.registerUi.
 */
import { startUi } from './lib/ui';

window.FlexWebchat?.registerUi(startUi);
