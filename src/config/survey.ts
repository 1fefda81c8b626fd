/**
 * The post-chat survey's variables (src/survey.ts takes the answers):
 *
 *   SURVEY                 `on` to take answers at /survey (default `off`; the
 *                          widget asks only with its `survey` option too)
 *   SURVEY_WEBHOOK_URL     optional: where each answer is POSTed as JSON,
 *                          signed (src/survey-webhook.ts); https, or http on
 *                          127.0.0.1/localhost for local tests
 *   SURVEY_WEBHOOK_SECRET  the signing secret, required with the URL: at least
 *                          32 characters (e.g. `openssl rand -hex 32`)
 */
import type { EnvReader } from './reader';

export interface SurveySettings {
  webhook?: { url: string; secret: string };
}

export const SURVEY_WEBHOOK_SECRET_MIN_LENGTH = 32;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** An https URL, or http on a loopback host (a local receiver); else undefined. */
export function webhookUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  const loopback = url.protocol === 'http:' && LOOPBACK.has(url.hostname);
  return url.protocol === 'https:' || loopback ? url.href : undefined;
}

/** The survey's settings, or undefined when SURVEY is off. */
export function readSurvey(read: EnvReader): SurveySettings | undefined {
  const on = read.oneOf('SURVEY', ['on', 'off'], 'off') === 'on';
  const rawUrl = read.raw('SURVEY_WEBHOOK_URL');
  const secret = read.raw('SURVEY_WEBHOOK_SECRET');
  if (rawUrl === undefined) return on ? {} : undefined;
  const url = webhookUrl(rawUrl);
  if (!url) {
    read.problem(
      'SURVEY_WEBHOOK_URL',
      'must be an https URL (http only on 127.0.0.1 or localhost)',
    );
  }
  if (secret === undefined || secret.length < SURVEY_WEBHOOK_SECRET_MIN_LENGTH) {
    read.problem(
      'SURVEY_WEBHOOK_SECRET',
      `is required with SURVEY_WEBHOOK_URL: at least ${SURVEY_WEBHOOK_SECRET_MIN_LENGTH} characters (openssl rand -hex 32)`,
    );
  }
  if (!on) return undefined;
  return url && secret ? { webhook: { url, secret } } : {};
}
