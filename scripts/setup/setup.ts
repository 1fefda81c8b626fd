/**
 * `npm run setup`: from an Account SID and Auth Token to a working `.env`.
 *
 *   1. credentials      flags, else the environment, else .env, else asked (token hidden)
 *   2. the account      credentials work? Flex there? the default Conversations service
 *   3. the hand-off     HANDOFF_MODE, and what that mode needs: found on the account
 *                       and proposed, or created on request (Studio flow, Chat
 *                       Address, Flex Flow); see modes.ts
 *   4. an API key       created when .env has none; its secret is shown once on a
 *                       terminal and written to .env, never anywhere else
 *   5. .env             merged: nothing it did not set is dropped or changed
 *                       (--force to overwrite values that differ)
 *   6. doctor           checks the result against the account
 *
 * Every question can be answered by a flag; `--yes` takes every proposal.
 * Returns the exit code: 0, or 1 when doctor finds a problem.
 */
import { readAllowedOrigins, type HandoffMode } from '../../src/config';
import {
  problemWith,
  step,
  type AccountFacts,
  type Client,
  type ModeContext,
  type SetupDeps,
  type SetupOptions,
  type Updates,
} from './context';
import { createApiKey } from './create';
import { defaultServiceSid, flexConfiguration, serviceName } from './discover';
import { mergeEnv, readEnvFile, writeEnvFile, type EnvFile } from './dotenv';
import { printChecks, runDoctor } from './doctor';
import { MODES } from './modes';
import { askText, choose, confirm, SetupError, type Choice, type Terminal } from './terminal';

export type { SetupOptions } from './context';

export async function runSetup(
  opts: SetupOptions,
  term: Terminal,
  deps: SetupDeps,
): Promise<number> {
  const file = readEnvFile(opts.envFile, opts.templateFile);
  term.say(
    file.exists
      ? `Updating ${opts.envFile} (values already there are kept; --force replaces them).`
      : `No ${opts.envFile} yet: starting one from .env.example.`,
  );

  const { accountSid, authToken } = await credentials(opts, term, deps.env, file);
  const client = deps.makeClient({ accountSid, username: accountSid, password: authToken });
  const account = await inspectAccount(client, term);
  const serviceSid = await chooseService(opts, term, client, file, account);
  const mode = await chooseMode(opts, term, file);
  const ctx: ModeContext = { opts, term, client, file, account, serviceSid, created: [] };

  let updates: Updates;
  try {
    updates = {
      ACCOUNT_SID: accountSid,
      AUTH_TOKEN: authToken,
      CONVERSATIONS_SERVICE_SID: serviceSid,
      HANDOFF_MODE: mode,
      ...(await MODES[mode](ctx)),
      ALLOWED_ORIGINS: await allowedOrigins(opts, term, file),
    };
  } catch (error) {
    // What was already created stays on the account: say how to reuse it.
    for (const { what, reuse } of ctx.created) {
      term.say(`! Created before this failure: ${what} (next time: ${reuse})`);
    }
    throw error;
  }
  // Last: the new key's secret exists nowhere else until .env is written.
  const key = await apiKey(ctx);
  const merged = mergeEnv(file, { ...updates, ...key }, opts.force);
  try {
    await writeEnvFile(file, merged.text);
  } catch (error) {
    if (key.API_KEY) {
      term.say(
        `! API key ${key.API_KEY} was created but cannot be saved: delete it (Console > API keys).`,
      );
    }
    throw new SetupError(`Could not write ${opts.envFile}: ${String(error)}`);
  }
  term.say(
    `✔ Wrote ${opts.envFile}${merged.set.length ? `: set ${merged.set.join(', ')}` : ' (no changes)'}`,
  );
  if (merged.kept.length > 0) {
    term.say(
      `! Kept the values already in .env for ${merged.kept.join(', ')} (pass --force to replace them).`,
    );
  }

  if (opts.skipDoctor) return 0;
  term.say('\nDoctor: checking .env against your Twilio account\n');
  const env = readEnvFile(opts.envFile).values;
  const checks = await runDoctor(env, { makeClient: deps.makeClient, domainName: opts.domainName });
  printChecks(term, checks);
  return checks.some((c) => c.status === 'problem') ? 1 : 0;
}

