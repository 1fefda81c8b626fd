/**
 * A local stand-in for both CAPTCHA providers (src/guard/captcha.ts), on
 * 127.0.0.1, for tests: no test can reach Cloudflare or hCaptcha.
 *
 * - `POST /turnstile/v0/siteverify` and `POST /siteverify` (hCaptcha) answer
 *   as the providers document: a token is good once, for the site key it was
 *   issued to, with the hostname (and Turnstile action) it was solved with;
 *   a wrong secret is `invalid-input-secret`; a replay is
 *   `timeout-or-duplicate` (Turnstile) or `invalid-or-already-seen-response`
 *   (hCaptcha); a Turnstile `idempotency_key` seen before gets the same
 *   answer again. Every request is recorded (method, content type, fields),
 *   and failures can be injected (`failNext`, `hang`).
 * - `POST /issue` hands out a token, as solving the widget would: tests call
 *   `issue()`, and the stand-in scripts call it from the page.
 * - `GET /turnstile/v0/api.js` and `GET /1/api.js` (hCaptcha) are stand-in
 *   scripts with each provider's browser API (`render` with `callback`,
 *   `expired-callback` and `error-callback`; `reset`; `remove`;
 *   `getResponse`): a checkbox that, ticked, gets a token from `/issue` for
 *   the page's hostname.
 *
 * @example
 *   const fake = await CaptchaFake.start();
 *   const env = { ...TEST_ENV, ...fake.env('turnstile') };
 *   const token = await fake.issue('turnstile', { hostname: 'www.example.com' });
 *   expect(fake.requests).toHaveLength(1);
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CaptchaProvider } from '../src/config/captcha';
import { TURNSTILE_ACTION } from '../src/guard/captcha';
import { standInScript } from './captcha-stand-in';

/** Keys of each provider's documented shape (src/config/captcha.ts). */
export const FAKE_KEYS: Record<CaptchaProvider, { siteKey: string; secret: string }> = {
  turnstile: {
    siteKey: '0x4AAAAAAAfakeSiteKey0001',
    secret: '0x4AAAAAAAfakeSecretKey000000000000001',
  },
  hcaptcha: {
    siteKey: '10000000-ffff-ffff-ffff-000000000001',
    secret: '0x' + 'ab'.repeat(20),
  },
};

const VERIFY_PATHS: Record<CaptchaProvider, string> = {
  turnstile: '/turnstile/v0/siteverify',
  hcaptcha: '/siteverify',
};
export const SCRIPT_PATHS: Record<CaptchaProvider, string> = {
  turnstile: '/turnstile/v0/api.js',
  hcaptcha: '/1/api.js',
};
const DUPLICATE: Record<CaptchaProvider, string> = {
  turnstile: 'timeout-or-duplicate',
  hcaptcha: 'invalid-or-already-seen-response',
};

export interface VerifyRequest {
  provider: CaptchaProvider;
  method: string;
  contentType: string | undefined;
  form: Record<string, string>;
}

interface Issued {
  provider: CaptchaProvider;
  siteKey: string;
  hostname: string;
  action: string | undefined;
  used: boolean;
}

type Answer = Record<string, unknown>;

