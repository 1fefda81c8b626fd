/**
 * Runs one customer's chat: start (or resume after a reload), connect the
 * chat client, keep its token fresh, send, read, end. It owns the side
 * effects (functions, SDK, storage) and feeds the pure reducer in state.ts;
 * the view only renders `state` and calls these methods. No DOM here.
 *
 * @example
 *   const chat = new ChatController({ api, sessions, clientFactory });
 *   chat.subscribe((state) => view.render(state));
 *   await chat.resume(); // a stored chat comes back, if there is one
 *   await chat.start({ friendlyName: 'Ana', preEngagement: {} });
 */
import { ApiError, type Api } from './api';
import type { ChatClient, ChatClientFactory, ChatConversation, ChatMessage } from './chat-client';
import type { StartChatBody } from './pre-engagement';
import type { SessionStore, StoredSession } from './session-store';
import { initialState, reduce, type Action, type State } from './state';

/** Messages per history page. */
export const PAGE_SIZE = 30;
/** At most one typing signal per this many ms (the SDK's own indicator lasts ~5 s). */
export const TYPING_INTERVAL_MS = 3000;

export interface ControllerDeps {
  api: Api;
  sessions: SessionStore;
  /** Resolves the chat client factory (loads the SDK on first use). */
  clientFactory: () => Promise<ChatClientFactory>;
  now?: () => number;
  online?: boolean;
}

export type Listener = (state: State, action: Action) => void;

export class ChatController {
  state: State;
  private readonly listeners = new Set<Listener>();
  private readonly now: () => number;
  private client?: ChatClient;
  private conversation?: ChatConversation;
  private session?: StoredSession;
  private detach: (() => void)[] = [];
  private lastTypingAt = Number.NEGATIVE_INFINITY;
  private visible = true;
  private renewing?: Promise<void>;

  constructor(private readonly deps: ControllerDeps) {
    this.now = deps.now ?? Date.now;
    this.state = initialState(deps.online ?? true);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private dispatch(action: Action): void {
    this.state = reduce(this.state, action);
    for (const listener of this.listeners) listener(this.state, action);
  }

  /* ------------------------------------------------------------ the panel */

  open(): void {
    this.dispatch({ type: 'opened' });
    void this.markRead();
  }

  close(): void {
    this.dispatch({ type: 'closed' });
  }

  /** The page became visible or hidden: reading only happens when seen. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible) void this.markRead();
  }

  setOnline(online: boolean): void {
    this.dispatch({ type: 'online', online });
    if (online && this.state.phase === 'resuming' && this.session) void this.resume();
  }

  /* -------------------------------------------------------- start, resume */

  async start(body: StartChatBody): Promise<void> {
    if (this.state.phase === 'starting') return;
    this.dispatch({ type: 'phase', phase: 'starting' });
    try {
      const started = await this.deps.api.startChat(body);
      const session: StoredSession = {
        conversationSid: started.conversationSid,
        identity: started.identity,
        token: started.token,
        expiresAt: started.expiresAt,
      };
      this.deps.sessions.save(session);
      await this.connect(session);
    } catch (error) {
      this.dispatch({ type: 'phase', phase: 'form', startError: toStartError(error) });
    }
  }

  /**
   * Brings a stored chat back after a reload. The token is renewed first: that
   * proves the session is still valid (and gives a full lifetime) before the
   * SDK is even loaded. Returns false when there was nothing to resume.
   */
  async resume(): Promise<boolean> {
    const stored = this.session ?? this.deps.sessions.load();
    if (!stored) return false;
    this.session = stored;
    this.dispatch({ type: 'phase', phase: 'resuming' });
    try {
      const renewed = await this.deps.api.refreshToken(stored.token);
      const session = { ...stored, token: renewed.token, expiresAt: renewed.expiresAt };
      this.deps.sessions.save(session);
      await this.connect(session);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'network') return true; // retried when online
      this.forget();
      this.dispatch({ type: 'reset' });
    }
    return true;
  }

  private async connect(session: StoredSession): Promise<void> {
    this.session = session;
    this.dispatch({
      type: 'session',
      identity: session.identity,
      conversationSid: session.conversationSid,
    });
    const factory = await this.deps.clientFactory();
    const client = factory(session.token);
    this.client = client;
    this.detach.push(
      client.on('connectionStateChanged', (state) => {
        this.dispatch({ type: 'connection', state });
        if (state === 'denied') void this.renewToken();
      }),
      client.on('tokenAboutToExpire', () => void this.renewToken()),
      client.on('tokenExpired', () => void this.renewToken()),
    );
    let conversation: ChatConversation;
    try {
      conversation = await client.conversation(session.conversationSid);
    } catch {
      // The chat is gone or no longer ours: nothing to resume.
      await this.shutdown();
      this.forget();
      this.dispatch({ type: 'phase', phase: 'ended', endedBy: 'expired' });
      return;
    }
    this.conversation = conversation;
    this.listen(conversation);
    const [page, participants] = await Promise.all([
      conversation.messages(PAGE_SIZE),
      conversation.participants(),
    ]);
    this.dispatch({
      type: 'history',
      messages: page.messages,
      hasOlder: page.hasOlder,
      participants,
      status: conversation.status,
    });
    if (conversation.status === 'closed') {
      this.endedElsewhere();
      return;
    }
    this.dispatch({ type: 'phase', phase: 'chat' });
    void this.markRead();
  }

