/**
 * The optional CAPTCHA in the widget (src/guard/captcha.ts checks it). The
 * service says which, with its public site key, in its /challenge answer
 * (`configure`); only then is the provider's script loaded, so a site
 * without a CAPTCHA never loads one. The form's view (view/captcha.ts)
 * gives a container to render into; the provider calls back with a token,
 * which `withCaptcha` sends with /start-chat as `captcha`.
 *
 * A token is good once: after a start the provider has checked it, the
 * CAPTCHA is reset for the next one. Refusals the service makes before it
 * asks the provider (a malformed form, a proof to redo) keep it, so the
 * widget's own retry with a new proof (challenge.ts) reuses it.
 *
 * The script loader is a seam (`load`; `scriptUrl` replaces the provider's
 * URL): browser tests give a stand-in served from 127.0.0.1.
 *
 * @example
 *   const captcha = new Captcha({ load: loadProviderScript, language: 'es' });
 *   captcha.configure({ provider: 'turnstile', siteKey: '0x4AAAAAAA…' });
 *   captcha.mount(container); // loads the script, renders; token follows
 *   const api = withCaptcha(createApi(url), captcha);
 */
import { ApiError, type Api } from './api';

export type CaptchaProvider = 'turnstile' | 'hcaptcha';

/** What the service's /challenge answer says (`captcha`), or null: none. */
export interface CaptchaSettings {
  provider: CaptchaProvider;
  siteKey: string;
}

/** The provider's browser API: the part both share, and the widget uses. */
export interface ProviderApi {
  render(container: HTMLElement, params: Record<string, unknown>): string;
  reset(widgetId?: string): void;
}

/** Loads `url` and resolves with the API it defines on `window[provider]`. */
export type ScriptLoader = (url: string, provider: CaptchaProvider) => Promise<ProviderApi>;

/** Explicit rendering: the widget renders into its own container when the form is shown. */
export const PROVIDER_SCRIPTS: Record<CaptchaProvider, string> = {
  turnstile: 'https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit',
  hcaptcha: 'https://js.hcaptcha.com/1/api.js?render=explicit&recaptchacompat=off',
};

/** Must match the server's TURNSTILE_ACTION: a token for another action is refused. */
export const TURNSTILE_ACTION = 'start-chat';

/**
 * `off`: none configured (or not known yet); `loading`: the script is on
 * its way; `waiting`: shown, not solved (or expired); `solved`: a token is
 * at hand; `failed`: the script or the provider failed.
 */
export type CaptchaStatus = 'off' | 'loading' | 'waiting' | 'solved' | 'failed';

export interface CaptchaDeps {
  load: ScriptLoader;
  /** Replaces the provider's script URL (tests: a stand-in on 127.0.0.1). */
  scriptUrl?: string;
  /** The widget's locale, for the provider's own text. */
  language?: string;
}

export class Captcha {
  private settings: CaptchaSettings | null = null;
  private current?: string;
  private widget?: { api: ProviderApi; id: string };
  private mounted?: HTMLElement;
  private rendering = false;
  private state: CaptchaStatus = 'off';
  private readonly listeners = new Set<(status: CaptchaStatus) => void>();

  constructor(private readonly deps: CaptchaDeps) {}

  /** From each /challenge answer; the first that names one turns it on. */
  configure(settings: CaptchaSettings | null | undefined): void {
    if (!settings || this.settings) return;
    this.settings = settings;
    this.set('waiting');
    if (this.mounted) void this.render(this.mounted);
  }

  /** Where the view wants it; rendered once the service has named the provider. */
  mount(container: HTMLElement): void {
    if (this.mounted === container) return;
    this.mounted = container;
    if (this.settings) void this.render(container);
  }

  get required(): boolean {
    return this.settings !== null;
  }

  get token(): string | undefined {
    return this.current;
  }

  get status(): CaptchaStatus {
    return this.state;
  }

