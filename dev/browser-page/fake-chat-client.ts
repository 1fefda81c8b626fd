/**
 * A stand-in for the Conversations SDK, injected into the page at the
 * widget's seam (`window.FlexWebchatConfig.chatClientFactory`), because
 * Twilsock cannot be reached from a test. Tests drive the "agent" side and
 * inspect what the customer did through `window.fakeChat`.
 *
 * The conversation lives in sessionStorage, so a page reload finds it again,
 * as the real service would.
 */
import {
  chatUnavailable,
  type ChatClient,
  type ChatConversation,
  type ChatMessage,
  type ChatParticipant,
  type ClientEvents,
  type ConnectionState,
  type ConversationEvents,
  type ConversationStatus,
} from '../../client/lib/chat-client';
import { formatter } from '../../client/lib/markdown';
import { Notifier } from '../../client/lib/notify';
// For the Window.FlexWebchatConfig declaration.
import type {} from '../../client/webchat';

interface StoredMessage {
  sid: string;
  index: number;
  author: string;
  body: string | null;
  date: string;
  media: { sid: string; filename: string; contentType: string; size: number; url: string }[];
}

interface Stored {
  messages: StoredMessage[];
  agent?: { sid: string; identity: string; name: string; lastRead: number | null };
  /** The customer's read horizon, as Twilio keeps it for their participant. */
  customerLastRead?: number | null;
  status: ConversationStatus;
}

type Listeners = Map<string, Set<(value: unknown) => void>>;

function emit(listeners: Listeners, event: string, value?: unknown): void {
  for (const listener of listeners.get(event) ?? []) listener(value);
}

function on(listeners: Listeners, event: string, listener: (value: unknown) => void): () => void {
  const set = listeners.get(event) ?? new Set();
  set.add(listener);
  listeners.set(event, set);
  return () => set.delete(listener);
}

function identityOf(token: string): string {
  const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as {
    grants: { identity: string };
  };
  return payload.grants.identity;
}

class FakeConversation implements ChatConversation {
  readonly listeners: Listeners = new Map();
  typingSignals = 0;

  constructor(
    readonly sid: string,
    private readonly identity: string,
  ) {}

  private get key(): string {
    return `fake-conversation:${this.sid}`;
  }

  load(): Stored {
    return JSON.parse(
      sessionStorage.getItem(this.key) ?? '{"messages":[],"status":"active"}',
    ) as Stored;
  }

  save(stored: Stored): void {
    sessionStorage.setItem(this.key, JSON.stringify(stored));
  }

  get status(): ConversationStatus {
    return this.load().status;
  }

  toMessage(m: StoredMessage): ChatMessage {
    return {
      sid: m.sid,
      index: m.index,
      author: m.author,
      body: m.body,
      dateCreated: new Date(m.date),
      media: m.media.map((media) => ({ ...media, url: () => Promise.resolve(media.url) })),
      attributes: {},
    };
  }

  agent(): ChatParticipant | undefined {
    const agent = this.load().agent;
    return (
      agent && {
        sid: agent.sid,
        identity: agent.identity,
        name: agent.name,
        lastReadMessageIndex: agent.lastRead,
      }
    );
  }

  add(author: string, body: string | null, media: StoredMessage['media'] = []): void {
    const stored = this.load();
    const message: StoredMessage = {
      sid: `IM${stored.messages.length.toString(16).padStart(32, '0')}`,
      index: stored.messages.length,
      author,
      body,
      date: new Date().toISOString(),
      media,
    };
    stored.messages.push(message);
    this.save(stored);
    emit(this.listeners, 'messageAdded', this.toMessage(message));
  }

  messages(pageSize: number, beforeIndex?: number) {
    const all = this.load().messages.filter(
      (m) => beforeIndex === undefined || m.index <= beforeIndex,
    );
    const page = all.slice(-pageSize);
    return Promise.resolve({
      messages: page.map((m) => this.toMessage(m)),
      hasOlder: all.length > page.length,
    });
  }

  participants(): Promise<ChatParticipant[]> {
    const me: ChatParticipant = {
      sid: 'MBcustomer',
      identity: this.identity,
      name: this.identity,
      lastReadMessageIndex: this.load().customerLastRead ?? null,
    };
    const agent = this.agent();
    return Promise.resolve(agent ? [me, agent] : [me]);
  }

  async send(text: string): Promise<void> {
    if (fake.sendDelayMs) await new Promise((r) => setTimeout(r, fake.sendDelayMs));
    if (fake.failSends > 0) {
      fake.failSends--;
      throw new Error('send failed');
    }
    fake.sent.push({ body: text });
    this.add(this.identity, text);
  }

  async sendMedia(file: Blob, filename: string, text?: string): Promise<void> {
    fake.sent.push({ body: text ?? null, filename, size: file.size, type: file.type });
    const url = URL.createObjectURL(file);
    this.add(this.identity, text ?? null, [
      { sid: `ME${Date.now()}`, filename, contentType: file.type, size: file.size, url },
    ]);
    await Promise.resolve();
  }

  typing(): void {
    this.typingSignals++;
  }

