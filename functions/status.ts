/**
 * GET /status  (public; same-origin pages, or browsers from ALLOWED_ORIGINS)
 *
 * Says whether this service is configured, so the demo page and doctor can
 * tell a developer exactly what is missing, and what the guard is set to.
 *
 * 200  {configured: true, handoffMode,
 *       chatBudget: {maxPerMinute} | null,
 *       syncService: "default" | "SYNC_SERVICE_SID"  (which Sync service, not its SID),
 *       challenge: "on" | "off"  ("off": /start-chat admits anyone from an allowed origin),
 *       captcha: {provider: "turnstile" | "hcaptcha", siteKey} | null  (the key is public),
 *       openingHours: {timeZone, closedDates, afterHours} | null  (null: always open),
 *       availability: "taskrouter" | "off"  (/availability has the times),
 *       customerTokens: {verifiedWith: "secret" | "public-key" | "jwks",
 *         requireSignedIn, showPreviousChat} | null  (null: anonymous chats only),
 *       survey: {webhook: boolean} | null  (null: SURVEY off),
 *       transcript: {from} | null}  (the sender's address; null: no SENDGRID_API_KEY)
 * 503  {error: {code: "not_configured", message, fields: [{field, problem}]}}
 *      names the environment variables at fault, never their values
 * 403  {error: {code: "origin_not_allowed", ...}} for other websites
 *
 * Makes no Twilio API call.
 */
import { ALL_SECTIONS } from '../src/config';
import { customerStatus } from '../src/config/customer';
import { publicEndpoint } from '../src/endpoint';
import { budgetStatus } from '../src/guard/budget';
import { captchaForWidget } from '../src/guard/captcha';
import { hoursStatus } from '../src/guard/hours';

export const handler = publicEndpoint(
  { config: ALL_SECTIONS, requireOrigin: false, jsonBody: false },
  ({ config }) => ({
    configured: true,
    handoffMode: config.handoffMode,
    ...budgetStatus(config),
    challenge: config.challenge.enabled ? 'on' : 'off',
    captcha: captchaForWidget(config.captcha),
    ...hoursStatus(config.hours),
    availability: config.availability ? 'taskrouter' : 'off',
    customerTokens: customerStatus(config.customer),
    survey: config.survey ? { webhook: config.survey.webhook !== undefined } : null,
    transcript: config.transcript ? { from: config.transcript.from.email } : null,
  }),
);
