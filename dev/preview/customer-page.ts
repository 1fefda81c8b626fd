/**
 * /preview/client.js, loaded by the demo page before webchat.js in the
 * preview only: a ChatClient (client/lib/chat-client.ts) that talks to the
 * preview server's simulated Conversations instead of Twilio, put in the
 * widget's `chatClientFactory` option. The widget itself is the real one.
 *
 * Live updates come by long polling (`/preview/api/poll` answers as soon as
 * something happens, or after 20 s with nothing): plain fetch, so the token
 * goes in a header, never in a URL, and the demo page's CSP needs nothing new.
 * Also adds a banner to the demo page saying this is the preview.
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
  type MessagePage,
} from '../../client/lib/chat-client';
// For the Window.FlexWebchatConfig declaration.
import type {} from '../../client/webchat';
import type { PollAnswer, WireEvent, WireMessage, WireParticipant } from './wire';

const base = new URL((document.currentScript as HTMLScriptElement | null)?.src ?? location.href)
  .origin;

type Listener = (value?: unknown) => void;
type Listeners = Map<string, Set<Listener>>;

function emit(listeners: Listeners, event: string, value?: unknown): void {
  for (const listener of listeners.get(event) ?? []) listener(value);
}

function subscribe(listeners: Listeners, event: string, listener: Listener): () => void {
  const set = listeners.get(event) ?? new Set();
  set.add(listener);
  listeners.set(event, set);
  return () => set.delete(listener);
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function toMessage(m: WireMessage): ChatMessage {
  return {
    ...m,
    dateCreated: new Date(m.dateCreated),
    media: m.media.map((media) => ({
      ...media,
      url: () => Promise.resolve(new URL(media.url, base).href),
    })),
  };
}

const toParticipant = (p: WireParticipant): ChatParticipant => ({ ...p });

/** Seconds since the epoch when the token expires (its `exp`), or undefined. */
function expiryOf(token: string): number | undefined {
  try {
    const part = token.split('.')[1] ?? '';
    const payload = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as {
      exp?: number;
    };
    return payload.exp;
  } catch {
    return undefined;
  }
}

class PreviewConversation implements ChatConversation {
  private readonly listeners: Listeners = new Map();
  private current: ConversationStatus;
  private stopped = false;

  constructor(
    private readonly client: PreviewChatClient,
    readonly sid: string,
    status: ConversationStatus,
    private seq: number,
  ) {
    this.current = status;
    void this.follow();
  }

  get status(): ConversationStatus {
    return this.current;
  }

  stop(): void {
    this.stopped = true;
  }

