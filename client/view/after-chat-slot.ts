/**
 * The place under an ended chat where the survey and "Email me this
 * transcript" go (view/after-chat.ts). Their code is in webchat-after.js,
 * fetched once a chat is under way (client/lib/after-chat-loader.ts), so it
 * is there by the time the chat ends; until then, and if it cannot be
 * loaded, the slot is empty and the ended panel works as before.
 */
import type { AfterChat } from '../lib/after-chat';
import { loadAfterChat, type AfterChatOptions, type AfterChatView } from '../lib/after-chat-loader';
import type { State } from '../lib/state';
import { h } from './dom';

export function createAfterChatSlot(
  url: string,
  after: AfterChat,
  options: AfterChatOptions,
): AfterChatView | undefined {
  if (!options.survey && !options.emailTranscript) return undefined;
  const element = h('div', { class: 'fw-after-chat-slot' });
  let view: AfterChatView | undefined;
  let last: State | undefined;
  let asked = false;
  return {
    element,
    render(state) {
      last = state;
      if (view) return view.render(state);
      if (asked || (state.phase !== 'chat' && state.phase !== 'ended')) return;
      asked = true;
      loadAfterChat(url).then(
        (factory) => {
          view = factory(after, options);
          element.append(view.element);
          if (last) view.render(last);
        },
        () => {
          asked = false; // the next chat tries again
        },
      );
    },
  };
}
