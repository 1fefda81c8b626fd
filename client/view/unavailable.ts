/**
 * "Chat is not available right now" at the top of the panel, instead of the
 * form, as soon as the service refuses the form's challenge the way it would
 * refuse a start (client/lib/unavailable.ts): not configured, with the
 * variables for the site owner under "Details" (start-error.ts). An alert, so
 * a screen reader hears it when it arrives; written only when it changes, so
 * it is heard once. Shown only while the form would be: a chat under way is
 * never covered. Returns whether it is shown (the frame then hides the form).
 */
import type { State, StartError } from '../lib/state';
import type { Translate } from '../lib/i18n';
import { h } from './dom';
import { renderStartError } from './start-error';

export interface UnavailableView {
  element: HTMLElement;
  render(state: State, refusal: StartError | undefined): boolean;
}

export function createUnavailableNote(t: Translate): UnavailableView {
  const element = h('div', { class: 'fw-alert fw-unavailable', role: 'alert', hidden: true });
  let written: StartError | undefined;
  return {
    element,
    render(state, refusal) {
      const shown = state.phase === 'form' ? refusal : undefined;
      if (shown !== written) renderStartError(element, shown, false, t);
      written = shown;
      return shown !== undefined;
    },
  };
}