  markAllRead(): Promise<void> {
    fake.readCalls++;
    const stored = this.load();
    stored.customerLastRead = stored.messages.length - 1;
    this.save(stored);
    return Promise.resolve();
  }

  on<E extends keyof ConversationEvents>(event: E, listener: ConversationEvents[E]): () => void {
    return on(this.listeners, event, listener as (value: unknown) => void);
  }
}

class FakeClient implements ChatClient {
  readonly listeners: Listeners = new Map();
  conversationRef?: FakeConversation;

  constructor(readonly token: string) {
    fake.tokens.push(token);
    setTimeout(() => this.setState('connected'), 0);
  }

  setState(state: ConnectionState): void {
    emit(this.listeners, 'connectionStateChanged', state);
  }

  conversation(sid: string): Promise<ChatConversation> {
    if (fake.failConnects > 0) {
      fake.failConnects--;
      return Promise.reject(chatUnavailable(fake.failReason, 'test says no'));
    }
    const conversation = new FakeConversation(sid, identityOf(this.token));
    if (fake.seed && conversation.load().messages.length === 0) {
      const { count, daysAgo } = fake.seed;
      const date = new Date(Date.now() - daysAgo * 86_400_000).toISOString();
      conversation.save({
        status: 'active',
        messages: Array.from({ length: count }, (_, index) => ({
          sid: `IMseed${index}`,
          index,
          author: 'alex@example.com',
          body: `Earlier message ${index + 1}`,
          date,
          media: [],
        })),
      });
      fake.seed = undefined;
    }
    this.conversationRef = conversation;
    return Promise.resolve(conversation);
  }

  updateToken(token: string): Promise<void> {
    fake.tokens.push(token);
    return Promise.resolve();
  }

  on<E extends keyof ClientEvents>(event: E, listener: ClientEvents[E]): () => void {
    return on(this.listeners, event, listener as (value: unknown) => void);
  }

  shutdown(): Promise<void> {
    fake.shutdowns++;
    return Promise.resolve();
  }
}

/** The test's handle on the fake, as `window.fakeChat`. */
const fake = {
  client: undefined as FakeClient | undefined,
  tokens: [] as string[],
  sent: [] as { body: string | null; filename?: string; size?: number; type?: string }[],
  failSends: 0,
  /** Delays every send (messages in flight while the customer types). */
  sendDelayMs: 0,
  /** How many next clients cannot reach the conversation, and why. */
  failConnects: 0,
  failReason: 'unreachable' as 'unreachable' | 'gone',
  /** History to put in the next conversation (paging tests). */
  seed: undefined as { count: number; daysAgo: number } | undefined,
  readCalls: 0,
  shutdowns: 0,
  conversation(): FakeConversation {
    const conversation = fake.client?.conversationRef;
    if (!conversation) throw new Error('no conversation yet');
    return conversation;
  },
  typingSignals(): number {
    return fake.client?.conversationRef?.typingSignals ?? 0;
  },
  agentJoins(name = 'Alex'): void {
    const conversation = fake.conversation();
    const stored = conversation.load();
    stored.agent = { sid: 'MBagent', identity: 'alex@example.com', name, lastRead: null };
    conversation.save(stored);
    emit(conversation.listeners, 'participantJoined', conversation.agent());
  },
  agentLeaves(): void {
    const conversation = fake.conversation();
    emit(conversation.listeners, 'participantLeft', conversation.agent());
  },
  agentSays(text: string): void {
    fake.conversation().add('alex@example.com', text);
  },
  agentSendsImage(filename: string, dataUrl: string): void {
    fake
      .conversation()
      .add('alex@example.com', null, [
        { sid: 'MEagentimage', filename, contentType: 'image/png', size: 68, url: dataUrl },
      ]);
  },
  agentTyping(typing: boolean): void {
    const conversation = fake.conversation();
    emit(conversation.listeners, typing ? 'typingStarted' : 'typingEnded', conversation.agent());
  },
  agentReadsAll(): void {
    const conversation = fake.conversation();
    const stored = conversation.load();
    if (!stored.agent) return;
    stored.agent.lastRead = stored.messages.length - 1;
    conversation.save(stored);
    emit(conversation.listeners, 'participantUpdated', conversation.agent());
  },
  closeConversation(): void {
    const conversation = fake.conversation();
    const stored = conversation.load();
    stored.status = 'closed';
    conversation.save(stored);
    emit(conversation.listeners, 'statusChanged', 'closed');
  },
  connection(state: ConnectionState): void {
    fake.client?.setState(state);
  },
  tokenAboutToExpire(): void {
    if (fake.client) emit(fake.client.listeners, 'tokenAboutToExpire');
  },
  tokenExpired(): void {
    if (fake.client) emit(fake.client.listeners, 'tokenExpired');
  },
};

declare global {
  interface Window {
    fakeChat: typeof fake;
  }
}

window.fakeChat = fake;
window.FlexWebchatConfig = {
  ...window.FlexWebchatConfig,
  chatClientFactory: (token: string) => {
    // As webchat-sdk.js does before it hands over the SDK: Markdown and alerts.
    window.FlexWebchat?.registerFormatter(formatter);
    window.FlexWebchat?.registerNotifier(Notifier);
    fake.client = new FakeClient(token);
    return fake.client;
  },
};
