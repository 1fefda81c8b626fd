/**
 * `npm run setup` and doctor for the chat budget: the Sync service that
 * counts MAX_CHATS_PER_MINUTE, against the local Twilio mock (Sync requests
 * checked against twilio_sync_v1.json).
 */
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { DEFAULT_SYNC_SERVICE_SID, syncServices } from '../../dev/twilio-fake/apis';
import { CREDENTIAL_FLAGS, EnvDir, setupCli, type CliOptions } from '../support/setup-cli';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { advisedRoles } from '../support/doctor';

const mock = TwilioMock.perTest(advisedRoles);
let dir: EnvDir;
beforeEach(async () => {
  dir = await EnvDir.create();
});
afterEach(() => dir.remove());

const run = (argv: string[], options?: CliOptions) => setupCli(mock, dir, argv, options);
const syncWrites = () =>
  mock.requests().filter((r) => r.host === 'sync.twilio.com' && r.method === 'POST');
const YES = [...CREDENTIAL_FLAGS, '--yes'];

/** A working studio-mode .env, plus these lines. */
const envText = (...lines: string[]) =>
  [
    `ACCOUNT_SID=${TEST_ENV.ACCOUNT_SID}`,
    `AUTH_TOKEN=${TEST_ENV.AUTH_TOKEN}`,
    `API_KEY=${TEST_ENV.API_KEY}`,
    `API_SECRET=${TEST_ENV.API_SECRET}`,
    `CONVERSATIONS_SERVICE_SID=${TEST_ENV.CONVERSATIONS_SERVICE_SID}`,
    'HANDOFF_MODE=studio',
    `STUDIO_FLOW_SID=${TEST_ENV.STUDIO_FLOW_SID}`,
    'ALLOWED_ORIGINS=https://www.example.com',
    ...lines,
  ].join('\n');

