/**
 * A webhook-mode chat for the /interaction sections: started through
 * /start-chat, then its customer's messages delivered to /interaction as
 * signed Conversations webhooks, each naming the webhook /start-chat
 * registered (`WebhookSid`), as Twilio's do.
 */
import { handler as interaction } from '../../functions/interaction.protected';
import { handler as startChat } from '../../functions/start-chat';
import { proven } from '../../dev/challenge';
import { invoke, type InvokeResult } from '../../dev/invoke';
import { type TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import {
  WEBHOOK_ENV,
  messageAddedParams,
  scopedWebhookSid,
  signedDelivery,
} from '../../dev/twilio-fake/webhooks';

/** What /start-chat answers: the chat and its customer's token. */
export interface StartedChat {
  conversationSid: string;
  identity: string;
  token: string;
}

/**
 * Starts a webhook-mode chat and returns a delivery of its customer's
 * message (the chat itself as `deliver.chat`).
 */
export async function webhookChat(mock: TwilioMock) {
  const started = await invoke(
    startChat,
    await proven({ mock, env: WEBHOOK_ENV, body: { friendlyName: 'Ana' } }),
  );
  const chat = started.body as StartedChat;
  const webhookSid = scopedWebhookSid(mock, chat.conversationSid);
  if (!webhookSid) throw new Error(`/start-chat registered no webhook: ${started.text}`);
  /** A delivery of message `index`; `named: false` leaves `WebhookSid` out (the list path). */
  const deliver = (index = 0, { named = true } = {}) =>
    invoke(interaction, {
      mock,
      env: WEBHOOK_ENV,
      ...signedDelivery(
        messageAddedParams({
          ...chat,
          author: chat.identity,
          index,
          ...(named && { webhookSid }),
        }),
      ),
    });
  return Object.assign(deliver, { chat });
}

/** Whether /interaction answered that this delivery created the Flex task. */
export const handedOff = (res: InvokeResult) =>
  (res.body as { outcome?: string }).outcome === 'handed_off';
