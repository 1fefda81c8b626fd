/**
 * webchat-sdk.js: the Twilio Conversations SDK behind our ChatClient
 * interface (client/lib/chat-client.ts), and the rich-text formatter
 * (client/lib/markdown.ts: an agent's Markdown, links) and the unread alerts
 * (client/lib/notify.ts). Loaded by webchat.js only when a chat needs it; it
 * hands them over, the SDK last, with FlexWebchat.registerFormatter,
 * registerNotifier and registerSdk.
 *
 * The SDK talks to wss://tsock.<region>.twilio.com and uploads media to
 * https://mcs.<region>.twilio.com: allow those in a Content-Security-Policy
 * (see docs/widget.md).
 */
import {
  Client,
  type Conversation,
  type Media,
  type Message,
  type Participant,
} from '@twilio/conversations';
import { contentTypeOf } from './lib/attachments';
import { formatter } from './lib/markdown';
import { Notifier } from './lib/notify';
import {
  chatUnavailable,
  type ChatClient,
  type ChatClientFactory,
  type ChatConversation,
  type ChatMedia,
  type ChatMessage,
  type ChatParticipant,
  type ClientEvents,
  type ConversationEvents,
  type ConversationStatus,
} from './lib/chat-client';

function toMedia(media: Media): ChatMedia {
  return {
    sid: media.sid,
    filename: media.filename,
    contentType: media.contentType,
    size: media.size,
    url: () => media.getContentTemporaryUrl(),
  };
}

function toMessage(message: Message): ChatMessage {
  const attributes = message.attributes;
  return {
    sid: message.sid,
    index: message.index,
    author: message.author,
    body: message.body,
    dateCreated: message.dateCreated,
    media: (message.attachedMedia ?? []).map(toMedia),
    attributes:
      attributes !== null && typeof attributes === 'object' && !Array.isArray(attributes)
        ? attributes
        : {},
  };
}

/** Whether an SDK failure means the conversation is not (or no longer) this customer's. */
function isGoneError(error: unknown): boolean {
  const e = error as { message?: unknown; status?: unknown; body?: { status?: unknown } } | null;
  const status = e?.status ?? e?.body?.status;
  const message = typeof e?.message === 'string' ? e.message : '';
  return status === 403 || status === 404 || /was not found/i.test(message);
}

type Emitter = {
  on(event: string, handler: (...args: never[]) => void): void;
  off(event: string, handler: (...args: never[]) => void): void;
};

class TwilioConversation implements ChatConversation {
  /** Display names, looked up once per participant from its user. */
  private readonly names = new Map<string, Promise<string>>();
  /** The names that lookup has settled, for events to use synchronously. */
  private readonly resolved = new Map<string, string>();
  /** Participants sent out by identity whose name has yet to follow. */
  private readonly pendingNames = new Set<string>();
  /** Listeners of participantUpdated, told when a late-resolved name arrives. */
  private readonly updated = new Set<(participant: ChatParticipant) => void>();

  constructor(
    private readonly conversation: Conversation,
    private readonly client: Client,
  ) {}

  get sid(): string {
    return this.conversation.sid;
  }

  get status(): ConversationStatus {
    return this.conversation.state?.current ?? 'active';
  }

  private nameOf(participant: Participant): Promise<string> {
    let name = this.names.get(participant.sid);
    if (!name) {
      name = participant
        .getUser()
        .then((user) => user.friendlyName || participant.identity || '')
        .catch(() => participant.identity || '')
        .then((resolved) => {
          this.resolved.set(participant.sid, resolved);
          return resolved;
        });
      this.names.set(participant.sid, name);
    }
    return name;
  }

  private toParticipant(participant: Participant, name: string): ChatParticipant {
    return {
      sid: participant.sid,
      identity: participant.identity,
      name,
      lastReadMessageIndex: participant.lastReadMessageIndex,
    };
  }

  async messages(pageSize: number, beforeIndex?: number) {
    const page = await this.conversation.getMessages(pageSize, beforeIndex, 'backwards');
    return { messages: page.items.map(toMessage), hasOlder: page.hasPrevPage };
  }

  async participants(): Promise<ChatParticipant[]> {
    const all = await this.conversation.getParticipants();
    return Promise.all(all.map(async (p) => this.toParticipant(p, await this.nameOf(p))));
  }

  async send(text: string): Promise<void> {
    await this.conversation.sendMessage(text);
  }

  async sendMedia(file: Blob, filename: string, text?: string): Promise<void> {
    const builder = this.conversation.prepareMessage();
    if (text) builder.setBody(text);
    // By extension: browsers often leave File.type empty (.heic, .amr).
    const contentType = contentTypeOf(filename) ?? (file.type || null);
    builder.addMedia({ contentType, filename, media: file });
    await builder.build().send();
  }

  typing(): void {
    void this.conversation.typing().catch(() => undefined);
  }

