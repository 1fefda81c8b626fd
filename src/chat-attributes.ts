/**
 * What a chat stores on Twilio about its customer, in the shape Flex's own web
 * chat uses (`from`, `channel_type`, `pre_engagement_data`), so existing
 * Studio flows and Flex plugins that read those keys keep working.
 *
 * A signed-in customer's verified claims go under their own key, `customer`
 * (`{verified: true, id, issuer, name?, email?, claims?}`), apart from what
 * the customer typed (`pre_engagement_data`), so agents and flows can tell
 * which is which; `from` is then the verified name, if the token had one.
 * In the modes where Flex creates the conversation (address, flex-flow) the
 * only place we write is the pre-engagement data, so there the same object
 * travels as `pre_engagement_data.customer`. Either way the key is the
 * server's: one typed into the form is dropped, so a claim typed by anyone
 * can never pass for a verified one. Beside the claims, `signature` binds
 * them to the customer's identity under a key only this service has
 * (src/customer-signature.ts): where others can write the same place (a Chat
 * Address's pre-engagement data), only a valid signature makes them verified
 * (src/interaction/task-attributes.ts).
 *
 * @example
 *   conversationAttributes({ friendlyName: 'Ana', preEngagement: { email: 'a@b.c' } });
 *   // '{"from":"Ana","channel_type":"web","pre_engagement_data":{"email":"a@b.c"}}'
 */
import { detailsAttributes, type ChatDetails } from './chat-details';
import { EMAIL_MAX_BYTES, firstEmail, SEAL_KEY, sealBytes, type ChatSeal } from './chat-seal';
import type { VerifiedCustomer } from './customer/types';
import { SIGNATURE_FIELD_BYTES } from './customer-signature';
import { BadRequestError } from './errors';
import type { FlatObject } from './fields';
import { LIMITS } from './limits';

/** The name agents see when the customer gave none. */
export const DEFAULT_CUSTOMER_NAME = 'Customer';

export interface CustomerDetails {
  friendlyName: string;
  preEngagement: FlatObject;
  /** Verified by src/customer/verify.ts; absent for anonymous chats. */
  customer?: VerifiedCustomer;
  /** The site's context, the page, the language (src/chat-details.ts). */
  details?: ChatDetails;
  /** This service's seal of the start (src/chat-seal.ts), written beside the answers. */
  seal?: ChatSeal;
}

/** Where verified claims go, in the conversation's and the task's attributes. */
export const CUSTOMER_KEY = 'customer';

/** The `customer` attribute: what agents may trust about a signed-in customer. */
export interface CustomerAttribute {
  verified: true;
  /** The company's customer id (`sub`). */
  id: string;
  /** Who vouched for it (`iss`). */
  issuer: string;
  name?: string;
  email?: string;
  /** The CUSTOMER_CLAIMS the token carried; absent when none. */
  claims?: Record<string, string | number | boolean>;
  /** When this service verified the customer's token (Unix seconds). */
  verifiedAt: number;
  /**
   * This service's signature of the above for the chat's identity
   * (src/customer-signature.ts). In the conversation only: a task gets the
   * fields it covers, checked, without it (src/customer-trust.ts).
   */
  signature?: string;
}

/**
 * What a start with a customer token keeps free within Twilio's 16 KB
 * (conversation attributes, pre-engagement data) when it checks the form
 * (src/requests.ts), before the token is verified.
 */
export const CUSTOMER_ATTRIBUTE_RESERVE_BYTES = 4096;

/**
 * The verified name (at most 64 characters, src/customer/verify.ts) replaces
 * the typed one in `from` / `friendlyName`: up to 3 UTF-8 bytes a character.
 */
const VERIFIED_NAME_MAX_BYTES = 64 * 3;

/**
 * The most a `customer` attribute's claims take as JSON (src/customer/verify.ts
 * drops allowlisted claims until they fit): the reserve, less the key
 * (`,"customer":`), the signature beside the claims, and the verified name's
 * second appearance, so a form the reserve let through always fits with them.
 */
export const CUSTOMER_ATTRIBUTE_MAX_BYTES =
  CUSTOMER_ATTRIBUTE_RESERVE_BYTES -
  `,"${CUSTOMER_KEY}":`.length -
  SIGNATURE_FIELD_BYTES -
  VERIFIED_NAME_MAX_BYTES;

export interface ConversationAttributes {
  from: string;
  channel_type: 'web';
  pre_engagement_data: FlatObject;
  customer?: CustomerAttribute;
}

export function customerAttribute({
  claims,
  verifiedAt,
  signature,
}: Pick<VerifiedCustomer, 'claims' | 'verifiedAt' | 'signature'>): CustomerAttribute {
  const extra = Object.keys(claims.extra).length > 0;
  return {
    verified: true,
    id: claims.sub,
    issuer: claims.iss,
    ...(claims.name !== undefined && { name: claims.name }),
    ...(claims.email !== undefined && { email: claims.email }),
    ...(extra && { claims: claims.extra }),
    verifiedAt,
    ...(signature !== undefined && { signature }),
  };
}

/** The name agents see: the verified one when the token had a name, else the typed one. */
export function displayName(customer: Pick<CustomerDetails, 'friendlyName' | 'customer'>): string {
  return customer.customer?.claims.name ?? customer.friendlyName;
}

