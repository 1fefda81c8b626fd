/**
 * Which chat this page is on: its session (conversation, identity, token),
 * kept in memory and in the store for a reload. Adopted when a chat starts or
 * resumes, its token renewed through the service, forgotten when the chat is
 * over. Hazard: a call in flight can outlive its chat (ended, given up,
 * replaced by a new one), so callers check `isCurrent` after every await.
 *
 * @example
 *   const session = new ChatSession(api, sessions);
 *   session.adopt(started);
 *   const renewed = await session.renew(started);
 *   if (!session.isCurrent(started)) return; // over meanwhile
 */
import type { Api } from './api';
import type { SessionStore, StoredSession } from './session-store';

export class ChatSession {
  private session?: StoredSession;

  constructor(
    private readonly api: Api,
    private readonly store: SessionStore,
  ) {}

  /** The chat this page is on, if any. */
  get current(): StoredSession | undefined {
    return this.session;
  }

  /** This page's session, else the one an earlier page stored. */
  find(): StoredSession | undefined {
    return this.session ?? this.store.load();
  }

  adopt(session: StoredSession): void {
    this.session = session;
    this.store.save(session);
  }

  /** The chat is over: a reload shows the form. */
  forget(): void {
    this.session = undefined;
    this.store.clear();
  }

  /** Whether `session` is still this page's chat. */
  isCurrent(session: StoredSession): boolean {
    return this.session?.conversationSid === session.conversationSid;
  }

  /** Whether there is a session whose token lapses within `ms` of `now`. */
  expiresWithin(ms: number, now: () => number): boolean {
    return this.session !== undefined && Date.parse(this.session.expiresAt) - now() < ms;
  }

  /**
   * Renews the token through the service and stores it (not touching the
   * chat client). Rejects as the service does; a chat that ended meanwhile
   * stays ended, and gets its old session back.
   */
  async renew(session: StoredSession): Promise<StoredSession> {
    const renewed = await this.api.refreshToken(session.token);
    if (!this.isCurrent(session)) return session;
    const next = { ...session, token: renewed.token, expiresAt: renewed.expiresAt };
    this.adopt(next);
    return next;
  }
}
