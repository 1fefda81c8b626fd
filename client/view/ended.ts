/**
 * The ended chat's panel, in the composer's place: who ended it, the
 * transcript download (when anything was said) and "Start a new chat".
 * Takes the state and the action that led to it (focus moves here when the
 * chat has just ended); pages in the whole history through the controller
 * for the transcript.
 */
import type { ChatController } from '../lib/controller';
import type { Locale, Translate } from '../lib/i18n';
import { timeline, type Action, type MessageItem, type State } from '../lib/state';
import { transcriptFilename, transcriptText, type TranscriptEntry } from '../lib/transcript';
import type { AfterChatView } from '../lib/after-chat-loader';
import { button, focusIsOurs, h } from './dom';

export interface EndedView {
  element: HTMLElement;
  render(state: State, action: Action | undefined): void;
  focus(): void;
}

type Names = Parameters<typeof timeline>[1];

export function createEndedPanel(
  chat: Pick<ChatController, 'allMessages' | 'newChat'>,
  t: Translate,
  locale: Locale,
  names: Names,
  /** The survey and "Email me this transcript", when the site turned them on. */
  afterChat?: AfterChatView,
): EndedView {
  /** The last state rendered (for the transcript). */
  let last: State | undefined;
  const text = h('p', { class: 'fw-ended-text', tabindex: -1 });
  /** The whole chat, not just what was scrolled into view. */
  const transcriptButton = button('fw-secondary-button', t('transcript'), () => {
    transcriptButton.disabled = true;
    void chat.allMessages().then(() => {
      transcriptButton.disabled = false;
      // Every page loaded was rendered: the last state has them all.
      if (last) download(element, transcriptEntries(last, names), t, locale);
    });
  });
  const newChatButton = button('fw-primary-button', t('newChat'), () => void chat.newChat());
  const element = h(
    'div',
    { class: 'fw-ended', hidden: true },
    text,
    h('div', { class: 'fw-actions' }, newChatButton, transcriptButton),
    afterChat?.element,
  );

  return {
    element,
    render(state, action) {
      last = state;
      element.hidden = state.phase !== 'ended';
      if (element.hidden) return;
      text.textContent = t(
        state.endedBy === 'customer'
          ? 'endedByYou'
          : state.endedBy === 'expired'
            ? 'error.sessionEnded'
            : 'ended',
      );
      transcriptButton.hidden = state.messages.size === 0;
      afterChat?.render(state);
      if (action?.type === 'phase' && focusIsOurs(element.getRootNode() as ShadowRoot)) {
        text.focus();
      }
    },
    focus: () => text.focus(),
  };
}

function transcriptEntries(state: State, names: Names): TranscriptEntry[] {
  return timeline(state, names)
    .filter((item): item is MessageItem => item.kind === 'message')
    .map((item) => ({
      date: item.message.dateCreated,
      author: item.authorName,
      text: item.message.body ?? '',
      files: item.message.media.map((m) => m.filename ?? m.sid),
    }));
}

/** Saves the transcript as a text file, through a link clicked at once. */
function download(
  parent: HTMLElement,
  entries: TranscriptEntry[],
  t: Translate,
  locale: Locale,
): void {
  const blob = new Blob([transcriptText(entries, t('transcriptTitle'), locale, t)], {
    type: 'text/plain',
  });
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: transcriptFilename(new Date()), hidden: true });
  parent.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
