/**
 * `/start-chat` once the guard has admitted the request (src/guard/:
 * `admitStart`): an anonymous chat spends its claim and budget and starts; a
 * signed-in customer's chat is first looked for, and resumed if it is in
 * progress, or started once however many of their devices ask at the same
 * time (continuity.ts). Either way the admission's claim is released when
 * the start certainly made nothing (`startClaimed`).
 *
 * @example
 *   const admitted = await admitStart(config, guarded);
 *   const chat = await startAdmitted(twilio, config, admitted, details, nowMs);
 *   chat.resumed; // true: the customer's chat in progress, nothing created
 */
import type { Twilio } from 'twilio';
import type { ConfigOf } from '../config';
import { spendStart, startClaimed, type GuardResult } from '../guard';
import { chatReadingOf, startChat, type ChatStart } from '../modes';
import { startOrResume, type ContinuedChat, type Creation } from './continuity';

/** What the customer asked for: everything of a `ChatStart` but who they are. */
export type ChatDetails = Omit<
  ChatStart,
  'identity' | 'customer' | 'knownConversations' | 'onLastRound'
>;

export async function startAdmitted(
  twilio: () => Twilio,
  config: ConfigOf<'chats' | 'handoff' | 'budget'>,
  admitted: GuardResult,
  details: ChatDetails,
  nowMs: number,
): Promise<ContinuedChat> {
  const { customer } = admitted;
  const spend = () => spendStart(twilio, config, admitted, nowMs);
  const start = (creation?: Creation) =>
    startChat(twilio(), config, config.handoff, {
      identity: admitted.identity,
      ...details,
      ...(customer && { customer }),
      ...(creation?.known && { knownConversations: creation.known }),
      ...(creation && { onLastRound: creation.onLastRound }),
    });
  if (!customer) {
    await spend();
    return { ...(await startClaimed(twilio, config, admitted, () => start())), resumed: false };
  }
  return startClaimed(twilio, config, admitted, () =>
    startOrResume(twilio, config, {
      customer,
      question: details.question,
      ...chatReadingOf(config.handoff.mode),
      spend,
      create: start,
    }),
  );
}