  private listen(conversation: ChatConversation): void {
    const at = () => new Date(this.now());
    this.detach.push(
      conversation.on('messageAdded', (message) => {
        this.dispatch({ type: 'messageAdded', message });
        void this.markRead();
      }),
      conversation.on('participantJoined', (participant) =>
        this.dispatch({ type: 'participantJoined', participant, at: at() }),
      ),
      conversation.on('participantLeft', (participant) =>
        this.dispatch({ type: 'participantLeft', participant, at: at() }),
      ),
      conversation.on('participantUpdated', (participant) =>
        this.dispatch({ type: 'participantUpdated', participant }),
      ),
      conversation.on('typingStarted', (participant) =>
        this.dispatch({ type: 'typing', participant, typing: true }),
      ),
      conversation.on('typingEnded', (participant) =>
        this.dispatch({ type: 'typing', participant, typing: false }),
      ),
      conversation.on('statusChanged', (status) => {
        this.dispatch({ type: 'status', status });
        if (status === 'closed') this.endedElsewhere();
      }),
    );
  }

  /** Renews the token once at a time; a refused renewal ends the session. */
  private renewToken(): Promise<void> {
    const session = this.session;
    if (!session) return Promise.resolve();
    this.renewing ??= (async () => {
      try {
        const renewed = await this.deps.api.refreshToken(session.token);
        const next = { ...session, token: renewed.token, expiresAt: renewed.expiresAt };
        this.session = next;
        this.deps.sessions.save(next);
        await this.client?.updateToken(renewed.token);
      } catch (error) {
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
          await this.shutdown();
          this.forget();
          this.dispatch({ type: 'phase', phase: 'ended', endedBy: 'expired' });
        }
        // Otherwise (offline, 5xx) the SDK tells us again; we try again then.
      } finally {
        this.renewing = undefined;
      }
    })();
    return this.renewing;
  }

  /* -------------------------------------------------------------- talking */

  /** Sends text; resolves false (and keeps nothing lost) when it could not. */
  async send(text: string): Promise<boolean> {
    const body = text.trim();
    if (body === '' || !this.conversation) return false;
    try {
      await this.conversation.send(body);
      return true;
    } catch {
      return false;
    }
  }

  async sendFile(file: Blob, filename: string, text = ''): Promise<boolean> {
    if (!this.conversation) return false;
    try {
      await this.conversation.sendMedia(file, filename, text.trim() || undefined);
      return true;
    } catch {
      return false;
    }
  }

  /** Call on every keystroke: signals typing at most every TYPING_INTERVAL_MS. */
  typing(): void {
    const now = this.now();
    if (!this.conversation || now - this.lastTypingAt < TYPING_INTERVAL_MS) return;
    this.lastTypingAt = now;
    this.conversation.typing();
  }

  async loadOlder(): Promise<void> {
    const conversation = this.conversation;
    if (!conversation || !this.state.hasOlder || this.state.loadingOlder) return;
    const oldest = Math.min(...this.state.messages.keys());
    this.dispatch({ type: 'loadingOlder' });
    try {
      const page = await conversation.messages(PAGE_SIZE, oldest - 1);
      this.dispatch({ type: 'older', messages: page.messages, hasOlder: page.hasOlder });
    } catch {
      this.dispatch({ type: 'older', messages: [], hasOlder: true });
    }
  }

  private async markRead(): Promise<void> {
    const { open, phase, messages } = this.state;
    if (!open || !this.visible || phase !== 'chat' || !this.conversation) return;
    const newest = Math.max(-1, ...messages.keys());
    if (newest <= this.state.readIndex) return;
    this.dispatch({ type: 'read', index: newest });
    await this.conversation.markAllRead().catch(() => undefined);
  }

  /* --------------------------------------------------------------- ending */

  /** Ends the chat for everyone. Resolves false when the service could not. */
  async end(): Promise<boolean> {
    const session = this.session;
    if (!session || this.state.phase !== 'chat') return false;
    this.dispatch({ type: 'phase', phase: 'ending' });
    try {
      await this.deps.api.endChat(session.token, session.conversationSid);
    } catch {
      this.dispatch({ type: 'phase', phase: 'chat' });
      return false;
    }
    await this.shutdown();
    this.forget();
    this.dispatch({ type: 'phase', phase: 'ended', endedBy: 'customer' });
    return true;
  }

  /** After an ended chat: back to the form, for a new one. */
  async newChat(): Promise<void> {
    await this.shutdown();
    this.forget();
    this.dispatch({ type: 'reset' });
  }

  private endedElsewhere(): void {
    if (this.state.phase === 'ended') return;
    this.forget();
    void this.shutdown();
    this.dispatch({ type: 'phase', phase: 'ended', endedBy: 'other' });
  }

  /** Messages in order, for the transcript. */
  messages(): ChatMessage[] {
    return [...this.state.messages.values()].sort((a, b) => a.index - b.index);
  }

  private forget(): void {
    this.session = undefined;
    this.deps.sessions.clear();
  }

  private async shutdown(): Promise<void> {
    for (const off of this.detach.splice(0)) off();
    const client = this.client;
    this.client = undefined;
    this.conversation = undefined;
    await client?.shutdown().catch(() => undefined);
  }
}

function toStartError(error: unknown): {
  code: string;
  message: string;
  fields?: { field: string; problem: string }[];
} {
  if (error instanceof ApiError) {
    return {
      code: error.code,
      message: error.message,
      ...(error.fields && { fields: error.fields }),
    };
  }
  return { code: 'client_error', message: error instanceof Error ? error.message : 'error' };
}
