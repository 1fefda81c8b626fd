/**
 * The command line of `npm run setup`: arguments -> setup or doctor -> exit code.
 *
 *   npm run setup [-- flags]          configure .env from the Twilio account, then doctor
 *   npm run setup -- doctor [flags]   check .env against the account
 *
 * `runCli` takes its streams, environment and Twilio client factory as
 * arguments, so tests drive it in process; `main.ts` wires the real ones.
 * Exit codes: 0 fine, 1 doctor found problems or setup could not finish,
 * 2 bad arguments.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { HANDOFF_MODES, readAllowedOrigins, type HandoffMode } from '../../src/config';
import { normalizeOrigin } from '../../src/config/urls';
import { ADDRESS_ROUTES } from '../../src/modes/address';
import { problemWith } from './context';
import { doctor } from './doctor';
import { readEnvFile } from './dotenv';
import { SETUP_MODES } from './modes';
import {
  FLEX_FLOW_INTEGRATIONS,
  OPTION_VARIABLES,
  OPTIONS,
  type OptionName,
  type SetupOptions,
} from './options';
import { remoteDoctor, type RemoteOptions } from './remote';
import { runSetup } from './setup';
import { createTerminal, SetupError } from './terminal';
import type { ClientFactory } from './twilio';

const ROOT = resolve(__dirname, '..', '..');

export const USAGE = `Usage: npm run setup [-- [doctor] [options]]
       npm run doctor [-- --url https://SERVICE.twil.io [--origin URL]...]

Configures .env for this project from your Twilio account (finding, or on
request creating, what the chosen hand-off mode needs), then runs doctor.
\`doctor\` only checks .env against the account; \`doctor --url\` checks a
deployed service from outside (CORS for each website, the widget's files,
/interaction's protection), with no credentials. Every question can be
answered with an option; --yes takes every proposal (for CI).

Credentials (else ACCOUNT_SID / AUTH_TOKEN from the environment or .env;
prefer AUTH_TOKEN in the environment: a flag shows in shell history and ps):
  --account-sid AC…        --auth-token TOKEN

Hand-off (what you choose replaces .env's value; a mode's own flag chooses it):
  --mode ${HANDOFF_MODES.join('|')}
  --service IS…            Conversations service (default: the account's default)
  --studio-flow FW…        --create-studio-flow   (from scripts/setup/web-chat.flow.json)
  --workspace WS…          --workflow WW…         --task-channel NAME (default chat)
  --address IG…            --create-address       --address-target ${ADDRESS_ROUTES.join('|')}
  --address-name NAME      (default flex-custom-webchat)
  --flex-flow FO…          --create-flex-flow     --flex-flow-integration task|studio
                           (--create-* first reuse what an earlier run created)
  --public-base-url URL    where Twilio reaches this service (a tunnel, or the deployed URL)
  --allowed-origins LIST   websites that may start chats, e.g. https://www.example.com

Chat budget (a Sync service counts it; without a budget none is needed):
  --max-chats-per-minute N at most N chats a minute across the service (1 to 1200)
  --sync-service IS…       the Sync service to count it in (default: .env's, else the
                           one an earlier run created, else a new one)

Signed-in customers (docs/signed-in.md):
  --customer-tokens        generate CUSTOMER_TOKEN_SECRET (HS256; kept if .env has one,
                           unless --force), and ask for the tokens' iss and aud
  --customer-issuer ISS    --customer-audience AUD

Behaviour:
  --env-path PATH          (default: .env in the project)
  --domain HOST            check as served at HOST (default localhost:$PORT, as npm start)
  --url URL                (doctor) check the deployed service at URL instead of .env
  --origin URL             (doctor --url) a website that embeds the chat; repeat for
                           each (default: ALLOWED_ORIGINS of the local .env)
  --yes, -y                ask nothing; take every proposal
  --force                  take setup's proposals over other values .env has,
                           and create a new API key
  --skip-doctor            do not run doctor after setup
  --help, -h
`;

export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Both ends are a terminal. */
  tty: boolean;
  env: NodeJS.ProcessEnv;
  makeClient: ClientFactory;
}

class UsageError extends Error {}