export class CaptchaFake {
  readonly requests: VerifyRequest[] = [];
  /** Statuses to answer the next verify requests with, one each (e.g. [500]). */
  failNext: number[] = [];
  /** Never answer verify requests (until stopped): a provider that timed out. */
  hang = false;
  private readonly tokens = new Map<string, Issued>();
  private readonly idempotent = new Map<string, Answer>();
  private readonly held: ServerResponse[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<CaptchaFake> {
    const server = createServer();
    const fake = new CaptchaFake(server);
    server.on('request', (req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The environment that points the service at this fake for `provider`. */
  env(provider: CaptchaProvider): Record<string, string> {
    return {
      CAPTCHA: provider,
      CAPTCHA_SITE_KEY: FAKE_KEYS[provider].siteKey,
      CAPTCHA_SECRET: FAKE_KEYS[provider].secret,
      CAPTCHA_VERIFY_URL: this.url + VERIFY_PATHS[provider],
    };
  }

  scriptUrl(provider: CaptchaProvider): string {
    return this.url + SCRIPT_PATHS[provider];
  }

  /** A token, as solving the widget for `hostname` would give one. */
  issue(
    provider: CaptchaProvider,
    options: { hostname: string; action?: string; siteKey?: string },
  ): string {
    const token = `${provider === 'turnstile' ? '0.' : 'P1_'}${randomBytes(24).toString('hex')}`;
    const action = options.action ?? (provider === 'turnstile' ? TURNSTILE_ACTION : undefined);
    const siteKey = options.siteKey ?? FAKE_KEYS[provider].siteKey;
    this.tokens.set(token, { provider, siteKey, hostname: options.hostname, action, used: false });
    return token;
  }

  async stop(): Promise<void> {
    for (const res of this.held.splice(0)) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const body = await readBody(req);
    const provider = (Object.keys(VERIFY_PATHS) as CaptchaProvider[]).find(
      (p) => VERIFY_PATHS[p] === path,
    );
    if (provider) return this.verify(provider, req, body, res);
    const script = (Object.keys(SCRIPT_PATHS) as CaptchaProvider[]).find(
      (p) => SCRIPT_PATHS[p] === path,
    );
    if (script && req.method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'text/javascript', 'Cache-Control': 'no-store' });
      return void res.end(standInScript(script, this.url));
    }
    if (path === '/issue') return this.issueOverHttp(req, body, res);
    res.writeHead(404).end();
  }

  /** What the stand-in scripts call when their checkbox is ticked. */
  private issueOverHttp(req: IncomingMessage, body: string, res: ServerResponse): void {
    const cors = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': '*' };
    if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
    const { provider, siteKey, hostname, action } = JSON.parse(body) as Record<string, string>;
    const token = this.issue(provider as CaptchaProvider, {
      hostname: hostname ?? '',
      ...(action !== undefined && { action }),
      ...(siteKey !== undefined && { siteKey }),
    });
    res.writeHead(200, { ...cors, 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ token }));
  }

  private verify(
    provider: CaptchaProvider,
    req: IncomingMessage,
    body: string,
    res: ServerResponse,
  ): void {
    const contentType = req.headers['content-type'];
    const form = Object.fromEntries(new URLSearchParams(body));
    this.requests.push({ provider, method: req.method ?? '', contentType, form });
    if (this.hang) return void this.held.push(res);
    const status = this.failNext.shift();
    if (status !== undefined) {
      res.writeHead(status, { 'Content-Type': 'text/html' });
      return void res.end('<html>upstream error</html>');
    }
    const formEncoded = contentType?.split(';')[0] === 'application/x-www-form-urlencoded';
    const answer =
      req.method !== 'POST' || !formEncoded
        ? { success: false, 'error-codes': ['bad-request'] }
        : this.answer(provider, form);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(answer));
  }

  private answer(provider: CaptchaProvider, form: Record<string, string>): Answer {
    const key = provider === 'turnstile' ? form.idempotency_key : undefined;
    const repeated = key === undefined ? undefined : this.idempotent.get(key);
    if (repeated) return repeated;
    const answer = this.judge(provider, form);
    if (key !== undefined) this.idempotent.set(key, answer);
    return answer;
  }

  private judge(provider: CaptchaProvider, form: Record<string, string>): Answer {
    const refuse = (code: string) => ({ success: false, 'error-codes': [code] });
    const keys = FAKE_KEYS[provider];
    if (!form.secret) return refuse('missing-input-secret');
    if (form.secret !== keys.secret) return refuse('invalid-input-secret');
    if (provider === 'hcaptcha' && form.sitekey !== undefined && form.sitekey !== keys.siteKey) {
      return refuse('sitekey-secret-mismatch');
    }
    if (!form.response) return refuse('missing-input-response');
    const issued = this.tokens.get(form.response);
    if (!issued || issued.provider !== provider || issued.siteKey !== keys.siteKey) {
      return refuse('invalid-input-response');
    }
    if (issued.used) return refuse(DUPLICATE[provider]);
    issued.used = true;
    const common = {
      success: true,
      'error-codes': [],
      challenge_ts: new Date().toISOString(),
      hostname: issued.hostname,
    };
    return provider === 'turnstile'
      ? { ...common, action: issued.action ?? '', cdata: '' }
      : { ...common, credit: false };
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