  private async follow(): Promise<void> {
    while (!this.stopped) {
      try {
        const answer = await this.client.call<PollAnswer>('poll', {
          conversationSid: this.sid,
          since: this.seq,
        });
        if (this.stopped) return;
        this.client.setState('connected');
        this.seq = answer.seq;
        for (const event of answer.events) this.dispatch(event);
      } catch (error) {
        if (this.stopped) return;
        if (error instanceof HttpError && error.status === 404) {
          this.dispatch({ type: 'removed' });
          return;
        }
        this.client.setState(
          error instanceof HttpError && error.status === 401 ? 'denied' : 'connecting',
        );
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  private dispatch(event: WireEvent): void {
    switch (event.type) {
      case 'messageAdded':
        return emit(this.listeners, event.type, toMessage(event.message));
      case 'participantJoined':
      case 'participantLeft':
      case 'participantUpdated':
      case 'typingStarted':
      case 'typingEnded':
        return emit(this.listeners, event.type, toParticipant(event.participant));
      case 'statusChanged':
        this.current = event.status;
        return emit(this.listeners, event.type, event.status);
      case 'removed':
        return emit(this.listeners, event.type);
      case 'chats':
        return;
    }
  }

  async messages(pageSize: number, upToIndex?: number): Promise<MessagePage> {
    const page = await this.client.call<{ messages: WireMessage[]; hasOlder: boolean }>(
      'messages',
      {
        conversationSid: this.sid,
        pageSize,
        ...(upToIndex !== undefined && { upToIndex }),
      },
    );
    return { messages: page.messages.map(toMessage), hasOlder: page.hasOlder };
  }

  async participants(): Promise<ChatParticipant[]> {
    const all = await this.client.call<WireParticipant[]>('participants', {
      conversationSid: this.sid,
    });
    return all.map(toParticipant);
  }

  async send(text: string): Promise<void> {
    await this.client.call('send', { conversationSid: this.sid, text });
  }

  async sendMedia(file: Blob, filename: string, text?: string): Promise<void> {
    const form = new FormData();
    form.set('conversationSid', this.sid);
    if (text) form.set('text', text);
    form.set('file', file, filename);
    await this.client.call('media', form);
  }

  typing(): void {
    void this.client.call('typing', { conversationSid: this.sid }).catch(() => undefined);
  }

  async markAllRead(): Promise<void> {
    await this.client.call('read', { conversationSid: this.sid });
  }

  on<E extends keyof ConversationEvents>(event: E, listener: ConversationEvents[E]): () => void {
    return subscribe(this.listeners, event, listener as Listener);
  }
}

class PreviewChatClient implements ChatClient {
  private readonly listeners: Listeners = new Map();
  private readonly conversations = new Set<PreviewConversation>();
  private state: ConnectionState = 'connecting';
  private timers: number[] = [];

  constructor(private token: string) {
    this.schedule();
  }

  /** A POST to the preview server as this customer. */
  async call<T = unknown>(action: string, body: Record<string, unknown> | FormData): Promise<T> {
    const isForm = body instanceof FormData;
    const response = await fetch(`${base}/preview/api/${action}`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${this.token}`,
        ...(!isForm && { 'Content-Type': 'application/json' }),
      },
      body: isForm ? body : JSON.stringify(body),
    });
    const answer = (await response.json().catch(() => ({}))) as T & { error?: string };
    if (!response.ok)
      throw new HttpError(response.status, answer.error ?? `HTTP ${response.status}`);
    return answer;
  }

  setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    emit(this.listeners, 'connectionStateChanged', state);
  }

  async conversation(sid: string): Promise<ChatConversation> {
    try {
      const found = await this.call<{ status: ConversationStatus; seq: number }>('conversation', {
        conversationSid: sid,
      });
      this.setState('connected');
      const conversation = new PreviewConversation(this, sid, found.status, found.seq);
      this.conversations.add(conversation);
      return conversation;
    } catch (error) {
      const gone = error instanceof HttpError && (error.status === 404 || error.status === 403);
      throw chatUnavailable(
        gone ? 'gone' : 'unreachable',
        error instanceof Error ? error.message : 'unreachable',
      );
    }
  }

  updateToken(token: string): Promise<void> {
    this.token = token;
    this.schedule();
    return Promise.resolve();
  }

  /** tokenAboutToExpire 3 minutes before the token's end (as the SDK does), tokenExpired at it. */
  private schedule(): void {
    this.timers.forEach((t) => clearTimeout(t));
    const exp = expiryOf(this.token);
    if (exp === undefined) return;
    const left = exp * 1000 - Date.now();
    this.timers = [
      window.setTimeout(
        () => emit(this.listeners, 'tokenAboutToExpire'),
        Math.max(0, left - 180_000),
      ),
      window.setTimeout(() => emit(this.listeners, 'tokenExpired'), Math.max(0, left)),
    ];
  }

  on<E extends keyof ClientEvents>(event: E, listener: ClientEvents[E]): () => void {
    const off = subscribe(this.listeners, event, listener as Listener);
    if (event === 'connectionStateChanged') {
      queueMicrotask(() => listener(this.state));
    }
    return off;
  }

  shutdown(): Promise<void> {
    this.timers.forEach((t) => clearTimeout(t));
    for (const conversation of this.conversations) conversation.stop();
    this.conversations.clear();
    return Promise.resolve();
  }
}

window.FlexWebchatConfig = {
  ...window.FlexWebchatConfig,
  chatClientFactory: (token: string) => new PreviewChatClient(token),
};

/** Says on the demo page that this is the preview, and where the agent page is. */
function banner(): void {
  const aside = document.createElement('aside');
  aside.className = 'preview-banner';
  aside.setAttribute('aria-label', 'Preview');
  const title = document.createElement('strong');
  title.textContent = 'Preview: a simulated Flex on this computer. Nothing reaches Twilio.';
  const agent = document.createElement('a');
  agent.href = '/agent';
  agent.target = '_blank';
  agent.textContent = 'Open the agent page';
  const text = document.createElement('p');
  text.append(
    'Start a chat with the button in the corner, then answer it as an agent: ',
    agent,
    ' (a new tab). Tune the widget in preview-options.json (docs/preview.md); run npm run setup to connect your Twilio account.',
  );
  aside.append(title, text);
  document.querySelector('main')?.prepend(aside);
}

if (document.readyState === 'loading')
  document.addEventListener('DOMContentLoaded', banner, { once: true });
else banner();
