/**
 * Above the conversation, what came before it for a signed-in customer:
 * their previous chat (SHOW_PREVIOUS_CHAT), read-only, in its own labelled
 * section ("Previous chat, 2 December 2026"), muted and closed by "End of the
 * previous chat", so nobody takes it for this chat; and "Welcome back: your
 * chat continues." when /start-chat returned the chat they already had
 * (another device, another tab). Takes the state; goes at the top of the
 * timeline's scroller, keeping what the customer was looking at in view.
 * Part of webchat-customer.js (client/lib/customer-loader.ts).
 */
import type { CustomerTranslate } from '../lib/customer-i18n';
import type { PreviousChat } from '../lib/customer-state';
import { formatTime } from '../lib/format';
import type { Locale } from '../lib/i18n';
import type { State } from '../lib/state';
import { h, nearBottom, srOnly } from './dom';

export interface PreviousChatView {
  render(state: State): void;
}

export function createPreviousChatView(
  scroller: HTMLElement,
  t: CustomerTranslate,
  locale: Locale,
): PreviousChatView {
  const element = h('div', { class: 'fw-before' });
  scroller.prepend(element);
  let shown: { previous?: PreviousChat; resumed: boolean } = { resumed: false };

  return {
    render(state) {
      const { previousChat: previous, resumed } = state.customer;
      if (previous === shown.previous && resumed === shown.resumed) return;
      shown = { ...(previous && { previous }), resumed };
      const before = { bottom: nearBottom(scroller), height: scroller.scrollHeight };
      element.replaceChildren();
      if (previous) element.append(section(previous, t, locale));
      if (resumed) element.append(h('p', { class: 'fw-notice', role: 'status' }, t('resumed')));
      // Added above: the bottom stays the bottom, and what was in view stays there.
      scroller.scrollTop = before.bottom
        ? scroller.scrollHeight
        : scroller.scrollTop + (scroller.scrollHeight - before.height);
    },
  };
}

function section(previous: PreviousChat, t: CustomerTranslate, locale: Locale): HTMLElement {
  const last = previous.messages[previous.messages.length - 1];
  const ended = new Date(previous.endedAt ?? last?.dateCreated ?? NaN);
  const date = isNaN(ended.getTime())
    ? ''
    : new Intl.DateTimeFormat(locale, { dateStyle: 'long' }).format(ended);
  const title = t('previous.title', { date }).replace(/[,\s]+$/, '');
  const names = { customer: t('you'), agent: t('agent') };
  return h(
    'section',
    { class: 'fw-previous', 'aria-labelledby': 'fw-previous-title' },
    h('h3', { id: 'fw-previous-title', class: 'fw-previous-title' }, title),
    h(
      'ol',
      { class: 'fw-previous-list' },
      ...previous.messages.map((m) => {
        const at = new Date(m.dateCreated);
        return h(
          'li',
          { class: `fw-previous-message fw-from-${m.from}` },
          h('span', { class: 'fw-author' }, names[m.from] ?? names.agent),
          srOnly(': '),
          h('span', { class: 'fw-text' }, m.body),
          !!m.media &&
            h('span', { class: 'fw-meta' }, ` ${t('previous.media', { count: m.media })}`),
          !isNaN(at.getTime()) &&
            h('time', { class: 'fw-meta', datetime: at.toISOString() }, formatTime(at, locale)),
        );
      }),
    ),
    h('p', { class: 'fw-previous-end' }, t('previous.end')),
  );
}
