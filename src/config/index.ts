/**
 * Environment -> typed configuration, in sections, so each function reads and
 * validates only what it uses (`/status` reads them all). Problems give a
 * `ConfigError` (HTTP 503) naming every variable at fault, never its value.
 *
 * Called once per invocation (Functions may run each request in a fresh
 * process, so there is nothing to cache between requests).
 *
 * @example
 *   const config = loadConfig(context, { domainName: context.DOMAIN_NAME }, ['tokens']);
 *   config.tokenTtlSeconds; // 3600
 *   loadConfig(context).handoff.mode; // every section: 'studio'
 */
import {
  DEFAULT_HANDOFF_MODE,
  HANDOFF_MODES,
  readHandoff,
  readInteraction,
  type HandoffConfig,
  type HandoffMode,
  type InteractionRoute,
  type ModeVariable,
} from '../modes';
import { readMaxChatsPerMinute, readSyncServiceSid } from './budget';
import { readChallenge, type ChallengeSettings } from '../guard/challenge';
import { readCaptcha, type CaptchaSettings } from './captcha';
import { CUSTOMER_VARIABLES, readCustomer, type CustomerSettings } from './customer';
import { readHours, type HoursSettings } from '../guard/hours';
import { readAvailability, type AvailabilitySettings } from '../guard/availability';
import { EnvReader, SID_SHAPE, type RuntimeInfo } from './reader';
import { readOrigins, type AllowedOrigins } from './urls';
import { readSurvey, type SurveySettings } from './survey';
import { readTranscript, type TranscriptSettings } from './transcript';

export { HANDOFF_MODES, type HandoffConfig, type HandoffMode, type InteractionRoute };
export { describeSidKind, parseIsoDuration, type RuntimeInfo } from './reader';
export { normalizeOrigin, type AllowedOrigins } from './urls';
export { INTERACTION_PATH } from '../modes/route';
import { DEFAULT_TASK_CHANNEL } from '../modes/route';

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
  /** `HANDOFF_MODE` alone, for what depends on the mode but not its settings. */
  handoffMode: HandoffMode;
  /** The mode and what starting a chat in it needs. */
  handoff: HandoffConfig;
  /** What `/interaction` needs; undefined when this configuration never routes there. */
  interaction: InteractionRoute | undefined;
  /** Exact origins allowed to call the public endpoints, or `'*'`. */
  allowedOrigins: AllowedOrigins;
  tokenTtlSeconds: number;
  sessionMaxAgeSeconds: number;
  refreshGraceSeconds: number;
  timers: ConversationTimers;
  /** The service-wide chat budget (src/guard/budget.ts); undefined: none. */
  maxChatsPerMinute: number | undefined;
  /** Where shared state lives: a Sync service SID, or `default` (config/budget.ts). */
  syncServiceSid: string;
  /** The proof of work /start-chat requires (src/guard/challenge.ts). */
  challenge: ChallengeSettings;
  /** The optional CAPTCHA /start-chat requires (src/guard/captcha.ts); undefined: off. */
  captcha: CaptchaSettings | undefined;
  /** Opening hours and what happens outside them (src/guard/hours.ts). */
  hours: HoursSettings;
  /** Live TaskRouter figures for /availability; undefined: none (src/guard/availability.ts). */
  availability: AvailabilitySettings | undefined;
  /** Signed-in customers' tokens (src/config/customer.ts); keys all undefined: off. */
  customer: CustomerSettings;
  /** The post-chat survey (src/survey.ts); undefined: SURVEY is off. */
  survey: SurveySettings | undefined;
  /** The emailed transcript through SendGrid (src/transcript*.ts); undefined: off. */
  transcript: TranscriptSettings | undefined;
}

