/**
 * What the view derives from the widget's state: the timeline (messages and
 * notices in order, with who sent each), where "Seen" goes, the unread count,
 * who is typing, what the connection banner says, and whether the composer
 * may send. Pure functions of `State`, unit-tested in Node with the reducer.
 *
 * @example
 *   const items = timeline(state, { agent: 'Agent', system: 'Notice', you: 'You' });
 *   launcher.badge = unreadCount(state);
 */
import type { ChatMessage } from './chat-client';
import type { Notice, State } from './state';

export interface MessageItem {
  kind: 'message';
  key: string;
  order: number;
  message: ChatMessage;
  from: 'customer' | 'agent' | 'system';
  authorName: string;
}

export type TimelineItem = MessageItem | Notice;

function senderOf(state: State, message: ChatMessage): MessageItem['from'] {
  if (message.author === state.identity) return 'customer';
  if (message.author === 'system' || message.author === null) return 'system';
  return 'agent';
}

function nameOf(state: State, author: string | null): string | undefined {
  return author === null ? undefined : state.names.get(author);
}

/** Messages and notices in order, with who sent each. */
export function timeline(
  state: State,
  names: { agent: string; system: string; you: string },
): TimelineItem[] {
  const items: TimelineItem[] = [...state.notices];
  for (const message of state.messages.values()) {
    const from = senderOf(state, message);
    const authorName =
      from === 'customer'
        ? names.you
        : from === 'system'
          ? names.system
          : (nameOf(state, message.author) ?? names.agent);
    items.push({
      kind: 'message',
      key: message.sid,
      order: message.index,
      message,
      from,
      authorName,
    });
  }
  return items.sort((a, b) => a.order - b.order);
}

/**
 * The index of the customer's newest message that someone else has read, if
 * any: "Seen" goes under that one message.
 */
export function seenIndex(state: State): number | undefined {
  let readByOthers = -1;
  for (const p of state.participants.values()) {
    if (p.identity !== state.identity && p.lastReadMessageIndex !== null) {
      readByOthers = Math.max(readByOthers, p.lastReadMessageIndex);
    }
  }
  let seen: number | undefined;
  for (const message of state.messages.values()) {
    if (message.author === state.identity && message.index <= readByOthers) {
      seen = Math.max(seen ?? -1, message.index);
    }
  }
  return seen;
}

/** Messages from others the customer has not read (shown on the launcher). */
export function unreadCount(state: State): number {
  let count = 0;
  for (const message of state.messages.values()) {
    if (message.author !== state.identity && message.index > state.readIndex) count++;
  }
  return count;
}

export function typingNames(state: State): string[] {
  return [...state.typing].map((sid) => state.participants.get(sid)?.name ?? '').filter(Boolean);
}

export type Banner = 'connecting' | 'reconnecting' | 'offline' | 'denied' | undefined;

/** What the connection banner says, if anything. */
export function banner(state: State): Banner {
  // While starting or resuming too: a client that cannot connect must say so.
  if (!['starting', 'resuming', 'chat'].includes(state.phase)) return undefined;
  if (!state.online) return 'offline';
  // Refused again after a fresh token: not a blip; say so (it keeps trying).
  if (state.denials >= 2) return 'denied';
  switch (state.connection) {
    case 'connected':
    case 'idle':
      return undefined;
    default:
      // `denied` too: the token is being renewed; if that is refused, the
      // chat shows as ended instead.
      return state.everConnected ? 'reconnecting' : 'connecting';
  }
}

/** Whether the composer may send right now (it never loses what was typed). */
export function canSend(state: State): boolean {
  return (
    state.phase === 'chat' &&
    state.online &&
    state.connection === 'connected' &&
    state.status !== 'closed'
  );
}
