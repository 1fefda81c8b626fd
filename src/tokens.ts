/**
 * Access Tokens for the customer's Conversations SDK, and the rules for
 * renewing them.
 *
 * - Minted with the `twilio` library's `AccessToken`: a Chat grant for the
 *   Flex Conversations service, for a server-chosen identity.
 * - A token never outlives its session: its lifetime is capped at
 *   `session start + SESSION_MAX_AGE_SECONDS`, after which renewals are refused.
 * - Signed-in customers (`cust_` identities, src/identity.ts) have no
 *   session start inside their identity, which is the same for every chat
 *   of theirs: their token carries it as `nbf` (not before), which Twilio's
 *   AccessToken supports and Twilio accepts in the past (it refuses only a
 *   future one, error 20105). Their sessions are capped at 24 h as well as
 *   SESSION_MAX_AGE_SECONDS, so `exp - nbf` stays within Twilio's 24 h token
 *   lifetime however Twilio measures it. Their renewals need a fresh
 *   customer token every time, and each starts a new session
 *   (src/customer/verify-session.ts).
 * - Renewal trusts nothing but a valid HS256 signature by our API secret,
 *   with our API key as issuer, our account as subject, our service in the
 *   grant and an identity of our own shape. `alg: none` and every other
 *   algorithm are refused by the verifier before any claim is read.
 *
 * @example
 *   const minted = issueToken(config, identity, sessionStartedAt, Date.now());
 *   const { identity } = verifyCustomerToken(config, presentedToken, Date.now());
 */
import jwt from 'jsonwebtoken';
// Only the token module, not the whole library: keeps cold starts small.
import AccessToken from 'twilio/lib/jwt/AccessToken';
import type { Config } from './config';
import { ForbiddenError, UnauthorizedError } from './errors';
import { isCustomerIdentity, parseIdentity } from './identity';

type TokenConfig = Pick<
  Config,
  | 'accountSid'
  | 'apiKey'
  | 'apiSecret'
  | 'conversationsServiceSid'
  | 'tokenTtlSeconds'
  | 'sessionMaxAgeSeconds'
  | 'refreshGraceSeconds'
>;

export interface IssuedToken {
  identity: string;
  token: string;
  /** ISO 8601; exactly the token's `exp` claim. */
  expiresAt: string;
}

/** Twilio's content type for Access Tokens. */
const TWILIO_TOKEN_CTY = 'twilio-fpa;v=1';
/** Tolerated clock difference for `iat` in the future. */
const CLOCK_SKEW_SECONDS = 60;
/** Twilio's longest Access Token lifetime, which a verified session never exceeds. */
export const TWILIO_TOKEN_MAX_SECONDS = 86_400;

/** How long a session of this identity may last: a signed-in customer's at most 24 h. */
export function sessionMaxAge(
  config: Pick<Config, 'sessionMaxAgeSeconds'>,
  identity: string,
): number {
  return isCustomerIdentity(identity)
    ? Math.min(config.sessionMaxAgeSeconds, TWILIO_TOKEN_MAX_SECONDS)
    : config.sessionMaxAgeSeconds;
}

export function issueToken(
  config: TokenConfig,
  identity: string,
  sessionStartedAt: number,
  nowMs: number,
): IssuedToken {
  const now = Math.floor(nowMs / 1000);
  const sessionLeft = sessionStartedAt + sessionMaxAge(config, identity) - now;
  if (sessionLeft <= 0) {
    throw new ForbiddenError(
      'session_expired',
      'This chat session has reached its maximum age. Please start a new chat.',
    );
  }
  const accessToken = new AccessToken(config.accountSid, config.apiKey, config.apiSecret, {
    identity,
    ttl: Math.min(config.tokenTtlSeconds, sessionLeft),
    // The session start, for identities that cannot carry it (see above).
    ...(isCustomerIdentity(identity) && { nbf: sessionStartedAt }),
  });
  accessToken.addGrant(new AccessToken.ChatGrant({ serviceSid: config.conversationsServiceSid }));
  const token = accessToken.toJwt();
  // Read `exp` back from the token itself, so `expiresAt` cannot drift from it.
  const { exp } = jwt.decode(token) as { exp: number };
  return { identity, token, expiresAt: new Date(exp * 1000).toISOString() };
}

export interface CustomerToken {
  identity: string;
  sessionStartedAt: number;
}

interface TwilioClaims {
  iat?: unknown;
  exp?: unknown;
  nbf?: unknown;
  grants?: { identity?: unknown; chat?: { service_sid?: unknown } };
}

const invalid = () =>
  new UnauthorizedError(
    'invalid_token',
    'This is not a valid chat token. Please start a new chat.',
  );

/**
 * Checks a customer's token, presented to renew it or to end the chat. A
 * token that expired less than `REFRESH_GRACE_SECONDS` ago is still accepted
 * (a laptop waking from sleep); an older one is not.
 */
export function verifyCustomerToken(
  config: TokenConfig,
  token: string,
  nowMs: number,
): CustomerToken {
  let decoded: jwt.Jwt;
  try {
    decoded = jwt.verify(token, config.apiSecret, {
      algorithms: ['HS256'],
      issuer: config.apiKey,
      subject: config.accountSid,
      ignoreExpiration: true, // checked below, with the grace window
      complete: true,
    });
  } catch {
    throw invalid();
  }
  const claims = decoded.payload as TwilioClaims;
  const identity = claims.grants?.identity;
  const parsed = typeof identity === 'string' ? sessionOf(identity, claims) : undefined;
  if (
    decoded.header.cty !== TWILIO_TOKEN_CTY ||
    claims.grants?.chat?.service_sid !== config.conversationsServiceSid ||
    typeof identity !== 'string' ||
    parsed === undefined ||
    typeof claims.exp !== 'number' ||
    typeof claims.iat !== 'number'
  ) {
    throw invalid();
  }
  const now = Math.floor(nowMs / 1000);
  if (claims.iat > now + CLOCK_SKEW_SECONDS) throw invalid();
  if (now > claims.exp + config.refreshGraceSeconds) {
    throw new UnauthorizedError(
      'token_expired',
      'This chat token expired too long ago to be renewed. Please start a new chat.',
    );
  }
  return { identity, sessionStartedAt: parsed.sessionStartedAt };
}

/** The session start: inside an anonymous identity, or a signed-in customer's token's `nbf`. */
function sessionOf(
  identity: string,
  claims: TwilioClaims,
): { sessionStartedAt: number } | undefined {
  if (!isCustomerIdentity(identity)) return parseIdentity(identity);
  return typeof claims.nbf === 'number' && Number.isSafeInteger(claims.nbf)
    ? { sessionStartedAt: claims.nbf }
    : undefined;
}
