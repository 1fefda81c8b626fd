/**
 * Claiming a conversation's hand-off, atomically on Twilio's side: deleting
 * our scoped webhook (Twilio deletes a resource once and answers every other
 * delete with 404), either the one the delivery names or, when it names
 * none, those a list shows; and giving the claim back (registering the
 * webhook again) when the hand-off fails. See index.ts for why this is safe.
 */
import type { ConversationContext } from 'twilio/lib/rest/conversations/v1/service/conversation';
import type { WebhookInstance } from 'twilio/lib/rest/conversations/v1/service/conversation/webhook';
import { log } from '../log';
import { interactionWebhook } from '../modes/route';
import { isAmbiguousFailure, nullIfGone, toHttpError, upstreamStatus } from '../twilio-errors';

export function isInteractionWebhook(webhook: WebhookInstance, interactionUrl: string): boolean {
  const configuration = webhook.configuration as { url?: unknown } | null;
  return webhook.target === 'webhook' && configuration?.url === interactionUrl;
}

/** What one delete of one webhook did. */
export type Deleted = 'deleted' | 'gone' | 'uncertain';

export /**
 * Deletes one webhook of the conversation: `deleted` (204), `gone` (404:
 * someone deleted it before, or it is not this conversation's). Throws when
 * Twilio refused, or failed unclearly with the webhook still listed: nothing
 * happened, and Twilio's retry can try again.
 *
 * `uncertain`: it failed unclearly and the webhook is gone since. Either our
 * delete worked and its answer was lost, or another delivery deleted it and
 * owns the hand-off; the caller decides which (see someoneElseHandedOff).
 */
async function deleteWebhook(
  conversation: ConversationContext,
  webhookSid: string,
  logFields: Record<string, unknown>,
): Promise<Deleted> {
  try {
    await conversation.webhooks(webhookSid).remove();
    return 'deleted';
  } catch (error) {
    if (upstreamStatus(error) === 404) return 'gone';
    const failure = toHttpError(error, { step: 'claim the hand-off', logFields });
    if (!isAmbiguousFailure(error)) throw failure;
    const after = await conversation.webhooks
      .list({ limit: 5 })
      .catch(nullIfGone('re-read the webhooks', logFields));
    if (after?.some((w) => w.sid === webhookSid)) throw failure; // nothing happened
    return 'uncertain';
  }
}

export /**
 * Deletes the webhooks of ours a list showed: `won` when this invocation owns
 * the hand-off, `lost` when another does. There is normally exactly one.
 * Should there be more, they are deleted in SID order and the first 404
 * loses: with one order for everyone, two invocations cannot both delete all
 * they saw (each listed before it deleted).
 */
async function claimListed(
  conversation: ConversationContext,
  ours: WebhookInstance[],
  logFields: Record<string, unknown>,
): Promise<'won' | 'lost' | 'uncertain'> {
  let result: 'won' | 'uncertain' = 'won';
  for (const webhook of [...ours].sort((a, b) => a.sid.localeCompare(b.sid))) {
    const deleted = await deleteWebhook(conversation, webhook.sid, logFields);
    if (deleted === 'gone') return 'lost';
    if (deleted === 'uncertain') result = 'uncertain';
  }
  return result;
}

export /**
 * Gives the claim back (registers the webhook again), so Twilio's retry or
 * the customer's next message hands off. Tried twice: without it the chat
 * would never reach Flex. But not to leave two: a delivery that names its
 * webhook claims only that one (index.ts), so two webhooks of ours would
 * fire two deliveries per message that could both win. When the first
 * attempt fails without a clear answer, the webhooks are listed before the
 * second: if it was registered after all, that is enough. Only if that list
 * fails too is the second made blind (a stranded chat being the worse).
 */
async function releaseClaim(
  conversation: ConversationContext,
  interactionUrl: string,
  logFields: Record<string, unknown>,
): Promise<void> {
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      await conversation.webhooks.create(interactionWebhook(interactionUrl));
      log.info('claim_released', logFields);
      return;
    } catch (error) {
      if (attempt === 2) {
        log.error('handoff_stranded', { ...logFields, error });
      } else if (
        isAmbiguousFailure(error) &&
        (await hasWebhookOfOurs(conversation, interactionUrl))
      ) {
        log.info('claim_released', logFields);
        return;
      }
    }
  }
}

/** Whether the conversation lists a webhook of ours (false if the list fails: try again). */
async function hasWebhookOfOurs(
  conversation: ConversationContext,
  interactionUrl: string,
): Promise<boolean> {
  const webhooks = await conversation.webhooks.list({ limit: 5 }).catch(() => []);
  return webhooks.some((w) => isInteractionWebhook(w, interactionUrl));
}
