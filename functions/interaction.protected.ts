/**
 * POST /interaction  (Twilio only: protected, and signature-checked here too)
 *
 * The conversation-scoped `onMessageAdded` webhook of HANDOFF_MODE=webhook
 * (and of HANDOFF_MODE=address when the Chat Address routes here):
 * the customer's first message becomes exactly one Flex Interaction (and so
 * one TaskRouter task), however often and however concurrently Twilio
 * delivers it. How that is guaranteed: src/interaction/index.ts.
 *
 * Input: Conversations' form parameters (EventType, ConversationSid, Author,
 *        WebhookSid: the webhook the claim deletes, ...) with a valid
 *        X-Twilio-Signature for PUBLIC_BASE_URL (or the deployed domain) +
 *        /interaction.
 *
 * 200  {outcome: "handed_off", interactionSid, recorded}
 *      {outcome: "ignored", reason}: not the customer, already handed off, ...
 * 403  {error: {code: "forbidden"}}: missing or invalid signature; nothing done
 * 400  not a Conversations payload;  503 not configured to be called (webhook
 *      mode, or address mode with ADDRESS_ROUTES_TO=webhook)
 * 502 / 503  Twilio failed: the hand-off was released, so Twilio's retry can succeed
 */
import { twilioWebhookEndpoint } from '../src/endpoint';
import { handOffToFlex, parseMessageAddedEvent } from '../src/interaction';
import { notRoutedHere } from '../src/modes';

export const handler = twilioWebhookEndpoint(
  {
    config: ['service', 'mode', 'interaction', 'signing'],
    target: (config) => config.interaction ?? notRoutedHere(config.handoffMode),
    signedUrl: (route) => route.interactionUrl,
  },
  async ({ config, target: interaction, fields, twilio, receivedAt }) => {
    const event = parseMessageAddedEvent(fields);
    const options = { startedAt: receivedAt, clientWithTimeout: twilio };
    return { ...(await handOffToFlex(twilio(), { ...config, interaction }, event, options)) };
  },
);
