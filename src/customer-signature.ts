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
 *   customer.signature = "v1." + base64url(HMAC-SHA256(key, message))
 *   key     = HKDF-SHA256(API_SECRET, salt "", info "flex-webchat customer attribute v1", 32 bytes)
 *   message = JSON of ["flex-webchat customer attribute v1", identity, id, issuer,
 *             name or null, email or null, [[claim, value], ...] sorted by claim]
 *
 * Bound to the customer's chat identity (`cust_…`, the participant and the
 * author of their messages): copied into a chat of another identity, it no
 * longer verifies. The message is built from the named fields, not from the
 * stored JSON, so a flow or Twilio re-serialising the object (key order,
 * spacing) does not break it, and a field added or changed does.
 *
 * The key is API_SECRET's, for nothing else (HKDF label): rotating API_SECRET
 * makes the signatures of chats open at that moment fail, so their tasks get
 * no `customer` (as their tokens stop renewing anyway).
 *
 * @example
 *   const signature = customerSignature(apiSecret, identity, attribute);
 *   verifyCustomerSignature(apiSecret, identity, { ...attribute, signature }); // true
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

const LABEL = 'flex-webchat customer attribute v1';
const VERSION = 'v1.';
/** `v1.` and the 32-byte MAC in base64url, exactly (Node's decoder would skip stray characters). */
const SIGNATURE = /^v1\.[A-Za-z0-9_-]{43}$/;

/** The fields the signature covers: the `customer` attribute without `signature`. */
export interface SignedCustomerFields {
  id: string;
  issuer: string;
  name?: string;
  email?: string;
  claims?: Record<string, unknown>;
}

/** Bytes `,"signature":"v1.<43 base64url characters>"` adds to the attribute's JSON. */
export const SIGNATURE_FIELD_BYTES = `,"signature":"${VERSION}${'x'.repeat(43)}"`.length;

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

/**
 * Whether `signature` is this service's for these claims and this identity
 * (compared in constant time). Anything malformed is simply false.
 */
export function verifyCustomerSignature(
  apiSecret: string,
  identity: string,
  fields: SignedCustomerFields,
  signature: unknown,
): boolean {
  if (typeof signature !== 'string' || !SIGNATURE.test(signature)) return false;
  const given = Buffer.from(signature.slice(VERSION.length), 'base64url');
  const expected = mac(apiSecret, identity, fields);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
