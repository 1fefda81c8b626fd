/**
 * The emailed transcript's variables (src/transcript*.ts sends it through
 * SendGrid's v3 Mail Send API):
 *
 *   SENDGRID_API_KEY   a SendGrid API key with Mail Send permission (`SG.…`);
 *                      unset: /transcript is off
 *   TRANSCRIPT_FROM    the sender: an address SendGrid has verified for the
 *                      account (Single Sender or an authenticated domain),
 *                      optionally with a name: `Acme Support <help@acme.example>`
 *   SENDGRID_API_URL   tests only: a local fake (dev/sendgrid-fake.ts), and
 *                      only on 127.0.0.1/localhost, so a deployed service can
 *                      never be told to send its key elsewhere
 */
import type { EnvReader } from './reader';
import { readLoopbackTestUrl } from './urls';

export const SENDGRID_API_URL = 'https://api.sendgrid.com/v3/mail/send';

export interface TranscriptSettings {
  apiKey: string;
  from: { email: string; name?: string };
  /** SendGrid's Mail Send endpoint (a loopback fake in tests). */
  apiUrl: string;
}

/** SendGrid's keys: `SG.`, a 22-character id, `.`, a 43-character secret. */
const SENDGRID_KEY = /^SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{32,64}$/;
const EMAIL = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;

/** `help@acme.example` or `Acme Support <help@acme.example>`. */
export function parseSender(value: string): TranscriptSettings['from'] | undefined {
  const named = /^(.*?)\s*<([^<>]+)>$/.exec(value);
  const email = (named ? named[2] : value)?.trim() ?? '';
  const name = named?.[1]?.trim().replace(/^"(.*)"$/, '$1');
  if (!EMAIL.test(email)) return undefined;
  return name ? { email, name } : { email };
}

/** The transcript's settings, or undefined when SENDGRID_API_KEY is unset. */
export function readTranscript(read: EnvReader): TranscriptSettings | undefined {
  const apiKey = read.raw('SENDGRID_API_KEY');
  const from = read.raw('TRANSCRIPT_FROM');
  if (apiKey === undefined) {
    if (from !== undefined) read.problem('SENDGRID_API_KEY', 'is required with TRANSCRIPT_FROM');
    return undefined;
  }
  if (!SENDGRID_KEY.test(apiKey)) {
    read.problem('SENDGRID_API_KEY', 'must be a SendGrid API key: SG., an id, a dot, a secret');
  }
  const sender = from === undefined ? undefined : parseSender(from);
  if (!sender) {
    read.problem(
      'TRANSCRIPT_FROM',
      'is required with SENDGRID_API_KEY: a sender SendGrid has verified, e.g. "Acme Support <help@acme.example>"',
    );
  }
  return {
    apiKey,
    from: sender ?? { email: '' },
    apiUrl: readLoopbackTestUrl(read, 'SENDGRID_API_URL') ?? SENDGRID_API_URL,
  };
}
