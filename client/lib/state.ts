/**
 * The widget's state, and every way it can change, as a pure reducer: no DOM,
 * no network, so it is unit-tested in Node. The controller feeds it events
 * (from the SDK, the functions, the customer); the view renders what the
 * selectors derive (timeline, "Seen", unread count, typing, banner).
 *
 * @example
 *   let state = initialState();
 *   state = reduce(state, { type: 'messageAdded', message });
 *   unreadCount(state); // 1 while the panel is closed
 */
import type {
  ChatMessage,
  ChatParticipant,
  ConnectionState,
  ConversationStatus,
} from './chat-client';

export type Phase =
  | 'form' // pre-engagement form (or a "Start chat" button when there is none)
  | 'starting' // /start-chat in flight
  | 'resuming' // reconnecting to a stored chat after a reload
  | 'chat' // connected to a conversation
  | 'ending' // /end-chat in flight
  | 'ended'; // closed by the customer, the agent, or expiry

export interface StartError {
  code: string;
  message: string;
  fields?: { field: string; problem: string }[];
}

export interface Notice {
  kind: 'notice';
  key: string;
  text: 'joined' | 'left';
  name: string;
  date: Date;
  /** Sorts after the message that was newest when it happened. */
  order: number;
}

export interface MessageItem {
  kind: 'message';
  key: string;
  order: number;
  message: ChatMessage;
  from: 'customer' | 'agent' | 'system';
  authorName: string;
}

export type TimelineItem = MessageItem | Notice;

export interface State {
  open: boolean;
  phase: Phase;
  endedBy?: 'customer' | 'other' | 'expired';
  startError?: StartError;
  identity?: string;
  conversationSid?: string;
  connection: ConnectionState | 'idle';
  everConnected: boolean;
  /** Refusals of the token since the last connection (a renewal did not help after the first). */
  denials: number;
  online: boolean;
  /** By message index, so a message delivered twice (event and page) is one. */
  messages: Map<number, ChatMessage>;
  notices: Notice[];
  participants: Map<string, ChatParticipant>;
  /** Display names by identity, kept after a participant leaves (their messages stay signed). */
  names: Map<string, string>;
  typing: Set<string>;
  hasOlder: boolean;
  loadingOlder: boolean;
  /** The customer has read every message up to this index. */
  readIndex: number;
  status: ConversationStatus;
}

export type Action =
  | { type: 'opened' }
  | { type: 'closed' }
  | { type: 'phase'; phase: Phase; startError?: StartError; endedBy?: State['endedBy'] }
  | { type: 'session'; identity: string; conversationSid: string }
  | { type: 'connection'; state: ConnectionState }
  | { type: 'online'; online: boolean }
  | {
      type: 'history';
      messages: ChatMessage[];
      hasOlder: boolean;
      participants: ChatParticipant[];
      status: ConversationStatus;
    }
  | { type: 'loadingOlder' }
  | { type: 'older'; messages: ChatMessage[]; hasOlder: boolean }
  | { type: 'messageAdded'; message: ChatMessage }
  | { type: 'participantJoined'; participant: ChatParticipant; at: Date }
  | { type: 'participantLeft'; participant: ChatParticipant; at: Date }
  | { type: 'participantUpdated'; participant: ChatParticipant }
  | { type: 'typing'; participant: ChatParticipant; typing: boolean }
  | { type: 'read'; index: number }
  | { type: 'status'; status: ConversationStatus }
  | { type: 'reset' };

export function initialState(online = true): State {
  return {
    open: false,
    phase: 'form',
    connection: 'idle',
    everConnected: false,
    denials: 0,
    online,
    messages: new Map(),
    notices: [],
    participants: new Map(),
    names: new Map(),
    typing: new Set(),
    hasOlder: false,
    loadingOlder: false,
    readIndex: -1,
    status: 'active',
  };
}

function newestIndex(state: State): number {
  let newest = -1;
  for (const index of state.messages.keys()) newest = Math.max(newest, index);
  return newest;
}

function withMessages(state: State, messages: ChatMessage[]): Map<number, ChatMessage> {
  const next = new Map(state.messages);
  for (const message of messages) next.set(message.index, message);
  return next;
}

