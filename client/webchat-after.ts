/**
 * webchat-after.js, loaded once a chat is under way (client/lib/after-chat-loader.ts):
 * what the ended chat's panel offers when the site turned it on, the survey
 * and "Email me this transcript" (client/view/after-chat.ts), with their
 * styles. Kept out of webchat.js so visitors who never chat never pay for it.
 */
import css from './styles/after-chat.css';
import { createAfterChatView } from './view/after-chat';

window.FlexWebchat?.registerAfterChat((after, options) => createAfterChatView(after, options, css));
