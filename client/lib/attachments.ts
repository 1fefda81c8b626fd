/**
 * Flex web chat's attachment rules, checked before anything is uploaded: one
 * file per message, at most 16 MB (16,777,216 bytes), and only the types
 * Flex accepts. Returns the problem to show, or undefined when the file may go.
 *
 * @example
 *   const problem = checkAttachments(input.files);
 *   if (problem) showError(t(problem.key, problem.params));
 */
import type { MessageKey } from './i18n';

export const MAX_ATTACHMENT_BYTES = 16_777_216;

/** Extensions Flex web chat accepts, with the content type to send for each. */
export const ACCEPTED_TYPES: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  heic: 'image/heic',
  pdf: 'application/pdf',
  txt: 'text/plain',
  mp3: 'audio/mpeg',
  amr: 'audio/amr',
  mp4: 'video/mp4',
};

/** For `<input type=file accept=…>`: extensions and content types. */
export const ACCEPT_ATTRIBUTE = [
  ...Object.keys(ACCEPTED_TYPES).map((ext) => `.${ext}`),
  ...new Set(Object.values(ACCEPTED_TYPES)),
].join(',');

export interface AttachmentProblem {
  key: MessageKey;
  params: Record<string, string>;
}

interface FileLike {
  name: string;
  size: number;
}

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** The content type to upload with: from the extension, which we trust over the browser's guess. */
export function contentTypeOf(name: string): string | undefined {
  return ACCEPTED_TYPES[extensionOf(name)];
}

export function checkAttachments(files: ArrayLike<FileLike>): AttachmentProblem | undefined {
  if (files.length > 1) return { key: 'attach.tooMany', params: {} };
  const file = files[0];
  if (!file) return undefined;
  const params = { name: file.name };
  if (contentTypeOf(file.name) === undefined) return { key: 'attach.badType', params };
  if (file.size === 0) return { key: 'attach.empty', params };
  if (file.size > MAX_ATTACHMENT_BYTES) return { key: 'attach.tooLarge', params };
  return undefined;
}

export function isImage(contentType: string): boolean {
  return /^image\/(jpeg|png|gif)$/.test(contentType);
}
