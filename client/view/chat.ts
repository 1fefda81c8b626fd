/**
 * The conversation: a scrollable timeline (earlier messages load when
 * scrolling up, or with a button for keyboard users), who is typing, and the
 * composer (text, one attachment, Enter to send, drop a file). When the chat
 * has ended the composer gives way to a transcript download and "Start a new
 * chat". Message nodes are created once and reused, so re-rendering keeps
 * focus, scroll position and loaded media.
 */
import { ACCEPT_ATTRIBUTE, checkAttachments, contentTypeOf, isImage } from '../lib/attachments';
import type { ChatMedia } from '../lib/chat-client';
import type { ChatController } from '../lib/controller';
import { dayKey, formatDay, formatTime } from '../lib/format';
import type { Locale, Translate } from '../lib/i18n';
import {
  canSend,
  seenIndex,
  timeline,
  typingNames,
  type Action,
  type MessageItem,
  type State,
  type TimelineItem,
} from '../lib/state';
import { transcriptFilename, transcriptText } from '../lib/transcript';
import { formatBytes, h, icon, srOnly } from './dom';

export interface ChatView {
  element: HTMLElement;
  render(state: State, action: Action | undefined): void;
  focus(): void;
  askToEnd(): void;
}

export function createChatView(chat: ChatController, t: Translate, locale: Locale): ChatView {
  const names = { agent: t('agent'), system: t('system'), you: t('you') };
  const nodes = new Map<string, HTMLLIElement>();

  /* ----------------------------------------------------------- timeline */
  const olderButton = h(
    'button',
    { type: 'button', class: 'fw-link-button', hidden: true },
    t('loadOlder'),
  );
  olderButton.addEventListener('click', () => void chat.loadOlder());
  const list = h('ol', { class: 'fw-timeline', 'aria-label': t('messages') });
  const scroller = h(
    'div',
    { class: 'fw-scroll', tabindex: 0, role: 'region', 'aria-label': t('messages') },
    olderButton,
    list,
  );
  scroller.addEventListener('scroll', () => {
    if (scroller.scrollTop < 48) void chat.loadOlder();
  });
  const typingLine = h('p', { class: 'fw-typing', 'aria-hidden': 'true' });

  /* ----------------------------------------------------------- composer */
  let attachment: File | undefined;
  let previewUrl: string | undefined;
  let sending = false;
  const problem = h('p', { class: 'fw-alert fw-composer-alert', role: 'alert', hidden: true });
  const fileInput = h('input', {
    type: 'file',
    accept: ACCEPT_ATTRIBUTE,
    class: 'fw-file-input',
    tabindex: -1,
    'aria-hidden': 'true',
  });
  const attachButton = h(
    'button',
    { type: 'button', class: 'fw-icon-button', 'aria-label': t('attach') },
    icon('attach'),
  );
  attachButton.addEventListener('click', () => fileInput.click());
  const preview = h('div', { class: 'fw-attachment', hidden: true });
  const textarea = h('textarea', {
    id: 'fw-message',
    rows: 1,
    placeholder: t('messagePlaceholder'),
    'aria-label': t('messageLabel'),
    maxlength: 1600,
  });
  const sendButton = h(
    'button',
    { type: 'submit', class: 'fw-icon-button fw-send', 'aria-label': t('send') },
    icon('send'),
  );
  const composer = h(
    'form',
    { class: 'fw-composer' },
    preview,
    h('div', { class: 'fw-composer-row' }, attachButton, fileInput, textarea, sendButton),
  );

  function showProblem(text: string | undefined): void {
    problem.textContent = text ?? '';
    problem.hidden = !text;
  }

  function setAttachment(file: File | undefined): void {
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = undefined;
    attachment = file;
    preview.replaceChildren();
    preview.hidden = !file;
    if (!file) return;
    const type = contentTypeOf(file.name) ?? '';
    if (isImage(type)) {
      previewUrl = URL.createObjectURL(file);
      preview.append(h('img', { src: previewUrl, alt: '', class: 'fw-attachment-thumb' }));
    } else {
      preview.append(icon('file'));
    }
    const remove = h(
      'button',
      {
        type: 'button',
        class: 'fw-icon-button',
        'aria-label': t('removeAttachment', { name: file.name }),
      },
      icon('close'),
    );
    remove.addEventListener('click', () => {
      setAttachment(undefined);
      textarea.focus();
    });
    preview.append(
      h('span', { class: 'fw-attachment-name' }, `${file.name} (${formatBytes(file.size)})`),
      remove,
    );
  }

  function takeFiles(files: FileList | File[]): void {
    const found = checkAttachments(files);
    if (found) {
      showProblem(t(found.key, found.params));
      return;
    }
    showProblem(undefined);
    setAttachment(files[0]);
  }

  fileInput.addEventListener('change', () => {
    if (fileInput.files) takeFiles(fileInput.files);
    fileInput.value = '';
    textarea.focus();
  });

  async function submit(): Promise<void> {
    if (sending || !canSend(chat.state)) return;
    const text = textarea.value;
    const file = attachment;
    if (!file && text.trim() === '') return;
    sending = true;
    updateSendState(chat.state);
    const sent = file ? await chat.sendFile(file, file.name, text) : await chat.send(text);
    sending = false;
    if (sent) {
      textarea.value = '';
      setAttachment(undefined);
      showProblem(undefined);
      autosize();
    } else {
      showProblem(t('sendFailed')); // what was typed stays in the composer
    }
    updateSendState(chat.state);
  }

  composer.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit();
  });
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void submit();
    }
  });
  function autosize(): void {
    textarea.style.height = 'auto';
    textarea.style.height = `${Math.min(textarea.scrollHeight, 120)}px`;
  }
  textarea.addEventListener('input', () => {
    autosize();
    if (textarea.value.trim() !== '') chat.typing();
  });

  /* ------------------------------------------------------- drag and drop */
  const dropHint = h('div', { class: 'fw-drop-hint', hidden: true }, t('dropHint'));
  const root = h('div', { class: 'fw-chat' }, scroller, typingLine, problem, composer);
  root.append(dropHint);
  root.addEventListener('dragover', (event) => {
    if (!event.dataTransfer?.types.includes('Files') || composer.hidden) return;
    event.preventDefault();
    dropHint.hidden = false;
  });
  root.addEventListener('dragleave', (event) => {
    if (event.target === dropHint) dropHint.hidden = true;
  });
  root.addEventListener('drop', (event) => {
    event.preventDefault();
    dropHint.hidden = true;
    if (event.dataTransfer?.files.length && !composer.hidden) takeFiles(event.dataTransfer.files);
  });

  /* ------------------------------------------------------------- ending */
  const confirmEnd = h(
    'button',
    { type: 'button', class: 'fw-primary-button fw-danger' },
    t('endChat'),
  );
  const keepChatting = h(
    'button',
    { type: 'button', class: 'fw-secondary-button' },
    t('keepChatting'),
  );
  const confirm = h(
    'div',
    { class: 'fw-confirm', role: 'group', 'aria-labelledby': 'fw-confirm-text', hidden: true },
    h('p', { id: 'fw-confirm-text' }, t('confirmEnd')),
    h('div', { class: 'fw-actions' }, keepChatting, confirmEnd),
  );
  confirmEnd.addEventListener('click', () => {
    void chat.end().then((ok) => {
      if (!ok) {
        confirm.hidden = true;
        composer.hidden = false;
        showProblem(t('error.generic'));
        textarea.focus();
      }
    });
  });
  keepChatting.addEventListener('click', () => {
    confirm.hidden = true;
    composer.hidden = false; // with what was typed still there
    textarea.focus();
  });

  const endedText = h('p', { class: 'fw-ended-text', tabindex: -1 });
  const transcriptButton = h(
    'button',
    { type: 'button', class: 'fw-secondary-button' },
    t('transcript'),
  );
  transcriptButton.addEventListener('click', () => downloadTranscript());
  const newChatButton = h('button', { type: 'button', class: 'fw-primary-button' }, t('newChat'));
  newChatButton.addEventListener('click', () => void chat.newChat());
  const ended = h(
    'div',
    { class: 'fw-ended', hidden: true },
    endedText,
    h('div', { class: 'fw-actions' }, transcriptButton, newChatButton),
  );
  root.append(confirm, ended);

  function downloadTranscript(): void {
    const entries = timeline(chat.state, names)
      .filter((item): item is MessageItem => item.kind === 'message')
      .map((item) => ({
        date: item.message.dateCreated,
        author: item.authorName,
        text: item.message.body ?? '',
        files: item.message.media.map((m) => m.filename ?? m.sid),
      }));
    const blob = new Blob([transcriptText(entries, t('transcriptTitle'), locale, t)], {
      type: 'text/plain',
    });
    const url = URL.createObjectURL(blob);
    const link = h('a', { href: url, download: transcriptFilename(new Date()), hidden: true });
    root.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  /* ------------------------------------------------------------ rendering */
  function messageNode(item: MessageItem): HTMLLIElement {
    const { message } = item;
    const date = message.dateCreated;
    const body = message.body ?? '';
    const bubble = h(
      'div',
      { class: 'fw-bubble' },
      item.from === 'customer'
        ? srOnly(`${item.authorName}: `)
        : h('p', { class: 'fw-author' }, item.authorName),
      body !== '' && h('p', { class: 'fw-text' }, body),
      ...message.media.map(mediaNode),
    );
    const meta = h(
      'p',
      { class: 'fw-meta' },
      date && h('time', { datetime: date.toISOString() }, formatTime(date, locale)),
    );
    return h(
      'li',
      { class: `fw-message fw-from-${item.from}`, 'data-index': message.index },
      bubble,
      meta,
    );
  }

  function mediaNode(media: ChatMedia): HTMLElement {
    const name = media.filename ?? t('attach');
    const holder = h(
      'div',
      { class: 'fw-media' },
      icon('file'),
      h('span', {}, `${name} (${formatBytes(media.size)})`),
    );
    void media.url().then((url) => {
      if (!url) return;
      const link = h('a', {
        href: url,
        target: '_blank',
        rel: 'noopener noreferrer',
        'aria-label': t('openAttachment', { name }),
      });
      if (isImage(media.contentType)) {
        const image = h('img', { src: url, alt: name, class: 'fw-media-image' });
        // An image grows the timeline when it arrives: stay at the bottom if we were.
        const pinned = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 64;
        image.addEventListener('load', () => {
          if (pinned) scroller.scrollTop = scroller.scrollHeight;
        });
        link.append(image);
      } else {
        link.append(icon('file'), h('span', {}, `${name} (${formatBytes(media.size)})`));
      }
      holder.replaceChildren(link);
    });
    return holder;
  }

  function noticeNode(text: string, date: Date): HTMLLIElement {
    return h(
      'li',
      { class: 'fw-notice' },
      text,
      ' ',
      h('time', { datetime: date.toISOString() }, formatTime(date, locale)),
    );
  }

  function keyedNode(key: string, make: () => HTMLLIElement): HTMLLIElement {
    let node = nodes.get(key);
    if (!node) {
      node = make();
      nodes.set(key, node);
    }
    return node;
  }

  function dateOf(item: TimelineItem): Date | null {
    return item.kind === 'message' ? item.message.dateCreated : item.date;
  }

  let seenMarker: HTMLElement | undefined;

  function renderTimeline(state: State, action: Action | undefined): void {
    const nearBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 64;
    const before = { height: scroller.scrollHeight, top: scroller.scrollTop };
    const now = new Date();
    const wanted: HTMLLIElement[] = [];
    let lastDay: string | undefined;
    for (const item of timeline(state, names)) {
      const date = dateOf(item);
      if (date && dayKey(date) !== lastDay) {
        lastDay = dayKey(date);
        wanted.push(
          keyedNode(`day-${lastDay}`, () =>
            h('li', { class: 'fw-day' }, h('span', {}, formatDay(date, now, locale, t))),
          ),
        );
      }
      wanted.push(
        item.kind === 'message'
          ? keyedNode(item.key, () => messageNode(item))
          : keyedNode(item.key, () => noticeNode(t(item.text, { name: item.name }), item.date)),
      );
    }
    wanted.forEach((node, i) => {
      if (list.children[i] !== node) list.insertBefore(node, list.children[i] ?? null);
    });
    while (list.children.length > wanted.length) list.lastElementChild?.remove();

    const seen = seenIndex(state);
    seenMarker?.remove();
    seenMarker = undefined;
    if (seen !== undefined) {
      const meta = list.querySelector(`[data-index="${seen}"] .fw-meta`);
      if (meta) {
        seenMarker = h('span', { class: 'fw-seen' }, t('seen'));
        meta.append(seenMarker);
      }
    }

    olderButton.hidden = !state.hasOlder;
    olderButton.disabled = state.loadingOlder;
    olderButton.textContent = state.loadingOlder ? t('loadingOlder') : t('loadOlder');

    if (action?.type === 'older') {
      scroller.scrollTop = before.top + (scroller.scrollHeight - before.height);
    } else if (
      nearBottom ||
      action?.type === 'history' ||
      (action?.type === 'messageAdded' && action.message.author === state.identity)
    ) {
      scroller.scrollTop = scroller.scrollHeight;
    }
  }

  function updateSendState(state: State): void {
    const ok = canSend(state) && !sending;
    sendButton.disabled = !ok;
    attachButton.disabled = !canSend(state);
  }

  const view: ChatView = {
    element: root,
    render(state, action) {
      renderTimeline(state, action);
      const typers = typingNames(state);
      typingLine.textContent = typers.length ? t('typing', { name: typers.join(', ') }) : '';
      updateSendState(state);
      const isEnded = state.phase === 'ended';
      composer.hidden = isEnded || !confirm.hidden;
      ended.hidden = !isEnded;
      if (isEnded) {
        confirm.hidden = true;
        typingLine.textContent = '';
        endedText.textContent =
          state.endedBy === 'customer'
            ? t('endedByYou')
            : state.endedBy === 'expired'
              ? t('error.sessionEnded')
              : t('ended');
        transcriptButton.hidden = state.messages.size === 0;
        if (action?.type === 'phase') endedText.focus();
      }
    },
    focus() {
      (composer.hidden ? endedText : textarea).focus();
    },
    askToEnd() {
      confirm.hidden = false;
      composer.hidden = true;
      keepChatting.focus();
    },
  };
  return view;
}
