/**
 * POST /check-customer  (public; called by the Studio flow setup creates)
 *
 * Whether a chat's `customer` carries this service's signature for the author
 * of the message being handed off, for a Studio flow, which cannot compute
 * an HMAC (src/customer-check.ts). The flow gives Send to Flex `customer` and
 * the pre-engagement answers from this answer alone.
 *
 * Body (JSON): {identity, customer, answers?, conversationSid?}
 *
 * 200  {verified: true, customer: {verified, id, issuer, name?, email?, claims?, verifiedAt},
 *      answers}: the signed fields only; `answers` without `customer` and `webchat_seal`
 *      {verified: false, answers}: unsigned, forged, older than a session, another
 *      identity's, or not a customer
 * 400  invalid_request: a field missing, malformed or too large;  415 not JSON
 * 403  origin_not_allowed: a browser of a site not in ALLOWED_ORIGINS (Studio sends no Origin)
 * 503  not_configured: no API_SECRET
 *
 * Makes no Twilio API call, stores nothing, and answers nothing the caller did not send.
 */
import { checkCustomer, parseCustomerCheck } from '../src/customer-check';
import { publicEndpoint } from '../src/endpoint';

export const handler = publicEndpoint(
  // Studio's Make HTTP Request sends no Origin; a browser's must still be allowed.
  { config: ['signing'], requireOrigin: false },
  ({ config, fields, nowMs }) => ({
    ...checkCustomer(config, parseCustomerCheck(fields), nowMs),
  }),
);