/** What the customer typed, without the `customer` and seal keys (the server's alone). */
export function typedAnswers<T extends Record<string, unknown>>(preEngagement: T): T {
  return Object.fromEntries(
    Object.entries(preEngagement).filter(([key]) => key !== CUSTOMER_KEY && key !== SEAL_KEY),
  ) as T;
}

/**
 * The verified customer stored in a conversation's attributes: at the top
 * (conversations /start-chat creates) or in the pre-engagement data (those
 * Flex creates), and only in the shape this module writes.
 */
export function storedCustomer(stored: Record<string, unknown>): CustomerAttribute | undefined {
  const answers = stored.pre_engagement_data;
  const nested =
    answers !== null && typeof answers === 'object'
      ? (answers as Record<string, unknown>)[CUSTOMER_KEY]
      : undefined;
  for (const candidate of [stored[CUSTOMER_KEY], nested]) {
    const value = candidate as Partial<CustomerAttribute> | null | undefined;
    if (
      value?.verified === true &&
      typeof value.id === 'string' &&
      typeof value.issuer === 'string'
    ) {
      return value as CustomerAttribute;
    }
  }
  return undefined;
}

/** The 400 for answers that leave no room in Twilio's `limit` of `maxBytes`. */
function noRoom(with_: string, limit: string, maxBytes: number, reserveBytes: number) {
  const room =
    reserveBytes > 0
      ? `less than ${(maxBytes - reserveBytes) / 1024} KB with a customer token: its verified claims and this service's seal take the rest`
      : "less this service's seal";
  return new BadRequestError('Invalid request: check preEngagement.', [
    {
      field: 'preEngagement',
      problem: `${with_} must fit Twilio's ${maxBytes / 1024} KB ${limit} (${room})`,
    },
  ]);
}

/**
 * Room for the seal, when checking a form before the start seals it
 * (src/chat-seal.ts): with the form's address, or, with a customer token
 * (`reserveBytes`), room for a verified address of the longest.
 */
function sealRoom(customer: CustomerDetails, reserveBytes: number): number {
  if (customer.seal) return 0;
  const typed = firstEmail([customer.preEngagement.email]);
  return sealBytes(typed) + (reserveBytes > 0 ? EMAIL_MAX_BYTES : 0);
}

/**
 * JSON for the conversation's `Attributes`, within Twilio's 16 KB limit
 * (less `reserveBytes`: what a customer token's claims will take, when the
 * form is checked before the token is).
 */
export function conversationAttributes(customer: CustomerDetails, reserveBytes = 0): string {
  const attributes: ConversationAttributes & Record<string, unknown> = {
    from: displayName(customer),
    channel_type: 'web',
    pre_engagement_data: typedAnswers(customer.preEngagement),
    ...detailsAttributes(customer.details),
    // Last: nothing the site or the customer sent can stand in for it.
    ...(customer.customer && { customer: customerAttribute(customer.customer) }),
    ...(customer.seal && { [SEAL_KEY]: customer.seal }),
  };
  const json = JSON.stringify(attributes);
  const max = LIMITS.conversationAttributesMaxBytes;
  if (Buffer.byteLength(json) + reserveBytes + sealRoom(customer, reserveBytes) > max) {
    throw noRoom(
      'together with friendlyName, context and page',
      'conversation attributes',
      max,
      reserveBytes,
    );
  }
  return json;
}

/**
 * A resource's `attributes` JSON as an object: `{}` when absent, malformed or
 * not an object (attributes are written by others too, so never trusted).
 */
export function parseAttributes(json: string | null | undefined): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(json ?? '{}');
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** JSON for the customer participant's `Attributes`. */
export function participantAttributes(
  customer: Pick<CustomerDetails, 'friendlyName' | 'customer'>,
): string {
  return JSON.stringify({ friendlyName: displayName(customer) });
}

/** The conversation's friendly name, as listed in Twilio's Console. */
export function conversationFriendlyName(
  customer: Pick<CustomerDetails, 'friendlyName' | 'customer'>,
): string {
  return `Web chat with ${displayName(customer)}`;
}

/**
 * `PreEngagementData` for the chats Flex creates itself (Chat Address and
 * Flex Flow modes): the customer's answers plus `friendlyName`, which is where
 * Flex's own web chat puts the name and Flex's default chat Studio flow reads
 * it (`pre_engagement_data.friendlyName`). Within Twilio's 16 KB limit
 * (error 45731), checked before any request.
 */
export function preEngagementData(customer: CustomerDetails, reserveBytes = 0): string {
  const json = JSON.stringify({
    ...typedAnswers(customer.preEngagement),
    friendlyName: displayName(customer),
    ...(customer.customer && { [CUSTOMER_KEY]: customerAttribute(customer.customer) }),
    ...(customer.seal && { [SEAL_KEY]: customer.seal }),
  });
  const max = LIMITS.preEngagementMaxBytes;
  if (Buffer.byteLength(json) + reserveBytes + sealRoom(customer, reserveBytes) > max) {
    throw noRoom('together with friendlyName', 'pre-engagement data', max, reserveBytes);
  }
  return json;
}
