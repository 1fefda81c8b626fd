/**
 * Signed-in customers, the widget's side: the page's customer token (a JWT
 * its backend signs, docs/signed-in.md), asked for each time one is needed
 * and never kept, and the Api that sends it (`withCustomer`).
 *
 * A token comes from `getCustomerToken()` (preferred: the page fetches a
 * fresh one each time) or a `customerToken` option (fine for one start, but
 * it ages with the page). It is asked for:
 * - at start: /start-chat gets `customerToken`; a refused token
 *   (customer_token_invalid/expired) is asked for once more and sent again;
 * - at every renewal of a signed-in customer's chat (`cust_` identity), on
 *   this page or resuming a stored chat after a reload: the service renews
 *   their Access Token only with one (src/customer/verify-session.ts). A
 *   page whose customer signed out (the callback answers null) sends
 *   nothing: `signedOut` hears it, and the chat is forgotten in this browser
 *   (not ended: the customer may be signed in elsewhere, and the next start
 *   brings it back). A callback that throws or hangs cannot say: nothing is
 *   sent, and the chat is kept and tried again (status 0, not a refusal).
 * The token's `name`/`email` are read in the browser for display only
 * (decodeCustomer): the service verifies every token it is sent.
 *
 * This runs in webchat-customer.js (customer-loader.ts): errors are made
 * with webchat.js's own ApiError (`fail`), which the controller knows.
 *
 * @example
 *   const tokens = new CustomerTokens({ getCustomerToken: () => fetchToken() }, fail);
 *   const api = withCustomer(createApi(url), tokens, fail, { started: (chat) => note(chat) });
 */
import { cleanText, isSingleLine } from '../../src/plain-text';
import type { Api, RenewedToken, StartedChat } from './api';
import type { SignedInCustomer } from './customer-state';

/** How the page says who is signed in: a token, or null when nobody is. */
export type GetCustomerToken = () => Promise<string | null> | string | null;

export interface CustomerOptions {
  customerToken?: string;
  getCustomerToken?: GetCustomerToken;
}

/** A page callback that takes longer than this counts as failed (the start says so). */
export const CUSTOMER_TOKEN_TIMEOUT_MS = 10_000;
/** The service refuses longer tokens (401 customer_token_invalid); so does the widget, first. */
export const CUSTOMER_TOKEN_MAX_LENGTH = 4096;

/** The start was refused for the token itself: another one may do. */
const TOKEN_REFUSALS = new Set(['customer_token_invalid', 'customer_token_expired']);

/** Makes an ApiError (webchat.js's class: see above). */
export type Fail = (status: number, code: string, message: string) => Error;

/** An error's stable code (an ApiError's), if it has one. */
export function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The page's customer tokens: asked for when needed, never stored. */
export class CustomerTokens {
  private staticToken: string | undefined;
  private readonly callback: GetCustomerToken | undefined;

  constructor(
    options: CustomerOptions,
    private readonly fail: Fail,
    private readonly timeoutMs = CUSTOMER_TOKEN_TIMEOUT_MS,
  ) {
    this.staticToken = usable(options.customerToken);
    this.callback = options.getCustomerToken;
  }

  /** The page can say who is signed in (a callback, or a token not forgotten). */
  get configured(): boolean {
    return this.callback !== undefined || this.staticToken !== undefined;
  }

  /**
   * A token now: the callback's answer (undefined when it says nobody is
   * signed in), else the static one. A callback that throws or hangs is an
   * ApiError `customer_token_unavailable` (status 0: not a refusal, so a
   * stored chat is kept and tried again).
   */
  async fresh(): Promise<string | undefined> {
    if (!this.callback) return this.staticToken;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), this.timeoutMs);
    });
    try {
      return usable(await Promise.race([Promise.resolve(this.callback()), timeout]));
    } catch {
      throw this.fail(0, 'customer_token_unavailable', 'The page gave no customer token.');
    } finally {
      clearTimeout(timer);
    }
  }

  /** Logout: a token given as an option is not used again. */
  forget(): void {
    this.staticToken = undefined;
  }
}

function usable(token: unknown): string | undefined {
  if (typeof token !== 'string') return undefined;
  const trimmed = token.trim();
  return trimmed && trimmed.length <= CUSTOMER_TOKEN_MAX_LENGTH ? trimmed : undefined;
}

