/**
 * `HANDOFF_MODE=address`: a Flex Chat Address (Flex Conversations). One
 * request, `POST https://flex-api.twilio.com/v2/WebChats`, makes the
 * conversation, the customer's user and participant, and attaches the
 * address's routing, exactly as Flex's own web chat does:
 *
 *   AddressSid            ADDRESS_SID (IG…)
 *   ChatFriendlyName      "Web chat with <name>"
 *   CustomerFriendlyName  the name the customer gave ("Customer" if none)
 *   PreEngagementData     the validated pre-engagement answers plus friendlyName, as JSON
 *   Identity              the customer's identity (the start's fresh `web_` one, or a
 *                         verified customer's `cust_`); the answer's `identity` must match
 *
 * 1 round trip; 2 with a question (posted as the customer's first message,
 * which is what starts the address's Studio flow or webhook).
 *
 * Where the address sends chats is Twilio's configuration, which this service
 * cannot read per request, so it is said: `ADDRESS_ROUTES_TO=studio` (the
 * default: the address's Studio flow, `/interaction` is never called) or
 * `webhook` (the address calls this service's `/interaction`, which then
 * needs the TaskRouter variables and, locally, PUBLIC_BASE_URL; a chat is not
 * started without them). `npm run setup` writes it and doctor checks it
 * against the address.
 *
 * The conversation lives in the address's Conversations service (its
 * auto-creation `conversation_service_sid`, else the account's default one),
 * which must be CONVERSATIONS_SERVICE_SID (the token's grant); doctor checks
 * it. Clean-up deletes it there. End: the Flex conversation is closed.
 */
import type { Twilio } from 'twilio';
import { conversationFriendlyName, preEngagementData } from '../chat-attributes';
import type { EnvReader, RuntimeInfo } from '../config/reader';
import { FLEX_CONVERSATION_ENDING } from './close';
import { startFlexCreatedChat, type FlexCreation } from './flex-created';
import { readInteractionRoute, ROUTE_VARIABLES } from './route';
import {
  participantIdentity,
  type ChatsConfig,
  type ChatStart,
  type HandoffModule,
  type InteractionRoute,
} from './types';

export interface AddressSettings {
  addressSid: string;
}

export const ADDRESS_ROUTES = ['studio', 'webhook'] as const;
export type AddressRoute = (typeof ADDRESS_ROUTES)[number];
export const DEFAULT_ADDRESS_ROUTE: AddressRoute = 'studio';

/** Conversations Flex's WebChats API creates carry no unique name of ours. */
const NAMED_AFTER_CUSTOMER = false;

/**
 * The address's route. Unset with TaskRouter variables present is a `.env`
 * from before ADDRESS_ROUTES_TO, when routing was guessed from them: it is
 * named, so `/interaction` never silently stops routing such an address.
 */
function readRoute(read: EnvReader): AddressRoute {
  const route = read.oneOf('ADDRESS_ROUTES_TO', ADDRESS_ROUTES, DEFAULT_ADDRESS_ROUTE);
  const legacy = read.isSet('TASKROUTER_WORKSPACE_SID') || read.isSet('TASKROUTER_WORKFLOW_SID');
  if (!read.isSet('ADDRESS_ROUTES_TO') && legacy) {
    read.problem(
      'ADDRESS_ROUTES_TO',
      'is not set but TASKROUTER_* are: routing is no longer guessed from them. Set ADDRESS_ROUTES_TO=webhook if the Chat Address sends chats to /interaction, or studio (and remove TASKROUTER_*) if it runs a Studio flow; npm run setup writes it',
    );
  }
  return route;
}

function readInteraction(read: EnvReader, runtime: RuntimeInfo): InteractionRoute | undefined {
  if (readRoute(read) !== 'webhook') return undefined;
  return readInteractionRoute(read, runtime, NAMED_AFTER_CUSTOMER);
}

export const address = {
  // WebChats takes no unique name: the challenge is claimed in Sync first.
  singleUse: 'claim',
  variables: ['ADDRESS_SID', 'ADDRESS_ROUTES_TO', ...ROUTE_VARIABLES] as const,
  readStart(read, runtime) {
    const addressSid = read.sid('ADDRESS_SID', 'IG');
    const route = read.oneOf('ADDRESS_ROUTES_TO', ADDRESS_ROUTES, DEFAULT_ADDRESS_ROUTE);
    // Read for its checks only: a chat /interaction could not route is not started.
    if (route === 'webhook') readInteractionRoute(read, runtime, NAMED_AFTER_CUSTOMER);
    return { addressSid };
  },
  readInteraction,
  notRoutedHere: {
    field: 'ADDRESS_ROUTES_TO',
    problem:
      'says the Chat Address runs a Studio flow (studio is the default), so Twilio should not be calling /interaction; set it to webhook if the address calls this service',
  },
  startChat: (client, config, { addressSid }, chat) =>
    startFlexCreatedChat(client, config, chat, webChatCreation(client, config, addressSid)),
  ...FLEX_CONVERSATION_ENDING,
} satisfies HandoffModule<AddressSettings>;

export function webChatCreation(
  client: Twilio,
  config: Pick<ChatsConfig, 'conversationsServiceSid'>,
  addressSid: string,
): FlexCreation {
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
        identity: participantIdentity(chat),
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
