/**
 * What happens in a conversation, as the reducer's actions: messages,
 * participants joining, leaving or changing, typing, its status, and the
 * customer being removed. The controller subscribes once per connection and
 * detaches when it lets the client go.
 *
 * @example
 *   const detach = followConversation(conversation, {
 *     dispatch, now: Date.now, messageAdded: markRead, over: () => finish('other'),
 *   });
 *   for (const off of detach) off();
 */
import type { ChatConversation } from './chat-client';
import type { Action } from './state';

export interface ConversationHooks {
  dispatch: (action: Action) => void;
  /** The time now: a join or a leave is shown with when it was seen. */
  now: () => number;
  /** After a new message is in the state (the customer may be looking at it). */
  messageAdded: () => void;
  /** The chat is over on Twilio's side: closed, or the customer removed from it. */
  over: () => void;
}

/** Subscribes to every event of the conversation; returns the detachers. */
export function followConversation(
  conversation: ChatConversation,
  hooks: ConversationHooks,
): (() => void)[] {
  const { dispatch } = hooks;
  const at = () => new Date(hooks.now());
  return [
    conversation.on('messageAdded', (message) => {
      dispatch({ type: 'messageAdded', message });
      hooks.messageAdded();
    }),
    conversation.on('participantJoined', (participant) =>
      dispatch({ type: 'participantJoined', participant, at: at() }),
    ),
    conversation.on('participantLeft', (participant) =>
      dispatch({ type: 'participantLeft', participant, at: at() }),
    ),
    conversation.on('participantUpdated', (participant) =>
      dispatch({ type: 'participantUpdated', participant }),
    ),
    conversation.on('typingStarted', (participant) =>
      dispatch({ type: 'typing', participant, typing: true }),
    ),
    conversation.on('typingEnded', (participant) =>
      dispatch({ type: 'typing', participant, typing: false }),
    ),
    conversation.on('statusChanged', (status) => {
      dispatch({ type: 'status', status });
      if (status === 'closed') hooks.over();
    }),
    conversation.on('removed', () => hooks.over()),
  ];
}