/** The variables every mode shares (each mode lists its own: src/modes/). */
export const COMMON_VARIABLES = [
  'ACCOUNT_SID',
  'AUTH_TOKEN',
  'API_KEY',
  'API_SECRET',
  'CONVERSATIONS_SERVICE_SID',
  'HANDOFF_MODE',
  'ALLOWED_ORIGINS',
  'TOKEN_TTL_SECONDS',
  'SESSION_MAX_AGE_SECONDS',
  'REFRESH_GRACE_SECONDS',
  'CONVERSATION_INACTIVE_TIMER',
  'CONVERSATION_CLOSED_TIMER',
  'MAX_CHATS_PER_MINUTE',
  'SYNC_SERVICE_SID',
  'CHALLENGE',
  'CHALLENGE_MAX_NUMBER',
  'CAPTCHA',
  'CAPTCHA_SITE_KEY',
  'CAPTCHA_SECRET',
  // Tests only (src/config/captcha.ts): not in .env.example.
  'CAPTCHA_VERIFY_URL',
  'OPENING_HOURS',
  'AFTER_HOURS',
  'AVAILABILITY_QUEUE_SID',
  ...CUSTOMER_VARIABLES,
  'SURVEY',
  'SURVEY_WEBHOOK_URL',
  'SURVEY_WEBHOOK_SECRET',
  'SENDGRID_API_KEY',
  'TRANSCRIPT_FROM',
  // Tests only (src/config/transcript.ts): not in .env.example.
  'SENDGRID_API_URL',
] as const;

/**
 * Every variable this service reads, as the Functions runtime passes them. A
 * type alias, not an interface, so it satisfies the runtime types' index
 * signature.
 */
export type Env = Partial<Record<(typeof COMMON_VARIABLES)[number] | ModeVariable, string>>;

export const DEFAULTS = {
  handoffMode: DEFAULT_HANDOFF_MODE,
  tokenTtlSeconds: 3600,
  sessionMaxAgeSeconds: 86_400,
  refreshGraceSeconds: 300,
  /** Closes chats nobody touched for a day, so abandoned ones do not pile up. */
  closedTimer: 'P1D',
  taskChannel: DEFAULT_TASK_CHANNEL,
} as const;

/** Which configuration keys each section holds. */
const SECTIONS = {
  /** Calling Twilio's REST API, checking Twilio's signatures. */
  twilio: ['accountSid', 'authToken'],
  /** Minting and verifying customers' Access Tokens. */
  tokens: [
    'accountSid',
    'apiKey',
    'apiSecret',
    'conversationsServiceSid',
    'tokenTtlSeconds',
    'sessionMaxAgeSeconds',
    'refreshGraceSeconds',
  ],
  /** Reading, updating and closing conversations on the service. */
  service: ['conversationsServiceSid'],
  /** Creating conversations: the service, the timers new ones get, API_SECRET for their seal. */
  chats: ['conversationsServiceSid', 'timers', 'apiSecret'],
  origins: ['allowedOrigins'],
  mode: ['handoffMode'],
  handoff: ['handoff'],
  interaction: ['interaction'],
  /** The chat budget, and the Sync service that counts it (src/guard/budget.ts). */
  budget: ['maxChatsPerMinute', 'syncServiceSid'],
  /** Shared state in Sync, for whatever else needs it (src/guard/shared-state.ts). */
  sync: ['syncServiceSid'],
  /** Issuing and verifying challenges, signed with a key derived from API_SECRET. */
  challenge: ['challenge', 'apiSecret'],
  /** The optional CAPTCHA: provider, keys, where to verify (src/config/captcha.ts). */
  captcha: ['captcha'],
  /** Opening hours (src/guard/hours.ts): OPENING_HOURS, AFTER_HOURS. */
  hours: ['hours'],
  /** Live availability from a TaskQueue (src/guard/availability.ts): AVAILABILITY_QUEUE_SID. */
  availability: ['availability'],
  /** Checking the signature beside a chat's verified claims, and its age (src/customer-trust.ts). */
  signing: ['apiSecret', 'sessionMaxAgeSeconds', 'refreshGraceSeconds'],
  /** Verifying customer tokens (src/customer/verify.ts); API_SECRET derives their identities. */
  customer: ['customer', 'apiSecret'],
  /** The post-chat survey (src/survey.ts): SURVEY, SURVEY_WEBHOOK_URL, SURVEY_WEBHOOK_SECRET. */
  survey: ['survey'],
  /** The emailed transcript (src/transcript*.ts): SENDGRID_API_KEY, TRANSCRIPT_FROM. */
  transcript: ['transcript'],
} as const satisfies Record<string, readonly (keyof Config)[]>;

