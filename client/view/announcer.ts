/**
 * A polite live region that reads out new messages from others ("Ana
 * says: …", "Ana sent a file: …"; an agent's Markdown as the words it
 * shows). Takes the state, the action that led to it, and where the region must be: a full-screen panel is modal, and a
 * screen reader then hears only what is inside it.
 */
import type { Translate } from '../lib/i18n';
import { formatText, richText } from '../lib/markdown-host';
import type { Action, State } from '../lib/state';
import { h } from './dom';

export interface AnnouncerView {
  element: HTMLElement;
  render(state: State, action: Action | undefined, home: HTMLElement): void;
}

export function createAnnouncer(t: Translate): AnnouncerView {
  // Entries are appended (not replaced), so two quick messages are both read.
  const element = h('div', {
    class: 'fw-sr-only',
    'aria-live': 'polite',
    'aria-relevant': 'additions',
  });
  return {
    element,
    render(state, action, home) {
      if (element.parentNode !== home) home.append(element);
      if (action?.type !== 'messageAdded' || action.message.author === state.identity) return;
      const author = action.message.author;
      const name =
        (author && state.names.get(author)) ?? (author === 'system' ? t('system') : t('agent'));
      const [file] = action.message.media;
      element.append(
        h(
          'p',
          {},
          file
            ? t('live.file', { name, file: file.filename ?? '' })
            : t('live.message', { name, text: spoken(action.message.body ?? '', author) }),
        ),
      );
      while (element.childElementCount > 3) element.firstElementChild?.remove();
    },
  };
}

/** An agent's Markdown as the words it shows (no asterisks read out). */
function spoken(body: string, author: string | null): string {
  return richText(formatText(body, author === 'system' ? 'system' : 'agent').parts);
}
