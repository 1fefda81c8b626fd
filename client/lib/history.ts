/**
 * The conversation's past messages, a page at a time: the newest page (with
 * the participants) when a chat connects, and older pages as the customer
 * scrolls up or a transcript needs them. Each call returns the reducer's
 * action for what it found; the controller decides when to ask.
 *
 * @example
 *   dispatch(await firstPage(conversation));
 *   dispatch(await olderPage(conversation, state.messages));
 */
import type { ChatConversation, ChatMessage } from './chat-client';
import type { Action } from './state';

/** Messages per history page. */
export const PAGE_SIZE = 30;
/** The most history a transcript pages in. */
export const TRANSCRIPT_MAX_MESSAGES = 2000;

type HistoryAction = Extract<Action, { type: 'history' }>;
type OlderAction = Extract<Action, { type: 'older' }>;

/** The newest page, who is in the conversation, and its status. Rejects as the SDK does. */
export async function firstPage(conversation: ChatConversation): Promise<HistoryAction> {
  const [page, participants] = await Promise.all([
    conversation.messages(PAGE_SIZE),
    conversation.participants(),
  ]);
  return {
    type: 'history',
    messages: page.messages,
    hasOlder: page.hasOlder,
    participants,
    status: conversation.status,
  };
}

/**
 * The page before the oldest message loaded. Never rejects: a failed page is
 * an empty one that keeps `hasOlder`, so the button stays and the next
 * scroll tries again.
 */
export async function olderPage(
  conversation: ChatConversation,
  loaded: ReadonlyMap<number, ChatMessage>,
): Promise<OlderAction> {
  const oldest = Math.min(...loaded.keys());
  try {
    const page = await conversation.messages(PAGE_SIZE, oldest - 1);
    return { type: 'older', messages: page.messages, hasOlder: page.hasOlder };
  } catch {
    return { type: 'older', messages: [], hasOlder: true };
  }
}
