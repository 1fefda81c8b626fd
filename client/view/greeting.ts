/**
 * The proactive greeting: a small bubble above the launcher ("Hi! Questions?
 * We're here to help."), after `greeting.afterSeconds` or when the site calls
 * `FlexWebchat.greet(text)`. It never takes focus; its text is a polite live
 * region (in the page from the start, so screen readers announce what
 * arrives); a labelled button dismisses it, and once dismissed (or once the
 * customer opens the chat) it is not shown again in this browser. Not shown
 * while the panel is open or a chat is under way. Clicking its text opens the
 * chat (keyboard users have the launcher next to it).
 */
import type { ShellTranslate } from '../lib/i18n-shell';
import type { State } from '../lib/state';
import { h, iconButton } from './dom';

const STORAGE_KEY = 'flex-webchat:greeting-dismissed';

export interface GreetingView {
  element: HTMLElement;
  /**
   * Shows `text` (default: the locale's greeting) now, unless dismissed
   * before or the customer is already chatting.
   */
  show(text?: string): void;
  /** Shows the greeting after `seconds`, under the same conditions. */
  schedule(text: string | undefined, seconds: number): void;
  /** The panel's state: no greeting while it is open or a chat is under way. */
  render(state: Pick<State, 'open' | 'phase'>): void;
}

export function createGreeting(
  open: () => void,
  t: ShellTranslate,
  storage: Storage | undefined,
): GreetingView {
  let busy = false; // the panel is open, or a chat is under way
  const text = h('p', { class: 'fw-greeting-text', role: 'status', onclick: open });
  const close = iconButton('close', t('greeting.dismiss'), {
    class: 'fw-icon-button fw-greeting-close',
    onclick: () => dismiss(),
  });
  close.hidden = true;
  const element = h('div', { class: 'fw-greeting' }, text, close);

  const dismissed = () => {
    try {
      return storage?.getItem(STORAGE_KEY) === '1';
    } catch {
      return false;
    }
  };
  const hide = () => {
    element.classList.remove('fw-shown');
    text.textContent = '';
    close.hidden = true;
  };
  function dismiss(): void {
    hide();
    try {
      storage?.setItem(STORAGE_KEY, '1');
    } catch {
      // blocked storage: dismissed for this page only
    }
  }
  const show = (message = t('greeting.text')) => {
    if (busy || dismissed() || !message.trim()) return;
    text.textContent = message;
    close.hidden = false;
    element.classList.add('fw-shown');
  };
  return {
    element,
    show,
    schedule(message, seconds) {
      setTimeout(() => show(message), Math.max(0, seconds) * 1000);
    },
    render(state) {
      busy = state.open || state.phase !== 'form';
      if (!busy || !element.classList.contains('fw-shown')) return;
      // Opened while greeted: the greeting did its job.
      if (state.open) dismiss();
      else hide();
    },
  };
}
