/**
 * The launcher: the round button that opens and closes the panel, with the
 * count of unread messages while the panel is closed. Takes the state;
 * opens or closes through the controller.
 */
import type { ChatController } from '../lib/controller';
import { unreadLabel, type Locale, type Translate } from '../lib/i18n';
import { unreadCount, type State } from '../lib/state';
import { h, icon } from './dom';

export interface LauncherView {
  element: HTMLButtonElement;
  render(state: State): void;
}

export function createLauncher(
  chat: Pick<ChatController, 'open' | 'close'>,
  t: Translate,
  locale: Locale,
): LauncherView {
  /** From the last state rendered: a click opens or closes. */
  let open = false;
  const badge = h('span', { class: 'fw-badge', 'aria-hidden': 'true', hidden: true });
  const element = h(
    'button',
    {
      type: 'button',
      class: 'fw-launcher',
      'aria-controls': 'fw-panel',
      'aria-expanded': 'false',
      onclick: () => (open ? chat.close() : chat.open()),
    },
    icon('chat'),
    badge,
  );
  return {
    element,
    render(state) {
      open = state.open;
      element.setAttribute('aria-expanded', String(state.open));
      const unread = state.open ? 0 : unreadCount(state);
      badge.hidden = unread === 0;
      badge.textContent = unread > 9 ? '9+' : String(unread);
      element.setAttribute(
        'aria-label',
        unread > 0
          ? `${t('openChat')}, ${unreadLabel(t, locale, unread)}`
          : state.open
            ? t('closeChat')
            : t('openChat'),
      );
    },
  };
}
