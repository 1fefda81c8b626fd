/**
 * A signed-in customer, as this service knows them once their customer token
 * (a JWT signed by the company's backend) has been verified. Shared by the
 * token check (src/customer/verify.ts), the chat's attributes, and the
 * continuity of a customer's chat across devices (src/customer/continuity.ts).
 *
 * Nothing here is what the customer typed: every value comes from a verified
 * token. What the customer typed into the form stays in `pre_engagement_data`.
 *
 * @example
 *   const customer: VerifiedCustomer = {
 *     identity: customerIdentity(apiSecret, 'https://shop.example', 'cus_42'),
 *     claims: { sub: 'cus_42', name: 'Ana', email: 'ana@example.com', extra: { plan: 'gold' } },
 *     tokenExpiresAt: 1_800_000_000,
 *   };
 */

/** What agents may see about a verified customer (`CUSTOMER_CLAIMS` picks `extra`). */
export interface VerifiedClaims {
  /** The company's customer id (`sub`). */
  sub: string;
  /** The token's issuer (`iss`). */
  iss: string;
  name?: string;
  email?: string;
  /** Only the claims `CUSTOMER_CLAIMS` allows: strings, numbers, booleans. */
  extra: Record<string, string | number | boolean>;
}

export interface VerifiedCustomer {
  /** `cust_<32 hex>`: stable per (iss, sub), reveals neither (src/identity.ts). */
  identity: string;
  claims: VerifiedClaims;
  /** The customer token's `exp`, in seconds since the epoch. */
  tokenExpiresAt: number;
  /** When this service verified the token, in seconds since the epoch (signed with the claims). */
  verifiedAt: number;
  /** The claims' signature for `identity` (src/customer-signature.ts), beside them in `customer`. */
  signature?: string;
}
