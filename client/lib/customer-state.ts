/**
 * What the widget knows about a signed-in customer, as part of the state
 * (state.ts holds it under `customer`, and hands the `customer` action here):
 * who they are as their token says (display only: the service verifies),
 * whether this chat continues one they started elsewhere, and their previous
 * chat (SHOW_PREVIOUS_CHAT). Pure, no DOM: client/lib/customer.ts feeds it.
 */

/** Name and email from the customer's token: shown and prefilled, never trusted. */
export interface SignedInCustomer {
  name?: string;
  email?: string;
}

/** One message of the previous chat, as POST /previous-chat answers. */
export interface PreviousMessage {
  from: 'customer' | 'agent';
  body: string;
  dateCreated: string;
  /** How many attachments it had (they are not shown). */
  media?: number;
}

export interface PreviousChat {
  endedAt: string | null;
  messages: PreviousMessage[];
}

export interface CustomerState {
  /** Set when the page has a signed-in customer; undefined: anonymous (or not known yet). */
  signedIn?: SignedInCustomer;
  /** This chat is the customer's active one, continued from another device or tab. */
  resumed: boolean;
  /** Their previous chat, once asked and there is one. */
  previousChat?: PreviousChat;
}

/** Changes to it: the fields given replace the current ones (`signedIn: undefined` clears). */
export type CustomerAction = { type: 'customer' } & Partial<CustomerState>;

export function reduceCustomer(state: CustomerState, action: CustomerAction): CustomerState {
  const { type: _type, ...patch } = action;
  return { ...state, ...patch };
}
