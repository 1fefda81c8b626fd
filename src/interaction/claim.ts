/**
 * Claiming a conversation's hand-off, atomically on Twilio's side: deleting
 * our scoped webhook (Twilio deletes a resource once and answers every other
 * delete with 404), and giving the claim back (registering it again) when the
 * hand-off fails. See index.ts for why this is safe.
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

export /**
 * Deletes our webhook(s): `won` when this invocation owns the hand-off,
 * `lost` when another does. There is normally exactly one. Should there be
 * more, they are deleted in SID order and the first 404 loses: with one order
 * for everyone, two invocations cannot both delete all they saw.
 *
 * `uncertain`: a delete failed without a clear answer and the webhook is gone
 * since. Either our delete worked and its answer was lost, or another
 * delivery deleted it and owns the hand-off; the caller decides which.
 */
async function claim(
  conversation: ConversationContext,
  ours: WebhookInstance[],
  interactionUrl: string,
  logFields: Record<string, unknown>,
): Promise<'won' | 'lost' | 'uncertain'> {
  let result: 'won' | 'uncertain' = 'won';
  for (const webhook of [...ours].sort((a, b) => a.sid.localeCompare(b.sid))) {
    try {
      await conversation.webhooks(webhook.sid).remove();
    } catch (error) {
      if (upstreamStatus(error) === 404) return 'lost';
      const failure = toHttpError(error, { step: 'claim the hand-off', logFields });
      if (!isAmbiguousFailure(error)) throw failure;
      const after = await conversation.webhooks
        .list({ limit: 5 })
        .catch(nullIfGone('re-read the webhooks', logFields));
      const stillThere = after?.some(
        (w) => w.sid === webhook.sid && isInteractionWebhook(w, interactionUrl),
      );
      if (stillThere) throw failure; // nothing happened; Twilio retries the delivery
      result = 'uncertain';
    }
  }
  return result;
}

export /**
 * Gives the claim back (registers the webhook again), so Twilio's retry or
 * the customer's next message hands off. Tried twice: without it the chat
 * would never reach Flex. A duplicate webhook is harmless (see claim()).
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
      if (attempt === 2) log.error('handoff_stranded', { ...logFields, error });
    }
  }
}
