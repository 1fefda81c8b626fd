/**
 * The options of `npm run setup` (as `node:util` parseArgs takes them), what
 * setup makes of them, and the .env variable each one sets (for messages
 * such as "choose with --studio-flow", and to check a SID option with the
 * functions' own rules). A mode's own options are listed in its module
 * (scripts/setup/modes/): given, they choose that mode.
 */
import type { Env, HandoffMode } from '../../src/config';
import type { AddressRoute } from '../../src/modes/address';

export const OPTIONS = {
  'account-sid': { type: 'string' },
  'auth-token': { type: 'string' },
  mode: { type: 'string' },
  service: { type: 'string' },
  'studio-flow': { type: 'string' },
  'create-studio-flow': { type: 'boolean' },
  workspace: { type: 'string' },
  workflow: { type: 'string' },
  'task-channel': { type: 'string' },
  address: { type: 'string' },
  'create-address': { type: 'boolean' },
  'address-target': { type: 'string' },
  'address-name': { type: 'string' },
  'flex-flow': { type: 'string' },
  'create-flex-flow': { type: 'boolean' },
  'flex-flow-integration': { type: 'string' },
  'public-base-url': { type: 'string' },
  'allowed-origins': { type: 'string' },
  'max-chats-per-minute': { type: 'string' },
  'sync-service': { type: 'string' },
  'env-path': { type: 'string' },
  domain: { type: 'string' },
  // doctor --url: a deployed service, checked from outside (remote.ts)
  url: { type: 'string' },
  origin: { type: 'string', multiple: true },
  yes: { type: 'boolean', short: 'y' },
  force: { type: 'boolean' },
  'skip-doctor': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type OptionName = keyof typeof OPTIONS;

/** What a new Flex Flow does with each chat (--flex-flow-integration). */
export const FLEX_FLOW_INTEGRATIONS = ['task', 'studio'] as const;

/** The .env variable each option sets. */
export const OPTION_VARIABLES = {
  'account-sid': 'ACCOUNT_SID',
  'auth-token': 'AUTH_TOKEN',
  service: 'CONVERSATIONS_SERVICE_SID',
  mode: 'HANDOFF_MODE',
  'studio-flow': 'STUDIO_FLOW_SID',
  address: 'ADDRESS_SID',
  'flex-flow': 'FLEX_FLOW_SID',
  workspace: 'TASKROUTER_WORKSPACE_SID',
  workflow: 'TASKROUTER_WORKFLOW_SID',
  'task-channel': 'TASK_CHANNEL',
  'public-base-url': 'PUBLIC_BASE_URL',
  'allowed-origins': 'ALLOWED_ORIGINS',
  'max-chats-per-minute': 'MAX_CHATS_PER_MINUTE',
  'sync-service': 'SYNC_SERVICE_SID',
} as const satisfies Partial<Record<OptionName, keyof Env>>;

/** The flag that sets a variable (`--studio-flow`), if one does. */
export function flagOf(variable: string): string | undefined {
  const entry = Object.entries(OPTION_VARIABLES).find(([, v]) => v === variable);
  return entry && `--${entry[0]}`;
}

export interface SetupOptions {
  envFile: string;
  /** .env.example: the starting text of a new .env. */
  templateFile: string;
  /** Where the configuration is checked for (`localhost:3000`, as `npm start` runs it). */
  domainName: string;
  yes: boolean;
  force: boolean;
  skipDoctor: boolean;
  accountSid?: string;
  authToken?: string;
  mode?: HandoffMode;
  service?: string;
  studioFlow?: string;
  createStudioFlow: boolean;
  workspace?: string;
  workflow?: string;
  taskChannel?: string;
  address?: string;
  createAddress: boolean;
  addressTarget?: AddressRoute;
  addressName: string;
  flexFlow?: string;
  createFlexFlow: boolean;
  flexFlowIntegration?: (typeof FLEX_FLOW_INTEGRATIONS)[number];
  publicBaseUrl?: string;
  allowedOrigins?: string;
  maxChatsPerMinute?: string;
  syncService?: string;
}
