/**
 * The panel's body while a stored chat is being reached again: "Reconnecting
 * to your chat…", "Try again" now, or give up and start a new chat. Shown
 * by the panel body on entering that phase; acts through the controller.
 */
import type { ChatController } from '../lib/controller';
import type { Translate } from '../lib/i18n';
import { button, h } from './dom';

export interface ReconnectingView {
  element: HTMLElement;
  /** Call once it is in the page: resets the buttons, then announces the status. */
  show(): void;
  focus(): void;
}

export function createReconnecting(
  chat: Pick<ChatController, 'retryNow' | 'abandon'>,
  t: Translate,
): ReconnectingView {
  const tryAgain = button('fw-secondary-button', t('tryAgain'), () => chat.retryNow());
  const giveUp = button('fw-link-button', t('newChat'), () => {
    // Ending the old chat can take a while: no second click, no retry meanwhile.
    tryAgain.disabled = giveUp.disabled = true;
    void chat.abandon();
  });
  const text = h('p', { role: 'status' });
  return {
    element: h(
      'div',
      { class: 'fw-progress' },
      text,
      h('div', { class: 'fw-actions' }, tryAgain, giveUp),
    ),
    show() {
      tryAgain.disabled = giveUp.disabled = false;
      // Set once it is in the page, so the status is announced.
      text.textContent = '';
      setTimeout(() => (text.textContent = t('resuming')), 50);
    },
    focus: () => tryAgain.focus(),
  };
}
