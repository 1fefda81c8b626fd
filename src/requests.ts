/**
 * The public request bodies, validated. Each parser takes the caller's fields
 * (see `jsonFields`) and returns a typed request or throws a 400 naming every
 * field at fault.
 */
import {
  CUSTOMER_ATTRIBUTE_MAX_BYTES,
  DEFAULT_CUSTOMER_NAME,
  preEngagementData,
} from './chat-attributes';
import {
  optionalFlatObject,
  optionalText,
  parseFields,
  requiredSid,
  requiredToken,
  type FlatObject,
} from './fields';
import { optionalCustomerToken } from './customer/verify';
import { optionalCaptchaToken } from './guard/captcha';
import { optionalProof, type Proof } from './guard/challenge';
import { markAfterHours } from './guard/hours';
import { LIMITS } from './limits';

export interface StartChatRequest {
  /** Shown to agents; absent when the customer gave none. */
  friendlyName?: string;
  /** Posted as the customer's first message, so it reaches Flex at once. */
  question?: string;
  /** Pre-engagement form answers, stored in the conversation attributes. */
  preEngagement: FlatObject;
  /** A solved challenge from /challenge (its shape only; src/guard/ checks the rest). */
  proof?: Proof;
  /** The CAPTCHA provider's token (src/guard/captcha.ts checks it). */
  captcha?: string;
  /** A signed-in customer's token, a JWT (src/customer/verify.ts checks it). */
  customerToken?: string;
}

export function parseStartChatRequest(fields: Record<string, unknown>): StartChatRequest {
  const request = parseFields(fields, {
    friendlyName: optionalText({ maxLength: LIMITS.friendlyNameMaxLength, singleLine: true }),
    question: optionalText({ maxLength: LIMITS.questionMaxLength }),
    preEngagement: optionalFlatObject({
      maxBytes: LIMITS.preEngagementMaxBytes,
      keyPattern: LIMITS.preEngagementKeyPattern,
    }),
    proof: optionalProof,
    captcha: optionalCaptchaToken,
    customerToken: optionalCustomerToken,
  });
  // Flex's pre-engagement data (address and flex-flow modes) carries the name
  // too, within the same 16 KB: checked here, in every mode, so that such a
  // body is refused before the guard writes anything (a claim, a budget's count).
  // Counted with the after-hours mark the guard may add (src/guard/hours.ts).
  // With a customer token, its verified claims will share the 16 KB too.
  const reserve = request.customerToken === undefined ? 0 : CUSTOMER_ATTRIBUTE_MAX_BYTES;
  preEngagementData(
    {
      friendlyName: request.friendlyName ?? DEFAULT_CUSTOMER_NAME,
      preEngagement: markAfterHours(request.preEngagement, true),
    },
    reserve,
  );
  return request;
}

export interface RefreshTokenRequest {
  token: string;
  /** A signed-in customer's fresh customer token (src/customer/verify-session.ts). */
  customerToken?: string;
}

export function parseRefreshTokenRequest(fields: Record<string, unknown>): RefreshTokenRequest {
  return parseFields(fields, {
    token: requiredToken(LIMITS.tokenMaxLength),
    customerToken: optionalCustomerToken,
  });
}

export interface EndChatRequest {
  token: string;
  conversationSid: string;
}

/**
 * The token travels in the body, not an Authorization header: deployed
 * Functions answer preflights with `Access-Control-Allow-Headers: *`, which
 * browsers do not apply to Authorization.
 */
export function parseEndChatRequest(fields: Record<string, unknown>): EndChatRequest {
  return parseFields(fields, {
    token: requiredToken(LIMITS.tokenMaxLength),
    conversationSid: requiredSid('CH'),
  });
}
