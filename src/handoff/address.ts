/**
 * `HANDOFF_MODE=address`: a Flex Chat Address (Flex Conversations). One
 * request, `POST https://flex-api.twilio.com/v2/WebChats`, makes the
 * conversation, the customer's user and participant, and attaches the
 * address's routing (its Studio flow, or a webhook such as this service's
 * `/interaction`), exactly as Flex's own web chat does:
 *
 *   AddressSid            ADDRESS_SID (IG…)
 *   ChatFriendlyName      "Web chat with <name>"
 *   CustomerFriendlyName  the name the customer gave ("Customer" if none)
 *   PreEngagementData     the validated pre-engagement answers plus friendlyName, as JSON
 *   Identity              our server-chosen identity; the answer's `identity` must match
 *
 * 1 round trip; 2 with a question (posted as the customer's first message,
 * which is what starts the address's Studio flow or webhook).
 *
 * The conversation lives in the address's Conversations service (its
 * auto-creation `conversation_service_sid`, else the account's default one),
 * which must be CONVERSATIONS_SERVICE_SID (the token's grant); `npm run setup
 * -- doctor` checks it. Clean-up deletes it there.
 */
import type { Twilio } from 'twilio';
import { conversationFriendlyName, preEngagementData } from '../chat-attributes';
import type { Config } from '../config';
import { startFlexCreatedChat, type FlexCreatedMode } from './flex-created';
import type { ChatStart, Handoff } from './types';

type AddressModeConfig = Pick<Config, 'conversationsServiceSid'>;

export function addressMode(
  client: Twilio,
  config: AddressModeConfig,
  addressSid: string,
): FlexCreatedMode {
  return {
    step: 'create the web chat',
    notFoundMeans: 'ADDRESS_SID',
    async create(chat: ChatStart) {
      // Built before the request, so an oversized body fails with no side effect.
      const preEngagement = preEngagementData(chat);
      const webChat = await client.flexApi.v2.webChannels.create({
        addressSid,
        chatFriendlyName: conversationFriendlyName(chat),
        customerFriendlyName: chat.friendlyName,
        preEngagementData: preEngagement,
        identity: chat.identity,
      });
      return { conversationSid: webChat.conversationSid, identity: webChat.identity };
    },
    async remove(conversationSid: string) {
      await client.conversations.v1
        .services(config.conversationsServiceSid)
        .conversations(conversationSid)
        .remove();
    },
  };
}

export function addressHandoff(
  client: Twilio,
  config: AddressModeConfig,
  addressSid: string,
): Handoff {
  const mode = addressMode(client, config, addressSid);
  return { startChat: (chat) => startFlexCreatedChat(client, config, chat, mode) };
}
