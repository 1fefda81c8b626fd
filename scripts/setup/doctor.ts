/**
 * `npm run setup -- doctor`: checks a configuration (the values of .env)
 * against the Twilio account, and says for each check OK, a warning, or a
 * problem with how to fix it. Any problem makes the exit code non-zero.
 *
 *   configuration        every variable parses (src/config, the functions' own rules)
 *   credentials          ACCOUNT_SID / AUTH_TOKEN work (20003 otherwise; later checks then stop)
 *   Flex                 the account has Flex (flex-api /v1/Configuration), and its chat
 *                        service is the default Conversations service
 *   CONVERSATIONS_SERVICE_SID  exists, and is the account's default service
 *   Conversations roles  customers' default roles cannot edit conversation
 *                        attributes (a problem with customer tokens on: trust.ts)
 *   API_KEY              exists on the account, and API_SECRET is its secret (api-key.ts)
 *   by HANDOFF_MODE      what the mode's module checks (modes/: the Studio flow, the
 *                        routing, the Chat Address and ADDRESS_ROUTES_TO, the Flex Flow)
 *   ALLOWED_ORIGINS      parses; `*` is a warning
 *   MAX_CHATS_PER_MINUTE a warning when unset (sync.ts)
 *   SYNC_SERVICE_SID     the Sync service exists (SYNC_SERVICE_SID's, else with a
 *                        budget the account's default one)
 *   CHALLENGE            on (with its difficulty); off is a warning (challenge.ts)
 *   CAPTCHA              when on: the provider accepts CAPTCHA_SECRET with the site key,
 *                        and which origins a site's CSP must allow (captcha.ts)
 *   OPENING_HOURS, AVAILABILITY_QUEUE_SID  when set: the hours now, and the
 *                        TaskQueue's statistics answer (hours.ts)
 *   CUSTOMER_*           when customer tokens are on: how they are verified, and
 *                        that CUSTOMER_JWKS_URL answers with usable keys (customer.ts);
 *                        and, from the mode's check, whether the Studio flow chats go to
 *                        gives its task `customer` only through /check-customer (trust.ts)
 *
 * SIDs appear in the output; secrets never do.
 */
import { readAllowedOrigins, type Env } from '../../src/config';
import { EnvReader } from '../../src/config/reader';
import { readPublicBaseUrl } from '../../src/config/urls';
import { interactionUrlOf } from '../../src/modes/route';
import { checkApiKey } from './api-key';
import { checkCaptcha } from './captcha';
import { checkChallenge } from './challenge';
import { checkCustomerTokens } from './customer';
import { checkHours } from './hours';
import {
  addProblems,
  fetchChecked,
  problemsOf,
  SETUP,
  type Add,
  type Check,
  type Status,
} from './checks';
import {
  configProblems,
  defaultServiceSid,
  flexConfiguration,
  type FlexConfiguration,
} from './context';
import { modeNamed, SETUP_MODES } from './modes';
import { checkRoles, customerTokensAreOn } from './trust';
import { checkCustomerUrlOf } from './flow-definition';
import { checkBudget } from './sync';
import type { Terminal } from './terminal';
import { explain, type Client, type ClientFactory } from './twilio';

export interface DoctorOptions {
  makeClient: ClientFactory;
  /** The domain the configuration is checked for (`localhost:3000` as `npm start` runs it). */
  domainName: string;
}

