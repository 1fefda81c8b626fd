/**
 * GET /availability  (public; same-origin pages, or browsers from ALLOWED_ORIGINS)
 *
 * What the widget shows when its panel opens: open or closed, until when,
 * and what happens after hours (OPENING_HOURS, AFTER_HOURS: src/guard/hours.ts);
 * with AVAILABILITY_QUEUE_SID, live TaskRouter figures (src/guard/availability.ts).
 *
 * 200  {open, timeZone, closesAt, opensAt, afterHours, live}: instants in ISO
 *      8601 (UTC) or null; timeZone null means no hours (always open); live is
 *      {availableAgents, waitingChats, longestWaitSeconds} or null.
 *      Cache-Control: public, max-age <= 30 s, never past the next change.
 * 4xx/5xx  {error: {code, message, fields?}}: 403 origin_not_allowed,
 *      503 not_configured (OPENING_HOURS, AFTER_HOURS, AVAILABILITY_QUEUE_SID)
 *
 * Writes nothing and holds no personal data. Makes no Twilio request, unless
 * AVAILABILITY_QUEUE_SID is set and it is open (then one, 1 s at most).
 */
import { publicEndpoint } from '../src/endpoint';
import { availability, AVAILABILITY_TIMEOUT_MS, maxAgeOf } from '../src/guard/availability';

export const handler = publicEndpoint(
  {
    config: ['hours', 'availability'],
    requireOrigin: false,
    jsonBody: false,
    twilioTimeoutMs: AVAILABILITY_TIMEOUT_MS,
    maxAgeSeconds: maxAgeOf,
  },
  ({ config, twilio, nowMs }) => availability(twilio, config, nowMs),
);
