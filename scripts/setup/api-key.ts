/**
 * The API key that signs customers' Access Tokens (API_KEY, API_SECRET):
 *
 *   apiKeyStatus   GET api Keys/{SK}, then a request made as the key itself:
 *                  does it exist, and is API_SECRET its secret?
 *   decideApiKey   setup: keeps a key that works (unless --force); else creates
 *                  one (POST api Keys.json), whose secret is in that answer only
 *                  and goes to .env, never to a log (shown once on a terminal)
 *   checkApiKey    doctor: the key exists and API_SECRET is its secret
 */
import { SETUP, type Add } from './checks';
import type { ModeContext, SetupDeps } from './context';
import { FLOW_FRIENDLY_NAME } from './flow-definition';
import { confirm } from './terminal';
import { explain, fetchIfExists, statusOf, step, type Client, type ClientFactory } from './twilio';

interface ApiKey {
  accountSid: string;
  apiKey: string;
  apiSecret: string;
}

/**
 * Whether an API key can sign tokens: `missing` when it does not exist on
 * the account, `wrong-secret` when Twilio refuses the secret with it (a
 * request made as the key itself). Other failures are thrown as they are.
 */
async function apiKeyStatus(
  client: Client,
  makeClient: ClientFactory,
  key: ApiKey,
): Promise<'works' | 'missing' | 'wrong-secret'> {
  const found = await fetchIfExists(() => client.api.v2010.account.keys(key.apiKey).fetch());
  if (!found) return 'missing';
  try {
    const asKey = makeClient({
      accountSid: key.accountSid,
      username: key.apiKey,
      password: key.apiSecret,
    });
    await asKey.conversations.v1.configuration().fetch();
  } catch (error) {
    if (statusOf(error) === 401) return 'wrong-secret';
    throw error;
  }
  return 'works';
}

/**
 * A key that works is kept (unless --force). One that does not exist, or
 * whose secret Twilio refuses, is replaced: a secret is shown only once, so
 * a new key is the only way out, and doctor's hints lead here. Queued last:
 * the new key's secret exists nowhere else until .env is written.
 */
export async function decideApiKey(
  ctx: ModeContext,
  deps: SetupDeps,
  accountSid: string,
): Promise<void> {
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
  const create = await confirm(term, "Create an API key to sign customers' tokens?", {
    flag: '--yes',
    proposed: true,
  });
  if (!create) {
    term.say('! No API key: set API_KEY and API_SECRET in .env yourself.');
    return;
  }
  // Created in this run, so written: .env's key is absent, broken, or --force said so.
  const created = { sid: '', secret: '' };
  plan.decide('API_KEY', () => created.sid, 'created');
  plan.decide('API_SECRET', () => created.secret, 'created');
  plan.queue(async () => {
    const made = await step('create the API key', () =>
      client.api.v2010.account.newKeys.create({
        friendlyName: `${FLOW_FRIENDLY_NAME}: customer tokens`,
      }),
    );
    Object.assign(created, { sid: made.sid, secret: made.secret });
    term.say(`✔ Created API key ${created.sid}; its secret goes to .env`);
    if (term.tty) {
      term.say(`  Its secret, shown this once (keep it safe; it is in .env): ${created.secret}`);
    }
  });
}

/** Doctor: the key exists, and API_SECRET is its secret. */
export async function checkApiKey(
  client: Client,
  makeClient: ClientFactory,
  key: ApiKey,
  add: Add,
): Promise<void> {
  let status;
  try {
    status = await apiKeyStatus(client, makeClient, key);
  } catch (error) {
    add('API_KEY', 'problem', explain(error, 'check the API key'));
    return;
  }
  // Setup replaces a key that does not work: a secret is shown only once.
  const fix = `${SETUP}: it creates a new key and writes both`;
  switch (status) {
    case 'missing':
      add('API_KEY', 'problem', `${key.apiKey} does not exist on this account`, fix);
      break;
    case 'wrong-secret':
      add(
        'API_SECRET',
        'problem',
        `Twilio rejected API_KEY with this API_SECRET: it is not ${key.apiKey}'s secret`,
        fix,
      );
      break;
    case 'works':
      add('API_KEY', 'ok', `${key.apiKey} exists and API_SECRET is its secret`);
  }
}