describe('setup: the Sync service for the chat budget', () => {
  it('without a budget creates none, and says so', async () => {
    const res = await run([...YES, '--skip-doctor']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/No chat budget \(MAX_CHATS_PER_MINUTE\): no Sync service needed/);
    expect(mock.requests().filter((r) => r.host === 'sync.twilio.com')).toHaveLength(0);
    expect(res.env.SYNC_SERVICE_SID ?? '').toBe('');
  });

  it('with --max-chats-per-minute creates one, writes both, and doctor passes', async () => {
    const res = await run([...YES, '--max-chats-per-minute', '30']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(syncWrites().map((r) => [r.name, r.form])).toEqual([
      ['sync.services.create', { FriendlyName: ['Flex custom web chat'] }],
    ]);
    const created = syncServices(mock).find((s) => s.friendlyName === 'Flex custom web chat');
    expect(res.env).toMatchObject({ MAX_CHATS_PER_MINUTE: '30', SYNC_SERVICE_SID: created?.sid });
    expect(res.stdout).toMatch(/✔ Created Sync service IS[0-9a-f]{32} "Flex custom web chat"/);
    expect(res.stdout).toMatch(/✔ OK\s+MAX_CHATS_PER_MINUTE\s+at most 30 chats a minute/);
    expect(res.stdout).toMatch(
      /✔ OK\s+SYNC_SERVICE_SID\s+IS[0-9a-f]{32} "Flex custom web chat" exists/,
    );
    expect(res.stdout).toMatch(/No problems/);
  });

  it('run twice, creates it once: the second run reuses it', async () => {
    await run([...YES, '--max-chats-per-minute', '30', '--skip-doctor']);
    const first = syncServices(mock).length;
    await dir.remove();
    dir = await EnvDir.create(); // a fresh .env: found again by its name
    const res = await run([...YES, '--max-chats-per-minute', '30', '--skip-doctor']);
    expect(res.stdout).toMatch(/✔ Reusing Sync service IS[0-9a-f]{32} "Flex custom web chat"/);
    expect(syncServices(mock)).toHaveLength(first);
  });

  it(".env's budget is enough, and .env's Sync service is kept when it exists", async () => {
    const sid = (await mock.client().sync.v1.services.create({ friendlyName: 'Mine' })).sid;
    mock.recorded.length = 0;
    const res = await run([...YES, '--skip-doctor'], {
      envText: envText('MAX_CHATS_PER_MINUTE=20', `SYNC_SERVICE_SID=${sid}`),
    });
    expect(res.stdout).toMatch(new RegExp(`✔ Sync service: keeping ${sid} from .env`));
    expect(res.env.SYNC_SERVICE_SID).toBe(sid);
    expect(syncWrites()).toHaveLength(0);
  });

  it(".env's Sync service that does not exist is replaced, and setup says what it was", async () => {
    const missing = 'IS' + '0'.repeat(32);
    const res = await run([...YES, '--skip-doctor'], {
      envText: envText('MAX_CHATS_PER_MINUTE=20', `SYNC_SERVICE_SID=${missing}`),
    });
    expect(res.code).toBe(0);
    expect(res.env.SYNC_SERVICE_SID).toMatch(/^IS[0-9a-f]{32}$/);
    expect(res.env.SYNC_SERVICE_SID).not.toBe(missing);
    expect(res.stdout).toContain(
      `changed SYNC_SERVICE_SID (was ${missing}: it is not a Sync service of this account)`,
    );
  });

  it('--sync-service takes a service of the account, and refuses one that is not', async () => {
    const sid = (await mock.client().sync.v1.services.create({ friendlyName: 'Mine' })).sid;
    const res = await run([...YES, '--skip-doctor', '--sync-service', sid]);
    expect(res.env.SYNC_SERVICE_SID).toBe(sid);

    const missing = 'IS' + '0'.repeat(32);
    const refused = await run([...YES, '--skip-doctor', '--sync-service', missing]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Sync service IS0{32} \(--sync-service\) does not exist/);
  });

  it("answered no: nothing created, and the budget is counted in the account's default service", async () => {
    const res = await run([...CREDENTIAL_FLAGS, '--skip-doctor', '--max-chats-per-minute', '30'], {
      answers: ['', '', '', 'n', 'y'], // mode, flow, origins, Sync service: no, API key: yes
    });
    expect(res.stdout).toMatch(/Create a Sync service to count the chat budget \(30 a minute\)\?/);
    expect(res.stdout).toMatch(/No Sync service created/);
    expect(mock.requests('sync.services.create')).toHaveLength(0);
    expect(res.env.SYNC_SERVICE_SID ?? '').toBe('');
  });

  it.each([
    [
      ['--max-chats-per-minute', '0'],
      /--max-chats-per-minute must be a whole number of chats from 1 to 1200/,
    ],
    [['--sync-service', 'WS' + '1'.repeat(32)], /--sync-service must be a Sync Service SID/],
  ])('refuses %p before asking Twilio anything', async (flags, message) => {
    const res = await run([...YES, ...flags]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(mock.requests()).toHaveLength(0);
  });
});

describe('doctor: the chat budget', () => {
  const doctor = (...lines: string[]) => run(['doctor'], { envText: envText(...lines) });

  it('says when no budget is set, and checks the default Sync service /end-chat uses', async () => {
    const res = await doctor();
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/✔ OK\s+MAX_CHATS_PER_MINUTE\s+not set: no chat budget/);
    expect(res.stdout).toMatch(
      /✔ OK\s+SYNC_SERVICE_SID\s+empty: the account's default Sync service/,
    );
    expect(mock.requests().filter((r) => r.host === 'sync.twilio.com')).toHaveLength(1);
    expect(syncWrites()).toHaveLength(0);
  });

  it('without any Sync service: a warning in studio mode, a problem in address mode (its claims need it)', async () => {
    syncServices(mock).length = 0;
    const studio = await doctor();
    expect(studio.stdout).toMatch(
      /! WARN\s+SYNC_SERVICE_SID\s+this account has no default Sync service/,
    );
    const address = await doctor('HANDOFF_MODE=address', 'ADDRESS_SID=IG' + '1'.repeat(32));
    expect(address.code).toBe(1);
    expect(address.stdout).toMatch(
      /✘ PROBLEM\s+SYNC_SERVICE_SID\s+SYNC_SERVICE_SID is empty, and this account has no default Sync service to claim address mode's challenges in/,
    );
  });

  it("with a budget and no SYNC_SERVICE_SID, checks the account's default Sync service", async () => {
    const res = await doctor('MAX_CHATS_PER_MINUTE=30');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(
      new RegExp(
        `✔ OK\\s+SYNC_SERVICE_SID\\s+empty: the account's default Sync service \\(${DEFAULT_SYNC_SERVICE_SID}\\)`,
      ),
    );
    expect(mock.requests('sync.services.fetch')[0]?.path).toBe('/v1/Services/default');

    syncServices(mock).length = 0;
    const none = await doctor('MAX_CHATS_PER_MINUTE=30');
    expect(none.code).toBe(1);
    expect(none.stdout).toMatch(
      /✘ PROBLEM\s+SYNC_SERVICE_SID\s+SYNC_SERVICE_SID is empty, and this account has no default Sync service/,
    );
  });

  it('a SYNC_SERVICE_SID that is not a Sync service of the account is a problem, with the fix', async () => {
    const res = await doctor(
      'MAX_CHATS_PER_MINUTE=30',
      `SYNC_SERVICE_SID=${TEST_ENV.CONVERSATIONS_SERVICE_SID}`,
    );
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(
      /✘ PROBLEM\s+SYNC_SERVICE_SID\s+IS3{32} is not a Sync service of this account \(a Conversations service SID starts with IS too\)/,
    );
    expect(res.stdout).toMatch(/how to fix: run npm run setup: it creates one/);
  });

  it('malformed values are configuration problems, named once', async () => {
    const res = await doctor('MAX_CHATS_PER_MINUTE=lots', 'SYNC_SERVICE_SID=IS123');
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(
      /✘ PROBLEM\s+MAX_CHATS_PER_MINUTE\s+MAX_CHATS_PER_MINUTE must be a whole number/,
    );
    expect(res.stdout).toMatch(
      /✘ PROBLEM\s+SYNC_SERVICE_SID\s+SYNC_SERVICE_SID must be a Sync Service SID/,
    );
    expect(res.stdout.match(/MAX_CHATS_PER_MINUTE /g)).toHaveLength(2); // the row's name, and its text
    expect(mock.requests().filter((r) => r.host === 'sync.twilio.com')).toHaveLength(0);
  });
});
