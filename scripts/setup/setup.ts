/**
 * `npm run setup`: from an Account SID and Auth Token to a working `.env`.
 *
 *   1. credentials      flags, else the environment, else .env, else asked (token hidden)
 *   2. the account      credentials work? Flex there? the default Conversations service
 *   3. the hand-off     HANDOFF_MODE, and what that mode needs: found on the account
 *                       and proposed, or created on request (Studio flow, Chat
 *                       Address, Flex Flow); see modes/
 *      chat budget      with MAX_CHATS_PER_MINUTE, the Sync service that counts it:
 *                       .env's, else an earlier run's, else a new one (sync.ts)
 *   4. an API key       created when .env has none, or one that does not work
 *                       (or with --force); see api-key.ts
 *   5. settle the plan  every value decided above against .env (see plan.ts):
 *                       what a flag, an answer or a creation decided replaces .env's;
 *                       a mere proposal that differs from .env is a conflict: with
 *                       --yes an error before anything is created, else kept
 *   6. write            the queued Twilio writes, then .env (merged: nothing it did
 *                       not decide is dropped or changed)
 *   7. doctor           checks the result against the account
 *
 * Every question can be answered by a flag; `--yes` takes every proposal.
 * Returns the exit code: 0, or 1 when doctor finds a problem.
 */
import { DEFAULTS, readAllowedOrigins, type HandoffMode } from '../../src/config';
import { decideApiKey } from './api-key';
import {
  defaultServiceSid,
  flexConfiguration,
  problemWith,
  type ModeContext,
  type SetupDeps,
  type Steps,
} from './context';
import { doctor } from './doctor';
import { mergeEnv, readEnvFile, writeEnvFile } from './dotenv';
import { MODE_CHOICES, modeNamed, SETUP_MODES } from './modes';
import type { SetupOptions } from './options';
import { asked, Plan, reportMerge, settle, updatesOf, valueOf, type Source } from './plan';
import { decideCustomerTokens } from './customer';
import { decideSyncService } from './sync';
import { askText, choose, SetupError, type Terminal } from './terminal';
import { fetchIfExists, step, type Client } from './twilio';

export async function runSetup(
  opts: SetupOptions,
  term: Terminal,
  deps: SetupDeps,
): Promise<number> {
  const file = readEnvFile(opts.envFile, opts.templateFile);
  term.say(
    file.exists
      ? `Updating ${opts.envFile} (what you choose replaces its values; proposals never do, unless --force).`
      : `No ${opts.envFile} yet: starting one from .env.example.`,
  );

  const plan = new Plan();
  const steps: Steps = { opts, term, file, plan };
  const { accountSid, authToken } = await credentials(steps, deps.env);
  const client = deps.makeClient({ accountSid, username: accountSid, password: authToken });
  const account = await inspectAccount(client, term);
  const serviceSid = await chooseService({ ...steps, client, account });
  const mode = await chooseMode(steps);
  const ctx: ModeContext = { ...steps, client, account, serviceSid };
  await SETUP_MODES[mode].setup(ctx);
  await allowedOrigins(steps);
  await decideCustomerTokens(steps);
  await decideSyncService(ctx, mode === 'address' && file.values.CHALLENGE !== 'off');
  await decideApiKey(ctx, deps, accountSid);

  settle(plan, file, opts.force, term);
  await plan.runWrites(term);
  await writeEnv(steps);

  if (opts.skipDoctor) return 0;
  term.say('\nDoctor: checking .env against your Twilio account\n');
  const env = readEnvFile(opts.envFile).values;
  return doctor(term, env, { makeClient: deps.makeClient, domainName: opts.domainName });
}

/* --- 6. write (5, settle: plan.ts) ----------------------------------------- */

async function writeEnv({ opts, term, file, plan }: Steps) {
  const merged = mergeEnv(file, updatesOf(plan, opts.force));
  try {
    await writeEnvFile(file, merged.text);
  } catch (error) {
    const key = plan.decisions.get('API_KEY');
    if (key?.source === 'created') {
      term.say(
        `! API key ${valueOf(key.value)} was created but cannot be saved: delete it (Console > API keys).`,
      );
    }
    throw new SetupError(`Could not write ${opts.envFile}: ${String(error)}`);
  }
  reportMerge(term, opts.envFile, merged, plan);
}

/* --- 1. credentials ----------------------------------------------------- */

async function credentials({ opts, term, file, plan }: Steps, env: NodeJS.ProcessEnv) {
  // The environment is as deliberate as a flag (and safer for the token).
  const from = (flag: string | undefined, name: 'ACCOUNT_SID' | 'AUTH_TOKEN') => {
    const given = flag ?? (env[name]?.trim() || undefined);
    if (given !== undefined) return { value: given, source: 'flag' as Source };
    const inFile = file.values[name] || undefined;
    return inFile === undefined ? undefined : { value: inFile, source: 'found' as Source };
  };
  const check = (value: string) => {
    const problem = problemWith('ACCOUNT_SID', value);
    return problem && `ACCOUNT_SID ${problem}`;
  };
  let token = from(opts.authToken, 'AUTH_TOKEN');
  // Whatever is typed from now on waits for the hidden question, unechoed.
  if (token === undefined && term.interactive) term.holdInput();
  // Asked only when nothing gives it, or what is given breaks the config rules.
  let sid = from(opts.accountSid, 'ACCOUNT_SID');
  if (sid === undefined || check(sid.value)) {
    const value = await askText(term, 'Account SID (Console > Account info)', {
      flag: '--account-sid (or ACCOUNT_SID in the environment or .env)',
      ...(sid !== undefined && { proposed: sid.value }),
      check,
    });
    sid = { value, source: asked(term) };
  }
  if (token === undefined) {
    if (!term.interactive)
      throw new SetupError(
        'Auth Token: set AUTH_TOKEN in the environment (or .env), or pass --auth-token.',
      );
    const value = await term.ask('Auth Token (not shown as you type): ', { hidden: true });
    if (value === '') throw new SetupError('An Auth Token is needed.');
    token = { value, source: 'answer' };
  }
  plan.decide('ACCOUNT_SID', sid.value, sid.source);
  plan.decide('AUTH_TOKEN', token.value, token.source);
  return { accountSid: sid.value, authToken: token.value };
}

