/**
 * `HANDOFF_MODE=flex-flow`: a legacy Flex Flow (Flex UI 1.x, Programmable
 * Chat for Flex, which reached end of life on 2026-06-01). One request,
 * `POST https://flex-api.twilio.com/v1/Channels`, makes the chat channel and
 * its user, and runs the Flex Flow's integration (Studio, webhook or task):
 *
 *   FlexFlowSid           FLEX_FLOW_SID (FO…)
 *   Identity              our server-chosen identity
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
 */
import type { Twilio } from 'twilio';
import { conversationFriendlyName, preEngagementData } from '../chat-attributes';
import type { Config } from '../config';
import { startFlexCreatedChat, type FlexCreatedMode } from './flex-created';
import type { ChatStart, Handoff } from './types';

export function flexFlowMode(client: Twilio, flexFlowSid: string): FlexCreatedMode {
  return {
    step: 'create the Flex chat channel',
    notFoundMeans: 'FLEX_FLOW_SID',
    async create(chat: ChatStart) {
      const preEngagement = preEngagementData(chat);
      const channel = await client.flexApi.v1.channel.create({
        flexFlowSid,
        identity: chat.identity,
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

export function flexFlowHandoff(
  client: Twilio,
  config: Pick<Config, 'conversationsServiceSid'>,
  flexFlowSid: string,
): Handoff {
  const mode = flexFlowMode(client, flexFlowSid);
  return { startChat: (chat) => startFlexCreatedChat(client, config, chat, mode) };
}
