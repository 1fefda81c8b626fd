/**
 * What the customer sends into the conversation: text, a file (one per
 * message, Flex's rule), and typing signals, at most one per
 * TYPING_INTERVAL_MS. Sending never throws: false means it did not go, and
 * the composer keeps what was typed. No conversation (not connected yet, or
 * reconnecting) is the same as a failed send.
 *
 * @example
 *   const sender = new Sender(Date.now);
 *   if (!(await sender.send(conversation, draft))) showNotSent();
 *   sender.typing(conversation); // on every keystroke
 */
import { cleanText } from '../../src/plain-text';
import type { ChatConversation } from './chat-client';

/** At most one typing signal per this many ms (the SDK's own indicator lasts ~5 s). */
export const TYPING_INTERVAL_MS = 3000;

export class Sender {
  private lastTypingAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly now: () => number) {}

  /**
   * Sends the text, cleaned as the form's answers are (src/plain-text.ts:
   * no invisible formatting or control characters reach the agent); blank
   * text is not sent.
   */
  async send(conversation: ChatConversation | undefined, text: string): Promise<boolean> {
    const body = cleanText(text);
    if (body === '' || !conversation) return false;
    try {
      await conversation.send(body);
      return true;
    } catch {
      return false;
    }
  }

  async sendFile(
    conversation: ChatConversation | undefined,
    file: Blob,
    filename: string,
    text = '',
  ): Promise<boolean> {
    if (!conversation) return false;
    try {
      await conversation.sendMedia(file, filename, cleanText(text) || undefined);
      return true;
    } catch {
      return false;
    }
  }

  /** Call on every keystroke: signals typing at most every TYPING_INTERVAL_MS. */
  typing(conversation: ChatConversation | undefined): void {
    const now = this.now();
    if (!conversation || now - this.lastTypingAt < TYPING_INTERVAL_MS) return;
    this.lastTypingAt = now;
    conversation.typing();
  }
}
