/**
 * Environment -> typed `Config`, or a `ConfigError` (HTTP 503) that names every
 * variable that is missing or malformed. Values are never echoed: errors say
 * what was expected, and for SIDs which kind was found instead.
 *
 * Called once per invocation (Functions may run each request in a fresh
 * process, so there is nothing to cache between requests).
 *
 * @example
 *   const config = loadConfig(context, { domainName: context.DOMAIN_NAME });
 *   config.handoff.mode; // 'studio'
 */
import { ConfigError, type FieldProblem } from './errors';

/** Exact, normalised origins (`https://www.example.com`), or `'*'` for any. */
export type AllowedOrigins = readonly string[] | '*';

export const HANDOFF_MODES = ['studio', 'webhook', 'address', 'flex-flow'] as const;
export type HandoffMode = (typeof HANDOFF_MODES)[number];

/** How a new chat reaches Flex; one variant per `HANDOFF_MODE`. */
export type HandoffConfig =
  | { mode: 'studio'; studioFlowSid: string }
  | ({ mode: 'webhook' } & WebhookHandoffConfig)
  | AddressHandoffConfig
  | { mode: 'flex-flow'; flexFlowSid: string };

/**
 * `HANDOFF_MODE=address`: Flex's WebChats API creates the chat for a Chat
 * Address. The address routes to a Studio flow, or to this service's
 * `/interaction`; for the latter, `interaction` holds what `/interaction`
 * needs (present when the TaskRouter variables are set).
 */
export interface AddressHandoffConfig {
  mode: 'address';
  addressSid: string;
  interaction?: WebhookHandoffConfig;
}

export interface WebhookHandoffConfig {
  /** Where Conversations posts onMessageAdded: `<public base URL>/interaction`. */
  interactionUrl: string;
  workspaceSid: string;
  workflowSid: string;
  /** TaskRouter task channel unique name, `chat` by default. */
  taskChannel: string;
}

/** The path of the webhook hand-off function (functions/interaction.protected.ts). */
export const INTERACTION_PATH = '/interaction';

export interface ConversationTimers {
  /** ISO 8601 duration after which the conversation becomes `inactive`. */
  inactive?: string;
  /** ISO 8601 duration after which the conversation becomes `closed`. */
  closed?: string;
}

export interface Config {
  accountSid: string;
  authToken: string;
  apiKey: string;
  apiSecret: string;
  conversationsServiceSid: string;
  handoff: HandoffConfig;
  /** Exact origins allowed to call the public endpoints, or `'*'`. */
  allowedOrigins: AllowedOrigins;
  tokenTtlSeconds: number;
  sessionMaxAgeSeconds: number;
  refreshGraceSeconds: number;
  timers: ConversationTimers;
}

/**
 * Every variable this module reads, as the Functions runtime passes them. A
 * type alias, not an interface, so it satisfies the runtime types' index
 * signature.
 */
export type Env = {
  ACCOUNT_SID?: string;
  AUTH_TOKEN?: string;
  API_KEY?: string;
  API_SECRET?: string;
  CONVERSATIONS_SERVICE_SID?: string;
  HANDOFF_MODE?: string;
  STUDIO_FLOW_SID?: string;
  ADDRESS_SID?: string;
  FLEX_FLOW_SID?: string;
  PUBLIC_BASE_URL?: string;
  TASKROUTER_WORKSPACE_SID?: string;
  TASKROUTER_WORKFLOW_SID?: string;
  TASK_CHANNEL?: string;
  ALLOWED_ORIGINS?: string;
  TOKEN_TTL_SECONDS?: string;
  SESSION_MAX_AGE_SECONDS?: string;
  REFRESH_GRACE_SECONDS?: string;
  CONVERSATION_INACTIVE_TIMER?: string;
  CONVERSATION_CLOSED_TIMER?: string;
};

export interface RuntimeInfo {
  /** `context.DOMAIN_NAME`: where this service is served (`localhost:3000` locally). */
  domainName?: string;
}

