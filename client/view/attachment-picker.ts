/**
 * The composer's attachment: the attach button with its hidden file input,
 * and the preview of the chosen file (a thumbnail or an icon, name, size, a
 * remove button). Files come from the input or a drop, checked against
 * Flex's rules first; a problem goes to `showProblem`. Takes whether the
 * chat can send now (the button follows it).
 */
import { ACCEPT_ATTRIBUTE, checkAttachments, contentTypeOf, isImage } from '../lib/attachments';
import type { Translate } from '../lib/i18n';
import { formatBytes, h, icon, iconButton } from './dom';

export interface AttachmentPicker {
  button: HTMLButtonElement;
  input: HTMLInputElement;
  preview: HTMLElement;
  /** The file to send with the next message, if any. */
  file(): File | undefined;
  set(file: File | undefined): void;
  /** Files picked or dropped: attached, or refused with a problem shown. */
  take: (files: FileList | File[]) => void;
  render(canSend: boolean): void;
}

export function createAttachmentPicker(
  t: Translate,
  showProblem: (text: string | undefined) => void,
  focusText: () => void,
): AttachmentPicker {
  let attachment: File | undefined;
  let previewUrl: string | undefined;
  const input = h('input', {
    type: 'file',
    accept: ACCEPT_ATTRIBUTE,
    class: 'fw-file-input',
    tabindex: -1,
    'aria-hidden': 'true',
  });
  const button = iconButton('attach', t('attach'), { onclick: () => input.click() });
  const preview = h('div', { class: 'fw-attachment', hidden: true });

  const picker: AttachmentPicker = {
    button,
    input,
    preview,
    file: () => attachment,
    set(file) {
      if (previewUrl) URL.revokeObjectURL(previewUrl);
      previewUrl = undefined;
      attachment = file;
      preview.replaceChildren();
      preview.hidden = !file;
      if (!file) return;
      const remove = iconButton('close', t('removeAttachment', { name: file.name }), {
        onclick: () => {
          picker.set(undefined);
          focusText();
        },
      });
      previewUrl = fillPreview(preview, file, remove);
    },
    take(files) {
      const found = checkAttachments(files);
      showProblem(found && t(found.key, found.params));
      if (!found) picker.set(files[0]);
    },
    render(canSend) {
      button.disabled = !canSend;
    },
  };
  input.addEventListener('change', () => {
    if (input.files) picker.take(input.files);
    input.value = '';
    focusText();
  });
  return picker;
}

/** Shows the file in the preview; returns its thumbnail's object URL, if it has one. */
function fillPreview(preview: HTMLElement, file: File, remove: HTMLElement): string | undefined {
  const url = isImage(contentTypeOf(file.name) ?? '') ? URL.createObjectURL(file) : undefined;
  preview.append(
    url ? h('img', { src: url, alt: '', class: 'fw-attachment-thumb' }) : icon('file'),
    h('span', { class: 'fw-attachment-name' }, `${file.name} (${formatBytes(file.size)})`),
    remove,
  );
  return url;
}