/** A JWT's payload, unverified (display only); undefined when it is not one. */
function jwtPayload(token: string): Record<string, unknown> | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const binary = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const payload: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return payload && typeof payload === 'object'
      ? (payload as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A claim fit to show: a non-empty single line of text, not absurdly long. */
function shown(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = cleanText(value);
  return text && text.length <= 254 && isSingleLine(text) ? text : undefined;
}

/**
 * Who a customer token says it is for (`name`, `email`), to show and prefill;
 * undefined when it is not a JWT. Never trusted: the service verifies.
 */
export function decodeCustomer(token: string): SignedInCustomer | undefined {
  const payload = jwtPayload(token);
  if (!payload) return undefined;
  const name = shown(payload.name);
  const email = shown(payload.email);
  return { ...(name && { name }), ...(email && { email }) };
}

/** Who a customer token is for (`iss` and `sub`, unverified): to notice another customer. */
function subjectOf(token: string | undefined): string | undefined {
  const payload = token ? jwtPayload(token) : undefined;
  return typeof payload?.sub === 'string' ? `${String(payload.iss)} ${payload.sub}` : undefined;
}

/** Whether a Twilio Access Token (from this service) is a signed-in customer's. */
export function isCustomerAccessToken(token: string): boolean {
  const grants = jwtPayload(token)?.grants as { identity?: unknown } | undefined;
  return typeof grants?.identity === 'string' && grants.identity.startsWith('cust_');
}

/** What the service adds for a signed-in customer: /previous-chat answers for this chat. */
export interface PreviousChatOffer {
  previousChat?: boolean;
}

/** What the customer's session hears from `withCustomer` (customer-session.ts). */
export interface CustomerEvents {
  /** Each start's answer (`resumed`, `customer`, `previousChat`). */
  started(chat: StartedChat & PreviousChatOffer): void;
  /** Each renewal's answer for a signed-in customer (`previousChat`). */
  renewed?(answer: RenewedToken & PreviousChatOffer): void;
  /** The page says nobody is signed in any more: forget the chat here (before the refusal). */
  signedOut?(): Promise<void> | void;
}

/**
 * Sends with a token from the page; a token refused as such (it may have
 * aged) is asked for once more and sent again, unless the page has nothing
 * newer.
 */
async function withTokenRetry<T>(
  tokens: CustomerTokens,
  first: string | undefined,
  send: (customerToken: string | undefined) => Promise<T>,
): Promise<T> {
  try {
    return await send(first);
  } catch (error) {
    if (!first || !TOKEN_REFUSALS.has(codeOf(error) ?? '')) throw error;
    const next = await tokens.fresh();
    if (!next || next === first) throw error;
    return send(next);
  }
}

/**
 * The Api with customer tokens: sent with every start and with every
 * renewal of a signed-in customer's chat (see above). Anonymous chats'
 * renewals go as they are.
 */
export function withCustomer(
  api: Api,
  tokens: CustomerTokens,
  fail: Fail,
  events: CustomerEvents,
): Api {
  /** Whose token this page's chat last went on with (unverified; undefined after a reload). */
  let chatSubject: string | undefined;
  const sending =
    <T>(send: (customerToken: string | undefined) => Promise<T>) =>
    async (customerToken: string | undefined) => {
      const answer = await send(customerToken);
      chatSubject = subjectOf(customerToken);
      return answer;
    };
  return {
    ...api,
    async startChat(body) {
      const send = sending((customerToken) =>
        api.startChat({ ...body, ...(customerToken && { customerToken }) }),
      );
      const chat = await withTokenRetry(tokens, await tokens.fresh(), send);
      events.started(chat);
      return chat;
    },
    async refreshToken(token) {
      if (!isCustomerAccessToken(token)) return api.refreshToken(token);
      // A signed-in customer's chat: renewed only while the page says they still are. Another
      // customer signed in here meanwhile counts as a sign-out: their chat is not shown to them.
      const customerToken = await tokens.fresh();
      const other = chatSubject && subjectOf(customerToken) !== chatSubject;
      if (!customerToken || other) {
        await events.signedOut?.();
        throw fail(401, 'customer_token_required', 'The customer signed out.');
      }
      const send = sending((fresh) => api.refreshToken(token, fresh));
      const renewed = await withTokenRetry(tokens, customerToken, send);
      events.renewed?.(renewed);
      return renewed;
    },
  };
}
