/**
 * The seal of a chat this service started: what lets /transcript and /survey
 * tell our conversations from any other the customer is a participant of.
 *
 * A customer's token may let them create conversations themselves (the
 * Conversations SDK's createConversation, if the service's roles grant it:
 * `npm run doctor` reports that), with any attributes: an email address of
 * someone else's, a phishing text. Without a seal, /transcript would mail
 * those, from TRANSCRIPT_FROM, three times per conversation, to no end. So
 * /start-chat writes a seal into the attributes it writes (the conversation's
 * in studio and webhook mode; the pre-engagement data where Flex creates the
 * conversation), and /transcript and /survey refuse, as "not your chat", a
 * conversation whose seal is missing or does not verify.
 *
 *   webchat_seal = {start, email, mac}
 *   mac     = "v1." + base64url(HMAC-SHA256(key, message))
 *   key     = HKDF-SHA256(API_SECRET, salt "", info "flex-webchat chat seal v1", 32 bytes)
 *   message = JSON of ["flex-webchat chat seal v1", participant identity, start, email or null]
 *
 * `start` is the start's single-use key (src/modes/types.ts `ChatStart.identity`):
 * the transcript's and the survey's limits count per start, and the chat's
 * unique name is it in studio, webhook and flex-flow mode, so a seal the
 * customer copies into a conversation of their own is refused there
 * (src/customer-chat.ts; in address mode a copy shares one start's limits).
 * It carries the start's time, so a seal is good for one session. `email` is the address on the chat's record (the verified one, else
 * the one typed into the form), which the transcript goes to: bound here, it
 * cannot be changed by editing the attributes. Bound to the identity: it
 * verifies only for that customer's token.
 *
 * Chats started before the seal existed have none: no transcript or survey
 * for them. Rotating API_SECRET does the same to the chats open at that moment.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** Where the seal is stored: the attributes' top level, or the pre-engagement data. */
export const SEAL_KEY = 'webchat_seal';

const LABEL = 'flex-webchat chat seal v1';
const VERSION = 'v1.';
const MAC = /^v1\.[A-Za-z0-9_-]{43}$/;
// No control characters either: each would take 6 bytes escaped in the attributes.
const PART = '[^\\s@<>"\\u0000-\\u001f\\u007f]+';
const EMAIL = new RegExp(`^${PART}@${PART}\\.${PART}$`);
const EMAIL_MAX_LENGTH = 254;
/** The longest start key (src/identity.ts: `web_<11>_<32 hex>`). */
const START_MAX_LENGTH = 48;

/**
 * The most the seal adds to the attributes' JSON (`,"webchat_seal":{…}`) for
 * this address on record, with the longest start key: kept free when the form
 * is checked before the start (src/requests.ts), so a form that passes always
 * fits with its seal. An address of 254 characters of 4 UTF-8 bytes at most.
 */
export function sealBytes(email: string | null): number {
  const longest = {
    start: 'x'.repeat(START_MAX_LENGTH),
    email,
    mac: `${VERSION}${'x'.repeat(43)}`,
  };
  return Buffer.byteLength(`,"${SEAL_KEY}":${JSON.stringify(longest)}`);
}
export const EMAIL_MAX_BYTES = EMAIL_MAX_LENGTH * 4;

export interface ChatSeal {
  /** The start's single-use key. */
  start: string;
  /** The address on record, or null: none to send a transcript to. */
  email: string | null;
  mac: string;
}

/** What a verified seal vouches for. */
export type SealedChat = Omit<ChatSeal, 'mac'>;

function macOf(apiSecret: string, identity: string, start: string, email: string | null): Buffer {
  const key = Buffer.from(hkdfSync('sha256', apiSecret, '', LABEL, 32));
  const message = JSON.stringify([LABEL, identity, start, email]);
  return createHmac('sha256', key).update(message).digest();
}

/** The first of these that is an email address, or null. */
export function firstEmail(candidates: readonly unknown[]): string | null {
  const found = candidates.find(
    (c): c is string => typeof c === 'string' && c.length <= EMAIL_MAX_LENGTH && EMAIL.test(c),
  );
  return found ?? null;
}

/** The seal for a chat of `identity` (the customer participant's) started as `start`. */
export function chatSeal(
  apiSecret: string,
  identity: string,
  start: string,
  email: string | null,
): ChatSeal {
  const mac = VERSION + macOf(apiSecret, identity, start, email).toString('base64url');
  return { start, email, mac };
}

/**
 * The chat's seal if this service made it for `identity`, else undefined.
 * Looked for at the top of the attributes, then in the pre-engagement data
 * (where Flex creates the conversation). Anything malformed is simply absent.
 */
export function verifiedSeal(
  apiSecret: string,
  identity: string,
  attributes: Record<string, unknown>,
): SealedChat | undefined {
  const answers = attributes.pre_engagement_data;
  const nested =
    answers !== null && typeof answers === 'object'
      ? (answers as Record<string, unknown>)[SEAL_KEY]
      : undefined;
  const seal = (attributes[SEAL_KEY] ?? nested) as Partial<ChatSeal> | null | undefined;
  if (seal === null || typeof seal !== 'object') return undefined;
  const { start, email, mac } = seal;
  if (typeof start !== 'string' || start === '') return undefined;
  if (email !== null && (typeof email !== 'string' || firstEmail([email]) === null)) {
    return undefined;
  }
  if (typeof mac !== 'string' || !MAC.test(mac)) return undefined;
  const given = Buffer.from(mac.slice(VERSION.length), 'base64url');
  const expected = macOf(apiSecret, identity, start, email);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return { start, email };
}
