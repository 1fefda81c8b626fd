/**
 * `npm run setup`: from an Account SID and Auth Token to a working `.env`.
 *
 *   1. credentials      flags, else the environment, else .env, else asked (token hidden)
 *   2. the account      credentials work? Flex there? the default Conversations service
 *   3. the hand-off     HANDOFF_MODE, and what that mode needs: found on the account
 *                       and proposed, or created on request (Studio flow, Chat
 *                       Address, Flex Flow); see modes.ts
 *   4. an API key       created when .env has none, or one that does not work
 *                       (or with --force); its secret is shown once on a terminal
 *                       and written to .env, never anywhere else
 *   5. settle the plan  every value decided above against .env (see context.ts):
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
import { readAllowedOrigins, type HandoffMode } from '../../src/config';
import {
  asked,
  Plan,
  problemWith,
  step,
  type AccountFacts,
  type Client,
  type Decision,
  type ModeContext,
  type SetupDeps,
  type SetupOptions,
  type Source,
} from './context';
import { createApiKey } from './create';
import { apiKeyStatus, defaultServiceSid, flexConfiguration, serviceName } from './discover';
import { mergeEnv, readEnvFile, writeEnvFile, type EnvFile, type EnvUpdate } from './dotenv';
import { printChecks, runDoctor } from './doctor';
import { MODES } from './modes';
import { askText, choose, confirm, SetupError, type Choice, type Terminal } from './terminal';
import { statusOf } from './twilio';

export type { SetupOptions } from './context';

/** Values never printed, not even as what they were. */
const SECRETS = new Set(['AUTH_TOKEN', 'API_SECRET']);

/** The flag that chooses each variable, for messages about conflicts. */
const FLAG_OF: Record<string, string> = {
  ACCOUNT_SID: '--account-sid',
  AUTH_TOKEN: '--auth-token',
  CONVERSATIONS_SERVICE_SID: '--service',
  HANDOFF_MODE: '--mode',
  STUDIO_FLOW_SID: '--studio-flow',
  ADDRESS_SID: '--address',
  FLEX_FLOW_SID: '--flex-flow',
  TASKROUTER_WORKSPACE_SID: '--workspace',
  TASKROUTER_WORKFLOW_SID: '--workflow',
  TASK_CHANNEL: '--task-channel',
  PUBLIC_BASE_URL: '--public-base-url',
  ALLOWED_ORIGINS: '--allowed-origins',
};

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
  const { accountSid, authToken } = await credentials(opts, term, deps.env, file, plan);
  const client = deps.makeClient({ accountSid, username: accountSid, password: authToken });
  const account = await inspectAccount(client, term);
  const serviceSid = await chooseService(opts, term, client, file, account, plan);
  const mode = await chooseMode(opts, term, file, plan);
  const ctx: ModeContext = { opts, term, client, file, account, serviceSid, plan };
  await MODES[mode](ctx);
  await allowedOrigins(opts, term, file, plan);
  // Queued last: the new key's secret exists nowhere else until .env is written.
  await apiKey(ctx, deps, accountSid);

  settleConflicts(plan, file, opts, term);
  await runWrites(plan, term);
  const merged = mergeEnv(file, updatesOf(plan, opts.force));
  try {
    await writeEnvFile(file, merged.text);
  } catch (error) {
    const key = plan.decisions.get('API_KEY');
    if (key?.source === 'created') {
      term.say(
        `! API key ${valueOf(key)} was created but cannot be saved: delete it (Console > API keys).`,
      );
    }
    throw new SetupError(`Could not write ${opts.envFile}: ${String(error)}`);
  }
  reportMerge(term, opts.envFile, merged, plan);

  if (opts.skipDoctor) return 0;
  term.say('\nDoctor: checking .env against your Twilio account\n');
  const env = readEnvFile(opts.envFile).values;
  const checks = await runDoctor(env, { makeClient: deps.makeClient, domainName: opts.domainName });
  printChecks(term, checks);
  return checks.some((c) => c.status === 'problem') ? 1 : 0;
}

/* --- 1. credentials ----------------------------------------------------- */

