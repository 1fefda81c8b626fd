/**
 * "End this chat?": shown in the composer's place when the customer asks to
 * end. Takes the state (its buttons wait while the chat is ending) and ends
 * the chat through the controller; `onClose` brings the composer back,
 * `onFailed` says the chat could not be ended.
 */
import type { ChatController } from '../lib/controller';
import type { Translate } from '../lib/i18n';
import type { State } from '../lib/state';
import { button, h } from './dom';

export interface EndConfirmView {
  element: HTMLElement;
  render(state: State): void;
  focus(): void;
  /** Closes the question if it is open and the chat is not ending; true when it did. */
  cancel(): boolean;
}

export function createEndConfirm(
  chat: Pick<ChatController, 'end'>,
  t: Translate,
  onClose: () => void,
  onFailed: () => void,
): EndConfirmView {
  /** From the last state rendered. */
  let ending = false;
  const confirmEnd = button('fw-primary-button fw-danger', t('endChat'), () => {
    text.focus(); // the buttons are disabled while ending
    void chat.end().then((ok) => {
      if (!ok) {
        onClose();
        onFailed();
      }
    });
  });
  const keepChatting = button('fw-secondary-button', t('keepChatting'), onClose);
  const text = h('p', { id: 'fw-confirm-text', role: 'status', tabindex: -1 }, t('confirmEnd'));
  const element = h(
    'div',
    { class: 'fw-confirm', role: 'group', 'aria-labelledby': 'fw-confirm-text', hidden: true },
    text,
    h('div', { class: 'fw-actions' }, keepChatting, confirmEnd),
  );
  return {
    element,
    render(state) {
      ending = state.phase === 'ending';
      confirmEnd.disabled = ending;
      keepChatting.disabled = ending;
      text.textContent = ending ? t('ending') : t('confirmEnd');
    },
    focus: () => keepChatting.focus(),
    cancel() {
      if (element.hidden || ending) return false;
      onClose();
      return true;
    },
  };
}