export async function runDoctor(env: Env, options: DoctorOptions): Promise<Check[]> {
  const checks: Check[] = [];
  const add: Add = (name, status, detail, fix) =>
    checks.push({ name, status, detail, ...(fix !== undefined && { fix }) });

  const refused = parseConfiguration(env, options.domainName, add);
  const value = (name: keyof Env) =>
    refused.has(name) ? undefined : env[name]?.trim() || undefined;

  const accountSid = value('ACCOUNT_SID');
  const authToken = value('AUTH_TOKEN');
  if (!accountSid || !authToken) {
    add('Twilio checks', 'problem', 'skipped: ACCOUNT_SID and AUTH_TOKEN are needed first');
    return checks;
  }
  const client = options.makeClient({ accountSid, username: accountSid, password: authToken });

  let defaultService: string | null;
  try {
    defaultService = await defaultServiceSid(client);
    add('credentials', 'ok', 'ACCOUNT_SID and AUTH_TOKEN work');
  } catch (error) {
    add('credentials', 'problem', explain(error, 'reach Twilio'));
    return checks;
  }

  const modeName = modeNamed(env.HANDOFF_MODE);
  const mode = modeName && SETUP_MODES[modeName];
  const flex = await checkFlex(client, add);
  checkFlexChatService(flex, defaultService, mode?.otherChatService ?? 'problem', add);
  const serviceSid = value('CONVERSATIONS_SERVICE_SID');
  if (serviceSid && (await checkService(client, serviceSid, defaultService, add))) {
    await checkRoles(client, serviceSid, env, add);
  }
  const apiKey = value('API_KEY');
  const apiSecret = value('API_SECRET');
  if (apiKey && apiSecret) {
    await checkApiKey(client, options.makeClient, { accountSid, apiKey, apiSecret }, add);
  }
  const refine = (name: string, fix: string) => {
    const row = checks.find((c) => c.name === name && c.status === 'problem');
    if (row) row.fix = fix;
  };
  await mode?.check({
    client,
    value,
    refused: (name) => refused.has(name),
    interactionUrl: interactionUrl(env, options.domainName),
    checkCustomerUrl: checkCustomerUrl(env, options.domainName),
    customerTokens: customerTokensAreOn(env),
    add,
    refine,
  });
  checkOrigins(env, options.domainName, add);
  checkChallenge(env, add);
  await checkCaptcha(env, add);
  await checkHours(env, client, add, Date.now());
  await checkCustomerTokens(env, add);
  // Address mode claims each challenge in Sync: it needs the service (src/guard/index.ts).
  const claims = env.HANDOFF_MODE === 'address' && env.CHALLENGE !== 'off';
  await checkBudget(client, value, (name) => refused.has(name), add, claims);
  return checks;
}

/** The functions' own parser: one row per problem, or one OK row; the variables it refuses. */
function parseConfiguration(env: Env, domainName: string, add: Add): Set<string> {
  const problems = configProblems(env, domainName);
  for (const { field, problem } of problems) {
    add(field, 'problem', `${field} ${problem}`, `see .env.example, or ${SETUP}`);
  }
  if (problems.length === 0) {
    add(
      'configuration',
      'ok',
      `every variable parses (HANDOFF_MODE=${modeNamed(env.HANDOFF_MODE)})`,
    );
  }
  return new Set(problems.map((p) => p.field));
}

/** This service's /interaction URL, as the functions build it; undefined when they cannot. */
function interactionUrl(env: Env, domainName: string): string | undefined {
  const read = new EnvReader(env);
  const base = readPublicBaseUrl(read, 'PUBLIC_BASE_URL', domainName);
  return read.ok ? interactionUrlOf(base) : undefined;
}

/** This service's /check-customer URL, on the same base; undefined when it cannot be told. */
function checkCustomerUrl(env: Env, domainName: string): string | undefined {
  const read = new EnvReader(env);
  const base = readPublicBaseUrl(read, 'PUBLIC_BASE_URL', domainName);
  return read.ok ? checkCustomerUrlOf(base) : undefined;
}

async function checkFlex(client: Client, add: Add): Promise<FlexConfiguration | undefined> {
  try {
    const flex = await flexConfiguration(client);
    const problems = problemsOf([
      !flex,
      'this account has no Flex (flex-api /v1/Configuration: 404)',
      'use the credentials of the account (or subaccount) where Flex runs, or create Flex in Console > Flex',
    ]);
    addProblems(add, 'Flex', problems, 'the account has Flex');
    return flex;
  } catch (error) {
    add('Flex', 'problem', explain(error, "read Flex's configuration"));
    return undefined;
  }
}

