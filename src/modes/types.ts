/**
 * One interface for every way a chat can reach Flex (`HANDOFF_MODE`). A mode
 * is one module (`studio.ts`, `webhook.ts`, `address.ts`, `flex-flow.ts`)
 * that says, in one place:
 *
 *   - which environment variables it reads, and their checks (`readStart`,
 *     `readInteraction`);
 *   - how a chat starts (`startChat`): from a validated request and a
 *     server-chosen identity, create what Twilio needs and return the
 *     conversation, or throw an `HttpError` having left nothing behind;
 *   - how it makes a start's challenge single use (`singleUse`);
 *   - whether `/interaction` routes its chats, and how (`readInteraction`);
 *   - how a chat ends when the customer ends it (`hasEnded`, `close`).
 *
 * `index.ts` maps names to modules; nothing else branches on a mode's name.
 */
import type { Twilio } from 'twilio';
import type { ConversationContext } from 'twilio/lib/rest/conversations/v1/service/conversation';
import type { Config } from '../config';
import type { EnvReader, RuntimeInfo } from '../config/reader';
import type { ChatDetails } from '../chat-details';
import type { FieldProblem } from '../errors';
import type { FlatObject } from '../fields';
import type { VerifiedCustomer } from '../customer/types';
import type { ChatSeal } from '../chat-seal';

export interface ChatStart {
  /**
   * Server-chosen, opaque, single-use key of this start (see
   * `src/identity.ts`): the unique name of what the mode creates
   * (`UniqueName`, `ChatUniqueName`) and the challenge's claim. For an
   * anonymous chat it is also the customer's identity; a verified customer's
   * identity is `customer.identity` (see `participantIdentity`).
   */
  identity: string;
  /** Never empty: defaults to `DEFAULT_CUSTOMER_NAME`. */
  friendlyName: string;
  question?: string;
  preEngagement: FlatObject;
  /** The site's context, the page, the language: in the attributes (src/chat-details.ts). */
  details?: ChatDetails;
  /** The signed-in customer, verified (src/customer/verify.ts); absent for anonymous chats. */
  customer?: VerifiedCustomer;
  /**
   * A verified customer's conversations before this start, as
   * src/customer/continuity.ts found them: after an ambiguous create, only
   * conversations NOT listed here can be this attempt's (the customer's
   * identity is not fresh, unlike an anonymous one). Absent: none known, and
   * nothing but this attempt's unique name is removed for a customer.
   */
  knownConversations?: readonly string[];
  /**
   * Run beside the start's last round, once the conversation exists, never
   * as a round of its own (src/customer/continuity.ts: a signed-in start's
   * pointer and claim). `handedOff`: true when the chat's hand-off exists
   * already (the round is the question's post or the details' merge, after
   * the webhook or Flex's routing), so another device may join it and post;
   * false when the hand-off is made in this very round (studio and webhook
   * mode without a question: beside the webhook). Not run when the start
   * makes no round after its create (address and flex-flow mode with neither
   * a question nor details). Never throws. Once it has run with `handedOff`,
   * the chat may be shared: a mode whose question then fails keeps the chat
   * (the retry resumes it) and fails.
   */
  onLastRound?: (conversationSid: string, handedOff: boolean) => Promise<void>;
  /** Set by `startChat` (src/modes/index.ts): written with the start's attributes (src/chat-seal.ts). */
  seal?: ChatSeal;
}

/**
 * Who the customer is in Twilio (the participant, the question's author, the
 * token's identity): the verified customer's stable `cust_` identity, or the
 * anonymous chat's own `web_` identity.
 */
export function participantIdentity(chat: Pick<ChatStart, 'identity' | 'customer'>): string {
  return chat.customer?.identity ?? chat.identity;
}

export interface StartedChat {
  conversationSid: string;
  /**
   * The identity the customer's token is for: always the server-chosen one
   * (`participantIdentity`; a mode whose API answers with another identity
   * refuses the chat).
   */
  identity: string;
}

