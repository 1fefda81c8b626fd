/**
 * `HANDOFF_MODE=flex-flow`: a legacy Flex Flow (Flex UI 1.x, Programmable
 * Chat for Flex, which reached end of life on 2026-06-01). One request,
 * `POST https://flex-api.twilio.com/v1/Channels`, makes the chat channel and
 * its user, and runs the Flex Flow's integration (Studio, webhook or task):
 *
 *   FlexFlowSid           FLEX_FLOW_SID (FO…)
 *   Identity              the customer's identity (the start's `web_` key, or a
 *                         verified customer's `cust_`)
 *   ChatUniqueName        the start's key: Flex refuses a second channel of that
 *                         name (45208), which makes each start's challenge single use
 *   ChatUserFriendlyName  the name the customer gave ("Customer" if none)
 *   ChatFriendlyName      "Web chat with <name>"
 *   PreEngagementData     the validated pre-engagement answers plus friendlyName, as JSON
 *
 * 1 round trip; 2 with a question, posted as the customer's first message
 * through the Conversations API (Chat channels are Conversations; Twilio
 * built Conversations on Programmable Chat and shares the data).
 *
 * The channel lives in the Flex Flow's chat service, which must be
 * CONVERSATIONS_SERVICE_SID (the token's grant); `npm run setup -- doctor`
 * checks it. Clean-up uses Flex's own `DELETE /v1/Channels/{CH}`; a task the
 * task integration made (`task_sid`) is logged, not cancelled.
 *
 * End: the way Flex UI 1.x watches a chat channel, its attributes' `status`
 * becomes `INACTIVE` (webhooks on). `/interaction` is never called.
 */
import type { Twilio } from 'twilio';
import { conversationFriendlyName, preEngagementData } from '../chat-attributes';
import { twilioStep } from '../twilio-errors';
import { startFlexCreatedChat, type FlexCreation } from './flex-created';
import { participantIdentity, type ChatStart, type HandoffModule } from './types';

export interface FlexFlowSettings {
  flexFlowSid: string;
}

/** Legacy Flex chat channels are `ACTIVE` until ended. */
const ENDED_STATUS = 'INACTIVE';

export const flexFlow = {
  singleUse: 'unique-name',
  variables: ['FLEX_FLOW_SID'] as const,
  readStart: (read) => ({ flexFlowSid: read.sid('FLEX_FLOW_SID', 'FO') }),
  readInteraction: () => undefined,
  startChat: (client, config, { flexFlowSid }, chat) =>
    startFlexCreatedChat(client, config, chat, channelCreation(client, flexFlowSid)),
  hasEnded: (state, attributes) => state === 'closed' || attributes.status === ENDED_STATUS,
  async close({ conversation, attributes, logFields }) {
    await twilioStep({ step: 'end the chat channel', logFields }, () =>
      conversation.update({
        attributes: JSON.stringify({ ...attributes, status: ENDED_STATUS }),
        xTwilioWebhookEnabled: 'true',
      }),
    );
    return 'legacy-channel';
  },
} satisfies HandoffModule<FlexFlowSettings>;

export function channelCreation(client: Twilio, flexFlowSid: string): FlexCreation {
  return {
    step: 'create the Flex chat channel',
    notFoundMeans: 'FLEX_FLOW_SID',
    async create(chat: ChatStart) {
      const preEngagement = preEngagementData(chat);
      const channel = await client.flexApi.v1.channel.create({
        flexFlowSid,
        identity: participantIdentity(chat),
        chatUniqueName: chat.identity,
        chatUserFriendlyName: chat.friendlyName,
        chatFriendlyName: conversationFriendlyName(chat),
        preEngagementData: preEngagement,
      });
      // The answer names no identity: Twilio requires ours and uses it. With a
      // task integration it names the task Flex made (see flex-created.ts).
      return { conversationSid: channel.sid, taskSid: channel.taskSid ?? null };
    },
    async remove(conversationSid: string) {
      await client.flexApi.v1.channel(conversationSid).remove();
    },
  };
}