/* --- 2. the account ----------------------------------------------------- */

async function inspectAccount(client: Client, term: Terminal): Promise<ModeContext['account']> {
  const defaultService = await step('reach Twilio', () => defaultServiceSid(client));
  term.say('✔ Credentials work');
  const flex = await step("read Flex's configuration", () => flexConfiguration(client));
  if (!flex) {
    throw new SetupError(
      'This account has no Flex (flex-api /v1/Configuration answered 404). Use the credentials of the ' +
        'account or subaccount where Flex runs, or create Flex first (Console > Flex).',
    );
  }
  term.say('✔ Flex is set up on this account');
  if (flex.chatServiceSid && defaultService && flex.chatServiceSid !== defaultService) {
    term.say(
      `! The default Conversations service (${defaultService}) is not Flex's chat service (${flex.chatServiceSid}). ` +
        'Flex Conversations needs them to be the same: Console > Conversations > Manage > Defaults.',
    );
  }
  return { defaultService, flex };
}

/**
 * The Conversations service: --service, else .env's (if it exists), else the
 * account's default. One that does not exist is named with the flag to use.
 */
async function chooseService(ctx: Omit<ModeContext, 'serviceSid'>): Promise<string> {
  const { opts, term, client, file, account, plan } = ctx;
  const fallback = account.defaultService ?? account.flex.chatServiceSid;
  // A service that does not exist is undefined here, so it can be named with its flag.
  const nameOf = (sid: string) =>
    step('read the Conversations service', async () => {
      const service = await fetchIfExists(() => client.conversations.v1.services(sid).fetch());
      return service?.friendlyName;
    });
  let sid = opts.service;
  let source: Source = 'flag';
  let name = sid && (await nameOf(sid));
  if (sid && name === undefined) {
    throw new SetupError(
      `Conversations service ${sid} (--service) does not exist on this account. ` +
        (fallback
          ? `Leave --service out to use the account's default (${fallback}), or pass another IS… SID.`
          : 'Pass the IS… SID of the Flex Conversations service (Console > Conversations > Manage > Services).'),
    );
  }
  const inFile = file.values.CONVERSATIONS_SERVICE_SID || undefined;
  if (!sid && inFile) {
    name = await nameOf(inFile);
    if (name !== undefined) [sid, source] = [inFile, 'found'];
    else {
      plan.broken.set('CONVERSATIONS_SERVICE_SID', 'it does not exist on this account');
      term.say(
        `! CONVERSATIONS_SERVICE_SID ${inFile} in .env does not exist on this account: using the default service instead.`,
      );
    }
  }
  if (!sid) {
    if (!fallback) {
      throw new SetupError(
        'This account has no default Conversations service: pass --service IS… (Console > Conversations > Manage > Services).',
      );
    }
    [sid, source] = [fallback, 'found'];
    name = await nameOf(fallback);
  }
  const isDefault = sid === account.defaultService;
  term.say(`✔ Conversations service: ${sid} "${name}"${isDefault ? ' (the default)' : ''}`);
  if (!isDefault) {
    term.say(
      `! It is not the account's default service (${account.defaultService ?? 'none'}); Flex uses the default.`,
    );
  }
  plan.decide('CONVERSATIONS_SERVICE_SID', sid, source);
  return sid;
}

/* --- 3. the hand-off mode (what each needs: modes/) -------------------- */

async function chooseMode({ opts, term, file, plan }: Steps): Promise<HandoffMode> {
  if (opts.mode) {
    plan.decide('HANDOFF_MODE', opts.mode, 'flag');
    return opts.mode;
  }
  const current = modeNamed(file.values.HANDOFF_MODE);
  if (!current) plan.broken.set('HANDOFF_MODE', 'it is no mode');
  const mode = await choose(term, 'How should chats reach Flex?', MODE_CHOICES, {
    flag: '--mode',
    proposed: current ?? DEFAULTS.handoffMode,
  });
  plan.decide('HANDOFF_MODE', mode, asked(term));
  return mode;
}

/* --- ALLOWED_ORIGINS ----------------------------------------------------- */

async function allowedOrigins({ opts, term, file, plan }: Steps): Promise<void> {
  const check = (value: string) =>
    value !== '' && readAllowedOrigins({ ALLOWED_ORIGINS: value }) === undefined
      ? 'ALLOWED_ORIGINS must be origins such as https://www.example.com, comma-separated, or *'
      : undefined;
  const known = opts.allowedOrigins ?? (file.values.ALLOWED_ORIGINS || undefined);
  if (known !== undefined && !check(known)) {
    if (known !== '') plan.decide('ALLOWED_ORIGINS', known, opts.allowedOrigins ? 'flag' : 'found');
    return;
  }
  const value = await askText(
    term,
    'Websites that may start chats (comma-separated origins; empty for none yet)',
    { flag: '--allowed-origins', proposed: known ?? '', check },
  );
  if (value !== '') plan.decide('ALLOWED_ORIGINS', value, asked(term));
}