/**
 * Flex's chat service (its configuration's `chat_service_instance_sid`)
 * must be the account's default Conversations service: Flex Conversations
 * works in the default one (Chat Addresses create conversations there, Send
 * to Flex and Interactions hand them to agents from there). A legacy Flex
 * Flow names its own chat service, so there it is only a warning.
 */
function checkFlexChatService(
  flex: FlexConfiguration | undefined,
  defaultService: string | null,
  status: Exclude<Status, 'ok'>,
  add: Add,
): void {
  const flexChat = flex?.chatServiceSid;
  if (!flexChat) return;
  const name = 'Flex chat service';
  if (flexChat === defaultService) {
    add(name, 'ok', `Flex's chat service ${flexChat} is the default Conversations service`);
    return;
  }
  add(
    name,
    status,
    `Flex's chat service (${flexChat}) is not the account's default Conversations service (${defaultService ?? 'none'}): Flex Conversations needs them to be the same`,
    `in Console > Conversations > Manage > Defaults, set the default Conversations service to ${flexChat}`,
  );
}

/** Whether the service exists (then its roles can be checked). */
async function checkService(
  client: Client,
  sid: string,
  defaultService: string | null,
  add: Add,
): Promise<boolean> {
  const name = 'CONVERSATIONS_SERVICE_SID';
  const service = await fetchChecked(
    add,
    name,
    'read the Conversations service',
    [
      `${sid} does not exist on this account`,
      `${SETUP}: it replaces it with the account's default service (or pass --service IS…)`,
    ],
    () => client.conversations.v1.services(sid).fetch(),
  );
  if (!service) return false;
  const problems = problemsOf([
    defaultService !== sid,
    `${sid} is not the account's default Conversations service (${defaultService ?? 'none'})`,
    `Flex uses the default service: set CONVERSATIONS_SERVICE_SID=${defaultService ?? '…'}, or make ${sid} the default in Console > Conversations > Defaults`,
  ]);
  addProblems(add, name, problems, `${sid} exists and is the default Conversations service`);
  return true;
}

function checkOrigins(env: Env, domainName: string, add: Add): void {
  const origins = readAllowedOrigins(env, { domainName });
  if (origins === undefined) return; // already a configuration problem
  if (origins === '*') {
    add(
      'ALLOWED_ORIGINS',
      'warn',
      'any website may start chats (*)',
      'list your sites, e.g. https://www.example.com',
    );
  } else {
    add(
      'ALLOWED_ORIGINS',
      'ok',
      `${origins.length} origin${origins.length === 1 ? '' : 's'}: ${origins.join(', ')}`,
    );
  }
}

const LABEL: Record<Status, string> = { ok: '✔ OK', warn: '! WARN', problem: '✘ PROBLEM' };

/** The table: status, check, result, and how to fix on the line below; `ready` ends a clean run. */
export function printChecks(
  term: Terminal,
  checks: Check[],
  ready = 'npm start is ready to start chats.',
): void {
  const width = Math.max(5, ...checks.map((c) => c.name.length));
  term.say(`${'STATUS'.padEnd(10)} ${'CHECK'.padEnd(width)}  RESULT`);
  for (const check of checks) {
    term.say(`${LABEL[check.status].padEnd(10)} ${check.name.padEnd(width)}  ${check.detail}`);
    if (check.fix && check.status !== 'ok') {
      term.say(`${' '.repeat(11 + width)}  how to fix: ${check.fix}`);
    }
  }
  const problems = checks.filter((c) => c.status === 'problem').length;
  const warnings = checks.filter((c) => c.status === 'warn').length;
  term.say();
  term.say(
    problems === 0
      ? `No problems${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}: ${ready}`
      : `${problems} problem${problems === 1 ? '' : 's'} to fix.`,
  );
}

/** Doctor as a command: checks, prints the table, and gives the exit code (1 for a problem). */
export async function doctor(term: Terminal, env: Env, options: DoctorOptions): Promise<number> {
  const checks = await runDoctor(env, options);
  printChecks(term, checks);
  return checks.some((c) => c.status === 'problem') ? 1 : 0;
}
