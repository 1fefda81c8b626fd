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
 * - at resume after a reload: a stored chat of a signed-in customer (`cust_`
 *   identity) is renewed WITH a fresh token, so a page whose customer signed
 *   out (the callback answers null) does not hand the chat to whoever uses
 *   the browser next: the chat is forgotten here (not ended);
 * - at renewal past the session cap: /refresh-token answers
 *   customer_token_required, and is asked again with a fresh token.
 * The token's `name`/`email` are read in the browser for display only
 * (decodeCustomer): the service verifies every token it is sent.
 *
 * This runs in webchat-customer.js (customer-loader.ts): errors are made
 * with webchat.js's own ApiError (`fail`), which the controller knows.
 *
 * @example
 *   const tokens = new CustomerTokens({ getCustomerToken: () => fetchToken() }, fail);
 *   const api = withCustomer(createApi(url), tokens, fail, (chat) => note(chat));
 */
import { cleanText, isSingleLine } from '../../src/plain-text';
import type { Api, StartedChat } from './api';
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

/** Whether a Twilio Access Token (from this service) is a signed-in customer's. */
export function isCustomerAccessToken(token: string): boolean {
  const grants = jwtPayload(token)?.grants as { identity?: unknown } | undefined;
  return typeof grants?.identity === 'string' && grants.identity.startsWith('cust_');
}

/**
 * The Api with customer tokens: sent with every start, with the resume of a
 * signed-in customer's stored chat, and with a renewal the service refuses
 * for want of one. `onStarted` hears each start's answer (`resumed`,
 * `customer`). Access Tokens this page received are remembered (in memory)
 * to tell a renewal on this page from a resume after a reload.
 */
export function withCustomer(
  api: Api,
  tokens: CustomerTokens,
  fail: Fail,
  onStarted: (chat: StartedChat) => void,
): Api {
  const issued = new Set<string>();
  const keep = <T extends { token: string }>(answer: T) => (issued.add(answer.token), answer);
  return {
    ...api,
    async startChat(body) {
      const send = async (customerToken: string | undefined) => {
        const chat = keep(
          await api.startChat({ ...body, ...(customerToken && { customerToken }) }),
        );
        onStarted(chat);
        return chat;
      };
      const customerToken = await tokens.fresh();
      try {
        return await send(customerToken);
      } catch (error) {
        if (!customerToken || !TOKEN_REFUSALS.has(codeOf(error) ?? '')) throw error;
        // Once more, with a token asked for again (the first may have aged).
        const next = await tokens.fresh();
        if (!next || next === customerToken) throw error;
        return send(next);
      }
    },
    async refreshToken(token) {
      if (tokens.configured && !issued.has(token) && isCustomerAccessToken(token)) {
        // A signed-in customer's chat from storage: are they still signed in here?
        const customerToken = await tokens.fresh();
        if (!customerToken) {
          throw fail(401, 'customer_token_required', 'The customer signed out.');
        }
        return keep(await api.refreshToken(token, customerToken));
      }
      try {
        return keep(await api.refreshToken(token));
      } catch (error) {
        if (codeOf(error) !== 'customer_token_required') throw error;
        // Past the session cap: a fresh token renews it.
        const customerToken = await tokens.fresh();
        if (!customerToken) throw error;
        return keep(await api.refreshToken(token, customerToken));
      }
    },
  };
}
