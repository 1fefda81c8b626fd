/**
 * The chat budget (MAX_CHATS_PER_MINUTE) and the Sync service that counts it
 * (SYNC_SERVICE_SID); see src/guard/budget.ts.
 *
 *   decideSyncService  setup: with a budget (--max-chats-per-minute, or .env's),
 *                      a Sync service: --sync-service, else .env's (if it exists),
 *                      else the one an earlier run created (named "Flex custom web
 *                      chat": GET sync /v1/Services), else a new one (POST
 *                      /v1/Services, asked like the API key, proposed yes).
 *                      Also in address mode (its challenges are claimed in Sync),
 *                      where the account's default Sync service does, if it has one.
 *                      Otherwise nothing is created: only /end-chat would use it,
 *                      and it copes without (doctor warns).
 *   checkBudget        doctor: says whether a budget is set (none is the default,
 *                      so an OK row that says how to set one); checks that the Sync
 *                      service exists on the account: SYNC_SERVICE_SID's when set,
 *                      else, with a budget, the account's default one.
 *
 * A dedicated service rather than the account's default: nothing else on the
 * account shares its names, doctor can check the very service, and deleting
 * it removes everything the guard stored.
 */
import { DEFAULT_SYNC_SERVICE } from '../../src/config/budget';
import { fetchChecked, SETUP, type Add } from './checks';
import type { ModeContext } from './context';
import { FLOW_FRIENDLY_NAME } from './flow-definition';
import { confirm, SetupError } from './terminal';
import { fetchIfExists, step, type Client } from './twilio';

/** The Sync service setup creates, and finds again on a later run. */
export const SYNC_SERVICE_NAME = FLOW_FRIENDLY_NAME;

type Sync = Client['sync']['v1'];

/** A Sync service's friendly name; undefined when it does not exist on the account. */
const syncServiceName = (sync: Sync, sid: string) =>
  step('read the Sync service', async () => {
    const service = await fetchIfExists(() => sync.services(sid).fetch());
    return service && (service.friendlyName ?? '');
  });

/** `claims`: address mode claims each challenge in Sync, so it needs a service without a budget too. */
export async function decideSyncService(ctx: ModeContext, claims = false): Promise<void> {
  const { opts, term, client, file, plan } = ctx;
  const sync = client.sync.v1;
  if (opts.maxChatsPerMinute !== undefined) {
    plan.decide('MAX_CHATS_PER_MINUTE', opts.maxChatsPerMinute, 'flag');
  }
  const budget = opts.maxChatsPerMinute ?? (file.values.MAX_CHATS_PER_MINUTE || undefined);
  if (opts.syncService !== undefined) {
    if ((await syncServiceName(sync, opts.syncService)) === undefined) {
      throw new SetupError(
        `Sync service ${opts.syncService} (--sync-service) does not exist on this account: leave it out and setup creates one.`,
      );
    }
    term.say(`✔ Sync service: ${opts.syncService}`);
    plan.decide('SYNC_SERVICE_SID', opts.syncService, 'flag');
    return;
  }
  if (budget === undefined && !claims) {
    term.say('  No chat budget (MAX_CHATS_PER_MINUTE): no Sync service needed.');
    return;
  }
  const inFile = file.values.SYNC_SERVICE_SID || undefined;
  if (
    budget === undefined &&
    !inFile &&
    (await syncServiceName(sync, DEFAULT_SYNC_SERVICE)) !== undefined
  ) {
    term.say(`✔ Sync service: the account's default (${syncUse(budget)})`);
    return;
  }
  if (inFile && (await syncServiceName(sync, inFile)) !== undefined) {
    term.say(`✔ Sync service: keeping ${inFile} from .env (${syncUse(budget)})`);
    return;
  }
  if (inFile) {
    plan.broken.set('SYNC_SERVICE_SID', 'it is not a Sync service of this account');
    term.say(`! SYNC_SERVICE_SID ${inFile} in .env is not a Sync service of this account.`);
  }
  await reuseOrCreate(ctx, budget);
}

/** What the Sync service is for, in setup's words. */
const syncUse = (budget: string | undefined) =>
  budget ? `it counts the budget of ${budget}` : "it claims address mode's challenges";

