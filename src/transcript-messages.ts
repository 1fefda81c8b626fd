/**
 * The messages an emailed transcript holds, read from Twilio in pages of 100
 * (the most Twilio gives: PageSize at most 100).
 *
 * A chat of at most 100 messages is one page, one round trip (in round 1 of
 * /transcript, beside the conversation and its participants). A longer one
 * is read from both ends at once, newest first from the end, until the two
 * meet: 230 messages cost 3 requests in 2 round trips, where reading in
 * order would take 3 round trips. It stops at TRANSCRIPT_HEAD_MESSAGES from
 * the start and TRANSCRIPT_TAIL_MESSAGES from the end: a chat of 5,000
 * messages is 10 pages in 6 round trips (a Function has 10 s; each page is
 * one Twilio request), and its transcript says that its middle is left out.
 *
 * Twilio numbers a conversation's messages (`index`) in order; a deleted
 * message leaves a gap, which can only cost one more round, never a message.
 */
import type {
  MessageInstance,
  MessageListInstance,
} from 'twilio/lib/rest/conversations/v1/service/conversation/message';

export const TRANSCRIPT_PAGE_SIZE = 100;
export const TRANSCRIPT_HEAD_MESSAGES = 500;
export const TRANSCRIPT_TAIL_MESSAGES = 500;

export interface TranscriptMessages {
  /** Oldest first. With `cut`, the first HEAD then the last TAIL. */
  messages: MessageInstance[];
  /** The chat is longer than a transcript holds: its middle is left out. */
  cut: boolean;
  /** Where the cut is: `messages[cutAfter]` is the last one before it. */
  cutAfter?: number;
}

interface Paged {
  instances: MessageInstance[];
  nextPageUrl?: string;
  nextPage(): Promise<Paged> | undefined;
}

/** Rounds at most: HEAD and TAIL in full pages, plus the first; a guard against empty pages. */
const MAX_ROUNDS = (TRANSCRIPT_HEAD_MESSAGES + TRANSCRIPT_TAIL_MESSAGES) / TRANSCRIPT_PAGE_SIZE + 2;

const page = (list: MessageListInstance, order: 'asc' | 'desc') =>
  list.page({ order, pageSize: TRANSCRIPT_PAGE_SIZE }) as Promise<Paged>;

export async function readTranscriptMessages(
  list: MessageListInstance,
): Promise<TranscriptMessages> {
  let headPage = await page(list, 'asc');
  const head = [...headPage.instances];
  let tailPage: Paged | undefined;
  const tail: MessageInstance[] = []; // newest first
  for (let round = 1; ; round++) {
    const headEnd = head.at(-1)?.index ?? -1;
    const tailStart = tail.at(-1)?.index;
    // The head reached the end, the tail the start, or they meet: all read.
    if (!headPage.nextPageUrl) return { messages: head, cut: false };
    if (tailPage && !tailPage.nextPageUrl) return { messages: tail.reverse(), cut: false };
    if (tailStart !== undefined && headEnd + 1 >= tailStart) {
      return { messages: joined(head, tail, headEnd), cut: false };
    }
    const headFull = head.length >= TRANSCRIPT_HEAD_MESSAGES;
    const tailFull = tail.length >= TRANSCRIPT_TAIL_MESSAGES;
    if ((headFull && tailFull) || round >= MAX_ROUNDS) {
      const first = head.slice(0, TRANSCRIPT_HEAD_MESSAGES);
      const last = tail.slice(0, TRANSCRIPT_TAIL_MESSAGES).reverse();
      return { messages: [...first, ...last], cut: true, cutAfter: first.length - 1 };
    }
    const [nextHead, nextTail] = await Promise.all([
      headFull ? undefined : headPage.nextPage(),
      tailFull ? undefined : tailPage ? tailPage.nextPage() : page(list, 'desc'),
    ]);
    if (nextHead) {
      headPage = nextHead;
      head.push(...nextHead.instances);
    }
    if (nextTail) {
      tailPage = nextTail;
      tail.push(...nextTail.instances);
    }
  }
}

/** The head, then the tail's messages after it (the tail is newest first). */
function joined(head: MessageInstance[], tail: MessageInstance[], headEnd: number) {
  return [...head, ...tail.filter((m) => m.index > headEnd).reverse()];
}
