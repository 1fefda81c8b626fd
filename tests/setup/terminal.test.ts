/**
 * `npm run setup` on a real pseudo-terminal (util-linux `script`), as a
 * person would run it: the real entry point (scripts/setup/main.ts through
 * tsx), the real `twilio` library (redirected to the local mock by a
 * preload), answers typed when each question appears. Checks what only a
 * terminal shows: the Auth Token is not echoed, the new API secret is shown
 * exactly once, and a plain Enter takes the proposal. The two tests run in
 * order on one .env and one mock account.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parseEnv } from '../../scripts/setup/dotenv';
import { createTerminal } from '../../scripts/setup/terminal';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { buildTwilioRedirect, ROOT } from '../../dev/local-runtime';
import { account } from '../../dev/twilio-fake/apis';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';

const hasScript = spawnSync('script', ['--version']).status === 0;
const describeWithPty = hasScript ? describe : describe.skip;

// Skipped on a machine without util-linux `script`; on CI its absence is a failure.
it('has util-linux `script` for the pseudo-terminal tests (required on CI)', () => {
  if (process.env.CI && !hasScript) {
    throw new Error(
      'util-linux `script` is missing: the terminal tests cannot run (install util-linux)',
    );
  }
});

let mock: TwilioMock;
let dir: string;
let preload: string;

beforeAll(async () => {
  mock = await TwilioMock.start();
  dir = await mkdtemp(join(tmpdir(), 'webchat-setup-pty-'));
  preload = await buildTwilioRedirect(dir);
});
afterAll(async () => {
  await mock.stop();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => expect(mock.violations).toEqual([]));

/** Runs setup in a pseudo-terminal, typing each answer once its question shows. */
async function onTerminal(
  args: string[],
  script: [RegExp, string][],
): Promise<{ code: number | null; output: string }> {
  const command = [
    process.execPath,
    '--require',
    preload,
    '--import',
    'tsx',
    'scripts/setup/main.ts',
    ...args,
  ]
    .map((part) => `'${part}'`)
    .join(' ');
  const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      TERM: 'dumb',
      TWILIO_MOCK_URL: mock.baseUrl,
      TWILIO_MOCK_ROOT: ROOT,
    },
  });
  let output = '';
  let answered = 0; // where the next question is looked for
  const pending = [...script];
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    const next = pending[0];
    if (next && next[0].test(output.slice(answered))) {
      pending.shift();
      answered = output.length;
      child.stdin.write(`${next[1]}\r`);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(pending.map(([question]) => String(question))).toEqual([]);
  return { code, output };
}

describeWithPty('npm run setup on a terminal', () => {
  it('asks, hides the Auth Token, shows the new API secret once, and writes .env', async () => {
    mock.reset();
    const envFile = join(dir, 'first.env');
    const { code, output } = await onTerminal(
      ['--env-path', envFile],
      [
        [/Account SID \(Console > Account info\): $/, TEST_ENV.ACCOUNT_SID],
        [/Auth Token \(not shown as you type\): $/, TEST_ENV.AUTH_TOKEN],
        [/How should chats reach Flex\?[\s\S]*Choose 1-4 \[1\]: $/, ''], // studio (proposed)
        [/Which Studio flow sends chats to Flex\?[\s\S]*Choose 1-3 \[2\]: $/, ''], // Messaging Flow
        [/Websites that may start chats.*: $/, 'https://www.example.com'],
        [/Create an API key to sign customers' tokens\? \[Y\/n\] $/, ''],
      ],
    );

    expect(code).toBe(0);
    const env = parseEnv(readFileSync(envFile, 'utf8'));
    expect(env).toMatchObject({
      ACCOUNT_SID: TEST_ENV.ACCOUNT_SID,
      AUTH_TOKEN: TEST_ENV.AUTH_TOKEN,
      HANDOFF_MODE: 'studio',
      STUDIO_FLOW_SID: TEST_ENV.STUDIO_FLOW_SID,
      ALLOWED_ORIGINS: 'https://www.example.com',
    });
    expect(output).not.toContain(TEST_ENV.AUTH_TOKEN);
    const secret = env.API_SECRET ?? 'missing';
    expect(account(mock).apiKeys.find((k) => k.sid === env.API_KEY)?.secret).toBe(secret);
    expect(output.split(secret)).toHaveLength(2);
    expect(output).toMatch(/No problems/);
  });

  it('re-run on that .env with --yes: nothing asked, nothing lost, doctor passes', async () => {
    const envFile = join(dir, 'first.env');
    const before = readFileSync(envFile, 'utf8');
    const { code, output } = await onTerminal(['--env-path', envFile, '--yes'], []);
    expect(code).toBe(0);
    expect(readFileSync(envFile, 'utf8')).toBe(before);
    expect(output).toContain('(no changes)');
    expect(output).not.toMatch(/Choose|\[Y\/n\]/);
    expect(output).toMatch(/No problems/);
  });
});

describe('typing ahead of the hidden question (a terminal driven in process)', () => {
  /** A terminal-mode Terminal over in-memory streams: readline echoes as on a real one. */
  function fakeTerminal() {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (chunk: Buffer) => (shown += chunk.toString()));
    const term = createTerminal({ input, output, yes: false, tty: true });
    return { term, input, shown: () => shown };
  }

  it('after holdInput, what is typed before the Auth Token question is never shown', async () => {
    const { term, input, shown } = fakeTerminal();
    term.holdInput();
    const sid = term.ask('Account SID: ');
    // One chunk: the SID, Enter, then the token typed before its question appears.
    input.write(`${TEST_ENV.ACCOUNT_SID}\r${TEST_ENV.AUTH_TOKEN}`);
    expect(await sid).toBe(TEST_ENV.ACCOUNT_SID);
    const token = term.ask('Auth Token: ', { hidden: true });
    input.write('\r');
    expect(await token).toBe(TEST_ENV.AUTH_TOKEN);
    term.close();
    expect(shown()).toContain('Account SID: ');
    expect(shown()).toContain(TEST_ENV.ACCOUNT_SID); // a visible answer shows as typed
    expect(shown()).toContain('Auth Token: ');
    expect(shown()).not.toContain(TEST_ENV.AUTH_TOKEN);
  });

  it('without it, the same typing shows (what holdInput is for)', async () => {
    const { term, input, shown } = fakeTerminal();
    const sid = term.ask('Account SID: ');
    input.write(`${TEST_ENV.ACCOUNT_SID}\r${TEST_ENV.AUTH_TOKEN}`);
    await sid;
    const token = term.ask('Auth Token: ', { hidden: true });
    input.write('\r');
    await token;
    term.close();
    expect(shown()).toContain(TEST_ENV.AUTH_TOKEN);
  });
});
