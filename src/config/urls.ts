/**
 * The variables that are URLs: where browsers may call us from
 * (`ALLOWED_ORIGINS`), where Twilio reaches us (`PUBLIC_BASE_URL`), and the
 * tests' overrides of third-party endpoints (`readLoopbackTestUrl`), with the
 * host rules they share.
 */
import type { EnvReader } from './reader';

/** Exact, normalised origins (`https://www.example.com`), or `'*'` for any. */
export type AllowedOrigins = readonly string[] | '*';

/**
 * The URL Twilio reaches this service at, without a trailing slash: the
 * variable if set (a tunnel when running locally), else the deployed domain.
 */
export function readPublicBaseUrl(
  read: EnvReader,
  name: string,
  domainName: string | undefined,
): string {
  const value = read.raw(name);
  if (value === undefined) {
    if (domainName && !isLocalHost(domainName)) return `https://${domainName}`;
    read.problem(
      name,
      'is required when running locally: Twilio must reach /interaction, so start a tunnel (twilio-run start --ngrok, or ngrok http 3000) and set its https URL here',
    );
    return '';
  }
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 'https:' || url.search || url.hash) {
    read.problem(name, 'must be an https URL such as https://abc123.ngrok.app, with no query');
    return '';
  }
  if (isLocalHost(url.host)) {
    read.problem(name, 'must be reachable by Twilio: not localhost; use a tunnel URL');
    return '';
  }
  // A pasted webhook URL would register …/interaction/interaction: a 404
  // Twilio keeps hitting while every chat silently waits.
  if (url.pathname !== '/') {
    read.problem(
      name,
      `must be the tunnel's address alone, such as https://${url.host} (this service adds /interaction)`,
    );
    return '';
  }
  // Deploy uploads .env: a tunnel URL left there would send every customer's
  // first message to whoever holds that tunnel host next.
  if (domainName && !isLocalHost(domainName) && url.host !== domainName) {
    read.problem(
      name,
      `is for local runs behind a tunnel; this service is deployed, so remove it (it points somewhere other than this service)`,
    );
    return '';
  }
  return url.href.replace(/\/+$/, '');
}

export function readOrigins(
  read: EnvReader,
  name: string,
  domainName: string | undefined,
): AllowedOrigins {
  const own = ownOrigins(domainName);
  const value = read.raw(name);
  if (value === undefined) return own;
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.includes('*')) {
    if (entries.length > 1) read.problem(name, 'use "*" alone, or list exact origins');
    return '*';
  }
  const origins = new Set(own);
  entries.forEach((entry, i) => {
    const origin = normalizeOrigin(entry);
    if (origin === undefined) {
      read.problem(
        name,
        `entry ${i + 1} is not an origin; write scheme://host[:port] with no path, e.g. https://www.example.com`,
      );
    } else {
      origins.add(origin);
    }
  });
  return [...origins];
}

/**
 * The service's own origin(s): its demo page calls its own functions, and
 * browsers send `Origin` on same-origin POSTs too. Locally the page may be
 * opened as localhost or 127.0.0.1, so both are allowed there.
 */
function ownOrigins(domainName: string | undefined): string[] {
  if (!domainName) return [];
  const port = /:(\d+)$/.exec(domainName)?.[1];
  if (!isLocalHost(domainName)) return [`https://${domainName}`];
  const suffix = port ? `:${port}` : '';
  return [`http://localhost${suffix}`, `http://127.0.0.1${suffix}`];
}

/** `localhost:3000`, `127.0.0.1`, `[::1]:8080`: a host only this machine reaches. */
function isLocalHost(hostWithPort: string): boolean {
  const host = hostWithPort.replace(/:\d+$/, '');
  return ['localhost', '127.0.0.1', '[::1]'].includes(host);
}

/** `https://Example.com/` -> `https://example.com`; anything with a path -> undefined. */
export function normalizeOrigin(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const plain =
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    url.username === '' &&
    url.password === '' &&
    url.pathname === '/' &&
    url.search === '' &&
    url.hash === '' &&
    !text.replace(/\/$/, '').endsWith('/');
  return plain ? url.origin : undefined;
}

/**
 * A tests-only override of a third-party endpoint (CAPTCHA_VERIFY_URL,
 * SENDGRID_API_URL): plain http on this machine or nothing, so a deployed
 * service can never be pointed at another host with a secret in hand.
 */
export function readLoopbackTestUrl(read: EnvReader, name: string): string | undefined {
  const value = read.raw(name);
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 'http:' || !isLocalHost(url.host)) {
    read.problem(
      name,
      'is for tests only and must be an http:// URL on 127.0.0.1 or localhost; leave it empty',
    );
    return undefined;
  }
  return url.href;
}