async function credentials(
  opts: SetupOptions,
  term: Terminal,
  env: NodeJS.ProcessEnv,
  file: EnvFile,
  plan: Plan,
): Promise<{ accountSid: string; authToken: string }> {
  // The environment is as deliberate as a flag (and safer for the token).
  const from = (flag: string | undefined, name: 'ACCOUNT_SID' | 'AUTH_TOKEN') => {
    const given = flag ?? (env[name]?.trim() || undefined);
    if (given !== undefined) return { value: given, source: 'flag' as Source };
    const inFile = file.values[name] || undefined;
    return inFile === undefined ? undefined : { value: inFile, source: 'found' as Source };
  };
  const check = (value: string) => {
    const problem = problemWith('ACCOUNT_SID', { ACCOUNT_SID: value }, 'localhost');
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

async function inspectAccount(client: Client, term: Terminal): Promise<AccountFacts> {
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
async function chooseService(
  opts: SetupOptions,
  term: Terminal,
  client: Client,
  file: EnvFile,
  account: AccountFacts,
  plan: Plan,
): Promise<string> {
  const fallback = account.defaultService ?? account.flex.chatServiceSid;
  // A service that does not exist is undefined here, so it can be named with its flag.
  const nameOf = (sid: string) =>
    step('read the Conversations service', async () => {
      try {
        return await serviceName(client, sid);
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
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
    name = await step('read the Conversations service', () => serviceName(client, fallback));
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

/* --- 3. the hand-off mode (what each needs: modes.ts) ------------------- */

const MODE_CHOICES: Choice<HandoffMode>[] = [
  {
    value: 'studio',
    label: 'studio     this service creates the chat; your Studio flow sends it to Flex (default)',
  },
  {
    value: 'webhook',
    label: 'webhook    this service creates the chat and the Flex task itself (/interaction)',
  },
  {
    value: 'address',
    label: 'address    Flex creates the chat for a Chat Address, in one request',
  },
  {
    value: 'flex-flow',
    label: 'flex-flow  legacy Flex UI 1.x Flex Flow (end of life since 2026-06-01)',
  },
];

async function chooseMode(
  opts: SetupOptions,
  term: Terminal,
  file: EnvFile,
  plan: Plan,
): Promise<HandoffMode> {
  if (opts.mode) {
    plan.decide('HANDOFF_MODE', opts.mode, 'flag');
    return opts.mode;
  }
  const current = MODE_CHOICES.find((c) => c.value === file.values.HANDOFF_MODE)?.value;
  if (file.values.HANDOFF_MODE && !current) plan.broken.set('HANDOFF_MODE', 'it is no mode');
  const mode = await choose(term, 'How should chats reach Flex?', MODE_CHOICES, {
    flag: '--mode',
    proposed: current ?? 'studio',
  });
  plan.decide('HANDOFF_MODE', mode, asked(term));
  return mode;
}

/* --- ALLOWED_ORIGINS ----------------------------------------------------- */

async function allowedOrigins(
  opts: SetupOptions,
  term: Terminal,
  file: EnvFile,
  plan: Plan,
): Promise<void> {
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

/* --- 4. the API key ------------------------------------------------------ */

/**
 * A key that works is kept (unless --force). One that does not exist, or
 * whose secret Twilio refuses, is replaced: a secret is shown only once, so
 * a new key is the only way out, and doctor's hints lead here.
 */
async function apiKey(ctx: ModeContext, deps: SetupDeps, accountSid: string): Promise<void> {
  const { term, client, file, opts, plan } = ctx;
  const { API_KEY: key, API_SECRET: secret } = file.values;
  if (key && secret && !opts.force) {
    const status = await step('check the API key', () =>
      apiKeyStatus(client, deps.makeClient, { accountSid, apiKey: key, apiSecret: secret }),
    );
    if (status === 'works') {
      term.say(`✔ API key: keeping ${key} from .env (it works)`);
      return;
    }
    const why =
      status === 'missing'
        ? 'it does not exist on this account'
        : "Twilio refuses API_SECRET as this key's secret";
    term.say(`! API_KEY ${key} in .env cannot sign tokens (${why}): a new key replaces it.`);
    plan.broken.set('API_KEY', why);
    plan.broken.set('API_SECRET', why);
  } else if (key && !opts.force) {
    term.say(
      `! API_KEY ${key} has no API_SECRET, and a secret is shown only once: pass --force to create a new key.`,
    );
    return;
  }
  if (
    !(await confirm(term, "Create an API key to sign customers' tokens?", {
      flag: '--yes',
      proposed: true,
    }))
  ) {
    term.say('! No API key: set API_KEY and API_SECRET in .env yourself.');
    return;
  }
  // Created in this run, so written: .env's key is absent, broken, or --force said so.
  const created = { sid: '', secret: '' };
  plan.decide('API_KEY', () => created.sid, 'created');
  plan.decide('API_SECRET', () => created.secret, 'created');
  plan.queue(async () => {
    Object.assign(created, await step('create the API key', () => createApiKey(client)));
    term.say(`✔ Created API key ${created.sid}; its secret goes to .env`);
    if (term.tty) {
      term.say(`  Its secret, shown this once (keep it safe; it is in .env): ${created.secret}`);
    }
  });
}

/* --- 5. settle: what replaces what .env has ------------------------------ */

interface Conflict {
  key: string;
  decision: Decision;
  was: string;
}

/**
 * `found` decisions that would replace a different, working value in .env.
 * Decisions still to be created count: whatever they create differs.
 */
function conflictsOf(plan: Plan, file: EnvFile, force: boolean): Conflict[] {
  if (!file.exists || force) return [];
  const conflicts: Conflict[] = [];
  for (const [key, decision] of plan.decisions) {
    const was = file.values[key] ?? '';
    if (decision.source !== 'found' || was === '' || plan.broken.has(key)) continue;
    if (typeof decision.value === 'function' || decision.value !== was) {
      conflicts.push({ key, decision, was });
    }
  }
  return conflicts;
}

function describeConflict({ key, decision, was }: Conflict): string {
  const shown = (value: string) => (SECRETS.has(key) ? 'another value' : value);
  const wanted =
    typeof decision.value === 'function'
      ? 'a new one'
      : decision.value === ''
        ? 'empty'
        : shown(decision.value);
  return `${key}: .env has ${shown(was)}; setup would make it ${wanted}${decision.why ? ` (${decision.why})` : ''}`;
}

/**
 * With --yes nobody can be asked: any conflict stops the run before any
 * Twilio write. Asked questions decide explicitly, so interactively a
 * conflict can only come from a value nobody was asked about: it is kept
 * (and listed), unless keeping it would orphan what this run creates.
 */
function settleConflicts(plan: Plan, file: EnvFile, opts: SetupOptions, term: Terminal): void {
  const conflicts = conflictsOf(plan, file, opts.force);
  const blocking = term.interactive
    ? conflicts.filter((c) => typeof c.decision.value === 'function')
    : conflicts;
  if (blocking.length === 0) return;
  const flags = [...new Set(blocking.map((c) => FLAG_OF[c.key]).filter(Boolean))];
  throw new SetupError(
    `.env already has other values than setup proposes${term.interactive ? '' : ', and --yes cannot ask'} (nothing was created or written):\n` +
      blocking.map((c) => `  - ${describeConflict(c)}`).join('\n') +
      `\nPass --force to take setup's proposals${flags.length ? `, or choose with ${flags.join(', ')}` : ''}.`,
  );
}

/* --- 6. write ------------------------------------------------------------ */

async function runWrites(plan: Plan, term: Terminal): Promise<void> {
  try {
    for (const write of plan.writes) await write.run();
  } catch (error) {
    // What was already created stays on the account: say how to reuse it.
    for (const { what, reuse } of plan.created) {
      term.say(`! Created before this failure: ${what} (next time: ${reuse})`);
    }
    throw error;
  }
}

function valueOf(decision: Decision): string {
  return typeof decision.value === 'function' ? decision.value() : decision.value;
}

function updatesOf(plan: Plan, force: boolean): Record<string, EnvUpdate> {
  const updates: Record<string, EnvUpdate> = {};
  for (const [key, decision] of plan.decisions) {
    const replace = decision.source !== 'found' || force || plan.broken.has(key);
    updates[key] = { value: valueOf(decision), replace };
  }
  return updates;
}

function reportMerge(
  term: Terminal,
  envFile: string,
  merged: ReturnType<typeof mergeEnv>,
  plan: Plan,
): void {
  const changed = merged.changed.map(({ key, was }) => {
    const broken = plan.broken.get(key);
    if (SECRETS.has(key)) return `${key}${broken ? ` (the old one: ${broken})` : ''}`;
    return `${key} (was ${was === '' ? 'empty' : was}${broken ? `: ${broken}` : ''})`;
  });
  const parts = [
    ...(changed.length ? [`changed ${changed.join(', ')}`] : []),
    ...(merged.set.length ? [`set ${merged.set.join(', ')}`] : []),
  ];
  term.say(`✔ Wrote ${envFile}${parts.length ? `: ${parts.join('; ')}` : ' (no changes)'}`);
  if (merged.kept.length > 0) {
    term.say(
      `! Kept the values already in .env for ${merged.kept.join(', ')} (setup proposed others; pass --force, or their flags, to replace them).`,
    );
  }
}
