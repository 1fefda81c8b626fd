/**
 * Dropping a file on the chat attaches it, and a hint shows while a file is
 * dragged over. Takes the chat's root (the hint is appended to it), whether
 * the composer accepts a file now, and where dropped files go.
 */
import type { Translate } from '../lib/i18n';
import { h } from './dom';

export function enableDrop(
  root: HTMLElement,
  t: Translate,
  accepting: () => boolean,
  take: (files: FileList) => void,
): void {
  const hint = h('div', { class: 'fw-drop-hint', hidden: true }, t('dropHint'));
  root.append(hint);
  root.addEventListener('dragover', (event) => {
    if (!event.dataTransfer?.types.includes('Files') || !accepting()) return;
    event.preventDefault();
    hint.hidden = false;
  });
  root.addEventListener('dragleave', (event) => {
    if (event.target === hint) hint.hidden = true;
  });
  root.addEventListener('drop', (event) => {
    hint.hidden = true;
    // Only files are ours; dropped text goes where it was dropped, as usual.
    if (!event.dataTransfer?.files.length || !accepting()) return;
    event.preventDefault();
    take(event.dataTransfer.files);
  });
}
