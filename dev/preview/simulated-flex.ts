/**
 * The preview's simulated Flex and Conversations backend, over the local
 * Twilio fake's state (the same conversations, messages, interactions and
 * tasks the real functions read and write through its REST API):
 *
 * - what the Conversations SDK would do for the customer's page and the agent
 *   page: send messages and files, typing, read horizons, and an ordered log
 *   of events each page follows by long polling (`poll`);
 * - what Twilio does on its own: deliver `onMessageAdded` to a conversation's
 *   scoped webhooks (so the real /interaction creates the Flex task), and,
 *   as Flex does, close a conversation whose Interaction Channel was closed
 *   (by /end-chat or by the agent) and move its task on;
 * - what the agent does in Flex: join a waiting chat, write, end it.
 *
 * Changes made through the REST API are seen by `tick()` (the server runs it
 * every 100 ms): it compares each conversation with what it last saw.
 */
import { randomBytes } from 'node:crypto';
import {
  conversations,
  findConversation,
  interactions,
  tasks,
  type MockConversation,
  type MockMessage,
  type MockParticipant,
} from '../twilio-fake/apis';
import { text } from '../twilio-fake/apis/common';
import type { TwilioMock } from '../twilio-fake/twilio-mock';
import {
  type AgentChat,
  type ConversationState,
  type ConversationView,
  type LoggedEvent,
  type PollAnswer,
  type WireEvent,
  type WireMedia,
  type WireMessage,
  type WireParticipant,
  agentIdentity,
  isAgent,
} from './wire';

export interface StoredMedia {
  sid: string;
  filename: string;
  contentType: string;
  bytes: Buffer;
}

/** Delivers a signed webhook as Twilio would: the registered URL and the form parameters. */
export type WebhookDelivery = (url: string, params: Record<string, string>) => Promise<void>;

interface Seen {
  messages: number;
  participants: Map<string, WireParticipant>;
  state: string;
}

/** How long a typing indicator lasts without another signal (the SDK's is about 5 s). */
const TYPING_MS = 5000;
const LOG_LIMIT = 5000;

export const newSid = (prefix: string): string => prefix + randomBytes(16).toString('hex');

