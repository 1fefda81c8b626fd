/**
 * When a renewal (`/refresh-token`) may go on, and from which session start,
 * for a signed-in customer (a `cust_` identity; src/tokens.ts keeps the
 * session start in the Access Token's `nbf`):
 *
 *   with a fresh customer token (`customerToken`) that verifies to this same
 *       identity: renewed, and the session starts anew, now (the website has
 *       just vouched for the customer);
 *   without one: 401 `customer_token_required`, at any age. The identity is
 *       the customer's account's, the same for all their chats, so its Access
 *       Token reads their conversations: it is renewed only while the website
 *       says they are still signed in. A page whose customer signed out sends
 *       none (the widget forgets the chat there), and neither can an old
 *       widget, another script, or a copy of the Access Token;
 *   a customer token that does not verify (401/503) or names another
 *       customer (401 `customer_token_invalid`): nothing renewed.
 *
 * Anonymous identities are renewed by their own rules; a customer token sent
 * with one is ignored (a customer who signs in mid-chat keeps that chat as
 * it began, anonymous).
 *
 * @example
 *   const startedAt = await renewedSessionStart(config, session, body.customerToken, nowMs);
 */
import type { Config } from '../config';
import { CustomerTokenError } from '../errors';
import { isCustomerIdentity } from '../identity';
import { log } from '../log';
import type { CustomerToken } from '../tokens';
import { verifyCustomer } from './verify';

export type SessionConfig = Pick<Config, 'customer' | 'apiSecret'>;

export async function renewedSessionStart(
  config: SessionConfig,
  session: CustomerToken,
  customerToken: string | undefined,
  nowMs: number,
): Promise<number> {
  if (!isCustomerIdentity(session.identity)) return session.sessionStartedAt;
  if (customerToken === undefined) {
    throw new CustomerTokenError(
      'customer_token_required',
      'A signed-in chat is renewed only with a fresh customer token: send one.',
    );
  }
  const customer = await verifyCustomer(config, customerToken, nowMs);
  if (customer.identity !== session.identity) {
    log.info('customer_token.refused', { reason: 'other_customer' });
    throw new CustomerTokenError('customer_token_invalid');
  }
  return Math.floor(nowMs / 1000);
}

/**
 * Whether /previous-chat answers for this identity (SHOW_PREVIOUS_CHAT and a
 * signed-in customer's): /start-chat and /refresh-token say so
 * (`previousChat: true`), so the widget asks only then, with no request of
 * its own to find out, and knows again after a reload (it renews first).
 */
export function offersPreviousChat(config: Pick<Config, 'customer'>, identity: string): boolean {
  return config.customer.showPreviousChat && isCustomerIdentity(identity);
}
