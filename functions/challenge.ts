/**
 * POST /challenge  (public; browsers from ALLOWED_ORIGINS)
 *
 * A proof-of-work challenge for the calling website, which /start-chat needs
 * solved (src/guard/challenge.ts). Only allowed origins get one, and only
 * they can read it (CORS), so a page elsewhere can never hold one.
 *
 * Body: none (ignored). A POST without a body is a "simple" request: no
 * preflight, and browsers send Origin with it even from the same site.
 *
 * 200  {challenge: {parameters, signature} | null, captcha: {provider, siteKey} | null}:
 *      solve the challenge within `parameters.expiresAt` (null when
 *      CHALLENGE=off); `captcha` says which CAPTCHA the form must show, with
 *      its public site key (null when CAPTCHA=off; src/guard/captcha.ts)
 * 4xx/5xx  {error: {code, message, fields?}}: 400 invalid_request,
 *      403 origin_not_allowed, 503 not_configured (as /start-chat would say it)
 *
 * Makes no Twilio API call and stores nothing.
 */
import { publicEndpoint } from '../src/endpoint';
import { captchaForWidget } from '../src/guard/captcha';
import { issueChallenge } from '../src/guard/challenge';

// What /start-chat reads: a service that could not start a chat issues no
// challenge, and its 503 names everything missing, as /start-chat's would.
const config = ['twilio', 'tokens', 'chats', 'handoff', 'challenge', 'captcha'] as const;

export const handler = publicEndpoint(
  { config, jsonBody: false },
  async ({ config, origin, nowMs }) => ({
    // `origin` is set: requireOrigin is on (the default).
    challenge:
      config.challenge.enabled && origin ? await issueChallenge(config, origin, nowMs) : null,
    captcha: captchaForWidget(config.captcha),
  }),
);
