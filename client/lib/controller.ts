/**
 * Runs one customer's chat: start (or resume after a reload), connect the
 * chat client, keep its token fresh, send, read, end. It owns the side
 * effects (functions, SDK, storage) and feeds the pure reducer in state.ts;
 * the view only renders `state` and calls these methods. No DOM here.
 *
 * A chat is only forgotten when the service or Twilio says it is over: a
 * refused renewal (401/403), or a conversation that is gone. Anything else
 * (offline, a 5xx, the SDK failing to load or to connect) keeps the chat and
 * tries again, with backoff and whenever the browser comes back online.
 *
 * @example
 *   const chat = new ChatController({ api, sessions, clientFactory });
 *   chat.subscribe((state) => view.render(state));
 *   await chat.resume(); // a stored chat comes back, if there is one
 *   await chat.start({ friendlyName: 'Ana', preEngagement: {} });
 */
import { ApiError, type Api } from './api';
import {
  isGone,
  type ChatClient,
  type ChatClientFactory,
  type ChatConversation,
  type ChatMessage,
} from './chat-client';
import type { StartChatBody } from './pre-engagement';
import type { SessionStore, StoredSession } from './session-store';
import { initialState, reduce, type Action, type State } from './state';

/** Messages per history page. */
export const PAGE_SIZE = 30;
/** At most one typing signal per this many ms (the SDK's own indicator lasts ~5 s). */
export const TYPING_INTERVAL_MS = 3000;
/** Waits between attempts to reach a chat that could not be reached. */
export const RETRY_DELAYS_MS = [1000, 2000, 5000, 10_000, 30_000];
/** Renew a token this long before it expires, if the SDK has not asked already. */
export const RENEW_AHEAD_MS = 3 * 60_000;
/** The most history a transcript pages in. */
export const TRANSCRIPT_MAX_MESSAGES = 2000;