export const DEFAULTS = {
  handoffMode: 'studio',
  tokenTtlSeconds: 3600,
  sessionMaxAgeSeconds: 86_400,
  refreshGraceSeconds: 300,
  /** Closes chats nobody touched for a day, so abandoned ones do not pile up. */
  closedTimer: 'P1D',
  taskChannel: 'chat',
} as const;

export function loadConfig(env: Env, runtime: RuntimeInfo = {}): Config {
  const read = new EnvReader(env);

  const config: Config = {
    accountSid: read.sid('ACCOUNT_SID', 'AC'),
    authToken: read.secret('AUTH_TOKEN'),
    apiKey: read.sid('API_KEY', 'SK'),
    apiSecret: read.secret('API_SECRET'),
    conversationsServiceSid: read.sid('CONVERSATIONS_SERVICE_SID', 'IS'),
    handoff: readHandoff(read, runtime),
    allowedOrigins: read.origins('ALLOWED_ORIGINS', runtime.domainName),
    tokenTtlSeconds: read.integer('TOKEN_TTL_SECONDS', DEFAULTS.tokenTtlSeconds, 60, 86_400),
    sessionMaxAgeSeconds: read.integer(
      'SESSION_MAX_AGE_SECONDS',
      DEFAULTS.sessionMaxAgeSeconds,
      60,
      30 * 86_400,
    ),
    refreshGraceSeconds: read.integer(
      'REFRESH_GRACE_SECONDS',
      DEFAULTS.refreshGraceSeconds,
      0,
      3600,
    ),
    timers: readTimers(read),
  };

  if (env.API_SECRET && SID_SHAPE.test(env.API_SECRET.trim())) {
    read.problem(
      'API_SECRET',
      'looks like a SID; it must be the secret shown once when the API key was created',
    );
  }
  read.throwIfAny();
  return config;
}

/**
 * Just the origin policy, for deciding who may even learn that the rest of the
 * configuration is broken. Undefined when `ALLOWED_ORIGINS` itself is malformed.
 */
export function readAllowedOrigins(
  env: Env,
  runtime: RuntimeInfo = {},
): AllowedOrigins | undefined {
  const read = new EnvReader(env);
  const origins = read.origins('ALLOWED_ORIGINS', runtime.domainName);
  return read.ok ? origins : undefined;
}

function readHandoff(read: EnvReader, runtime: RuntimeInfo): HandoffConfig {
  const mode = read.oneOf('HANDOFF_MODE', HANDOFF_MODES, DEFAULTS.handoffMode);
  switch (mode) {
    case 'studio':
      return { mode, studioFlowSid: read.sid('STUDIO_FLOW_SID', 'FW') };
    case 'webhook':
      return { mode, ...readInteraction(read, runtime) };
    case 'address': {
      const addressSid = read.sid('ADDRESS_SID', 'IG');
      // An address may route to this service's /interaction instead of Studio;
      // that needs the TaskRouter variables, and setting one means setting both.
      const routesHere =
        read.isSet('TASKROUTER_WORKSPACE_SID') || read.isSet('TASKROUTER_WORKFLOW_SID');
      return {
        mode,
        addressSid,
        ...(routesHere && { interaction: readInteraction(read, runtime) }),
      };
    }
    case 'flex-flow':
      return { mode, flexFlowSid: read.sid('FLEX_FLOW_SID', 'FO') };
  }
}

/** What `/interaction` needs: where Twilio calls it, and where it routes. */
function readInteraction(read: EnvReader, runtime: RuntimeInfo): WebhookHandoffConfig {
  return {
    interactionUrl: `${read.publicBaseUrl('PUBLIC_BASE_URL', runtime.domainName)}${INTERACTION_PATH}`,
    workspaceSid: read.sid('TASKROUTER_WORKSPACE_SID', 'WS'),
    workflowSid: read.sid('TASKROUTER_WORKFLOW_SID', 'WW'),
    taskChannel: read.name('TASK_CHANNEL', DEFAULTS.taskChannel),
  };
}

