/**
 * The signature beside a signed-in customer's verified claims: what makes the
 * `customer` attribute (src/chat-attributes.ts) checkable wherever it travels.
 *
 * Where Flex creates the conversation (address and flex-flow mode), the claims
 * travel in the pre-engagement data, which anything using the same Chat
 * Address can fill (Twilio's Webchat 3, another backend, a script with the
 * account's credentials): a `customer` object there proves nothing by
 * itself. So /start-chat signs it, and /interaction, the one place this
 * service sees the chat again before the task exists, passes it on to the
 * task only if the signature holds (src/interaction/task-attributes.ts).
 *
 *   customer.signature = "v2." + base64url(HMAC-SHA256(key, message))
 *   key     = HKDF-SHA256(API_SECRET, salt "", info "flex-webchat customer attribute v2", 32 bytes)
 *   message = JSON of ["flex-webchat customer attribute v2", identity, id, issuer,
 *             name or null, email or null, [[claim, value], ...] sorted by claim,
 *             verifiedAt]
 *
 * Bound to the customer's chat identity (`cust_…`, the participant and the
 * author of their messages): copied into a chat of another identity, it no
 * longer verifies. And to the time this service verified the customer's token
 * (`verifiedAt`, Unix seconds): where anything can write it (the
 * pre-engagement data of a Chat Address or Flex Flow), src/customer-trust.ts
 * takes it for one session at most (SESSION_MAX_AGE_SECONDS and the renewal
 * grace), so claims copied from an old chat (a customer since downgraded or
 * closed; anyone who read them) are not "verified" in a new one for long.
 * Within that window, where
 * anything can create chats with any identity (a Chat Address, a Flex Flow),
 * whoever holds a genuine `customer` and its identity can show it in a chat
 * of their own: the claims are the customer's, vouched for minutes earlier. The message is built from the named fields, not from the
 * stored JSON, so a flow or Twilio re-serialising the object (key order,
 * spacing) does not break it, and a field added or changed does.
 *
 * The key is API_SECRET's, for nothing else (HKDF label): rotating API_SECRET
 * makes the signatures of chats open at that moment fail, so their tasks get
 * no `customer` (as their tokens stop renewing anyway); so does the move from
 * v1 (no `verifiedAt`) for chats started before it and handed off after.
 *
 * @example
 *   const signature = customerSignature(apiSecret, identity, attribute);
 *   checkCustomerSignature(apiSecret, identity, attribute, signature, { nowMs, maxAgeSeconds }); // 'ok'
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

const LABEL = 'flex-webchat customer attribute v2';
const VERSION = 'v2.';
/** `v2.` and the 32-byte MAC in base64url, exactly (Node's decoder would skip stray characters). */
const SIGNATURE = /^v2\.[A-Za-z0-9_-]{43}$/;
/** How far ahead of this clock a `verifiedAt` may be (another instance's clock). */
const CLOCK_SKEW_SECONDS = 60;

/** The fields the signature covers: the `customer` attribute without `signature`. */
export interface SignedCustomerFields {
  id: string;
  issuer: string;
  name?: string;
  email?: string;
  claims?: Record<string, unknown>;
  /** When this service verified the customer's token (Unix seconds). */
  verifiedAt: number;
}

/**
 * Bytes `,"signature":"v2.<43 base64url characters>"` and `,"verifiedAt":<10 digits>`
 * add to the attribute's JSON.
 */
export const SIGNATURE_FIELD_BYTES =
  `,"signature":"${VERSION}${'x'.repeat(43)}"`.length + `,"verifiedAt":${'9'.repeat(10)}`.length;

function keyOf(apiSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', apiSecret, '', LABEL, 32));
}

function mac(apiSecret: string, identity: string, fields: SignedCustomerFields): Buffer {
  const claims = Object.entries(fields.claims ?? {}).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const message = JSON.stringify([
    LABEL,
    identity,
    fields.id,
    fields.issuer,
    fields.name ?? null,
    fields.email ?? null,
    claims,
    fields.verifiedAt,
  ]);
  return createHmac('sha256', keyOf(apiSecret)).update(message).digest();
}

/** The signature of a customer's claims for their chat identity. */
export function customerSignature(
  apiSecret: string,
  identity: string,
  fields: SignedCustomerFields,
): string {
  return VERSION + mac(apiSecret, identity, fields).toString('base64url');
}

/** How old a signature may be: `maxAgeSeconds` before `nowMs`. */
export interface SignatureFreshness {
  nowMs: number;
  maxAgeSeconds: number;
}

/**
 * Whether `signature` is this service's for these claims and this identity
 * (compared in constant time), and made within `maxAgeSeconds`: `ok`,
 * `bad_signature` (anything malformed too) or `expired`.
 */
export function checkCustomerSignature(
  apiSecret: string,
  identity: string,
  fields: SignedCustomerFields,
  signature: unknown,
  { nowMs, maxAgeSeconds }: SignatureFreshness,
): 'ok' | 'bad_signature' | 'expired' {
  if (typeof signature !== 'string' || !SIGNATURE.test(signature)) return 'bad_signature';
  if (!Number.isSafeInteger(fields.verifiedAt)) return 'bad_signature';
  const given = Buffer.from(signature.slice(VERSION.length), 'base64url');
  const expected = mac(apiSecret, identity, fields);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return 'bad_signature';
  }
  const now = nowMs / 1000;
  const fresh =
    fields.verifiedAt <= now + CLOCK_SKEW_SECONDS && now - fields.verifiedAt <= maxAgeSeconds;
  return fresh ? 'ok' : 'expired';
}

/** Only the fields the signature covers: anything added beside them is dropped. */
export function signedOnly<T extends SignedCustomerFields>(
  fields: T,
): Pick<T, keyof SignedCustomerFields> {
  const { id, issuer, name, email, claims, verifiedAt } = fields;
  return {
    id,
    issuer,
    ...(name !== undefined && { name }),
    ...(email !== undefined && { email }),
    ...(claims !== undefined && { claims }),
    verifiedAt,
  };
}
