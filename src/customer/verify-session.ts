/**
 * When a renewal (`/refresh-token`) may go on, and from which session start,
 * for a signed-in customer (a `cust_` identity; src/tokens.ts keeps the
 * session start in the Access Token's `nbf`):
 *
 *   within the session's age (SESSION_MAX_AGE_SECONDS, at most 24 h)
 *       renewed as it is; no customer token needed;
 *   past it
 *       only with a fresh customer token (`customerToken`) that verifies to
 *       this same identity; 401 `customer_token_required` without one;
 *   a customer token given at any time
 *       must verify (401/503 otherwise, nothing renewed) and name this same
 *       customer (401 `customer_token_invalid` otherwise); the session then
 *       starts anew, now: the website has just vouched for the customer.
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
import { sessionMaxAge, type CustomerToken } from '../tokens';
import { verifyCustomer } from './verify';

export type SessionConfig = Pick<Config, 'customer' | 'apiSecret' | 'sessionMaxAgeSeconds'>;

export async function renewedSessionStart(
  config: SessionConfig,
  session: CustomerToken,
  customerToken: string | undefined,
  nowMs: number,
): Promise<number> {
  if (!isCustomerIdentity(session.identity)) return session.sessionStartedAt;
  const now = Math.floor(nowMs / 1000);
  if (customerToken === undefined) {
    const endsAt = session.sessionStartedAt + sessionMaxAge(config, session.identity);
    if (now < endsAt) return session.sessionStartedAt;
    throw new CustomerTokenError(
      'customer_token_required',
      'This chat session needs a fresh sign-in to go on: send a new customer token.',
    );
  }
  const customer = await verifyCustomer(config, customerToken, nowMs);
  if (customer.identity !== session.identity) {
    log.info('customer_token.refused', { reason: 'other_customer' });
    throw new CustomerTokenError('customer_token_invalid');
  }
  return now;
}
