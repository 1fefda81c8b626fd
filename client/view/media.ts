/**
 * An attachment in a message: its name and size until its URL arrives, then
 * a link (an image shows inline). Takes the media, and the timeline's
 * scroller, so an image that loads keeps the timeline at the bottom.
 */
import { isImage } from '../lib/attachments';
import type { ChatMedia } from '../lib/chat-client';
import type { Translate } from '../lib/i18n';
import { formatBytes, h, icon, nearBottom } from './dom';

/** Twilio's media URLs are temporary: fetch a new one when older than this. */
const MEDIA_URL_MAX_AGE_MS = 4 * 60_000;

export function mediaNode(media: ChatMedia, t: Translate, scroller: HTMLElement): HTMLElement {
  const name = media.filename ?? t('attach');
  const holder = h('div', { class: 'fw-media' }, ...fileLabel(name, media.size));
  void media.url().then(
    (url) => {
      if (url) holder.replaceChildren(mediaLink(media, name, url, t, scroller));
    },
    () => undefined, // stays a name and size: better than a broken link
  );
  return holder;
}

/** A file icon and `name (12 KB)`. */
function fileLabel(name: string, size: number): [SVGSVGElement, HTMLSpanElement] {
  return [icon('file'), h('span', {}, `${name} (${formatBytes(size)})`)];
}

/**
 * A link to an attachment. Twilio's media URLs expire after a few minutes,
 * so a click on an old one opens the tab at once (popup blockers allow
 * that) and points it at a fresh URL.
 */
function mediaLink(
  media: ChatMedia,
  name: string,
  url: string,
  t: Translate,
  scroller: HTMLElement,
): HTMLAnchorElement {
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
    const pinned = nearBottom(scroller);
    image.addEventListener('load', () => {
      if (pinned) scroller.scrollTop = scroller.scrollHeight;
    });
    link.append(image);
  } else {
    link.append(...fileLabel(name, media.size));
  }
  return link;
}
