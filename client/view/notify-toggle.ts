/**
 * "Notify me of new messages": the customer's switch for browser
 * notifications (client/lib/notify.ts), under the header while a chat is on,
 * when the site opted in (`notifyBrowser`) and the browser has them. The
 * browser's permission is asked from this click only. If the browser (or the
 * customer, earlier) blocked them, a click says so instead.
 */
import type { Notifier } from '../lib/notify';
import type { Translate } from '../lib/i18n';
import type { State } from '../lib/state';
import { h } from './dom';

export interface NotifyToggleView {
  element: HTMLElement;
  render(state: State): void;
}

export function createNotifyToggle(
  notifier: Pick<Notifier, 'available' | 'permission' | 'enabled' | 'toggle'>,
  t: Translate,
): NotifyToggleView {
  let chatOn = false;
  /** Clicked while blocked: the note says why nothing happens. */
  let tried = false;
  const toggle = h(
    'button',
    { type: 'button', class: 'fw-notify-toggle', 'aria-pressed': 'false' },
    t('notify.toggleLabel'),
  );
  const blocked = h('p', { class: 'fw-notify-blocked', hidden: true }, t('notify.blocked'));
  const element = h('div', { class: 'fw-notify', hidden: true }, toggle, blocked);
  const sync = () => {
    const denied = notifier.permission === 'denied';
    element.hidden = !chatOn || !notifier.available || (denied && !tried);
    toggle.hidden = denied;
    blocked.hidden = !denied;
    toggle.setAttribute('aria-pressed', String(notifier.enabled()));
  };
  toggle.addEventListener('click', () => {
    tried = true;
    void notifier.toggle().then(() => {
      sync();
      // The button is gone (blocked): keep focus on the note's container, not the page.
      if (toggle.hidden) blocked.focus();
    });
  });
  blocked.tabIndex = -1;
  return {
    element,
    render(state) {
      chatOn = state.phase === 'chat';
      sync();
    },
  };
}
