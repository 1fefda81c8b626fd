/**
 * The panel webchat.js shows by itself when the rest of the widget
 * (webchat-ui.js) could not be loaded: the title, "Chat is not available
 * right now." as an alert, and a button to close it. Opening again tries the
 * load again (client/lib/shell.ts). Nothing was typed yet: the form comes
 * with webchat-ui.js.
 */
import type { ShellTranslate } from '../lib/i18n-shell';
import { h, iconButton } from './dom';

export interface ShellPanel {
  element: HTMLElement;
  show(): void;
  hide(): void;
}

export function createShellPanel(title: string, t: ShellTranslate, close: () => void): ShellPanel {
  const heading = h('h2', { id: 'fw-title', tabindex: -1 }, title);
  const note = h('p', { class: 'fw-shell-note', role: 'alert' });
  const element = h(
    'section',
    { id: 'fw-panel', class: 'fw-panel', role: 'dialog', 'aria-labelledby': 'fw-title' },
    h(
      'div',
      { class: 'fw-header' },
      heading,
      iconButton('close', t('closeChat'), { onclick: close }),
    ),
    note,
  );
  element.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') close();
  });
  element.hidden = true;
  return {
    element,
    show() {
      element.hidden = false;
      note.textContent = t('error.notConfigured');
      heading.focus();
    },
    hide() {
      element.hidden = true;
      note.textContent = '';
    },
  };
}
