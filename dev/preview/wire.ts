/**
 * What the preview server and its two pages (the customer's chat client and
 * the agent page) send each other as JSON: messages, participants, events.
 * No Node and no DOM here: both sides import it.
 */
export interface WireMedia {
  sid: string;
  filename: string | null;
  contentType: string;
  size: number;
  /** Same-origin path of the content (`/preview/media/ME…`). */
  url: string;
}

export interface WireMessage {
  sid: string;
  index: number;
  author: string | null;
  body: string | null;
  /** ISO 8601. */
  dateCreated: string;
  media: WireMedia[];
  attributes: Record<string, unknown>;
}

export interface WireParticipant {
  sid: string;
  identity: string | null;
  name: string;
  lastReadMessageIndex: number | null;
}

export type ConversationState = 'active' | 'inactive' | 'closed';

export type WireEvent =
  | { type: 'messageAdded'; message: WireMessage }
  | {
      type: 'participantJoined' | 'participantLeft' | 'participantUpdated';
      participant: WireParticipant;
    }
  | { type: 'typingStarted' | 'typingEnded'; participant: WireParticipant }
  | { type: 'statusChanged'; status: ConversationState }
  | { type: 'removed' }
  /** The list of chats changed (a task was created, joined or ended): agent page only. */
  | { type: 'chats' };

/** One event of the preview's log, in order. */
export type LoggedEvent = WireEvent & { seq: number; conversationSid: string };

export interface PollAnswer {
  events: LoggedEvent[];
  /** Ask again with this. */
  seq: number;
}

/** A chat as the agent page lists it. */
export interface AgentChat {
  taskSid: string;
  conversationSid: string;
  customer: string;
  /** The customer's first message, if any. */
  question: string | null;
  /** `waiting`: no agent yet; `joined`: an agent is in it; `ended`: closed. */
  status: 'waiting' | 'joined' | 'ended';
  /** Names of the agents in it. */
  agents: string[];
}

export interface ConversationView {
  sid: string;
  status: ConversationState;
  messages: WireMessage[];
  participants: WireParticipant[];
}

const AGENT_PREFIX = 'preview-agent-';

/** The identity the agent page's agent has in conversations: `Alex` -> `preview-agent-alex`. */
export function agentIdentity(name: string): string {
  const slug =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'agent';
  return AGENT_PREFIX + slug;
}

export function isAgent(identity: string | null): boolean {
  return identity?.startsWith(AGENT_PREFIX) ?? false;
}
