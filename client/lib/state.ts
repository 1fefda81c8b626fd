/**
 * The widget's state, and every way it can change, as a pure reducer: no DOM,
 * no network, so it is unit-tested in Node. The controller feeds it events
 * (from the SDK, the functions, the customer); the view renders what the
 * selectors in selectors.ts derive (timeline, "Seen", unread count, typing,
 * banner).
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
import { reduceCustomer, type CustomerAction, type CustomerState } from './customer-state';

export type Phase =
  | 'form' // pre-engagement form (or a "Start chat" button when there is none)
  | 'preparing' // submitted; the challenge /start-chat needs is not solved yet
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

export interface State {
  open: boolean;
  phase: Phase;
  endedBy?: 'customer' | 'other' | 'expired';
  startError?: StartError;
  /** While starting: the service was busy, and the start waits its turn to try again. */
  queued: boolean;
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
  /** A signed-in customer: who, a chat continued, their previous chat (customer-state.ts). */
  customer: CustomerState;
}

/** The panel, the chat's phase and session, and the connection. */
export type ChatAction =
  | { type: 'opened' }
  | { type: 'closed' }
  | { type: 'phase'; phase: Phase; startError?: StartError; endedBy?: State['endedBy'] }
  | { type: 'queued' }
  | { type: 'session'; identity: string; conversationSid: string }
  | { type: 'connection'; state: ConnectionState }
  | { type: 'online'; online: boolean }
  | { type: 'reset' };

/** The conversation's messages (pages of history, new ones, how far read) and its status. */
export type MessageAction =
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
  | { type: 'read'; index: number }
  | { type: 'status'; status: ConversationStatus };

/** Who is in the conversation, and who is typing. */
export type ParticipantAction =
  | { type: 'participantJoined'; participant: ChatParticipant; at: Date }
  | { type: 'participantLeft'; participant: ChatParticipant; at: Date }
  | { type: 'participantUpdated'; participant: ChatParticipant }
  | { type: 'typing'; participant: ChatParticipant; typing: boolean };

export type Action = ChatAction | MessageAction | ParticipantAction | CustomerAction;

export function initialState(online = true): State {
  return {
    open: false,
    phase: 'form',
    queued: false,
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
    customer: { resumed: false },
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

/**
 * The state after `action`, without changing `state`. Each group of actions
 * has its reducer below; TypeScript checks that every action type reaches
 * one (the switches are exhaustive, and a type sent to the wrong group does
 * not compile).
 */
export function reduce(state: State, action: Action): State {
  switch (action.type) {
    case 'opened':
    case 'closed':
    case 'phase':
    case 'queued':
    case 'session':
    case 'connection':
    case 'online':
    case 'reset':
      return reduceChat(state, action);
    case 'history':
    case 'loadingOlder':
    case 'older':
    case 'messageAdded':
    case 'read':
    case 'status':
      return reduceMessages(state, action);
    case 'participantJoined':
    case 'participantLeft':
    case 'participantUpdated':
    case 'typing':
      return reduceParticipants(state, action);
    case 'customer':
      return { ...state, customer: reduceCustomer(state.customer, action) };
  }
}

function reduceChat(state: State, action: ChatAction): State {
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
        queued: false,
        endedBy:
          action.phase === 'ended' ? (action.endedBy ?? state.endedBy ?? 'other') : undefined,
      };
    case 'queued':
      return { ...state, queued: state.phase === 'starting' };
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
    case 'reset':
      return {
        ...initialState(state.online),
        open: state.open,
        // A new chat for the same customer: still signed in, nothing continued or shown yet.
        customer: { resumed: false, signedIn: state.customer.signedIn },
      };
  }
}

function reduceMessages(state: State, action: MessageAction): State {
  switch (action.type) {
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
    case 'read':
      return { ...state, readIndex: Math.max(state.readIndex, action.index) };
    case 'status':
      return { ...state, status: action.status };
  }
}

function reduceParticipants(state: State, action: ParticipantAction): State {
  switch (action.type) {
    case 'participantJoined':
    case 'participantLeft':
      return joinedOrLeft(state, action);
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
  }
}

/** Someone joined or left: a notice in the timeline (not for the customer), and not typing. */
function joinedOrLeft(
  state: State,
  action: Extract<ParticipantAction, { type: 'participantJoined' | 'participantLeft' }>,
): State {
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

// What the view derives from the state lives in selectors.ts; exported here
// too, where the views and tests have always imported it.
export {
  banner,
  canSend,
  seenIndex,
  timeline,
  typingNames,
  unreadCount,
  type Banner,
  type MessageItem,
  type TimelineItem,
} from './selectors';
