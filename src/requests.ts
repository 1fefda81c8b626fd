/**
 * The public request bodies, validated. Each parser takes the caller's fields
 * (see `jsonFields`) and returns a typed request or throws a 400 naming every
 * field at fault.
 */
import {
  conversationAttributes,
  CUSTOMER_ATTRIBUTE_MAX_BYTES,
  DEFAULT_CUSTOMER_NAME,
  preEngagementData,
} from './chat-attributes';
import {
  optionalContext,
  optionalLocale,
  optionalPage,
  type ChatDetails,
  type PageInfo,
} from './chat-details';
import {
  optionalFlatObject,
  optionalText,
  parseFields,
  requiredSid,
  requiredToken,
  type FieldParser,
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
  /** What the site tells the agent (`FlexWebchat.setContext`), beside the answers. */
  context: FlatObject;
  /** The page where the chat started (the widget's `sendPage` option). */
  page?: PageInfo;
  /** The widget's language: the emailed transcript's. */
  locale?: string;
}

/** The start's details for the conversation's attributes (src/chat-details.ts). */
export function chatDetailsOf(request: StartChatRequest): ChatDetails {
  return {
    context: request.context,
    ...(request.page && { page: request.page }),
    ...(request.locale && { locale: request.locale }),
  };
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
    context: optionalContext,
    page: optionalPage,
    locale: optionalLocale,
  });
  // Flex's pre-engagement data (address and flex-flow modes) carries the name
  // too, within the same 16 KB: checked here, in every mode, so that such a
  // body is refused before the guard writes anything (a claim, a budget's count).
  // Counted with the after-hours mark the guard may add (src/guard/hours.ts).
  const customer = {
    friendlyName: request.friendlyName ?? DEFAULT_CUSTOMER_NAME,
    preEngagement: markAfterHours(request.preEngagement, true),
  };
  // With a customer token, its verified claims will share the 16 KB too.
  const reserve = request.customerToken === undefined ? 0 : CUSTOMER_ATTRIBUTE_MAX_BYTES;
  preEngagementData(customer, reserve);
  // And the conversation's 16 KB with the site's details (context, page).
  conversationAttributes({ ...customer, details: chatDetailsOf(request) });
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

export interface SurveyRequest {
  token: string;
  conversationSid: string;
  rating: number;
  comment?: string;
}

const rating: FieldParser<number> = (value) =>
  typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 5
    ? { ok: true, value }
    : { ok: false, problem: 'must be a whole number from 1 to 5' };

export function parseSurveyRequest(fields: Record<string, unknown>): SurveyRequest {
  const request = parseFields(fields, {
    token: requiredToken(LIMITS.tokenMaxLength),
    conversationSid: requiredSid('CH'),
    rating,
    comment: optionalText({ maxLength: LIMITS.surveyCommentMaxLength }),
  });
  const { comment, ...rest } = request;
  return comment === undefined ? rest : { ...rest, comment };
}
