/**
 * Sends one email through SendGrid's v3 Mail Send API (`POST /v3/mail/send`)
 * with `fetch`: one request, no SDK. (@sendgrid/mail would add a dependency
 * and its own HTTP client to every function bundle for this one call, and
 * would hide the request the tests assert.) SendGrid answers 202 when it has
 * accepted the message; anything else, or no answer within 4 s, is a failure,
 * logged with SendGrid's status (never the address or the content).
 *
 * Click and open tracking are turned off: a transcript is the customer's
 * record, not a campaign, and tracking would rewrite its links.
 */
import type { TranscriptSettings } from './config/transcript';
import { EmailFailedError } from './errors';
import { log } from './log';
import type { TranscriptMail } from './transcript';

export const SENDGRID_TIMEOUT_MS = 4000;

export function mailSendBody(settings: TranscriptSettings, to: string, mail: TranscriptMail) {
  return {
    personalizations: [{ to: [{ email: to }] }],
    from: settings.from,
    subject: mail.subject,
    // SendGrid requires text/plain first, then text/html.
    content: [
      { type: 'text/plain', value: mail.text },
      { type: 'text/html', value: mail.html },
    ],
    tracking_settings: {
      click_tracking: { enable: false, enable_text: false },
      open_tracking: { enable: false },
    },
  };
}

export async function sendMail(
  settings: TranscriptSettings,
  to: string,
  mail: TranscriptMail,
  logFields: Record<string, unknown>,
): Promise<void> {
  let status: number | undefined;
  try {
    const response = await fetch(settings.apiUrl, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${settings.apiKey}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify(mailSendBody(settings, to, mail)),
      signal: AbortSignal.timeout(SENDGRID_TIMEOUT_MS),
      redirect: 'error',
    });
    status = response.status;
    if (response.status === 202) return;
  } catch {
    status = undefined;
  }
  log.warn('transcript.send_failed', { ...logFields, upstreamStatus: status ?? 'no answer' });
  throw new EmailFailedError();
}
