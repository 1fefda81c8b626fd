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
import { focusIsOurs, formatBytes, h, icon, srOnly } from './dom';

export interface ChatView {
  element: HTMLElement;
  render(state: State, action: Action | undefined): void;
  focus(): void;
  askToEnd(): void;
  /** Closes the "End this chat?" question if it is open; true when it was. */
  cancelEnd(): boolean;
}

/** Twilio's media URLs are temporary: fetch a new one when older than this. */
const MEDIA_URL_MAX_AGE_MS = 4 * 60_000;

export function createChatView(chat: ChatController, t: Translate, locale: Locale): ChatView {
  const names = { agent: t('agent'), system: t('system'), you: t('you') };
  const nodes = new Map<string, HTMLLIElement>();

  /* ----------------------------------------------------------- timeline */
  const olderButton = h(
    'button',
    { type: 'button', class: 'fw-link-button', hidden: true },
    t('loadOlder'),
  );
  olderButton.addEventListener('click', () => {
    // The button may disappear (no more history): keep focus in the timeline.
    void chat.loadOlder().then(() => {
      if (olderButton.hidden) scroller.focus();
    });
  });
  const list = h('ol', { class: 'fw-timeline' });
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

  /**
   * Sends what is in the composer. The text box empties at once, so the
   * customer can type the next message while this one is on its way; if it
   * fails, the text comes back (ahead of anything typed since) and nothing
   * is lost. An attachment stays shown until it is sent.
   */
  async function submit(): Promise<void> {
    if (sending || !canSend(chat.state)) return;
    const text = textarea.value;
    const file = attachment;
    if (!file && text.trim() === '') return;
    sending = true;
    textarea.value = '';
    autosize();
    updateSendState(chat.state);
    const sent = file ? await chat.sendFile(file, file.name, text) : await chat.send(text);
    sending = false;
    if (sent) {
      if (file && attachment === file) setAttachment(undefined);
      showProblem(undefined);
    } else {
      const typedSince = textarea.value;
      textarea.value = typedSince.trim() === '' ? text : `${text}\n${typedSince}`;
      autosize();
      showProblem(t('sendFailed'));
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
    dropHint.hidden = true;
    // Only files are ours; dropped text goes where it was dropped, as usual.
    if (!event.dataTransfer?.files.length || composer.hidden) return;
    event.preventDefault();
    takeFiles(event.dataTransfer.files);
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
  const confirmText = h(
    'p',
    { id: 'fw-confirm-text', role: 'status', tabindex: -1 },
    t('confirmEnd'),
  );
  const confirm = h(
    'div',
    { class: 'fw-confirm', role: 'group', 'aria-labelledby': 'fw-confirm-text', hidden: true },
    confirmText,
    h('div', { class: 'fw-actions' }, keepChatting, confirmEnd),
  );
  function hideConfirm(): void {
    confirm.hidden = true;
    composer.hidden = false; // with what was typed still there
    textarea.focus();
  }
  confirmEnd.addEventListener('click', () => {
    confirmText.focus(); // the buttons are disabled while ending
    void chat.end().then((ok) => {
      if (!ok) {
        hideConfirm();
        showProblem(t('error.generic'));
      }
    });
  });
  keepChatting.addEventListener('click', hideConfirm);

  const endedText = h('p', { class: 'fw-ended-text', tabindex: -1 });
  const transcriptButton = h(
    'button',
    { type: 'button', class: 'fw-secondary-button' },
    t('transcript'),
  );
  transcriptButton.addEventListener('click', () => void downloadTranscript());
  const newChatButton = h('button', { type: 'button', class: 'fw-primary-button' }, t('newChat'));
  newChatButton.addEventListener('click', () => void chat.newChat());
  const ended = h(
    'div',
    { class: 'fw-ended', hidden: true },
    endedText,
    h('div', { class: 'fw-actions' }, newChatButton, transcriptButton),
  );
  root.append(confirm, ended);

  /** The whole chat, not just what was scrolled into view. */
  async function downloadTranscript(): Promise<void> {
    transcriptButton.disabled = true;
    await chat.allMessages();
    transcriptButton.disabled = false;
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
      {
        class: `fw-message fw-from-${item.from}`,
        'data-index': message.index,
        'data-author': item.authorName,
      },
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
    void media.url().then(
      (url) => {
        if (url) holder.replaceChildren(mediaLink(media, name, url));
      },
      () => undefined, // stays a name and size: better than a broken link
    );
    return holder;
  }

  /**
   * A link to an attachment. Twilio's media URLs expire after a few minutes,
   * so a click on an old one opens the tab at once (popup blockers allow
   * that) and points it at a fresh URL.
   */
  function mediaLink(media: ChatMedia, name: string, url: string): HTMLAnchorElement {
    let fetchedAt = Date.now();
    const link = h('a', {
      href: url,
      target: '_blank',
      rel: 'noopener noreferrer',
      'aria-label': t('openAttachment', { name }),
    });
    link.addEventListener('click', (event) => {
      if (Date.now() - fetchedAt < MEDIA_URL_MAX_AGE_MS) return;
      event.preventDefault();
      const tab = window.open('', '_blank');
      if (tab) tab.opener = null;
      void media.url().then(
        (fresh) => {
          if (!fresh) return tab?.close();
          fetchedAt = Date.now();
          link.href = fresh;
          if (tab) tab.location.href = fresh;
        },
        () => tab?.close(),
      );
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
    return link;
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
      if (item.kind === 'message') {
        // A participant's name can arrive late (or change): rebuild their messages then.
        const node = nodes.get(item.key);
        if (node && node.dataset.author !== item.authorName) nodes.delete(item.key);
        wanted.push(keyedNode(item.key, () => messageNode(item)));
      } else {
        wanted.push(
          keyedNode(item.key, () => noticeNode(t(item.text, { name: item.name }), item.date)),
        );
      }
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
      action?.type === 'opened' ||
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
      const isEnding = state.phase === 'ending';
      confirmEnd.disabled = isEnding;
      keepChatting.disabled = isEnding;
      confirmText.textContent = isEnding ? t('ending') : t('confirmEnd');
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
        if (action?.type === 'phase' && focusIsOurs(root.getRootNode() as ShadowRoot)) {
          endedText.focus();
        }
      }
    },
    focus() {
      (!confirm.hidden ? keepChatting : composer.hidden ? endedText : textarea).focus();
    },
    askToEnd() {
      confirm.hidden = false;
      composer.hidden = true;
      keepChatting.focus();
    },
    cancelEnd() {
      if (confirm.hidden || chat.state.phase === 'ending') return false;
      hideConfirm();
      return true;
    },
  };
  return view;
}
