/**
 * The message list: messages and notices in order, a separator where a day
 * starts, "Seen" under the customer's newest message someone else read, and
 * earlier messages (loaded when scrolling up, or with a button for keyboard
 * users). Takes the state and the action that led to it (to know where to
 * scroll); calls `loadOlder` for more history. Entries are built once and
 * reused, so re-rendering keeps focus, scroll position and loaded media.
 */
import type { ChatController } from '../lib/controller';
import { dayKey } from '../lib/format';
import type { Locale, Translate } from '../lib/i18n';
import { seenIndex, timeline, type Action, type State, type TimelineItem } from '../lib/state';
import { button, h, nearBottom } from './dom';
import { dayNode, messageNode, noticeNode } from './message';

export interface TimelineView {
  element: HTMLElement;
  render(state: State, action: Action | undefined): void;
}

type Names = Parameters<typeof timeline>[1];

export function createTimeline(
  chat: Pick<ChatController, 'loadOlder'>,
  t: Translate,
  locale: Locale,
  names: Names,
): TimelineView {
  const olderButton = button('fw-link-button', t('loadOlder'), () => void chat.loadOlder());
  olderButton.hidden = true;
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
  const entries = createEntries(t, locale, scroller, names);
  let seenMarker: HTMLElement | undefined;

  return {
    element: scroller,
    render(state, action) {
      const before = {
        bottom: nearBottom(scroller),
        height: scroller.scrollHeight,
        top: scroller.scrollTop,
      };
      const wanted = entries(state);
      wanted.forEach((node, i) => {
        if (list.children[i] !== node) list.insertBefore(node, list.children[i] ?? null);
      });
      while (list.children.length > wanted.length) list.lastElementChild?.remove();
      seenMarker?.remove();
      seenMarker = markSeen(list, seenIndex(state), t);
      // The button goes with the last of the history, whoever loaded it (its
      // click, or the scroll that focusing it caused): focus on it would fall
      // to the page's body, so it moves to the timeline.
      if (!state.hasOlder && olderButton.matches(':focus')) scroller.focus();
      olderButton.hidden = !state.hasOlder;
      olderButton.disabled = state.loadingOlder;
      olderButton.textContent = state.loadingOlder ? t('loadingOlder') : t('loadOlder');
      scrollAfter(scroller, before, state, action);
    },
  };
}

/** The list's nodes for a state: each kept by key, so it is built only once. */
function createEntries(
  t: Translate,
  locale: Locale,
  scroller: HTMLElement,
  names: Names,
): (state: State) => HTMLLIElement[] {
  const nodes = new Map<string, HTMLLIElement>();
  function keyedNode(key: string, make: () => HTMLLIElement): HTMLLIElement {
    let node = nodes.get(key);
    if (!node) {
      node = make();
      nodes.set(key, node);
    }
    return node;
  }
  return (state) => {
    const now = new Date();
    const wanted: HTMLLIElement[] = [];
    let lastDay: string | undefined;
    for (const item of timeline(state, names)) {
      const date = dateOf(item);
      if (date && dayKey(date) !== lastDay) {
        lastDay = dayKey(date);
        wanted.push(keyedNode(`day-${lastDay}`, () => dayNode(date, now, t, locale)));
      }
      if (item.kind === 'message') {
        // A participant's name can arrive late (or change): rebuild their messages then.
        const node = nodes.get(item.key);
        if (node && node.dataset.author !== item.authorName) nodes.delete(item.key);
        wanted.push(keyedNode(item.key, () => messageNode(item, t, locale, scroller)));
      } else {
        wanted.push(keyedNode(item.key, () => noticeNode(item, t, locale)));
      }
    }
    return wanted;
  };
}

function dateOf(item: TimelineItem): Date | null {
  return item.kind === 'message' ? item.message.dateCreated : item.date;
}

/** Puts "Seen" under the message with this index, if it is in the list. */
function markSeen(
  list: HTMLElement,
  seen: number | undefined,
  t: Translate,
): HTMLElement | undefined {
  if (seen === undefined) return undefined;
  const meta = list.querySelector(`[data-index="${seen}"] .fw-meta`);
  if (!meta) return undefined;
  const marker = h('span', { class: 'fw-seen' }, t('seen'));
  meta.append(marker);
  return marker;
}

/**
 * Older messages arrived above: keep what was in view where it was.
 * Otherwise, go to the bottom when it was there already, on the first
 * history, on opening, and when the customer's own message arrives.
 */
function scrollAfter(
  scroller: HTMLElement,
  before: { bottom: boolean; height: number; top: number },
  state: State,
  action: Action | undefined,
): void {
  if (action?.type === 'older') {
    scroller.scrollTop = before.top + (scroller.scrollHeight - before.height);
  } else if (
    before.bottom ||
    action?.type === 'history' ||
    action?.type === 'opened' ||
    (action?.type === 'messageAdded' && action.message.author === state.identity)
  ) {
    scroller.scrollTop = scroller.scrollHeight;
  }
}