async function reuseOrCreate(ctx: ModeContext, budget: string | undefined): Promise<void> {
  const { term, client, plan } = ctx;
  const sync = client.sync.v1;
  const services = await step('list the Sync services', () => sync.services.list({ limit: 100 }));
  const earlier = services.find((s) => s.friendlyName === SYNC_SERVICE_NAME);
  if (earlier) {
    term.say(`✔ Reusing Sync service ${earlier.sid} "${SYNC_SERVICE_NAME}" (${syncUse(budget)})`);
    plan.decide('SYNC_SERVICE_SID', earlier.sid, 'found');
    return;
  }
  const create = await confirm(
    term,
    budget
      ? `Create a Sync service to count the chat budget (${budget} a minute)?`
      : "Create a Sync service for address mode's challenge claims?",
    { flag: '--yes', proposed: true },
  );
  if (!create) {
    term.say(
      "! No Sync service created: the budget is counted in the account's default Sync service (SYNC_SERVICE_SID empty).",
    );
    return;
  }
  const sid = plan.creates({ kind: 'Sync service', flag: '--sync-service' }, async () => {
    const made = await step('create the Sync service', () =>
      sync.services.create({ friendlyName: SYNC_SERVICE_NAME }),
    );
    term.say(`✔ Created Sync service ${made.sid} "${SYNC_SERVICE_NAME}" (${syncUse(budget)})`);
    return made.sid;
  });
  plan.decide('SYNC_SERVICE_SID', sid, 'created');
}

/**
 * Doctor's rows: MAX_CHATS_PER_MINUTE, and SYNC_SERVICE_SID, which every
 * deployment uses: /end-chat's "tell the agent once" claim (it falls back
 * when Sync is missing), address mode's challenge claims and the budget
 * (they need it: `required`).
 */
export async function checkBudget(
  client: Client,
  value: (name: 'MAX_CHATS_PER_MINUTE' | 'SYNC_SERVICE_SID') => string | undefined,
  refused: (name: 'MAX_CHATS_PER_MINUTE' | 'SYNC_SERVICE_SID') => boolean,
  add: Add,
  claims = false,
): Promise<void> {
  const budget = value('MAX_CHATS_PER_MINUTE');
  const sid = value('SYNC_SERVICE_SID');
  if (budget) {
    add('MAX_CHATS_PER_MINUTE', 'ok', `at most ${budget} chats a minute across the service`);
  } else if (!refused('MAX_CHATS_PER_MINUTE')) {
    add(
      'MAX_CHATS_PER_MINUTE',
      'ok',
      'not set: no chat budget, chats are not counted (set it, e.g. to 30, then npm run setup, to cap them)',
    );
  }
  if (refused('SYNC_SERVICE_SID')) return;
  if (!sid && !budget && !claims) {
    await checkOptionalDefault(client, add);
    return;
  }
  const named = sid !== undefined && sid !== DEFAULT_SYNC_SERVICE;
  const service = await fetchChecked(
    add,
    'SYNC_SERVICE_SID',
    'read the Sync service',
    named
      ? [
          `${sid} is not a Sync service of this account (a Conversations service SID starts with IS too)`,
          `${SETUP}: it creates one (or empty SYNC_SERVICE_SID for the account's default Sync service)`,
        ]
      : [
          `SYNC_SERVICE_SID is empty, and this account has no default Sync service to ${budget ? 'count the budget in' : "claim address mode's challenges in"}`,
          `${SETUP}: it creates a Sync service and writes SYNC_SERVICE_SID`,
        ],
    () => client.sync.v1.services(named ? sid : DEFAULT_SYNC_SERVICE).fetch(),
  );
  if (!service) return;
  add(
    'SYNC_SERVICE_SID',
    'ok',
    named
      ? `${sid} "${service.friendlyName}" exists`
      : `empty: the account's default Sync service (${service.sid}), shared with anything else that uses it`,
  );
}

/** Without a budget or claims, only /end-chat uses Sync, and copes without it: a warning. */
async function checkOptionalDefault(client: Client, add: Add): Promise<void> {
  try {
    const service = await fetchIfExists(() =>
      client.sync.v1.services(DEFAULT_SYNC_SERVICE).fetch(),
    );
    if (service) {
      add('SYNC_SERVICE_SID', 'ok', `empty: the account's default Sync service (${service.sid})`);
    } else {
      add(
        'SYNC_SERVICE_SID',
        'warn',
        'this account has no default Sync service: /end-chat then cannot make sure the agent is told only once when a customer ends a chat from two tabs',
        `${SETUP} -- --max-chats-per-minute N creates one, or set SYNC_SERVICE_SID to a Sync service`,
      );
    }
  } catch {
    add('SYNC_SERVICE_SID', 'warn', 'could not read the Sync service (used by /end-chat)');
  }
}
