/**
 * What the hand-off reads from and writes to Flex besides the Interaction
 * itself: the TaskRouter task that shows a hand-off happened, the record of
 * the Interaction on the conversation, and the recovery from a failed create.
 */
import type { Twilio } from 'twilio';
import type { ConversationContext } from 'twilio/lib/rest/conversations/v1/service/conversation';
import { parseAttributes } from '../chat-attributes';
import { log } from '../log';
import type { InteractionRoute } from '../modes';
import { isAmbiguousFailure, toHttpError } from '../twilio-errors';
import { releaseClaim } from './claim';
import type { HandoffOutcome, InteractionConfig, StoredAttributes } from './event';

/**
 * How long to wait, after a claim whose answer was lost, for a concurrent
 * owner's Interaction to show (its create takes a few hundred milliseconds).
 */
export const CLAIM_SETTLE_MS = 1000;

/**
 * After an uncertain claim: waits for a concurrent owner's Interaction to
 * show (recorded on the conversation, or as a TaskRouter task), and says
 * whether there is one. If none shows, the lost answer was ours and we own
 * the hand-off; only an owner slower than CLAIM_SETTLE_MS could still make a
 * second Interaction.
 */
export async function someoneElseHandedOff(
  client: Twilio,
  config: InteractionConfig,
  conversation: ConversationContext,
  logFields: Record<string, unknown>,
): Promise<boolean> {
  await new Promise((resolve) => setTimeout(resolve, CLAIM_SETTLE_MS));
  const conversationSid = logFields.conversationSid as string;
  const [fetched, task] = await Promise.all([
    conversation.fetch().catch(() => null),
    findTaskFor(client, config.interaction, conversationSid),
  ]);
  const recorded = typeof parseAttributes(fetched?.attributes).interactionSid === 'string';
  const elsewhere = recorded || task !== undefined;
  log.warn(elsewhere ? 'claim_conceded' : 'claim_assumed_after_lost_answer', logFields);
  return elsewhere;
}

export async function recoverFromFailedCreate(
  client: Twilio,
  config: InteractionConfig,
  conversation: ConversationContext,
  attributes: StoredAttributes,
  error: unknown,
  logFields: Record<string, unknown>,
): Promise<HandoffOutcome> {
  const conversationSid = logFields.conversationSid as string;
  const failure = toHttpError(error, { step: 'create the Flex interaction', logFields });
  if (isAmbiguousFailure(error)) {
    const existing = await findTaskFor(client, config.interaction, conversationSid);
    if (existing) {
      log.warn('interaction_created_despite_error', { ...logFields, taskSid: existing.taskSid });
      const recorded = existing.interactionSid
        ? await recordInteraction(conversation, attributes, {
            interactionSid: existing.interactionSid,
            ...(existing.interactionChannelSid && {
              interactionChannelSid: existing.interactionChannelSid,
            }),
          })
        : false;
      return {
        outcome: 'handed_off',
        ...(existing.interactionSid && { interactionSid: existing.interactionSid }),
        recorded,
      };
    }
  }
  await releaseClaim(conversation, config.interaction.interactionUrl, logFields);
  throw failure;
}

export /** A TaskRouter task already routing this conversation, if there is one. */
async function findTaskFor(
  client: Twilio,
  route: InteractionRoute,
  conversationSid: string,
): Promise<
  { taskSid: string; interactionSid?: string; interactionChannelSid?: string } | undefined
> {
  try {
    const [task] = await client.taskrouter.v1.workspaces(route.workspaceSid).tasks.list({
      evaluateTaskAttributes: `conversationSid == "${conversationSid}"`,
      limit: 1,
    });
    if (!task) return undefined;
    // Flex puts the Interaction's SIDs in the task it creates.
    const { flexInteractionSid, flexInteractionChannelSid } = parseAttributes(task.attributes);
    return {
      taskSid: task.sid,
      ...(typeof flexInteractionSid === 'string' && { interactionSid: flexInteractionSid }),
      ...(typeof flexInteractionChannelSid === 'string' && {
        interactionChannelSid: flexInteractionChannelSid,
      }),
    };
  } catch (error) {
    log.warn('task_lookup_failed', { conversationSid, error });
    return undefined;
  }
}

export /** Stores the Interaction's SIDs with the conversation; never throws. */
async function recordInteraction(
  conversation: ConversationContext,
  attributes: StoredAttributes,
  sids: { interactionSid: string; interactionChannelSid?: string },
): Promise<boolean> {
  try {
    await conversation.update({
      attributes: JSON.stringify({ ...attributes, ...sids }),
      xTwilioWebhookEnabled: 'false',
    });
    return true;
  } catch (error) {
    // The hand-off happened; only the record is missing (end-chat then closes
    // the conversation itself).
    log.warn('interaction_not_recorded', { interactionSid: sids.interactionSid, error });
    return false;
  }
}
