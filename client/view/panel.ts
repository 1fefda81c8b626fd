/**
 * The chat panel: a labelled dialog holding the header, the connection
 * banner and the body; non-modal beside the page, modal when it fills a
 * phone's screen. Escape goes to `onEscape`; full screen, Tab stays inside.
 * Takes the state (open or not).
 */
import type { State } from '../lib/state';
import { h } from './dom';

export interface PanelView {
  element: HTMLElement;
  render(state: State): void;
  /** Full screen: the panel is modal. */
  isModal(): boolean;
}

export function createPanel(
  shadow: ShadowRoot,
  parts: HTMLElement[],
  onEscape: () => void,
): PanelView {
  const element = h(
    'section',
    {
      id: 'fw-panel',
      class: 'fw-panel',
      role: 'dialog',
      'aria-labelledby': 'fw-title',
      hidden: true,
    },
    ...parts,
  );
  // Same query as the stylesheet's full-screen rule.
  const fullScreen = window.matchMedia('(max-width: 480px), (max-height: 500px)');
  const syncModal = () => element.setAttribute('aria-modal', String(fullScreen.matches));
  fullScreen.addEventListener('change', syncModal);
  syncModal();
  element.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      onEscape();
    } else if (event.key === 'Tab' && fullScreen.matches) {
      trapTab(event, element, shadow);
    }
  });
  return {
    element,
    render(state) {
      element.hidden = !state.open;
    },
    isModal: () => fullScreen.matches,
  };
}

/**
 * Full screen, the page behind is out of reach: Tab wraps around the
 * panel, from its ends or from anything not in the tab order (the heading).
 */
function trapTab(event: KeyboardEvent, panel: HTMLElement, shadow: ShadowRoot): void {
  const focusable = [
    ...panel.querySelectorAll<HTMLElement>(
      'button:not([disabled]), input:not([disabled]):not([tabindex="-1"]), textarea:not([disabled]), a[href], [tabindex="0"]',
    ),
  ].filter((el) => el.offsetParent !== null);
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  if (!first || !last) return;
  const at = focusable.indexOf(shadow.activeElement as HTMLElement);
  if (event.shiftKey && at <= 0) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (at === -1 || at === focusable.length - 1)) {
    event.preventDefault();
    first.focus();
  }
}
