/**
 * The composer: the message box (Enter sends, Shift+Enter starts a new
 * line, it grows with its text), one attachment, and Send. Takes whether
 * the chat can send from the state it is rendered with, and sends through
 * the controller; a problem (not sent, a file refused) goes to `showProblem`.
 */
import type { ChatController } from '../lib/controller';
import type { Translate } from '../lib/i18n';
import { canSend, type State } from '../lib/state';
import { createAttachmentPicker } from './attachment-picker';
import { h, iconButton } from './dom';

export interface ComposerView {
  element: HTMLFormElement;
  render(state: State): void;
  /** Files dropped on the chat. */
  take: (files: FileList) => void;
  focus: () => void;
}

export function createComposer(
  chat: Pick<ChatController, 'send' | 'sendFile' | 'typing'>,
  t: Translate,
  showProblem: (text: string | undefined) => void,
): ComposerView {
  /** From the last state rendered: what the controller would say now. */
  let allowed = false;
  let sending = false;
  const box = createMessageBox(
    t,
    () => void submit(),
    () => chat.typing(),
  );
  const picker = createAttachmentPicker(t, showProblem, box.focus);
  const sendButton = iconButton('send', t('send'), {
    type: 'submit',
    class: 'fw-icon-button fw-send',
  });
  const element = h(
    'form',
    { class: 'fw-composer' },
    picker.preview,
    h('div', { class: 'fw-composer-row' }, picker.button, picker.input, box.element, sendButton),
  );
  element.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit();
  });
  function update(): void {
    sendButton.disabled = !allowed || sending;
    picker.render(allowed);
  }

  /**
   * Sends what is in the composer. The text box empties at once, so the
   * customer can type the next message while this one is on its way; if it
   * fails, the text comes back (ahead of anything typed since) and nothing
   * is lost. An attachment stays shown until it is sent.
   */
  async function submit(): Promise<void> {
    if (sending || !allowed) return;
    const text = box.element.value;
    const file = picker.file();
    if (!file && text.trim() === '') return;
    sending = true;
    box.clear();
    update();
    const sent = file ? await chat.sendFile(file, file.name, text) : await chat.send(text);
    sending = false;
    if (sent) {
      if (file && picker.file() === file) picker.set(undefined);
      showProblem(undefined);
    } else {
      box.restore(text);
      showProblem(t('sendFailed'));
    }
    update();
  }

  return {
    element,
    render(state) {
      allowed = canSend(state);
      update();
    },
    take: picker.take,
    focus: box.focus,
  };
}

interface MessageBox {
  element: HTMLTextAreaElement;
  clear(): void;
  /** Puts `text` back, ahead of anything typed since. */
  restore(text: string): void;
  focus: () => void;
}

function createMessageBox(t: Translate, submit: () => void, typing: () => void): MessageBox {
  const element = h('textarea', {
    id: 'fw-message',
    rows: 1,
    placeholder: t('messagePlaceholder'),
    'aria-label': t('messageLabel'),
    maxlength: 1600,
  });
  function autosize(): void {
    element.style.height = 'auto';
    element.style.height = `${Math.min(element.scrollHeight, 120)}px`;
  }
  element.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  element.addEventListener('input', () => {
    autosize();
    if (element.value.trim() !== '') typing();
  });
  return {
    element,
    clear() {
      element.value = '';
      autosize();
    },
    restore(text) {
      const typedSince = element.value;
      element.value = typedSince.trim() === '' ? text : `${text}\n${typedSince}`;
      autosize();
    },
    focus: () => element.focus(),
  };
}