export function reduce(state: State, action: Action): State {
  switch (action.type) {
    case 'opened':
      return { ...state, open: true };
    case 'closed':
      return { ...state, open: false };
    case 'phase':
      return {
        ...state,
        phase: action.phase,
        startError: action.startError,
        endedBy:
          action.phase === 'ended' ? (action.endedBy ?? state.endedBy ?? 'other') : undefined,
      };
    case 'session':
      return { ...state, identity: action.identity, conversationSid: action.conversationSid };
    case 'connection':
      return {
        ...state,
        connection: action.state,
        everConnected: state.everConnected || action.state === 'connected',
        denials:
          action.state === 'denied'
            ? state.denials + 1
            : action.state === 'connected'
              ? 0
              : state.denials,
      };
    case 'online':
      return { ...state, online: action.online };
    case 'history': {
      // What the customer read before a reload is not unread now.
      const me = action.participants.find((p) => p.identity === state.identity);
      return {
        ...state,
        messages: withMessages(state, action.messages),
        hasOlder: action.hasOlder,
        participants: new Map(action.participants.map((p) => [p.sid, p])),
        names: rememberNames(state.names, action.participants),
        status: action.status,
        readIndex: Math.max(state.readIndex, me?.lastReadMessageIndex ?? -1),
      };
    }
    case 'loadingOlder':
      return { ...state, loadingOlder: true };
    case 'older':
      return {
        ...state,
        messages: withMessages(state, action.messages),
        hasOlder: action.hasOlder,
        loadingOlder: false,
      };
    case 'messageAdded': {
      // A message from someone means they stopped typing.
      const typing = new Set(state.typing);
      for (const [sid, p] of state.participants) {
        if (p.identity === action.message.author) typing.delete(sid);
      }
      return { ...state, messages: withMessages(state, [action.message]), typing };
    }
    case 'participantJoined':
    case 'participantLeft': {
      const participants = new Map(state.participants);
      if (action.type === 'participantJoined')
        participants.set(action.participant.sid, action.participant);
      else participants.delete(action.participant.sid);
      const names = rememberNames(state.names, [action.participant]);
      if (action.participant.identity === state.identity) return { ...state, participants, names };
      const notice: Notice = {
        kind: 'notice',
        key: `${action.type}-${action.participant.sid}-${action.at.getTime()}`,
        text: action.type === 'participantJoined' ? 'joined' : 'left',
        name: action.participant.name,
        date: action.at,
        order: newestIndex(state) + 0.5,
      };
      const typing = new Set(state.typing);
      typing.delete(action.participant.sid);
      return { ...state, participants, names, notices: [...state.notices, notice], typing };
    }
    case 'participantUpdated': {
      const names = rememberNames(state.names, [action.participant]);
      // A late update (a name looked up) for someone who has left: stays gone.
      if (!state.participants.has(action.participant.sid)) return { ...state, names };
      const participants = new Map(state.participants);
      participants.set(action.participant.sid, action.participant);
      return { ...state, participants, names };
    }
    case 'typing': {
      if (action.participant.identity === state.identity) return state;
      const typing = new Set(state.typing);
      if (action.typing) typing.add(action.participant.sid);
      else typing.delete(action.participant.sid);
      const participants = new Map(state.participants);
      participants.set(action.participant.sid, action.participant);
      return { ...state, typing, participants };
    }
    case 'read':
      return { ...state, readIndex: Math.max(state.readIndex, action.index) };
    case 'status':
      return { ...state, status: action.status };
    case 'reset':
      return { ...initialState(state.online), open: state.open };
  }
}

/* ---------------------------------------------------------------- selectors */

function senderOf(state: State, message: ChatMessage): MessageItem['from'] {
  if (message.author === state.identity) return 'customer';
  if (message.author === 'system' || message.author === null) return 'system';
  return 'agent';
}

function nameOf(state: State, author: string | null): string | undefined {
  return author === null ? undefined : state.names.get(author);
}

/**
 * `names` with these participants' names added. The bare identity (what the
 * SDK adapter sends while a name is being looked up) never replaces a real name.
 */
function rememberNames(
  names: ReadonlyMap<string, string>,
  participants: readonly ChatParticipant[],
): Map<string, string> {
  const next = new Map(names);
  for (const { identity, name } of participants) {
    if (!identity || !name || (name === identity && next.has(identity))) continue;
    next.set(identity, name);
  }
  return next;
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
