/**
 * POST /interaction  (Twilio only: protected, and signature-checked here too)
 *
 * The conversation-scoped `onMessageAdded` webhook of HANDOFF_MODE=webhook:
 * the customer's first message becomes exactly one Flex Interaction (and so
 * one TaskRouter task), however often and however concurrently Twilio
 * delivers it. How that is guaranteed: src/interaction.ts.
 *
 * Input: Conversations' form parameters (EventType, ConversationSid, Author, ...)
 *        with a valid X-Twilio-Signature for PUBLIC_BASE_URL (or the deployed
 *        domain) + /interaction.
 *
 * 200  {outcome: "handed_off", interactionSid, recorded}
 *      {outcome: "ignored", reason}: not the customer, already handed off, ...
 * 403  {error: {code: "forbidden"}}: missing or invalid signature; nothing done
 * 400  not a Conversations payload;  503 not configured for webhook mode
 * 502 / 503  Twilio failed: the hand-off was released, so Twilio's retry can succeed
 */
import { twilioWebhookEndpoint } from '../src/endpoint';
import { handOffToFlex, parseMessageAddedEvent } from '../src/interaction';

export const handler = twilioWebhookEndpoint(
  (config) => (config.handoff.mode === 'webhook' ? config.handoff : undefined),
  (handoff) => handoff.interactionUrl,
  async ({ config, target: handoff, fields, twilio }) => {
    const event = parseMessageAddedEvent(fields);
    return { ...(await handOffToFlex(twilio(), { ...config, handoff }, event)) };
  },
);
