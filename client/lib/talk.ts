/**
 * The controller's reading and writing in the connected conversation:
 * sending text and files (sender.ts), typing, older pages of history
 * (history.ts), everything said for the transcript, and read marks (only
 * while the panel is open and the page visible). It holds no connection of
 * its own: the controller says which conversation is current, and owns the
 * state this reads and the actions it dispatches.
 */
import type { ChatConversation, ChatMessage } from './chat-client';
import { olderPage, TRANSCRIPT_MAX_MESSAGES } from './history';
import { Sender } from './sender';
import type { Action, State } from './state';

/** The controller: its state, and where actions go. */
export interface TalkHost {
  readonly state: State;
  dispatch(action: Action): void;
}

export class Talk {
  private readonly sender: Sender;
  /** The page is visible: reading only happens when seen. */
  visible = true;

  constructor(
    private readonly host: TalkHost,
    /** The conversation connected now, if any. */
    private readonly conversation: () => ChatConversation | undefined,
    now: () => number,
  ) {
    this.sender = new Sender(now);
  }

  /** Sends text; resolves false (and keeps nothing lost) when it could not. */
  send(text: string): Promise<boolean> {
    return this.sender.send(this.conversation(), text);
  }

  /** Sends one file, with optional text; resolves false when it could not. */
  sendFile(file: Blob, filename: string, text = ''): Promise<boolean> {
    return this.sender.sendFile(this.conversation(), file, filename, text);
  }

  /** Call on every keystroke: signals typing at most every TYPING_INTERVAL_MS. */
  typing(): void {
    this.sender.typing(this.conversation());
  }

  async loadOlder(): Promise<void> {
    const conversation = this.conversation();
    if (!conversation || !this.host.state.hasOlder || this.host.state.loadingOlder) return;
    this.host.dispatch({ type: 'loadingOlder' });
    this.host.dispatch(await olderPage(conversation, this.host.state.messages));
  }

  /** Everything said in this chat (pages in what is not loaded yet), for the transcript. */
  async allMessages(): Promise<ChatMessage[]> {
    while (
      this.conversation() &&
      this.host.state.hasOlder &&
      this.host.state.messages.size < TRANSCRIPT_MAX_MESSAGES
    ) {
      const before = this.host.state.messages.size;
      await this.loadOlder();
      if (this.host.state.messages.size === before) break; // failed or nothing new
    }
    return [...this.host.state.messages.values()].sort((a, b) => a.index - b.index);
  }

  /** Marks everything read, when the customer can see it. */
  async markRead(): Promise<void> {
    const conversation = this.conversation();
    const { open, phase, messages, readIndex } = this.host.state;
    if (!open || !this.visible || phase !== 'chat' || !conversation) return;
    const newest = Math.max(-1, ...messages.keys());
    if (newest <= readIndex) return;
    this.host.dispatch({ type: 'read', index: newest });
    await conversation.markAllRead().catch(() => undefined);
  }
}