function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name} must be one of: ${allowed.join(', ')}`);
}

/** An option that sets a variable, checked with the functions' own rules, so both say the same. */
function sidOption(name: keyof typeof OPTION_VARIABLES, value: string | undefined) {
  if (value === undefined) return undefined;
  const problem = problemWith(OPTION_VARIABLES[name], value);
  if (problem) throw new UsageError(`--${name} ${problem}`);
  return value;
}

/** What doctor takes: it checks .env as it is, so setup's options would silently do nothing. */
const DOCTOR_OPTIONS = new Set(['env-path', 'domain', 'help', 'url', 'origin']);

/** `doctor --url`: the service's URL and the websites given (origins from .env come later). */
export interface RemoteArgs {
  url: URL;
  origins?: string[];
}

function remoteArgs(
  command: string,
  { url, origin: origins, domain }: { url?: string; origin?: string[]; domain?: string },
): RemoteArgs | undefined {
  if (command === 'setup' && (url !== undefined || origins !== undefined)) {
    throw new UsageError('--url and --origin are options of doctor: npm run doctor -- --url URL');
  }
  if (url === undefined) {
    if (origins) throw new UsageError('--origin goes with --url (doctor --url checks a service)');
    return undefined;
  }
  if (domain !== undefined) throw new UsageError('--domain is for .env checks, not --url');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url must be a URL, e.g. https://webchat-1234-dev.twil.io`);
  }
  if (!['http:', 'https:'].includes(parsed.protocol)) {
    throw new UsageError('--url must start with https://');
  }
  const args: RemoteArgs = { url: parsed };
  if (origins) {
    args.origins = origins.map((text) => {
      const origin = normalizeOrigin(text);
      if (!origin) throw new UsageError(`--origin ${text}: write scheme://host[:port], no path`);
      return origin;
    });
  }
  return args;
}

/**
 * --mode, or the mode a mode's own flag implies (see each mode's `flags`):
 * `--create-address` alone means address mode, rather than being ignored in
 * the mode .env had.
 */
function impliedMode(
  values: Partial<Record<OptionName, unknown>>,
  mode: HandoffMode | undefined,
): HandoffMode | undefined {
  let implied: { mode: HandoffMode; flag: string } | undefined;
  for (const modeOf of HANDOFF_MODES) {
    const flag = SETUP_MODES[modeOf].flags.find((f) => values[f] !== undefined);
    if (flag === undefined) continue;
    if (mode !== undefined && mode !== modeOf) {
      throw new UsageError(`--${flag} is for --mode ${modeOf}, not --mode ${mode}`);
    }
    if (implied && implied.mode !== modeOf) {
      throw new UsageError(`--${implied.flag} and --${flag} are for different modes`);
    }
    implied = { mode: modeOf, flag };
  }
  return mode ?? implied?.mode;
}

/** The signed-in customers' options (scripts/setup/customer.ts), those given. */
function customerOptions(
  v: Partial<Record<OptionName, string | string[] | boolean>>,
): Partial<SetupOptions> {
  const text = (name: OptionName) => {
    const value = v[name];
    return typeof value === 'string' ? value : undefined;
  };
  return {
    ...(v['customer-tokens'] === true && { customerTokens: true }),
    ...(text('customer-issuer') !== undefined && { customerIssuer: text('customer-issuer') }),
    ...(text('customer-audience') !== undefined && { customerAudience: text('customer-audience') }),
  };
}

/** The command the arguments name; doctor refuses setup's options (it checks .env as it is). */
function commandOf(
  v: Partial<Record<OptionName, string | string[] | boolean>>,
  positionals: string[],
): 'setup' | 'doctor' | 'help' {
  if (positionals.length > 1 || (positionals[0] && !['setup', 'doctor'].includes(positionals[0]))) {
    throw new UsageError(`Unknown command: ${positionals.join(' ')} (use "doctor", or nothing)`);
  }
  const command = v.help ? 'help' : positionals[0] === 'doctor' ? 'doctor' : 'setup';
  if (command === 'doctor') {
    const ignored = Object.keys(v).filter((name) => !DOCTOR_OPTIONS.has(name));
    if (ignored.length > 0) {
      throw new UsageError(
        `doctor checks .env as it is, with its own credentials: ${ignored.map((n) => `--${n}`).join(', ')} ${ignored.length === 1 ? 'is an option' : 'are options'} of setup`,
      );
    }
  }
  return command;
}

