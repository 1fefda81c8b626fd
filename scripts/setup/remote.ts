/**
 * `npm run doctor -- --url https://<service>.twil.io`: checks a deployed
 * service from outside, as the websites that embed it and Twilio see it, and
 * says for each check OK, a warning, or a problem with what to do. Any
 * problem makes the exit code non-zero. Needs no credentials; the local
 * .env's API_SECRET, when there, signs /check-customer's probe.
 *
 *   /status            reachable, configured; each variable at fault
 *   widget files       webchat.js, webchat-sdk.js, webchat-solver.js as JavaScript
 *   CORS <origin>      each allowed website may read the answers
 *   other websites     one that is not allowed is refused (403, no CORS header)
 *   preflight          the browser's OPTIONS before a JSON POST is allowed
 *   /challenge, /availability, token in body, /interaction, /check-customer   (remote-endpoints.ts)
 *
 * Which websites: `--origin` flags, else the local .env's ALLOWED_ORIGINS.
 * /status does not list them, on purpose: it is public, and the list of
 * sites using a service is nobody else's business (a caller can only test
 * an origin it already knows, as this does).
 */
import type { Add, Check } from './checks';
import { printChecks } from './doctor';
import { checkOrigin, checkPreflight, checkRefusal, checkStatus } from './remote-checks';
import {
  checkAsset,
  checkAvailability,
  checkChallenge,
  checkInteraction,
  checkTokenInBody,
  WIDGET_FILES,
} from './remote-endpoints';
import { checkCustomerCheck } from './remote-check-customer';
import { createProbe, isLocalUrl, Unreachable, type Probe } from './remote-http';
import type { Terminal } from './terminal';

export interface RemoteOptions {
  /** The service's URL: its origin is what is checked. */
  url: URL;
  /** The websites to check CORS for (normalised origins). */
  origins: string[];
  /** Where `origins` came from, for the report: "--origin", ".env", or none. */
  originsFrom?: string;
  /** The local .env's API_SECRET: /check-customer must verify a customer signed with it. */
  apiSecret?: string;
  fetch?: typeof fetch;
}

export async function runRemoteDoctor(options: RemoteOptions): Promise<Check[]> {
  const checks: Check[] = [];
  // A variable at fault is named by /status and again by the function that reads it: once.
  const add: Add = (name, status, detail, fix) => {
    if (checks.some((c) => c.name === name && c.detail === detail)) return;
    checks.push({ name, status, detail, ...(fix !== undefined && { fix }) });
  };
  const { url } = options;
  const local = isLocalUrl(url);
  if (url.protocol !== 'https:' && !local) {
    add(
      'URL',
      'warn',
      `${url.origin} is not HTTPS`,
      'deployed services answer at https://…twil.io',
    );
  }
  const probe = createProbe(url.origin, options.fetch);
  try {
    await checkService(probe, url.origin, local, options, add);
  } catch (error) {
    if (!(error instanceof Unreachable)) throw error;
    add(
      'service',
      'problem',
      `no answer from ${url.origin}: ${error.message}`,
      'check the URL: npm run deploy prints it (its domain ends in .twil.io); or is the network down?',
    );
  }
  return checks;
}

async function checkService(
  probe: Probe,
  ownOrigin: string,
  local: boolean,
  options: RemoteOptions,
  add: Add,
): Promise<void> {
  const status = await probe('status', { headers: { Accept: 'application/json' } });
  if (status.status === 404) {
    add(
      '/status',
      'problem',
      `HTTP 404 at ${ownOrigin}/status: no chat service here (or not deployed yet)`,
      'use the domain npm run deploy printed (…twil.io), or deploy with npm run deploy',
    );
    return;
  }
  const state = checkStatus(status, add);
  for (const file of WIDGET_FILES) await checkAsset(probe, file, add);
  if (options.origins.length === 0) {
    add(
      'CORS',
      'warn',
      'no website to check: no --origin given, and the local .env lists none in ALLOWED_ORIGINS',
      'pass --origin https://www.example.com (once per website)',
    );
  }
  for (const origin of options.origins) await checkOrigin(probe, origin, add);
  await checkRefusal(probe, add);
  await checkPreflight(probe, options.origins[0] ?? ownOrigin, add);
  await checkChallenge(probe, ownOrigin, add);
  await checkAvailability(probe, add);
  if (state === 'configured') await checkTokenInBody(probe, ownOrigin, add);
  await checkInteraction(probe, local, add);
  await checkCustomerCheck(probe, add, options.apiSecret);
}

/** Doctor for a URL as a command: checks, the table, and the exit code (1 for a problem). */
export async function remoteDoctor(term: Terminal, options: RemoteOptions): Promise<number> {
  const from = options.originsFrom ? ` (websites from ${options.originsFrom})` : '';
  term.say(`Doctor: checking the service at ${options.url.origin}${from}\n`);
  const checks = await runRemoteDoctor(options);
  printChecks(term, checks, 'the service is ready for your websites.');
  return checks.some((c) => c.status === 'problem') ? 1 : 0;
}