export interface ControllerDeps {
  api: Api;
  sessions: SessionStore;
  /** Resolves the chat client factory (loads the SDK on first use). */
  clientFactory: () => Promise<ChatClientFactory>;
  now?: () => number;
  online?: boolean;
  /** Timers, replaceable in tests. */
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

export type Listener = (state: State, action: Action) => void;

const isRefusal = (error: unknown) =>
  error instanceof ApiError && (error.status === 401 || error.status === 403);

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
  /** The connection attempt under way, and the chat it is for. */
  private attempt?: { conversationSid: string; run: Promise<void> };
  private ending?: Promise<boolean>;
  private retryHandle?: unknown;
  private failures = 0;
  /** The chat was live on this page (not only a stored one being resumed). */
  private live = false;

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
    if (!visible) return;
    void this.markRead();
    this.wakeUp();
  }

  setOnline(online: boolean): void {
    this.dispatch({ type: 'online', online });
    if (online) this.wakeUp();
  }

  /** Back online or visible: retry at once, and renew a token a sleep may have let lapse. */
  private wakeUp(): void {
    if (this.state.phase === 'resuming' && this.session) this.retryNow();
    const session = this.session;
    if (session && this.client && Date.parse(session.expiresAt) - this.now() < RENEW_AHEAD_MS) {
      void this.renewToken();
    }
  }

  /* -------------------------------------------------------- start, resume */

  async start(body: StartChatBody): Promise<void> {
    if (this.state.phase === 'starting') return;
    this.dispatch({ type: 'phase', phase: 'starting' });
    let session: StoredSession;
    try {
      const started = await this.deps.api.startChat(body);
      session = {
        conversationSid: started.conversationSid,
        identity: started.identity,
        token: started.token,
        expiresAt: started.expiresAt,
      };
    } catch (error) {
      this.dispatch({ type: 'phase', phase: 'form', startError: toStartError(error) });
      return;
    }
    // From here on the chat exists at Twilio: keep it, whatever happens next.
    this.adopt(session);
    this.live = true;
    await this.attemptConnect(false);
  }

  /**
   * Brings a stored chat back after a reload. The token is renewed first: that
   * proves the session is still valid (and gives a full lifetime) before the
   * SDK is even loaded. Returns false when there was nothing to resume.
   */
  async resume(): Promise<boolean> {
    const stored = this.session ?? this.deps.sessions.load();
    if (!stored) return false;
    this.adopt(stored);
    this.dispatch({ type: 'phase', phase: 'resuming' });
    await this.attemptConnect(true);
    return true;
  }

  /** "Try again" from the view, or a timer: one attempt now. */
  retryNow(): void {
    this.clearRetry();
    void this.attemptConnect(true);
  }

  private adopt(session: StoredSession): void {
    this.session = session;
    this.deps.sessions.save(session);
    this.dispatch({
      type: 'session',
      identity: session.identity,
      conversationSid: session.conversationSid,
    });
  }

  /**
   * One attempt at a time per chat: renew (when resuming), connect, load
   * history. An attempt that ends after its chat did (ended, given up,
   * replaced by a new one) changes nothing.
   */
  private attemptConnect(renewFirst: boolean): Promise<void> {
    const session = this.session;
    if (!session) return Promise.resolve();
    if (this.attempt?.conversationSid === session.conversationSid) return this.attempt.run;
    const attempt = { conversationSid: session.conversationSid, run: Promise.resolve() };
    this.attempt = attempt;
    attempt.run = this.connectOnce(session, renewFirst).finally(() => {
      if (this.attempt === attempt) this.attempt = undefined;
    });
    return attempt.run;
  }

  private async connectOnce(session: StoredSession, renewFirst: boolean): Promise<void> {
    const isCurrent = () => this.session?.conversationSid === session.conversationSid;
    try {
      if (renewFirst) await this.renewSession(session);
      if (!isCurrent()) return;
      await this.connect();
      if (!isCurrent()) return;
      this.failures = 0;
      this.clearRetry();
    } catch (error) {
      if (!isCurrent()) return; // over meanwhile: its failure is no news
      if (isRefusal(error) || isGone(error)) {
        if (this.live) {
          await this.finish('expired');
        } else {
          // A stored chat that is over: back to the form, as on a first visit.
          await this.newChat();
        }
        return;
      }
      // Still ours, just not reachable now: say so and try again later.
      if (this.state.phase !== 'chat') this.dispatch({ type: 'phase', phase: 'resuming' });
      this.scheduleRetry();
    }
  }

  /**
   * One pending retry at a time: a failure often arrives as several reports
   * (an error state, a disconnect, a rejected call), and the backoff counts
   * failures, not reports.
   */
  private scheduleRetry(): void {
    if (this.retryHandle !== undefined) return;
    const delay = RETRY_DELAYS_MS[Math.min(this.failures, RETRY_DELAYS_MS.length - 1)] ?? 30_000;
    this.failures++;
    const set = this.deps.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
    this.retryHandle = set(() => {
      this.retryHandle = undefined;
      void this.attemptConnect(true);
    }, delay);
  }

  private clearRetry(): void {
    if (this.retryHandle === undefined) return;
    (this.deps.clearTimeout ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>)))(
      this.retryHandle,
    );
    this.retryHandle = undefined;
  }

  private async connect(): Promise<void> {
    const session = this.session;
    if (!session) return;
    await this.shutdownClient(); // never two clients at once
    const factory = await this.deps.clientFactory();
    if (this.session?.conversationSid !== session.conversationSid) return; // given up meanwhile
    const client = factory(session.token);
    this.client = client;
    this.detach.push(
      client.on('connectionStateChanged', (state) => {
        this.dispatch({ type: 'connection', state });
        // Refused: the first time, a fresh token; again after that, the token
        // is not the problem, so back off and start over with a new client.
        if (state === 'denied' && this.state.denials < 2) void this.renewToken();
        else if (state === 'denied' && this.client === client && this.session && !this.attempt) {
          this.scheduleRetry();
        }
        // A client that stopped trying (not our shutdown) while the chat is
        // on, and no attempt is under way to judge it: start a new one.
        const gaveUp = state === 'disconnected' || state === 'error';
        if (gaveUp && this.client === client && this.session && !this.attempt) {
          this.scheduleRetry();
        }
      }),
      client.on('tokenAboutToExpire', () => void this.renewToken()),
      client.on('tokenExpired', () => void this.renewToken()),
    );
    const conversation = await client.conversation(session.conversationSid);
    const [page, participants] = await Promise.all([
      conversation.messages(PAGE_SIZE),
      conversation.participants(),
    ]);
    if (this.client !== client) return; // replaced meanwhile
    this.conversation = conversation;
    this.listen(conversation);
    this.dispatch({
      type: 'history',
      messages: page.messages,
      hasOlder: page.hasOlder,
      participants,
      status: conversation.status,
    });
    if (conversation.status === 'closed') {
      await this.finish('other');
      return;
    }
    this.live = true;
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
        if (status === 'closed') void this.finish('other');
      }),
      conversation.on('removed', () => void this.finish('other')),
    );
  }

  /* ----------------------------------------------------------------- tokens */

  /** Renews the stored token through the service (not touching the client). */
  private async renewSession(session: StoredSession): Promise<StoredSession> {
    const renewed = await this.deps.api.refreshToken(session.token);
    if (this.session?.conversationSid !== session.conversationSid) return session; // ended meanwhile
    const next = { ...session, token: renewed.token, expiresAt: renewed.expiresAt };
    this.session = next;
    this.deps.sessions.save(next);
    return next;
  }

  /** Renews the token once at a time; a refused renewal ends the session. */
  private renewToken(): Promise<void> {
    const session = this.session;
    if (!session) return Promise.resolve();
    this.renewing ??= (async () => {
      try {
        const next = await this.renewSession(session);
        if (this.session === next) await this.client?.updateToken(next.token);
      } catch (error) {
        if (isRefusal(error) && this.session?.conversationSid === session.conversationSid) {
          await this.finish('expired');
        }
        // Otherwise (offline, 5xx): wakeUp() or the SDK's next warning tries again.
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
      // Keep `hasOlder` so the button stays; the next scroll tries again.
      this.dispatch({ type: 'older', messages: [], hasOlder: true });
    }
  }

  /** Everything said in this chat (pages in what is not loaded yet), for the transcript. */
  async allMessages(): Promise<ChatMessage[]> {
    while (
      this.conversation &&
      this.state.hasOlder &&
      this.state.messages.size < TRANSCRIPT_MAX_MESSAGES
    ) {
      const before = this.state.messages.size;
      await this.loadOlder();
      if (this.state.messages.size === before) break; // failed or nothing new
    }
    return [...this.state.messages.values()].sort((a, b) => a.index - b.index);
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
  end(): Promise<boolean> {
    const session = this.session;
    if (this.ending) return this.ending;
    if (!session || this.state.phase !== 'chat') return Promise.resolve(false);
    this.ending = (async () => {
      this.dispatch({ type: 'phase', phase: 'ending' });
      try {
        await this.deps.api.endChat(session.token, session.conversationSid);
      } catch {
        // Back to the chat, unless it ended another way meanwhile.
        if (this.state.phase === 'ending') this.dispatch({ type: 'phase', phase: 'chat' });
        return false;
      } finally {
        this.ending = undefined;
      }
      await this.finish('customer');
      return true;
    })();
    return this.ending;
  }

  /**
   * Gives up on a chat that cannot be reached ("Start a new chat" while
   * reconnecting): asks the service to end it, so no agent is left waiting on
   * a customer who moved on, then shows the form. Best effort: the service
   * may be what is unreachable.
   */
  async abandon(): Promise<void> {
    const session = this.session;
    this.clearRetry();
    if (session) {
      await this.deps.api.endChat(session.token, session.conversationSid).catch(() => undefined);
    }
    await this.newChat();
  }

  /** After an ended chat: back to the form, for a new one. */
  async newChat(): Promise<void> {
    this.clearRetry();
    this.live = false;
    this.forget(); // first: what the shutdown makes fail is then no longer ours
    await this.shutdownClient();
    this.dispatch({ type: 'reset' });
  }

  /**
   * The chat is over: forget it (a reload shows the form), and stop retrying.
   * The client stays connected until a new chat, so the transcript can still
   * page in older messages.
   */
  private async finish(endedBy: NonNullable<State['endedBy']>): Promise<void> {
    if (this.state.phase === 'ended') return;
    this.clearRetry();
    this.forget();
    if (endedBy === 'expired' || !this.conversation) await this.shutdownClient();
    this.dispatch({ type: 'phase', phase: 'ended', endedBy });
  }

  private forget(): void {
    this.session = undefined;
    this.deps.sessions.clear();
  }

  private async shutdownClient(): Promise<void> {
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