/** What every mode may use to start a chat: the Conversations service and timers. */
export type ChatsConfig = Pick<Config, 'conversationsServiceSid' | 'timers' | 'apiSecret'>;

/** What `/interaction` needs to hand a conversation to Flex (see src/interaction/). */
export interface InteractionRoute {
  /** Where Conversations posts onMessageAdded: `<public base URL>/interaction`. */
  interactionUrl: string;
  workspaceSid: string;
  workflowSid: string;
  /** TaskRouter task channel unique name, `chat` by default. */
  taskChannel: string;
  /**
   * Whether the conversation's unique name is the start's key: true for the
   * conversations `/start-chat` creates itself, false for those Flex's
   * WebChats API creates for a Chat Address, which have no such name (their
   * customer is known by the identity's shape). For an anonymous chat the
   * key is the customer's identity; a verified customer's `cust_` identity
   * differs from it (src/interaction/ accepts a `cust_` author in a
   * conversation named by a `web_` key: only /start-chat adds `cust_`
   * participants, and only as the customer).
   */
  namedAfterCustomer: boolean;
}

/** See `HandoffModule.isHandedOff`. */
export type HandedOffCheck = (
  client: Twilio,
  config: Pick<Config, 'conversationsServiceSid'>,
  conversationSid: string,
) => Promise<boolean>;

/** A chat the customer is ending, as end-chat read it (see src/end-chat.ts). */
export interface EndingChat {
  client: Twilio;
  conversation: ConversationContext;
  /** The conversation's attributes, parsed. */
  attributes: Record<string, unknown>;
  logFields: Record<string, unknown>;
}

/**
 * How a mode makes each challenge start at most one chat (src/guard/):
 *
 * - `unique-name`: the chat's identity, which a challenge determines, is the
 *   unique name of what the mode creates (`UniqueName`, `ChatUniqueName`), so
 *   Twilio itself refuses a second chat, atomically and at no extra request;
 *   the mode turns that refusal into a 409 `challenge_used`.
 * - `claim`: the API has no unique name (Flex's WebChats), so the challenge
 *   is claimed once in shared state before the chat is created.
 */
export type SingleUse = 'unique-name' | 'claim';

/** How a chat was closed: Flex's Interaction Channel, the conversation, or a legacy channel. */
export type ClosedHow = 'interaction' | 'conversation' | 'legacy-channel';

export interface HandoffModule<Settings extends object> {
  /** The environment variables this mode reads, beyond the common ones. */
  readonly variables: readonly string[];
  /** How a challenge is made single use in this mode (see `SingleUse`). */
  readonly singleUse: SingleUse;
  /** What starting a chat needs (problems are collected in `read`). */
  readStart(read: EnvReader, runtime: RuntimeInfo): Settings;
  /**
   * What `/interaction` needs to route this mode's chats; undefined when its
   * chats never reach `/interaction`.
   */
  readInteraction(read: EnvReader, runtime: RuntimeInfo): InteractionRoute | undefined;
  /**
   * Why `/interaction` has nothing to do when `readInteraction` gave nothing
   * (the 503 Twilio gets). Default: HANDOFF_MODE names a mode that does not use it.
   */
  readonly notRoutedHere?: FieldProblem;
  startChat(
    client: Twilio,
    config: ChatsConfig,
    settings: Settings,
    chat: ChatStart,
  ): Promise<StartedChat>;
  /** Whether the chat has ended already, from its conversation's state and attributes. */
  hasEnded(state: string, attributes: Record<string, unknown>): boolean;
  /**
   * Whether a chat in progress has its hand-off (one round trip), for modes
   * that make it after the conversation (studio, webhook: the webhook comes
   * second). Absent where the conversation appears with its hand-off, made by
   * Flex in one request (address, flex-flow): any chat that exists is handed
   * off. src/customer/continuity.ts asks before a second device posts into a
   * chat whose start may still be running or may have crashed.
   */
  readonly isHandedOff?: HandedOffCheck;
  /** Closes the chat the way Flex watches for this mode. */
  close(chat: EndingChat): Promise<ClosedHow>;
}