/**
 * The `/interaction` settings of a configuration, or undefined when this
 * configuration gives Twilio no reason to call `/interaction`: webhook mode,
 * or address mode with an address that routes to this service.
 */
export function interactionTarget(config: Config): WebhookHandoffConfig | undefined {
  if (config.handoff.mode === 'webhook') return config.handoff;
  if (config.handoff.mode === 'address') return config.handoff.interaction;
  return undefined;
}

function readTimers(read: EnvReader): ConversationTimers {
  // Twilio's own minimums: 1 minute to inactive, 10 minutes to closed.
  const inactive = read.duration('CONVERSATION_INACTIVE_TIMER', undefined, 60);
  const closed = read.duration('CONVERSATION_CLOSED_TIMER', DEFAULTS.closedTimer, 600);
  if (inactive && closed && inactive.seconds >= closed.seconds) {
    read.problem(
      'CONVERSATION_INACTIVE_TIMER',
      'must be shorter than CONVERSATION_CLOSED_TIMER, or the conversation closes before it goes inactive',
    );
  }
  return {
    ...(inactive && { inactive: inactive.text }),
    ...(closed && { closed: closed.text }),
  };
}

/* ------------------------------------------------------------------------ */

/** What each SID prefix is, so a wrong one can be named in the error. */
const SID_KINDS: Readonly<Record<string, string>> = {
  AC: 'an Account SID',
  SK: 'an API Key SID',
  IS: 'a Conversations Service SID',
  FW: 'a Studio Flow SID',
  WS: 'a TaskRouter Workspace SID',
  WW: 'a TaskRouter Workflow SID',
  WQ: 'a TaskRouter Queue SID',
  IG: 'a Conversations Address Configuration (Chat Address) SID',
  FO: 'a Flex Flow SID',
  CH: 'a Conversation SID',
  MG: 'a Messaging Service SID',
  PN: 'a Phone Number SID',
  KD: 'an Interaction SID',
  UO: 'an Interaction Channel SID',
  WT: 'a TaskRouter Task SID',
};

// Twilio writes the kind in capitals; the hex part may come in either case.
const SID_SHAPE = /^[A-Z]{2}[0-9a-fA-F]{32}$/;

export function describeSidKind(prefix: string): string {
  return SID_KINDS[prefix] ?? `a SID of another kind (${prefix}…)`;
}

/** Reads variables one at a time, collecting every problem before throwing. */
class EnvReader {
  private readonly problems: FieldProblem[] = [];

  constructor(private readonly env: Env) {}

  problem(field: string, problem: string): void {
    this.problems.push({ field, problem });
  }

  get ok(): boolean {
    return this.problems.length === 0;
  }

  throwIfAny(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }

  isSet(name: keyof Env): boolean {
    return this.raw(name) !== undefined;
  }

  private raw(name: keyof Env): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  secret(name: keyof Env): string {
    const value = this.raw(name);
    if (value === undefined) this.problem(name, 'is required');
    return value ?? '';
  }

  sid(name: keyof Env, prefix: string): string {
    const value = this.raw(name);
    const expected = `${describeSidKind(prefix)} (${prefix} followed by 32 hex characters)`;
    if (value === undefined) {
      this.problem(name, `is required: ${expected}`);
    } else if (!SID_SHAPE.test(value)) {
      this.problem(name, `must be ${expected}`);
    } else if (value.slice(0, 2) !== prefix) {
      const found = describeSidKind(value.slice(0, 2));
      this.problem(name, `must be ${expected}, but this is ${found}`);
    }
    return value ?? '';
  }

  oneOf<T extends string>(name: keyof Env, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problem(name, `must be one of: ${allowed.join(', ')}`);
    return fallback;
  }

