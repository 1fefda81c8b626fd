/**
 * The optional CAPTCHA's variables (src/guard/captcha.ts verifies it):
 * `CAPTCHA` (`off`, the default, `turnstile` or `hcaptcha`),
 * `CAPTCHA_SITE_KEY` (public: the widget renders with it) and
 * `CAPTCHA_SECRET` (never leaves the server). Each provider's keys have a
 * documented shape, checked here so a swapped or mistyped key is named at
 * once instead of failing every start. Turnstile's keys all begin
 * `0x4AAAAAAA` (its testing keys are `1x`/`2x`/`3x` and zeros), which is
 * also what tells its secret from an hCaptcha one (`0x` and hex digits).
 *
 * `CAPTCHA_VERIFY_URL` is for tests only: it points verification at a local
 * fake (dev/captcha-fake.ts), and only a loopback address is accepted, so a
 * deployed service can never be told to send its secret elsewhere.
 */
import type { EnvReader } from './reader';
import { readLoopbackTestUrl } from './urls';

export const CAPTCHA_PROVIDERS = ['turnstile', 'hcaptcha'] as const;
export type CaptchaProvider = (typeof CAPTCHA_PROVIDERS)[number];

export interface CaptchaSettings {
  provider: CaptchaProvider;
  /** Public: sent to the widget (/challenge) and shown by /status. */
  siteKey: string;
  secret: string;
  /** The provider's siteverify endpoint (a loopback fake in tests). */
  verifyUrl: string;
}

interface ProviderFacts {
  verifyUrl: string;
  siteKey: RegExp;
  siteKeyShape: string;
  secret: RegExp;
  secretShape: string;
}

/**
 * Endpoints and key shapes from each provider's documentation: Turnstile's
 * keys are `0x4AAAAAAA…` (testing keys `1x00…AA` and the like), hCaptcha's site key is
 * a UUID and its secret `0x` and 40 hex digits (or, for newer accounts, `ES_`
 * and hex digits).
 */
export const PROVIDER_FACTS: Record<CaptchaProvider, ProviderFacts> = {
  turnstile: {
    verifyUrl: 'https://challenges.cloudflare.com/turnstile/v0/siteverify',
    siteKey: /^(0x4AAAAAAA[0-9A-Za-z_-]{10,50}|[1-3]x0{20}[A-F]{2})$/,
    siteKeyShape: 'a Turnstile site key (0x4AAAAAAA…)',
    secret: /^(0x4AAAAAAA[0-9A-Za-z_-]{20,90}|[1-3]x0{31}[A-F]{2})$/,
    secretShape: 'a Turnstile secret key (0x4AAAAAAA…, longer than the site key)',
  },
  hcaptcha: {
    verifyUrl: 'https://api.hcaptcha.com/siteverify',
    siteKey: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    siteKeyShape: 'an hCaptcha site key (a UUID such as 10000000-ffff-ffff-ffff-000000000001)',
    secret: /^(0x[0-9a-fA-F]{40}|ES_[0-9a-zA-Z]{20,64})$/,
    secretShape: 'an hCaptcha secret (0x and 40 hex digits, or ES_…)',
  },
};

/** The CAPTCHA, or undefined when `CAPTCHA` is unset or `off`. */
export function readCaptcha(read: EnvReader): CaptchaSettings | undefined {
  const choice = read.oneOf('CAPTCHA', ['off', ...CAPTCHA_PROVIDERS], 'off');
  if (choice === 'off') return undefined;
  const facts = PROVIDER_FACTS[choice];
  const siteKey = read.raw('CAPTCHA_SITE_KEY');
  const secret = read.raw('CAPTCHA_SECRET');
  if (siteKey === undefined) {
    read.problem('CAPTCHA_SITE_KEY', `is required with CAPTCHA=${choice}: ${facts.siteKeyShape}`);
  } else if (!facts.siteKey.test(siteKey)) {
    read.problem('CAPTCHA_SITE_KEY', `must be ${facts.siteKeyShape}`);
  }
  if (secret === undefined) {
    read.problem('CAPTCHA_SECRET', `is required with CAPTCHA=${choice}: ${facts.secretShape}`);
  } else if (!facts.secret.test(secret) || secret === siteKey) {
    read.problem('CAPTCHA_SECRET', `must be ${facts.secretShape}, not the site key`);
  }
  return {
    provider: choice,
    siteKey: siteKey ?? '',
    secret: secret ?? '',
    verifyUrl: readLoopbackTestUrl(read, 'CAPTCHA_VERIFY_URL') ?? facts.verifyUrl,
  };
}