export type Section = keyof typeof SECTIONS;
export const ALL_SECTIONS = Object.keys(SECTIONS) as Section[];
/** The configuration with only the keys of these sections. */
export type ConfigOf<S extends Section> = Pick<Config, (typeof SECTIONS)[S][number]>;

type Readers = { [K in keyof Config]: (read: EnvReader, runtime: RuntimeInfo) => Config[K] };

const mode = (read: EnvReader) => read.oneOf('HANDOFF_MODE', HANDOFF_MODES, DEFAULTS.handoffMode);

/** One reader per key, in the order problems are named. */
const READERS: Readers = {
  accountSid: (read) => read.sid('ACCOUNT_SID', 'AC'),
  authToken: readAuthToken,
  apiKey: (read) => read.sid('API_KEY', 'SK'),
  apiSecret: readApiSecret,
  conversationsServiceSid: (read) => read.sid('CONVERSATIONS_SERVICE_SID', 'IS'),
  handoffMode: mode,
  handoff: (read, runtime) => readHandoff(read, runtime, mode(read)),
  interaction: (read, runtime) => readInteraction(read, runtime, mode(read)),
  allowedOrigins: (read, runtime) => readOrigins(read, 'ALLOWED_ORIGINS', runtime.domainName),
  tokenTtlSeconds: (read) =>
    read.integer('TOKEN_TTL_SECONDS', DEFAULTS.tokenTtlSeconds, 60, 86_400),
  sessionMaxAgeSeconds: (read) =>
    read.integer('SESSION_MAX_AGE_SECONDS', DEFAULTS.sessionMaxAgeSeconds, 60, 30 * 86_400),
  refreshGraceSeconds: (read) =>
    read.integer('REFRESH_GRACE_SECONDS', DEFAULTS.refreshGraceSeconds, 0, 3600),
  timers: readTimers,
  maxChatsPerMinute: readMaxChatsPerMinute,
  syncServiceSid: readSyncServiceSid,
  challenge: readChallenge,
  captcha: readCaptcha,
  hours: readHours,
  availability: readAvailability,
  customer: readCustomer,
  survey: readSurvey,
  transcript: readTranscript,
};

/**
 * Reads the sections asked for (all by default) and throws one `ConfigError`
 * naming every problem among them.
 */
export function loadConfig<S extends Section = Section>(
  env: Env,
  runtime: RuntimeInfo = {},
  sections: readonly S[] = ALL_SECTIONS as S[],
): ConfigOf<S> {
  const read = new EnvReader(env);
  const keys = new Set<keyof Config>(sections.flatMap((s) => SECTIONS[s]));
  const config: Partial<Record<keyof Config, unknown>> = {};
  for (const key of Object.keys(READERS) as (keyof Config)[]) {
    if (keys.has(key)) config[key] = READERS[key](read, runtime);
  }
  read.throwIfAny();
  return config as ConfigOf<S>;
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
  const origins = readOrigins(read, 'ALLOWED_ORIGINS', runtime.domainName);
  return read.ok ? origins : undefined;
}

/**
 * Twilio's Auth Tokens are 32 letters and digits. Checked here because the
 * Functions runtime refuses any other length only when a function first asks
 * for a client, which answered a bare 500 while /status said "configured".
 */
function readAuthToken(read: EnvReader): string {
  const token = read.secret('AUTH_TOKEN');
  if (token && !/^[A-Za-z0-9]{32}$/.test(token)) {
    read.problem(
      'AUTH_TOKEN',
      "must be the account's Auth Token: 32 letters and digits (Twilio Console > Account > API keys & tokens)",
    );
  }
  return token;
}

function readApiSecret(read: EnvReader): string {
  const secret = read.secret('API_SECRET');
  if (SID_SHAPE.test(secret)) {
    read.problem(
      'API_SECRET',
      'looks like a SID; it must be the secret shown once when the API key was created',
    );
  }
  return secret;
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
