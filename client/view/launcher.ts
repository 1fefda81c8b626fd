/**
 * The launcher: the round button that opens and closes the panel, with the
 * count of unread messages while the panel is closed. Part of webchat.js
 * (the shell): it shows before the rest of the widget has loaded, and opens
 * through the shell, which loads the rest. Once the chat runs, the widget's
 * render gives it the panel's state and the unread count.
 */
import { unreadLabel, type Locale, type ShellTranslate } from '../lib/i18n-shell';
import { h, icon } from './dom';

export interface LauncherState {
  open: boolean;
  /** Unread messages (0 while the panel is open). */
  unread: number;
}

export interface LauncherView {
  element: HTMLButtonElement;
  render(state: LauncherState): void;
}

export function createLauncher(
  chat: { open(): void; close(): void },
  t: ShellTranslate,
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
  const view: LauncherView = {
    element,
    render(state) {
      open = state.open;
      element.setAttribute('aria-expanded', String(state.open));
      const unread = state.open ? 0 : state.unread;
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
  view.render({ open: false, unread: 0 });
  return view;
}
