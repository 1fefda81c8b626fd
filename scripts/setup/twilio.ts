/**
 * The Twilio side of the setup CLI: its one client type, how it gets a
 * client, whether a resource exists, and what it tells the user when a
 * request fails. The messages say what to do, and never contain a secret
 * (Twilio's error messages quote no credentials).
 *
 *   401 / 20003   the credentials are wrong
 *   403           these credentials may not do this (another account's, a subaccount's...)
 *   404           the thing does not exist on this account: `fetchIfExists` gives
 *                 undefined, and the caller says what that means
 *   no status     Twilio could not be reached
 */
import twilio from 'twilio';
import { SetupError } from './terminal';

/** The Twilio client setup and doctor use: the real library's (or one redirected to a fake). */
export type Client = twilio.Twilio;

export interface Credentials {
  accountSid: string;
  /** Basic-auth user and password: the account SID and Auth Token, or an API key and secret. */
  username: string;
  password: string;
}

export type ClientFactory = (credentials: Credentials) => Client;

/** The real library, talking to Twilio. */
export const twilioClient: ClientFactory = ({ accountSid, username, password }) =>
  twilio(username, password, { accountSid, timeout: 15_000 });

interface Failure {
  status?: unknown;
  code?: unknown;
  message?: unknown;
}

export function statusOf(error: unknown): number | undefined {
  const status = (error as Failure | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * What `call` fetches; undefined when Twilio says it does not exist (404).
 * Every other failure is thrown as it is.
 */
export async function fetchIfExists<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

export const CREDENTIALS_REJECTED =
  'Twilio rejected ACCOUNT_SID / AUTH_TOKEN (error 20003). Copy both from Console > Account info ' +
  '(https://console.twilio.com/), and use the Auth Token of the account that owns Flex.';

/** One sentence on what went wrong, for a step described as "read the Studio flows". */
export function explain(error: unknown, step: string): string {
  const status = statusOf(error);
  const failure = (error ?? {}) as Failure;
  const code = typeof failure.code === 'number' ? ` ${failure.code}` : '';
  const message = typeof failure.message === 'string' ? failure.message : String(error);
  if (status === 401) return CREDENTIALS_REJECTED;
  if (status === 403) {
    return (
      `Could not ${step}: these credentials lack permission (HTTP 403, error${code}). ` +
      'Use the Account SID and Auth Token of the account where Flex runs (Console > Account info).'
    );
  }
  if (status === undefined) return `Could not ${step}: Twilio could not be reached (${message}).`;
  return `Could not ${step}: HTTP ${status}, error${code}: ${message}`;
}

/** Runs one Twilio step of setup, turning its failure into a message that says what to do. */
export async function step<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof SetupError) throw error;
    throw new SetupError(explain(error, what));
  }
}