  subscribe(listener: (status: CaptchaStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Spent (or refused): back to unsolved, for a new token. */
  reset(): void {
    if (!this.widget) return;
    this.current = undefined;
    this.widget.api.reset(this.widget.id);
    this.set('waiting');
  }

  private set(status: CaptchaStatus): void {
    this.state = status;
    for (const listener of this.listeners) listener(status);
  }

  private async render(container: HTMLElement): Promise<void> {
    const settings = this.settings;
    if (!settings || this.widget || this.rendering) return;
    this.rendering = true;
    this.set('loading');
    try {
      const url = this.deps.scriptUrl ?? PROVIDER_SCRIPTS[settings.provider];
      const api = await this.deps.load(url, settings.provider);
      const id = api.render(container, this.params(settings));
      this.widget = { api, id };
      this.set(this.current ? 'solved' : 'waiting');
    } catch {
      this.set('failed');
    } finally {
      this.rendering = false;
    }
  }

  private params({ provider, siteKey }: CaptchaSettings): Record<string, unknown> {
    const language = this.deps.language;
    return {
      sitekey: siteKey,
      callback: (token: string) => {
        this.current = token;
        this.set('solved');
      },
      'expired-callback': () => {
        this.current = undefined;
        this.set('waiting');
      },
      'error-callback': () => {
        this.current = undefined;
        this.set('failed');
      },
      // Turnstile's text follows `language`, hCaptcha's `hl`.
      ...(provider === 'turnstile' && { action: TURNSTILE_ACTION }),
      ...(language !== undefined && { [provider === 'turnstile' ? 'language' : 'hl']: language }),
    };
  }
}

/** Loads a provider's script once; a failed load may be tried again. */
const loading = new Map<string, Promise<ProviderApi>>();

export function loadProviderScript(
  url: string,
  provider: CaptchaProvider,
  doc: Document = document,
): Promise<ProviderApi> {
  const found = loading.get(url);
  if (found) return found;
  const promise = new Promise<ProviderApi>((resolve, reject) => {
    const script = doc.createElement('script');
    script.src = url;
    script.async = true;
    const fail = () => {
      loading.delete(url);
      script.remove();
      reject(new Error('The CAPTCHA could not be loaded.'));
    };
    script.onerror = fail;
    script.onload = () => {
      const api = (window as unknown as Record<string, ProviderApi | undefined>)[provider];
      if (api && typeof api.render === 'function') resolve(api);
      else fail();
    };
    doc.head.append(script);
  });
  loading.set(url, promise);
  return promise;
}

/**
 * Refusals after which the token is kept for the next attempt: those the
 * service makes before it asks the provider (the token is unspent), and the
 * busy answers the widget retries with the same body (the token was seen,
 * but the service asks Turnstile again with the same idempotency key, made
 * from the token and the proof, and gets the same answer; hCaptcha refuses a
 * seen token, `captcha_invalid`, and the customer is asked again).
 */
const TOKEN_KEPT = new Set([
  'budget_exceeded',
  'upstream_rate_limited',
  'invalid_request',
  'unsupported_media_type',
  'origin_not_allowed',
  'not_configured',
  'challenge_required',
  'challenge_invalid',
  'challenge_expired',
  'captcha_required',
]);

/**
 * The Api with the CAPTCHA's token sent with every start (when one is
 * configured). Without a token it refuses at once (`captcha_required`), as
 * the service would; a token that reached the provider is reset after.
 */
export function withCaptcha(api: Api, captcha: Captcha): Api {
  return {
    ...api,
    async startChat(body) {
      if (!captcha.required) return api.startChat(body);
      const token = captcha.token;
      if (!token) {
        throw new ApiError(0, 'captcha_required', 'Complete the security check first.');
      }
      try {
        const chat = await api.startChat({ ...body, captcha: token });
        captcha.reset();
        return chat;
      } catch (error) {
        // The customer token (customer_*, client/lib/customer.ts) is checked before the CAPTCHA.
        const code = error instanceof ApiError ? error.code : '';
        if (!TOKEN_KEPT.has(code) && !code.startsWith('customer_')) captcha.reset();
        throw error;
      }
    },
  };
}
