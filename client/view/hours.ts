/**
 * The opening-hours note at the top of the panel ("We're open until 18:00",
 * "We're closed; back Monday at 9:00", a current wait) before a chat starts,
 * in a polite live region so a screen reader hears it when it arrives. It
 * also says the widget's hours mode, which the frame puts on its root for the
 * stylesheet: `closed` and `hide` hide the form, `hide` the launcher too.
 * Takes the state and the latest /availability answer (client/lib/availability.ts).
 */
import {
  hoursMode,
  hoursText,
  isBeforeChat,
  type Availability,
  type HoursMode,
} from '../lib/availability';
import type { Locale, Translate } from '../lib/i18n';
import type { State } from '../lib/state';
import { h } from './dom';

export interface HoursView {
  element: HTMLElement;
  render(state: State, answer: Availability | undefined): HoursMode;
}

/** The browser's own variant of the widget's language (en-GB's 24-hour clock), if it has one. */
function formattingLocale(locale: Locale): string {
  const languages = typeof navigator === 'undefined' ? [] : (navigator.languages ?? []);
  return languages.find((l) => l.toLowerCase().split('-')[0] === locale) ?? locale;
}

export function createHoursNote(t: Translate, locale: Locale): HoursView {
  const element = h('p', { class: 'fw-hours', role: 'status', hidden: true });
  const formatLocale = formattingLocale(locale);
  return {
    element,
    render(state, answer) {
      const mode = hoursMode(answer, state.phase);
      const text =
        answer && isBeforeChat(state.phase) ? hoursText(answer, t, formatLocale, Date.now()) : '';
      // Only a change is written, so the live region announces each once.
      if (element.textContent !== text) element.textContent = text;
      element.hidden = text === '';
      return mode;
    },
  };
}
