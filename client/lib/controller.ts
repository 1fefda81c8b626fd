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
 * Its parts sit beside it: the session and its token (chat-session.ts), the
 * retry backoff (backoff.ts), the client's connection (connection.ts), the
 * conversation's events (conversation-events.ts), the first page of history
 * (history.ts), and reading and writing in the conversation (talk.ts: sending,
 * typing, older pages, read marks). This class decides when each runs.
 *
 * @example
 *   const chat = new ChatController({ api, sessions, clientFactory });
 *   chat.subscribe((state) => view.render(state));
 *   await chat.resume(); // a stored chat comes back, if there is one
 *   await chat.start({ friendlyName: 'Ana', preEngagement: {} });
 */
import { isChatEnded, isRefusal, toStartError, type Api, type StartedChat } from './api';
import { Backoff, type Timers } from './backoff';
import type { Challenges, Proof } from './challenge';
import {
  isGone,
  type ChatClient,
  type ChatClientFactory,
  type ChatConversation,
  type ChatMessage,
} from './chat-client';
import { ChatSession } from './chat-session';
import { followClient } from './connection';
import { followConversation } from './conversation-events';
import { firstPage } from './history';
import type { StartChatBody } from './pre-engagement';
import type { SessionStore, StoredSession } from './session-store';
import { startWithRetry } from './start-retry';
import { initialState, reduce, type Action, type State } from './state';
import { Talk } from './talk';

export { RETRY_DELAYS_MS } from './backoff';
export { PAGE_SIZE, TRANSCRIPT_MAX_MESSAGES } from './history';
export { TYPING_INTERVAL_MS } from './sender';

/** Renew a token this long before it expires, if the SDK has not asked already. */
export const RENEW_AHEAD_MS = 3 * 60_000;

/** What the controller works with; `now`, `online` and the timers (`Timers`) are for tests. */
export interface ControllerDeps extends Timers {
  api: Api;
  sessions: SessionStore;
  /** Resolves the chat client factory (loads the SDK on first use). */
  clientFactory: () => Promise<ChatClientFactory>;
  /** The proofs /start-chat asks for (challenge.ts); without it, starts carry none. */
  challenges?: Challenges;
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
  /** The chat's session; read by customer-session.ts (its token asks for /previous-chat). */
  readonly session: ChatSession;
  private detach: (() => void)[] = [];
  private readonly talk: Talk;
  private renewing?: Promise<void>;
  /** The connection attempt under way, and the chat it is for. */
  private attempt?: { conversationSid: string; run: Promise<void> };
  private ending?: Promise<boolean>;
  /** The next attempt to reach a chat that could not be reached. */
  private readonly retry: Backoff;
  /** The chat was live on this page (not only a stored one being resumed). */
  private live = false;

