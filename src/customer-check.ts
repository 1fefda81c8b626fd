/**
 * POST /check-customer: the signature check of a chat's `customer` for a
 * Studio flow, which cannot compute an HMAC itself. The flow setup creates
 * (scripts/setup/web-chat.flow.json) sends what the conversation carries and
 * builds the task from the answer, so in every mode that hands chats to Flex
 * through that flow a `customer` reaches agents only when this service's
 * signature holds for the author of the message and is no older than a
 * session, as the signed fields alone (src/customer-trust.ts: the rule
 * /interaction applies too).
 *
 * The answers (the conversation's `pre_engagement_data`) come back without
 * `customer` and the start's seal (src/chat-seal.ts): Studio's Liquid cannot
 * delete a key, and a forged `customer` left there would look verified to
 * whoever reads the task.
 *
 * Pure: no Twilio request, nothing stored, and the answer holds nothing the
 * caller did not send. Logged: the outcome, and the conversation SID when
 * given; never the claims, the identity or the answers.
 *
 * @example
 *   checkCustomer(config, { identity: 'cust_…', customer: { verified: true, … }, answers: {} }, now);
 *   // {verified: true, customer: {verified: true, id, issuer, …, verifiedAt}, answers: {}}
 */
import { CUSTOMER_KEY, typedAnswers } from './chat-attributes';
import {
  trustedCustomer,
  trustFor,
  type TrustConfig,
  type TrustedCustomer,
} from './customer-trust';
import { BadRequestError, type FieldProblem } from './errors';
import { minJsonBytes, type JsonBody } from './http';
import { LIMITS } from './limits';
import { log } from './log';

/** The most `customer` may take as JSON: what /start-chat keeps for it (chat-attributes.ts). */
export const CHECK_CUSTOMER_MAX_BYTES = 4096;
/** Identities are `cust_<32 hex>` or `web_…`; anything far longer is not one. */
const IDENTITY_MAX_LENGTH = 256;
const CONVERSATION_SID = /^CH[0-9a-f]{32}$/;
const FIELDS = ['identity', 'customer', 'answers', 'conversationSid'];

export interface CustomerCheckInput {
  /** The author of the message being handed off: the chat's customer identity. */
  identity: string;
  /** The conversation's `customer`, as stored (any JSON: only a signed object passes). */
  customer: unknown;
  /** The conversation's pre-engagement answers; `{}` when not sent (or null). */
  answers: Record<string, unknown>;
  /** For the log line only. */
  conversationSid?: string;
}

export type CustomerCheckResult =
  | { verified: true; customer: TrustedCustomer; answers: Record<string, unknown> }
  | { verified: false; answers: Record<string, unknown> };

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** The request's fields, or a 400 naming every problem (never a value). */
export function parseCustomerCheck(fields: JsonBody): CustomerCheckInput {
  const problems: FieldProblem[] = Object.keys(fields)
    .filter((name) => !FIELDS.includes(name))
    .map((field) => ({ field, problem: 'is not a known field' }));
  const { identity, customer, conversationSid } = fields;
  // Studio renders absent pre-engagement data as null: no answers.
  const answers = fields.answers ?? {};
  if (typeof identity !== 'string' || identity === '' || identity.length > IDENTITY_MAX_LENGTH) {
    problems.push({
      field: 'identity',
      problem: `must be the message author's identity (1 to ${IDENTITY_MAX_LENGTH} characters)`,
    });
  }
  if (customer === undefined) {
    problems.push({ field: 'customer', problem: "is required: the conversation's customer" });
  } else if (minJsonBytes(customer) > CHECK_CUSTOMER_MAX_BYTES) {
    problems.push({ field: 'customer', problem: `must fit ${CHECK_CUSTOMER_MAX_BYTES} bytes` });
  }
  if (!isObject(answers)) {
    problems.push({ field: 'answers', problem: 'must be an object (the pre-engagement data)' });
  } else if (minJsonBytes(answers) > LIMITS.preEngagementMaxBytes) {
    const kb = LIMITS.preEngagementMaxBytes / 1024;
    problems.push({ field: 'answers', problem: `must fit Twilio's ${kb} KB pre-engagement data` });
  }
  if (
    conversationSid !== undefined &&
    (typeof conversationSid !== 'string' || !CONVERSATION_SID.test(conversationSid))
  ) {
    problems.push({ field: 'conversationSid', problem: 'must be a conversation SID (CH…)' });
  }
  if (problems.length > 0) {
    const names = problems.map((p) => p.field).join(', ');
    throw new BadRequestError(`Invalid request: check ${names}.`, problems);
  }
  return {
    identity: identity as string,
    customer,
    answers: answers as Record<string, unknown>,
    ...(typeof conversationSid === 'string' && { conversationSid }),
  };
}

/**
 * Whether this service signed `customer` for `identity` (within a session,
 * when the flow found it in the answers); the signed fields if so.
 */
export function checkCustomer(
  config: TrustConfig,
  input: CustomerCheckInput,
  nowMs: number,
): CustomerCheckResult {
  const answers = typedAnswers(input.answers);
  // Where the flow found it: in the answers (the pre-engagement data, which
  // anyone on a Chat Address can fill: one session at most), or at the top of
  // the attributes, which only this service writes (src/customer-trust.ts).
  const stored =
    CUSTOMER_KEY in input.answers
      ? { pre_engagement_data: { [CUSTOMER_KEY]: input.customer } }
      : { [CUSTOMER_KEY]: input.customer };
  const read = trustedCustomer(stored, trustFor(config, input.identity, nowMs));
  const sid = input.conversationSid && { conversationSid: input.conversationSid };
  if ('customer' in read) {
    log.info('customer_checked', { ...sid, outcome: 'verified' });
    return { verified: true, customer: read.customer, answers };
  }
  const reason = 'dropped' in read ? read.dropped : 'malformed';
  log.warn('customer_claims_dropped', { ...sid, reason, by: 'check-customer' });
  return { verified: false, answers };
}
