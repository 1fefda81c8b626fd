/**
 * The timeline's entries, each built once from its item: a message (author,
 * text with its links, an agent's Markdown (rich-text.ts), attachments,
 * time), a notice ("Ana joined"), a day separator. They take the item and the locale; a message also the timeline's scroller (for
 * its media, see media.ts).
 */
import { formatDay, formatTime } from '../lib/format';
import type { Locale, Translate } from '../lib/i18n';
import type { MessageItem, Notice } from '../lib/state';
import { h, srOnly } from './dom';
import { mediaNode } from './media';
import { messageText } from './rich-text';

export function messageNode(
  item: MessageItem,
  t: Translate,
  locale: Locale,
  scroller: HTMLElement,
): HTMLLIElement {
  const { message } = item;
  const body = message.body ?? '';
  const bubble = h(
    'div',
    { class: 'fw-bubble' },
    item.from === 'customer'
      ? srOnly(`${item.authorName}: `)
      : h('p', { class: 'fw-author' }, item.authorName),
    body !== '' && messageText(body, item.from),
    ...message.media.map((media) => mediaNode(media, t, scroller)),
  );
  const meta = h(
    'p',
    { class: 'fw-meta' },
    message.dateCreated && timeNode(message.dateCreated, locale),
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

export function noticeNode(notice: Notice, t: Translate, locale: Locale): HTMLLIElement {
  return h(
    'li',
    { class: 'fw-notice' },
    t(notice.text, { name: notice.name }),
    ' ',
    timeNode(notice.date, locale),
  );
}

export function dayNode(date: Date, now: Date, t: Translate, locale: Locale): HTMLLIElement {
  return h('li', { class: 'fw-day' }, h('span', {}, formatDay(date, now, locale, t)));
}

function timeNode(date: Date, locale: Locale): HTMLTimeElement {
  return h('time', { datetime: date.toISOString() }, formatTime(date, locale));
}