  constructor(private readonly deps: ControllerDeps) {
    this.now = deps.now ?? Date.now;
    this.state = initialState(deps.online ?? true);
    this.session = new ChatSession(deps.api, deps.sessions);
    this.talk = new Talk(this, () => this.conversation, this.now);
    this.retry = new Backoff(() => void this.attemptConnect(true), deps);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Also for the controller's helpers outside it (customer-session.ts: `customer` actions). */
  dispatch(action: Action): void {
    this.state = reduce(this.state, action);
    for (const listener of this.listeners) listener(this.state, action);
  }

  /* ------------------------------------------------------------ the panel */

  open(): void {
    this.dispatch({ type: 'opened' });
    // The form is in view: solve the start's challenge while it is filled in.
    if (this.state.phase === 'form') this.deps.challenges?.prepare();
    void this.markRead();
  }

  close(): void {
    this.dispatch({ type: 'closed' });
  }

  /** The page became visible or hidden: reading only happens when seen. */
  setVisible(visible: boolean): void {
    this.talk.visible = visible;
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
    if (this.state.phase === 'resuming' && this.session.current) this.retryNow();
    if (this.client && this.session.expiresWithin(RENEW_AHEAD_MS, this.now)) void this.renewToken();
  }

  /* -------------------------------------------------------- start, resume */

  async start(body: StartChatBody): Promise<void> {
    if (this.state.phase === 'starting' || this.state.phase === 'preparing') return;
    const { challenges } = this.deps;
    // Submitted before the challenge is solved: "Preparing…" until it is.
    this.dispatch({ type: 'phase', phase: challenges?.ready === false ? 'preparing' : 'starting' });
    const send = (proven: StartChatBody & { proof?: Proof }) => {
      if (this.state.phase === 'preparing') this.dispatch({ type: 'phase', phase: 'starting' });
      // Busy (Twilio's rate, the budget): "you're in line", and the same proof again later.
      const onWait = () => this.dispatch({ type: 'queued' });
      return startWithRetry(() => this.deps.api.startChat(proven), { onWait });
    };
    let started: StartedChat;
    try {
      started = await (challenges ? challenges.send(body, send) : send(body));
    } catch (error) {
      this.dispatch({ type: 'phase', phase: 'form', startError: toStartError(error) });
      return;
    }
    // From here on the chat exists at Twilio: keep it, whatever happens next.
    const { conversationSid, identity, token, expiresAt } = started;
    this.adopt({ conversationSid, identity, token, expiresAt }); // what a reload needs, no more
    this.live = true;
    await this.attemptConnect(false);
  }

  /**
   * Brings a stored chat back after a reload. The token is renewed first: that
   * proves the session is still valid (and gives a full lifetime) before the
   * SDK is even loaded. Returns false when there was nothing to resume.
   */
  async resume(): Promise<boolean> {
    const stored = this.session.find();
    if (!stored) return false;
    this.adopt(stored);
    this.dispatch({ type: 'phase', phase: 'resuming' });
    await this.attemptConnect(true);
    return true;
  }

  /** "Try again" from the view, or a timer: one attempt now. */
  retryNow(): void {
    this.retry.cancel();
    void this.attemptConnect(true);
  }

  private adopt(session: StoredSession): void {
    this.session.adopt(session);
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
    const session = this.session.current;
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
    const isCurrent = () => this.session.isCurrent(session);
    try {
      if (renewFirst) await this.session.renew(session);
      if (!isCurrent()) return;
      await this.connect();
      if (!isCurrent()) return;
      this.retry.succeeded();
    } catch (error) {
      if (!isCurrent()) return; // over meanwhile: its failure is no news
      if (isRefusal(error) || isGone(error)) {
        if (this.live) {
          await this.finish(isChatEnded(error) ? 'other' : 'expired');
        } else {
          // A stored chat that is over: back to the form, as on a first visit.
          await this.newChat();
        }
        return;
      }
      // Still ours, just not reachable now: say so and try again later.
      if (this.state.phase !== 'chat') this.dispatch({ type: 'phase', phase: 'resuming' });
      this.retry.schedule();
    }
  }

  private async connect(): Promise<void> {
    const session = this.session.current;
    if (!session) return;
    await this.shutdownClient(); // never two clients at once
    const factory = await this.deps.clientFactory();
    if (!this.session.isCurrent(session)) return; // given up meanwhile
    const client = factory(session.token);
    this.client = client;
    this.detach.push(
      ...followClient(client, {
        dispatch: (action) => this.dispatch(action),
        denials: () => this.state.denials,
        renewToken: () => void this.renewToken(),
        replace: () => this.replaceLater(client),
      }),
    );
    const conversation = await client.conversation(session.conversationSid);
    const history = await firstPage(conversation);
    if (this.client !== client) return; // replaced meanwhile
    this.conversation = conversation;
    this.detach.push(
      ...followConversation(conversation, {
        dispatch: (action) => this.dispatch(action),
        now: this.now,
        messageAdded: () => void this.markRead(),
        over: () => void this.finish('other'),
      }),
    );
    this.dispatch(history);
    if (conversation.status === 'closed') {
      await this.finish('other');
      return;
    }
    this.live = true;
    this.dispatch({ type: 'phase', phase: 'chat' });
    void this.markRead();
  }

  /**
   * A client that stopped trying, or is refused again: back off, then start
   * over with a new one. Not a client we shut down (no longer the chat's), not
   * once the chat is over, and not while an attempt is under way: its outcome
   * decides, and counting this report too would double the backoff.
   */
  private replaceLater(client: ChatClient): void {
    if (this.client === client && this.session.current && !this.attempt) this.retry.schedule();
  }

  /* ----------------------------------------------------------------- tokens */

  /** Renews the token once at a time; a refused renewal ends the session. */
  private renewToken(): Promise<void> {
    const session = this.session.current;
    if (!session) return Promise.resolve();
    this.renewing ??= (async () => {
      try {
        const next = await this.session.renew(session);
        if (this.session.current === next) await this.client?.updateToken(next.token);
      } catch (error) {
        if (isRefusal(error) && this.session.isCurrent(session)) {
          // An ended chat shows as ended; any other refusal as an ended session.
          await this.finish(isChatEnded(error) ? 'other' : 'expired');
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
  send(text: string): Promise<boolean> {
    return this.talk.send(text);
  }

  /** Sends one file, with optional text; resolves false when it could not. */
  sendFile(file: Blob, filename: string, text = ''): Promise<boolean> {
    return this.talk.sendFile(file, filename, text);
  }

  /** Call on every keystroke: signals typing at most every TYPING_INTERVAL_MS. */
  typing(): void {
    this.talk.typing();
  }

  loadOlder(): Promise<void> {
    return this.talk.loadOlder();
  }

  /** Everything said in this chat (pages in what is not loaded yet), for the transcript. */
  allMessages(): Promise<ChatMessage[]> {
    return this.talk.allMessages();
  }

  private markRead(): Promise<void> {
    return this.talk.markRead();
  }

  /* --------------------------------------------------------------- ending */

  /** Ends the chat for everyone. Resolves false when the service could not. */
  end(): Promise<boolean> {
    const session = this.session.current;
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
    const session = this.session.current;
    this.retry.cancel();
    if (session) {
      await this.deps.api.endChat(session.token, session.conversationSid).catch(() => undefined);
    }
    await this.newChat();
  }

  /** After an ended chat: back to the form, for a new one. */
  async newChat(): Promise<void> {
    this.retry.cancel();
    this.live = false;
    this.session.forget(); // first: what the shutdown makes fail is then no longer ours
    await this.shutdownClient();
    this.dispatch({ type: 'reset' });
    if (this.state.open) this.deps.challenges?.prepare(); // the form is back in view
  }

  /**
   * The chat is over: forget it (a reload shows the form), and stop retrying.
   * The client stays connected until a new chat, so the transcript can still
   * page in older messages.
   */
  private async finish(endedBy: NonNullable<State['endedBy']>): Promise<void> {
    // Once ended, it stays so; only the customer's /end-chat, answered after
    // the close it caused reached the client, says who ended it after all.
    if (this.state.phase === 'ended' && endedBy !== 'customer') return;
    this.retry.cancel();
    this.session.forget();
    if (endedBy === 'expired' || !this.conversation) await this.shutdownClient();
    this.dispatch({ type: 'phase', phase: 'ended', endedBy });
  }

  private async shutdownClient(): Promise<void> {
    for (const off of this.detach.splice(0)) off();
    const client = this.client;
    this.client = undefined;
    this.conversation = undefined;
    await client?.shutdown().catch(() => undefined);
  }
}
