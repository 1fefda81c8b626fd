/**
 * Reading and forging Access Tokens in tests. `verifyTestToken` checks a
 * token the way Twilio would (signature with the API secret) and returns its
 * header and claims; `signTestToken` makes tokens with chosen claims, for the
 * refresh tests' expired, forged and foreign cases.
 */
import jwt from 'jsonwebtoken';
import { TEST_ENV } from '../../dev/twilio-fake/env';

export interface TestTokenClaims {
  jti?: string;
  iss?: string;
  sub?: string;
  iat: number;
  exp: number;
  grants: { identity?: unknown; chat?: { service_sid?: unknown } };
}

export function verifyTestToken(
  token: string,
  secret: string = TEST_ENV.API_SECRET,
): {
  header: jwt.JwtHeader;
  payload: TestTokenClaims;
} {
  const decoded = jwt.verify(token, secret, { algorithms: ['HS256'], complete: true });
  return { header: decoded.header, payload: decoded.payload as unknown as TestTokenClaims };
}

export interface SignOptions {
  secret?: string;
  algorithm?: jwt.Algorithm;
  header?: Record<string, unknown>;
}

/** A token shaped like Twilio's, with the given claims (defaults: valid for us). */
export function signTestToken(
  identity: unknown,
  claims: Partial<TestTokenClaims> = {},
  options: SignOptions = {},
): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    jti: `${TEST_ENV.API_KEY}-${now}`,
    grants: { identity, chat: { service_sid: TEST_ENV.CONVERSATIONS_SERVICE_SID } },
    iat: now,
    exp: now + 3600,
    iss: TEST_ENV.API_KEY,
    sub: TEST_ENV.ACCOUNT_SID,
    ...claims,
  };
  return jwt.sign(payload, options.secret ?? TEST_ENV.API_SECRET, {
    algorithm: options.algorithm ?? 'HS256',
    header: {
      alg: options.algorithm ?? 'HS256',
      typ: 'JWT',
      cty: 'twilio-fpa;v=1',
      ...options.header,
    },
  } as jwt.SignOptions);
}
