/**
 * Our interface over the Conversations SDK: everything the widget needs from
 * a live chat connection, and nothing else. `client/webchat-sdk.ts` implements
 * it with `@twilio/conversations` (loaded only when a chat needs it); browser
 * tests inject a fake here, because Twilsock cannot be reached from a test.
 *
 * @example
 *   const client = factory(token);
 *   client.on('connectionStateChanged', (state) => render(state));
 *   const conversation = await client.conversation(conversationSid);
 *   await conversation.send('Hello');
 */

/** Twilsock's connection states, as the SDK reports them. */
export type ConnectionState =
  | 'unknown'
  | 'connecting'
  | 'connected'
  | 'retrying'
  | 'disconnecting'
  | 'disconnected'
  | 'denied'
  | 'error';

export type ConversationStatus = 'active' | 'inactive' | 'closed';

export interface ChatMedia {
  sid: string;
  filename: string | null;
  contentType: string;
  size: number;
  /** A temporary URL for the content (Twilio's expire after a few minutes). */
  url(): Promise<string | null>;
}

export interface ChatMessage {
  sid: string;
  index: number;
  /** Identity of the author; `system` for messages posted by the service. */
  author: string | null;
  body: string | null;
  dateCreated: Date | null;
  media: ChatMedia[];
  attributes: Record<string, unknown>;
}

export interface ChatParticipant {
  sid: string;
  identity: string | null;
  /** The name to show: the user's friendly name, else the identity. */
  name: string;
  /** Index of the last message this participant has read. */
  lastReadMessageIndex: number | null;
}

export interface MessagePage {
  /** Oldest first. */
  messages: ChatMessage[];
  /** Whether older messages exist before the first one here. */
  hasOlder: boolean;
}

export interface ConversationEvents {
  messageAdded: (message: ChatMessage) => void;
  participantJoined: (participant: ChatParticipant) => void;
  participantLeft: (participant: ChatParticipant) => void;
  /** A participant changed, e.g. its read horizon (read receipts) or name. */
  participantUpdated: (participant: ChatParticipant) => void;
  typingStarted: (participant: ChatParticipant) => void;
  typingEnded: (participant: ChatParticipant) => void;
  statusChanged: (status: ConversationStatus) => void;
  /** The customer is no longer in it (removed, or the conversation deleted). */
  removed: () => void;
}

export interface ChatConversation {
  readonly sid: string;
  readonly status: ConversationStatus;
  /** The newest `pageSize` messages, or the newest up to and including index `upToIndex`. */
  messages(pageSize: number, upToIndex?: number): Promise<MessagePage>;
  participants(): Promise<ChatParticipant[]>;
  send(text: string): Promise<void>;
  /** One file per message (Flex's rule), with optional text. */
  sendMedia(file: Blob, filename: string, text?: string): Promise<void>;
  /** Tells the others the customer is typing (callers throttle). */
  typing(): void;
  /** Marks everything so far as read by the customer. */
  markAllRead(): Promise<void>;
  on<E extends keyof ConversationEvents>(event: E, listener: ConversationEvents[E]): () => void;
}

export interface ClientEvents {
  /** Also called once, soon after subscribing, with the current state. */
  connectionStateChanged: (state: ConnectionState) => void;
  tokenAboutToExpire: () => void;
  tokenExpired: () => void;
}

/**
 * Why `conversation()` failed: `gone` when the chat no longer exists or is
 * not this customer's (nothing to resume), `unreachable` when it could not be
 * reached now (Twilsock down, network, a firewall): try again later. A plain
 * object shape, not a class: the SDK adapter is a separate bundle.
 */
export interface ChatUnavailable extends Error {
  name: 'ChatUnavailable';
  reason: 'gone' | 'unreachable';
}

export function chatUnavailable(
  reason: ChatUnavailable['reason'],
  message: string,
): ChatUnavailable {
  return Object.assign(new Error(message), { name: 'ChatUnavailable' as const, reason });
}

export function isGone(error: unknown): boolean {
  const e = error as Partial<ChatUnavailable> | null;
  return e?.name === 'ChatUnavailable' && e.reason === 'gone';
}

export interface ChatClient {
  /** Rejects with a `ChatUnavailable` saying whether to try again. */
  conversation(sid: string): Promise<ChatConversation>;
  updateToken(token: string): Promise<void>;
  on<E extends keyof ClientEvents>(event: E, listener: ClientEvents[E]): () => void;
  shutdown(): Promise<void>;
}

/** Makes a client for an Access Token: the seam between widget and SDK. */
export type ChatClientFactory = (token: string) => ChatClient;
