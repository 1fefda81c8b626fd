/**
 * The line saying who is typing, from the state; empty once the chat has
 * ended. Screen readers do not get it (aria-hidden).
 */
import type { Translate } from '../lib/i18n';
import { typingNames, type State } from '../lib/state';
import { h } from './dom';

export interface TypingView {
  element: HTMLElement;
  render(state: State): void;
}

export function createTypingLine(t: Translate): TypingView {
  const element = h('p', { class: 'fw-typing', 'aria-hidden': 'true' });
  return {
    element,
    render(state) {
      const typers = state.phase === 'ended' ? [] : typingNames(state);
      element.textContent = typers.length ? t('typing', { name: typers.join(', ') }) : '';
    },
  };
}