  integer(name: keyof Env, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      this.problem(name, `must be a whole number of seconds from ${min} to ${max}`);
      return fallback;
    }
    return n;
  }

  duration(
    name: keyof Env,
    fallback: string | undefined,
    minSeconds: number,
  ): { text: string; seconds: number } | undefined {
    const text = this.raw(name) ?? fallback;
    if (text === undefined) return undefined;
    const seconds = parseIsoDuration(text);
    if (seconds === undefined) {
      this.problem(
        name,
        'must be an ISO 8601 duration in weeks, days, hours, minutes or seconds, e.g. PT30M or P1D',
      );
      return undefined;
    }
    if (seconds > MAX_TIMER_SECONDS) {
      this.problem(name, 'must be at most a year (P365D)');
      return undefined;
    }
    if (seconds < minSeconds) {
      const minutes = minSeconds / 60;
      this.problem(
        name,
        `must be at least ${minutes} minute${minutes === 1 ? '' : 's'} (Twilio's minimum)`,
      );
      return undefined;
    }
    return { text, seconds };
  }

  /** A unique name such as a task channel's: letters, digits, `_` and `-`. */
  name(name: keyof Env, fallback: string): string {
    const value = this.raw(name) ?? fallback;
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(value)) {
      this.problem(name, 'must be a unique name: letters, digits, _ or -, at most 64');
    }
    return value;
  }

  /**
   * The URL Twilio reaches this service at, without a trailing slash: the
   * variable if set (a tunnel when running locally), else the deployed domain.
   */
  publicBaseUrl(name: keyof Env, domainName: string | undefined): string {
    const value = this.raw(name);
    if (value === undefined) {
      if (domainName && !isLocalHost(domainName)) return `https://${domainName}`;
      this.problem(
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
      this.problem(name, 'must be an https URL such as https://abc123.ngrok.app, with no query');
      return '';
    }
    if (isLocalHost(url.host)) {
      this.problem(name, 'must be reachable by Twilio: not localhost; use a tunnel URL');
      return '';
    }
    // A pasted webhook URL would register …/interaction/interaction: a 404
    // Twilio keeps hitting while every chat silently waits.
    if (url.pathname !== '/') {
      this.problem(
        name,
        `must be the tunnel's address alone, such as https://${url.host} (this service adds /interaction)`,
      );
      return '';
    }
    // Deploy uploads .env: a tunnel URL left there would send every customer's
    // first message to whoever holds that tunnel host next.
    if (domainName && !isLocalHost(domainName) && url.host !== domainName) {
      this.problem(
        name,
        `is for local runs behind a tunnel; this service is deployed, so remove it (it points somewhere other than this service)`,
      );
      return '';
    }
    return url.href.replace(/\/+$/, '');
  }

  origins(name: keyof Env, domainName: string | undefined): AllowedOrigins {
    const own = ownOrigins(domainName);
    const value = this.raw(name);
    if (value === undefined) return own;
    const entries = value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (entries.includes('*')) {
      if (entries.length > 1) this.problem(name, 'use "*" alone, or list exact origins');
      return '*';
    }
    const origins = new Set(own);
    entries.forEach((entry, i) => {
      const origin = normalizeOrigin(entry);
      if (origin === undefined) {
        this.problem(
          name,
          `entry ${i + 1} is not an origin; write scheme://host[:port] with no path, e.g. https://www.example.com`,
        );
      } else {
        origins.add(origin);
      }
    });
    return [...origins];
  }
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
 * Seconds in an ISO 8601 duration made of weeks, days, hours, minutes and
 * seconds (`P1D`, `PT10M`, `P1DT12H`). Years and months are refused: their
 * length depends on the calendar. Returns undefined when malformed.
 */
/** A sane upper bound for conversation timers. */
const MAX_TIMER_SECONDS = 365 * 86_400;

export function parseIsoDuration(text: string): number | undefined {
  const match = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) return undefined;
  const [w, d, h, m, s] = match.slice(1).map((part) => Number(part ?? 0));
  return (((w ?? 0) * 7 + (d ?? 0)) * 24 + (h ?? 0)) * 3600 + (m ?? 0) * 60 + (s ?? 0);
}