export function parseCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
): { command: 'setup' | 'doctor' | 'help'; options: SetupOptions; remote?: RemoteArgs } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values: v, positionals } = parsed;
  const command = commandOf(v, positionals);
  const options: SetupOptions = {
    envFile: resolve(v['env-path'] ?? join(ROOT, '.env')),
    templateFile: join(ROOT, '.env.example'),
    domainName: v.domain ?? `localhost:${env.PORT ?? 3000}`,
    yes: v.yes ?? false,
    force: v.force ?? false,
    skipDoctor: v['skip-doctor'] ?? false,
    createStudioFlow: v['create-studio-flow'] ?? false,
    createAddress: v['create-address'] ?? false,
    createFlexFlow: v['create-flex-flow'] ?? false,
    addressName: v['address-name'] ?? 'flex-custom-webchat',
  };
  const set = <K extends keyof SetupOptions>(key: K, value: SetupOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set('accountSid', v['account-sid']);
  set('authToken', v['auth-token']);
  set('mode', impliedMode(v, oneOf<HandoffMode>('mode', v.mode, HANDOFF_MODES)));
  set('service', sidOption('service', v.service));
  set('studioFlow', sidOption('studio-flow', v['studio-flow']));
  set('workspace', sidOption('workspace', v.workspace));
  set('workflow', sidOption('workflow', v.workflow));
  set('taskChannel', v['task-channel']);
  set('address', sidOption('address', v.address));
  set('addressTarget', oneOf('address-target', v['address-target'], ADDRESS_ROUTES));
  set('flexFlow', sidOption('flex-flow', v['flex-flow']));
  set(
    'flexFlowIntegration',
    oneOf('flex-flow-integration', v['flex-flow-integration'], FLEX_FLOW_INTEGRATIONS),
  );
  set('publicBaseUrl', v['public-base-url']);
  set('allowedOrigins', v['allowed-origins']);
  set('maxChatsPerMinute', sidOption('max-chats-per-minute', v['max-chats-per-minute']));
  set('syncService', sidOption('sync-service', v['sync-service']));
  Object.assign(options, customerOptions(v));
  const remote = remoteArgs(command, v);
  return { command, options, ...(remote && { remote }) };
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const print = (stream: NodeJS.WritableStream, text: string) => stream.write(`${text}\n`);
  let parsed;
  try {
    parsed = parseCli(argv, io.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    print(io.stderr, `${error.message}\n\n${USAGE}`);
    return 2;
  }
  const { command, options, remote } = parsed;
  if (command === 'help') {
    print(io.stdout, USAGE);
    return 0;
  }
  const term = createTerminal({
    input: io.stdin,
    output: io.stdout,
    yes: options.yes,
    tty: io.tty,
  });
  try {
    if (command === 'doctor' && remote) {
      return await remoteDoctor(term, remoteOptions(remote, options.envFile));
    }
    if (command === 'doctor') {
      term.say(`Doctor: checking ${options.envFile} against your Twilio account\n`);
      const file = readEnvFile(options.envFile);
      if (!file.exists) throw new SetupError(`No ${options.envFile}: run npm run setup first.`);
      return await doctor(term, file.values, {
        makeClient: io.makeClient,
        domainName: options.domainName,
      });
    }
    return await runSetup(options, term, { makeClient: io.makeClient, env: io.env });
  } catch (error) {
    if (!(error instanceof SetupError)) throw error;
    print(io.stderr, `✘ ${error.message}`);
    return 1;
  } finally {
    term.close();
  }
}

/**
 * The websites to check: --origin, else ALLOWED_ORIGINS of the local .env
 * (when it parses); and that .env's API_SECRET, for /check-customer's probe.
 */
function remoteOptions(remote: RemoteArgs, envFile: string): RemoteOptions {
  const file = readEnvFile(envFile);
  const secret = file.exists ? file.values.API_SECRET?.trim() : undefined;
  const base = { url: remote.url, ...(secret && { apiSecret: secret }) };
  if (remote.origins) return { ...base, origins: remote.origins, originsFrom: '--origin' };
  const origins = file.exists ? readAllowedOrigins(file.values) : undefined;
  if (origins === undefined || origins === '*') return { ...base, origins: [] };
  return { ...base, origins: [...origins], originsFrom: `${envFile}'s ALLOWED_ORIGINS` };
}
