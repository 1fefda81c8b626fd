/**
 * webchat-sdk.js: the Twilio Conversations SDK behind our ChatClient
 * interface (client/lib/chat-client.ts). Loaded by webchat.js only when a
 * chat needs it; it hands its factory over with FlexWebchat.registerSdk.
 *
 * The SDK talks to wss://tsock.<region>.twilio.com and uploads media to
 * https://mcs.<region>.twilio.com: allow those in a Content-Security-Policy
 * (see README).
 */
import {
  Client,
  type Conversation,
  type Media,
  type Message,
  type Participant,
} from '@twilio/conversations';
import type {
  ChatClient,
  ChatClientFactory,
  ChatConversation,
  ChatMedia,
  ChatMessage,
  ChatParticipant,
  ClientEvents,
  ConversationEvents,
  ConversationStatus,
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

class TwilioConversation implements ChatConversation {
  private readonly names = new Map<string, string>();

  constructor(private readonly conversation: Conversation) {}

  get sid(): string {
    return this.conversation.sid;
  }

  get status(): ConversationStatus {
    return this.conversation.state?.current ?? 'active';
  }

  /** A participant with a display name: the user's friendly name, else the identity. */
  private async toParticipant(participant: Participant): Promise<ChatParticipant> {
    let name = this.names.get(participant.sid);
    if (name === undefined) {
      const user = await participant.getUser().catch(() => undefined);
      name = user?.friendlyName || participant.identity || '';
      this.names.set(participant.sid, name);
    }
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
    return Promise.all(all.map((p) => this.toParticipant(p)));
  }

  async send(text: string): Promise<void> {
    await this.conversation.sendMessage(text);
  }

  async sendMedia(file: Blob, filename: string, text?: string): Promise<void> {
    const builder = this.conversation.prepareMessage();
    if (text) builder.setBody(text);
    builder.addMedia({ contentType: file.type || null, filename, media: file });
    await builder.build().send();
  }

  typing(): void {
    void this.conversation.typing().catch(() => undefined);
  }

  async markAllRead(): Promise<void> {
    await this.conversation.setAllMessagesRead();
  }

  on<E extends keyof ConversationEvents>(event: E, listener: ConversationEvents[E]): () => void {
    const emit = listener as (value: unknown) => void;
    const participantEvent = (p: Participant) => void this.toParticipant(p).then(emit);
    const handlers: Partial<
      Record<keyof ConversationEvents, [string, (...args: never[]) => void]>
    > = {
      messageAdded: ['messageAdded', (m: Message) => emit(toMessage(m))],
      participantJoined: ['participantJoined', participantEvent],
      participantLeft: ['participantLeft', participantEvent],
      participantUpdated: [
        'participantUpdated',
        ({ participant }: { participant: Participant }) => participantEvent(participant),
      ],
      typingStarted: ['typingStarted', participantEvent],
      typingEnded: ['typingEnded', participantEvent],
      statusChanged: [
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
    };
    const [sdkEvent, handler] = handlers[event] ?? [];
    if (!sdkEvent || !handler) return () => undefined;
    const target = this.conversation as unknown as {
      on(e: string, h: (...args: never[]) => void): void;
      off(e: string, h: (...args: never[]) => void): void;
    };
    target.on(sdkEvent, handler);
    return () => target.off(sdkEvent, handler);
  }
}

class TwilioChatClient implements ChatClient {
  private readonly client: Client;
  private readonly ready: Promise<void>;

  constructor(token: string) {
    this.client = new Client(token);
    this.ready = new Promise((resolve, reject) => {
      this.client.once('initialized', () => resolve());
      this.client.once('initFailed', ({ error }) =>
        reject(error instanceof Error ? error : new Error('Chat failed to start')),
      );
    });
  }

  async conversation(sid: string): Promise<ChatConversation> {
    await this.ready;
    return new TwilioConversation(await this.client.getConversationBySid(sid));
  }

  async updateToken(token: string): Promise<void> {
    await this.client.updateToken(token);
  }

  on<E extends keyof ClientEvents>(event: E, listener: ClientEvents[E]): () => void {
    const target = this.client as unknown as {
      on(e: string, h: ClientEvents[E]): void;
      off(e: string, h: ClientEvents[E]): void;
    };
    target.on(event, listener);
    if (event === 'connectionStateChanged') {
      // The SDK starts connecting in its constructor: report where it is now.
      const state = this.client.connectionState;
      queueMicrotask(() => listener(state));
    }
    return () => target.off(event, listener);
  }

  async shutdown(): Promise<void> {
    await this.client.shutdown();
  }
}

export const createTwilioChatClient: ChatClientFactory = (token) => new TwilioChatClient(token);

window.FlexWebchat?.registerSdk(createTwilioChatClient);