/** The Conversations service: given, in .env, else the account's default. */
async function chooseService(
  opts: SetupOptions,
  term: Terminal,
  client: Client,
  file: EnvFile,
  account: AccountFacts,
): Promise<string> {
  const serviceSid =
    opts.service ??
    (file.values.CONVERSATIONS_SERVICE_SID || undefined) ??
    account.defaultService ??
    account.flex.chatServiceSid;
  if (!serviceSid) {
    throw new SetupError('This account has no default Conversations service: pass --service IS….');
  }
  const name = await step('read the Conversations service', () => serviceName(client, serviceSid));
  const isDefault = serviceSid === account.defaultService;
  term.say(`✔ Conversations service: ${serviceSid} "${name}"${isDefault ? ' (the default)' : ''}`);
  if (!isDefault) {
    term.say(
      `! It is not the account's default service (${account.defaultService ?? 'none'}); Flex uses the default.`,
    );
  }
  return serviceSid;
}

async function credentials(
  opts: SetupOptions,
  term: Terminal,
  env: NodeJS.ProcessEnv,
  file: EnvFile,
): Promise<{ accountSid: string; authToken: string }> {
  const from = (flag: string | undefined, name: 'ACCOUNT_SID' | 'AUTH_TOKEN') =>
    flag ?? (env[name]?.trim() || undefined) ?? (file.values[name] || undefined);
  const check = (value: string) => {
    const problem = problemWith('ACCOUNT_SID', { ACCOUNT_SID: value }, 'localhost');
    return problem && `ACCOUNT_SID ${problem}`;
  };
  // Asked only when nothing gives it, or what is given breaks the config rules.
  const given = from(opts.accountSid, 'ACCOUNT_SID');
  const accountSid =
    given !== undefined && !check(given)
      ? given
      : await askText(term, 'Account SID (Console > Account info)', {
          flag: '--account-sid (or ACCOUNT_SID in the environment or .env)',
          ...(given !== undefined && { proposed: given }),
          check,
        });
  let authToken = from(opts.authToken, 'AUTH_TOKEN');
  if (authToken === undefined) {
    if (!term.interactive)
      throw new SetupError(
        'Auth Token: pass --auth-token (or AUTH_TOKEN in the environment or .env).',
      );
    authToken = await term.ask('Auth Token (not shown as you type): ', { hidden: true });
    if (authToken === '') throw new SetupError('An Auth Token is needed.');
  }
  return { accountSid, authToken };
}

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
        'Flex Conversations needs them to be the same: Console > Conversations > Defaults.',
    );
  }
  return { defaultService, flex };
}

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

async function chooseMode(opts: SetupOptions, term: Terminal, file: EnvFile): Promise<HandoffMode> {
  if (opts.mode) return opts.mode;
  const current = MODE_CHOICES.find((c) => c.value === file.values.HANDOFF_MODE)?.value;
  return choose(term, 'How should chats reach Flex?', MODE_CHOICES, {
    flag: '--mode',
    proposed: current ?? 'studio',
  });
}

async function allowedOrigins(
  opts: SetupOptions,
  term: Terminal,
  file: EnvFile,
): Promise<string | undefined> {
  const check = (value: string) =>
    value !== '' && readAllowedOrigins({ ALLOWED_ORIGINS: value }) === undefined
      ? 'ALLOWED_ORIGINS must be origins such as https://www.example.com, comma-separated, or *'
      : undefined;
  const known = opts.allowedOrigins ?? (file.values.ALLOWED_ORIGINS || undefined);
  if (known !== undefined && !check(known)) return known === '' ? undefined : known;
  const value = await askText(
    term,
    'Websites that may start chats (comma-separated origins; empty for none yet)',
    { flag: '--allowed-origins', proposed: known ?? '', check },
  );
  return value === '' ? undefined : value;
}

async function apiKey(ctx: ModeContext): Promise<Updates> {
  const { term, client, file, opts } = ctx;
  const { API_KEY: key, API_SECRET: secret } = file.values;
  if (key && secret) {
    term.say(`✔ API key: keeping ${key} from .env`);
    return {};
  }
  if (key && !opts.force) {
    term.say(
      `! API_KEY ${key} has no API_SECRET, and a secret is shown only once: pass --force to create a new key.`,
    );
    return {};
  }
  if (
    !(await confirm(term, "Create an API key to sign customers' tokens?", {
      flag: '--yes',
      proposed: true,
    }))
  ) {
    term.say('! No API key: set API_KEY and API_SECRET in .env yourself.');
    return {};
  }
  const created = await step('create the API key', () => createApiKey(client));
  term.say(`✔ Created API key ${created.sid}; its secret goes to .env`);
  if (term.tty) {
    term.say(`  Its secret, shown this once (keep it safe; it is in .env): ${created.secret}`);
  }
  return { API_KEY: created.sid, API_SECRET: created.secret };
}
