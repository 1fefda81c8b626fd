/**
 * One interface for every way a chat can reach Flex (`HANDOFF_MODE`). Each
 * mode takes a validated request and a server-chosen identity, creates what
 * Twilio needs, and either returns the conversation or throws an `HttpError`
 * having left nothing behind.
 */
import type { FlatObject } from '../fields';

export interface ChatStart {
  /** Server-chosen, opaque identity (see `src/identity.ts`). */
  identity: string;
  /** Never empty: defaults to `DEFAULT_CUSTOMER_NAME`. */
  friendlyName: string;
  question?: string;
  preEngagement: FlatObject;
}

export interface StartedChat {
  conversationSid: string;
  /**
   * The identity the customer's token is for: always the server-chosen one
   * (a mode whose API answers with another identity refuses the chat).
   */
  identity: string;
}

export interface Handoff {
  startChat(chat: ChatStart): Promise<StartedChat>;
}