export class SimulatedFlex {
  readonly media = new Map<string, StoredMedia>();
  private readonly log: LoggedEvent[] = [];
  private seq = 0;
  private readonly waiters = new Set<() => void>();
  private readonly seen = new Map<string, Seen>();
  private readonly taskStates = new Map<string, string>();
  private readonly messageMedia = new Map<string, string[]>();
  private readonly messageDates = new Map<string, string>();
  /** Display names by identity, as Conversations Users hold them. */
  private readonly names = new Map<string, string>();
  private readonly readIndex = new Map<string, number>();
  private readonly typingTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly mock: TwilioMock,
    private readonly serviceSid: string,
    private readonly deliver: WebhookDelivery,
  ) {}

  get lastSeq(): number {
    return this.seq;
  }

  conversation(sid: string): MockConversation | undefined {
    return findConversation(this.mock, this.serviceSid, sid);
  }

  participantOf(c: MockConversation, identity: string): MockParticipant | undefined {
    return c.participants.find((p) => p.identity === identity);
  }

  // --- what the SDK does, for either side ---------------------------------

  view(
    c: MockConversation,
    pageSize = Infinity,
    upToIndex?: number,
  ): ConversationView & { hasOlder: boolean } {
    const all = c.messages.filter((m) => upToIndex === undefined || m.index <= upToIndex);
    const page = pageSize === Infinity ? all : all.slice(-pageSize);
    return {
      sid: c.sid,
      status: stateOf(c),
      messages: page.map((m) => this.wireMessage(m)),
      participants: c.participants.map((p) => this.wireParticipant(c, p)),
      hasOlder: all.length > page.length,
    };
  }

  /** Adds a message as `author`, the way an SDK send does (webhooks fire). */
  send(
    c: MockConversation,
    author: string,
    body: string | null,
    media: StoredMedia[] = [],
  ): WireMessage {
    if (stateOf(c) === 'closed') throw new PreviewError(409, 'The conversation is closed');
    const message: MockMessage = {
      sid: newSid('IM'),
      index: c.messages.length,
      author,
      body,
      attributes: '{}',
      webhookEnabled: true,
    };
    for (const m of media) this.media.set(m.sid, m);
    if (media.length > 0)
      this.messageMedia.set(
        message.sid,
        media.map((m) => m.sid),
      );
    c.messages.push(message);
    this.tick();
    return this.wireMessage(message);
  }

  typing(c: MockConversation, identity: string): void {
    const participant = this.participantOf(c, identity);
    if (!participant) return;
    const key = `${c.sid}/${participant.sid}`;
    const running = this.typingTimers.get(key);
    if (running) clearTimeout(running);
    else
      this.emit(c.sid, {
        type: 'typingStarted',
        participant: this.wireParticipant(c, participant),
      });
    this.typingTimers.set(
      key,
      setTimeout(() => {
        this.typingTimers.delete(key);
        this.emit(c.sid, {
          type: 'typingEnded',
          participant: this.wireParticipant(c, participant),
        });
      }, TYPING_MS).unref(),
    );
  }

  markAllRead(c: MockConversation, identity: string): void {
    const participant = this.participantOf(c, identity);
    if (!participant || c.messages.length === 0) return;
    this.readIndex.set(participant.sid, c.messages.length - 1);
    this.emit(c.sid, {
      type: 'participantUpdated',
      participant: this.wireParticipant(c, participant),
    });
  }

  /** Events after `since` (for one conversation, or all), waiting up to `waitMs` for one. */
  async poll(
    since: number,
    conversationSid: string | undefined,
    waitMs: number,
  ): Promise<PollAnswer> {
    const pick = () =>
      this.log.filter(
        (e) =>
          e.seq > since && (conversationSid === undefined || e.conversationSid === conversationSid),
      );
    let events = pick();
    if (events.length === 0 && waitMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, waitMs).unref();
        function done() {
          clearTimeout(timer);
          resolve();
        }
        const check = () => {
          if (pick().length > 0) {
            this.waiters.delete(check);
            done();
          }
        };
        this.waiters.add(check);
        setTimeout(() => this.waiters.delete(check), waitMs + 10).unref();
      });
      events = pick();
    }
    return { events, seq: events.at(-1)?.seq ?? Math.max(since, this.seq) };
  }

  // --- what the agent does in Flex ----------------------------------------

  chats(): AgentChat[] {
    return interactions(this.mock).flatMap((interaction) => {
      const properties = (interaction.channel.properties ?? {}) as Record<string, unknown>;
      const c = this.conversation(text(properties.media_channel_sid));
      const task = tasks(this.mock).find((t) => t.sid === interaction.taskSid);
      if (!c || !task) return [];
      const customer = c.participants.find((p) => !isAgent(p.identity));
      const first = c.messages.find((m) => m.author === customer?.identity);
      const agents = c.participants
        .filter((p) => isAgent(p.identity))
        .map((p) => this.nameOf(c, p));
      const status = stateOf(c) === 'closed' ? 'ended' : agents.length > 0 ? 'joined' : 'waiting';
      return [
        {
          taskSid: task.sid,
          conversationSid: c.sid,
          customer: customer ? this.nameOf(c, customer) : 'Customer',
          question: first?.body ?? null,
          status,
          agents,
        },
      ];
    });
  }

  /** The agent accepts the chat's task: Flex adds them to the conversation. */
  join(taskSid: string, agentName: string): { conversationSid: string; identity: string } {
    const chat = this.chats().find((c) => c.taskSid === taskSid);
    const c = chat && this.conversation(chat.conversationSid);
    if (!chat || !c) throw new PreviewError(404, 'No such chat');
    if (stateOf(c) === 'closed') throw new PreviewError(409, 'The chat has ended');
    const identity = agentIdentity(agentName);
    this.names.set(identity, agentName);
    if (!this.participantOf(c, identity)) {
      c.participants.push({ sid: newSid('MB'), identity, attributes: '{}' });
    }
    const task = tasks(this.mock).find((t) => t.sid === taskSid);
    if (task && task.assignmentStatus === 'pending') task.assignmentStatus = 'assigned';
    this.tick();
    return { conversationSid: c.sid, identity };
  }

  /** The agent ends the chat: Flex closes its Interaction Channel (then `tick` closes the rest). */
  end(c: MockConversation): void {
    const interaction = interactions(this.mock).find(
      (i) =>
        (i.channel.properties as Record<string, unknown> | undefined)?.media_channel_sid === c.sid,
    );
    if (interaction) interaction.channelStatus = 'closed';
    else c.state = 'closed';
    this.tick();
  }

  // --- what Twilio does on its own ----------------------------------------

  /** Looks at everything once: emits what changed, delivers webhooks, applies Flex's rules. */
  tick(): void {
    this.closeEndedInteractions();
    const present = new Set<string>();
    for (const c of conversations(this.mock).values()) {
      present.add(c.sid);
      this.diff(c);
    }
    for (const sid of [...this.seen.keys()]) {
      if (present.has(sid)) continue;
      this.seen.delete(sid);
      this.emit(sid, { type: 'removed' });
    }
    let chatsChanged = false;
    for (const task of tasks(this.mock)) {
      if (this.taskStates.get(task.sid) === task.assignmentStatus) continue;
      this.taskStates.set(task.sid, task.assignmentStatus);
      chatsChanged = true;
    }
    if (chatsChanged) this.emit('', { type: 'chats' });
  }

  private closeEndedInteractions(): void {
    for (const interaction of interactions(this.mock)) {
      if (interaction.channelStatus !== 'closed') continue;
      const properties = (interaction.channel.properties ?? {}) as Record<string, unknown>;
      const c = this.conversation(text(properties.media_channel_sid));
      if (c && c.state !== 'closed') c.state = 'closed';
      const task = tasks(this.mock).find((t) => t.sid === interaction.taskSid);
      if (task?.assignmentStatus === 'assigned') task.assignmentStatus = 'wrapping';
      if (task && ['pending', 'reserved'].includes(task.assignmentStatus))
        task.assignmentStatus = 'canceled';
    }
  }

  private diff(c: MockConversation): void {
    let seen = this.seen.get(c.sid);
    if (!seen) {
      seen = { messages: 0, participants: new Map(), state: c.state };
      this.seen.set(c.sid, seen);
      this.emit('', { type: 'chats' });
    }
    const now = new Map(c.participants.map((p) => [p.sid, this.wireParticipant(c, p)]));
    for (const [sid, participant] of now) {
      if (!seen.participants.has(sid)) this.emit(c.sid, { type: 'participantJoined', participant });
    }
    for (const [sid, participant] of seen.participants) {
      if (!now.has(sid)) this.emit(c.sid, { type: 'participantLeft', participant });
    }
    if (
      now.size !== seen.participants.size ||
      [...now.keys()].some((k) => !seen.participants.has(k))
    ) {
      this.emit('', { type: 'chats' });
    }
    seen.participants = now;
    for (const message of c.messages.slice(seen.messages)) {
      this.messageDates.set(
        message.sid,
        this.messageDates.get(message.sid) ?? new Date().toISOString(),
      );
      this.emit(c.sid, { type: 'messageAdded', message: this.wireMessage(message) });
      if (message.webhookEnabled) this.fireWebhooks(c, message);
    }
    seen.messages = c.messages.length;
    if (seen.state !== c.state) {
      seen.state = c.state;
      this.emit(c.sid, { type: 'statusChanged', status: stateOf(c) });
      this.emit('', { type: 'chats' });
    }
  }

  /** `onMessageAdded` to each scoped webhook of the conversation, signed (see server.ts). */
  private fireWebhooks(c: MockConversation, message: MockMessage): void {
    for (const webhook of c.webhooks) {
      if (
        webhook.target !== 'webhook' ||
        !webhook.url ||
        !webhook.filters.includes('onMessageAdded')
      ) {
        continue;
      }
      // The delivery adds AccountSid and the signature (server.ts).
      const params: Record<string, string> = {
        ChatServiceSid: c.serviceSid,
        ConversationSid: c.sid,
        EventType: 'onMessageAdded',
        MessageSid: message.sid,
        Index: String(message.index),
        Author: message.author,
        Body: message.body ?? '',
        Attributes: message.attributes,
        Source: 'SDK',
        DateCreated: this.messageDates.get(message.sid) ?? new Date().toISOString(),
        WebhookSid: webhook.sid,
        WebhookType: 'webhook',
      };
      const participant = this.participantOf(c, message.author);
      if (participant) params.ParticipantSid = participant.sid;
      void this.deliver(webhook.url, params).catch((error: unknown) =>
        console.error(`preview: webhook to ${webhook.url} failed: ${String(error)}`),
      );
    }
  }

  private emit(conversationSid: string, event: WireEvent): void {
    this.seq++;
    this.log.push({ ...event, seq: this.seq, conversationSid });
    if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
    for (const waiter of [...this.waiters]) waiter();
  }

  private nameOf(c: MockConversation, p: MockParticipant): string {
    const identity = p.identity ?? '';
    const named = this.names.get(identity);
    if (named) return named;
    if (isAgent(identity)) return identity;
    // The customer: the name they gave, which Flex shows from the conversation's `from`.
    return fromOf(c) ?? identity;
  }

  private wireParticipant(c: MockConversation, p: MockParticipant): WireParticipant {
    return {
      sid: p.sid,
      identity: p.identity,
      name: this.nameOf(c, p),
      lastReadMessageIndex: this.readIndex.get(p.sid) ?? null,
    };
  }

  private wireMessage(m: MockMessage): WireMessage {
    const media = (this.messageMedia.get(m.sid) ?? []).flatMap((sid): WireMedia[] => {
      const stored = this.media.get(sid);
      return stored
        ? [
            {
              sid,
              filename: stored.filename,
              contentType: stored.contentType,
              size: stored.bytes.length,
              url: `/preview/media/${sid}`,
            },
          ]
        : [];
    });
    let attributes: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(m.attributes);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        attributes = parsed as Record<string, unknown>;
    } catch {
      // not JSON: none
    }
    return {
      sid: m.sid,
      index: m.index,
      author: m.author,
      body: m.body,
      dateCreated: this.messageDates.get(m.sid) ?? new Date().toISOString(),
      media,
      attributes,
    };
  }
}

/** A refusal with the HTTP status the preview server answers. */
export class PreviewError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function fromOf(c: MockConversation): string | undefined {
  try {
    const from = (JSON.parse(c.attributes) as { from?: unknown }).from;
    return typeof from === 'string' && from !== '' ? from : undefined;
  } catch {
    return undefined;
  }
}

function stateOf(c: MockConversation): ConversationState {
  return c.state === 'closed' || c.state === 'inactive' ? c.state : 'active';
}
