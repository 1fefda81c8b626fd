/**
 * The panel's header: the title (which labels the panel), "End chat" while
 * a chat is on, and the close button. Takes the state; "End chat" asks
 * first (`onEnd`), the close button closes through the controller.
 */
import type { ChatController } from '../lib/controller';
import type { Translate } from '../lib/i18n';
import type { State } from '../lib/state';
import { button, h, iconButton } from './dom';

export interface HeaderView {
  element: HTMLElement;
  render(state: State): void;
  focus(): void;
}

export function createHeader(
  chat: Pick<ChatController, 'close'>,
  title: string,
  t: Translate,
  onEnd: () => void,
): HeaderView {
  const endButton = button('fw-header-button', t('endChat'), onEnd);
  endButton.hidden = true;
  const closeButton = iconButton('close', t('closeChat'), {
    class: 'fw-icon-button fw-header-close',
    onclick: () => chat.close(),
  });
  const heading = h('h2', { id: 'fw-title', tabindex: -1 }, title);
  return {
    element: h(
      'header',
      { class: 'fw-header' },
      heading,
      h('div', { class: 'fw-header-actions' }, endButton, closeButton),
    ),
    render(state) {
      endButton.hidden = state.phase !== 'chat';
    },
    focus: () => heading.focus(),
  };
}