  async markAllRead(): Promise<void> {
    await this.conversation.setAllMessagesRead();
  }

  on<E extends keyof ConversationEvents>(event: E, listener: ConversationEvents[E]): () => void {
    const emit = listener as (value?: unknown) => void;
    // Participants go out at once, synchronously (named by identity while the
    // user is not known yet), so they keep the SDK's order with messages and
    // never wait on a lookup; the name follows as one update.
    const participantEvent = (p: Participant) => {
      const name = this.resolved.get(p.sid);
      const identity = p.identity ?? '';
      emit(this.toParticipant(p, name ?? identity));
      if (name === undefined && event !== 'participantUpdated' && !this.pendingNames.has(p.sid)) {
        this.pendingNames.add(p.sid);
        void this.nameOf(p).then((resolved) => {
          this.pendingNames.delete(p.sid);
          if (resolved !== identity)
            this.updated.forEach((notify) => notify(this.toParticipant(p, resolved)));
        });
      }
    };
    const handlers: Partial<
      Record<keyof ConversationEvents, [Emitter, string, (...args: never[]) => void]>
    > = {
      messageAdded: [this.conversation, 'messageAdded', (m: Message) => emit(toMessage(m))],
      participantJoined: [this.conversation, 'participantJoined', participantEvent],
      participantLeft: [this.conversation, 'participantLeft', participantEvent],
      participantUpdated: [
        this.conversation,
        'participantUpdated',
        ({ participant }: { participant: Participant }) => participantEvent(participant),
      ],
      typingStarted: [this.conversation, 'typingStarted', participantEvent],
      typingEnded: [this.conversation, 'typingEnded', participantEvent],
      statusChanged: [
        this.conversation,
        'updated',
        ({
          conversation,
          updateReasons,
        }: {
          conversation: Conversation;
          updateReasons: string[];
        }) => {
          if (updateReasons.includes('state')) emit(conversation.state?.current ?? 'active');
        },
      ],
      removed: [
        this.client,
        'conversationLeft',
        (left: Conversation) => {
          if (left.sid === this.conversation.sid) emit();
        },
      ],
    };
    const entry = handlers[event];
    if (!entry) return () => undefined;
    const [target, sdkEvent, handler] = entry;
    if (event === 'participantUpdated') this.updated.add(listener as (p: ChatParticipant) => void);
    target.on(sdkEvent, handler);
    return () => {
      target.off(sdkEvent, handler);
      this.updated.delete(listener as (p: ChatParticipant) => void);
    };
  }
}

class TwilioChatClient implements ChatClient {
  private readonly client: Client;
  private readonly ready: Promise<void>;

  constructor(token: string) {
    this.client = new Client(token);
    this.ready = new Promise((resolve, reject) => {
      this.client.once('initialized', () => resolve());
      // Twilsock could not connect at first: this client is done; the widget
      // keeps the chat and tries again with a new one.
      this.client.once('initFailed', ({ error }) =>
        reject(chatUnavailable('unreachable', error?.message ?? 'Chat failed to start')),
      );
    });
  }

  async conversation(sid: string): Promise<ChatConversation> {
    await this.ready;
    try {
      return new TwilioConversation(await this.client.getConversationBySid(sid), this.client);
    } catch (error) {
      const message = error instanceof Error ? error.message : 'Chat could not be opened';
      throw chatUnavailable(isGoneError(error) ? 'gone' : 'unreachable', message);
    }
  }

  async updateToken(token: string): Promise<void> {
    await this.client.updateToken(token);
  }

  on<E extends keyof ClientEvents>(event: E, listener: ClientEvents[E]): () => void {
    const target = this.client as unknown as Emitter;
    const handler = listener;
    target.on(event, handler);
    if (event !== 'connectionStateChanged') return () => target.off(event, handler);
    const report = listener;
    let subscribed = true;
    // The SDK starts connecting in its constructor: report where it is (read
    // when reporting, so a change meanwhile is not followed by a stale state).
    queueMicrotask(() => {
      if (subscribed) report(this.client.connectionState);
    });
    // A terminal connection error leaves this client dead, like `error`.
    const onError = ({ terminal }: { terminal?: boolean }) => {
      if (terminal) report('error');
    };
    target.on('connectionError', onError);
    return () => {
      subscribed = false;
      target.off(event, handler);
      target.off('connectionError', onError);
    };
  }

  async shutdown(): Promise<void> {
    await this.client.shutdown();
  }
}

export const createTwilioChatClient: ChatClientFactory = (token) => new TwilioChatClient(token);

// The formatter and alerts first: messages come only once the SDK is handed
// over, and each is rendered once, so Markdown must be here before the first.
window.FlexWebchat?.registerFormatter?.(formatter);
window.FlexWebchat?.registerNotifier?.(Notifier);
window.FlexWebchat?.registerSdk(createTwilioChatClient);
