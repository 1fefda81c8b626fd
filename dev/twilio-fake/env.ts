/**
 * A complete, valid test configuration. Every value is fake; the SIDs have the
 * right shape so the config module and Twilio's API spec both accept them.
 */
export const TEST_ENV = {
  ACCOUNT_SID: 'AC' + '1'.repeat(32),
  AUTH_TOKEN: 'f'.repeat(32),
  API_KEY: 'SK' + '2'.repeat(32),
  API_SECRET: 'test-api-secret-0123456789abcdef',
  CONVERSATIONS_SERVICE_SID: 'IS' + '3'.repeat(32),
  HANDOFF_MODE: 'studio',
  STUDIO_FLOW_SID: 'FW' + '4'.repeat(32),
  ALLOWED_ORIGINS: 'https://www.example.com,https://shop.example.com',
  // The lowest difficulty: a solve is about a thousand hashes, so tests stay fast.
  CHALLENGE_MAX_NUMBER: '1000',
} as const;

export type TestEnv = Record<string, string | undefined>;

/** The origin of the website embedding the chat in tests. */
export const SITE_ORIGIN = 'https://www.example.com';

/** What `context.DOMAIN_NAME` is for a deployed service in tests. */
export const SERVICE_DOMAIN = 'webchat-1234-dev.twil.io';

/** What an empty environment lacks, in the order the config module names it (studio mode). */
export const REQUIRED_WHEN_EMPTY = [
  'ACCOUNT_SID',
  'AUTH_TOKEN',
  'API_KEY',
  'API_SECRET',
  'CONVERSATIONS_SERVICE_SID',
  'STUDIO_FLOW_SID',
];
