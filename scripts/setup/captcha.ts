/**
 * Doctor's row for the optional CAPTCHA (src/config/captcha.ts), when one is
 * on: keys of the wrong shape are the configuration row's business; this
 * asks the provider's siteverify about a token that cannot be good, with our
 * secret (and, for hCaptcha, the site key): a provider that refuses only the
 * token has accepted the secret, one that names the secret (or a site key
 * that is not the secret's) has not. Nothing is spent: no customer's token
 * is involved.
 *
 * OK names the provider and the origins a site's CSP must allow
 * (docs/widget.md); a refused secret is a problem; a provider that cannot be
 * reached (no internet, an outage) is a warning, since /start-chat then
 * refuses every chat (it fails closed, src/guard/captcha.ts).
 */
import type { Env } from '../../src/config';
import { readCaptcha, type CaptchaProvider } from '../../src/config/captcha';
import { EnvReader } from '../../src/config/reader';
import type { Add } from './checks';

/** What a site with a strict Content-Security-Policy allows for each provider (docs/widget.md). */
export const CSP_ORIGINS: Record<CaptchaProvider, string> = {
  turnstile: 'https://challenges.cloudflare.com (script-src, frame-src)',
  hcaptcha:
    'https://hcaptcha.com https://*.hcaptcha.com (script-src, frame-src, style-src, connect-src)',
};

const SECRET_REFUSED = new Set([
  'missing-input-secret',
  'invalid-input-secret',
  'sitekey-secret-mismatch',
  'invalid-sitekey',
]);
const PROBE_TIMEOUT_MS = 5000;

export async function checkCaptcha(
  env: Env,
  add: Add,
  fetchImpl: typeof fetch = fetch,
): Promise<void> {
  const read = new EnvReader(env);
  const captcha = readCaptcha(read);
  if (!read.ok || !captcha) return;
  const { provider } = captcha;
  const form = new URLSearchParams({ secret: captcha.secret, response: 'doctor-check' });
  if (provider === 'hcaptcha') form.set('sitekey', captcha.siteKey);
  let codes: string[];
  try {
    const res = await fetchImpl(captcha.verifyUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    codes = ((await res.json()) as { 'error-codes'?: string[] })['error-codes'] ?? [];
  } catch (error) {
    add(
      'CAPTCHA',
      'warn',
      `${provider} on, but its siteverify could not be reached to check CAPTCHA_SECRET (${
        error instanceof Error ? error.message : 'no answer'
      }); while it cannot, /start-chat refuses every chat`,
    );
    return;
  }
  const refused = codes.filter((code) => SECRET_REFUSED.has(code));
  if (refused.length > 0) {
    add(
      'CAPTCHA_SECRET',
      'problem',
      `${provider} refused CAPTCHA_SECRET with CAPTCHA_SITE_KEY (${refused.join(', ')})`,
      "copy the secret key of the site key's widget from the provider's dashboard",
    );
    return;
  }
  add(
    'CAPTCHA',
    'ok',
    `${provider} on: ${provider} accepts the secret; sites with a strict CSP allow ${CSP_ORIGINS[provider]}`,
  );
}
