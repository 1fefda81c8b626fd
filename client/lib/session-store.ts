/**
 * Remembers the current chat across page loads (one per service), so a
 * reload brings the same conversation back. Holds only what /start-chat
 * returned: the conversation, the opaque identity and its token. The widget
 * uses the tab's sessionStorage by default (a shared computer must not hand
 * the next visitor someone's chat); `persist: 'browser'` opts into
 * localStorage. Storage errors (private mode, quotas) just mean no resume.
 */
export interface StoredSession {
  conversationSid: string;
  identity: string;
  token: string;
  expiresAt: string;
}

export class SessionStore {
  private readonly key: string;

  constructor(
    private readonly storage: Storage | undefined,
    startChatUrl: string,
  ) {
    this.key = `flex-webchat:${startChatUrl}`;
  }

  load(): StoredSession | undefined {
    try {
      const raw = this.storage?.getItem(this.key);
      if (!raw) return undefined;
      const value = JSON.parse(raw) as Partial<StoredSession>;
      const complete =
        typeof value.conversationSid === 'string' &&
        typeof value.identity === 'string' &&
        typeof value.token === 'string' &&
        typeof value.expiresAt === 'string';
      return complete ? (value as StoredSession) : undefined;
    } catch {
      return undefined;
    }
  }

  save(session: StoredSession): void {
    try {
      this.storage?.setItem(this.key, JSON.stringify(session));
    } catch {
      // Not stored: the chat still works, it just will not survive a reload.
    }
  }

  clear(): void {
    try {
      this.storage?.removeItem(this.key);
    } catch {
      // nothing to do
    }
  }
}
