/**
 * `npm run deploy`, for real: the project's own script and the unmodified
 * `twilio-run deploy` it runs, against the local Twilio fake's Serverless API
 * (dev/twilio-fake/apis/serverless*.ts, every request checked against
 * Twilio's spec), reached through a local HTTPS-intercepting proxy
 * (dev/twilio-fake/intercept-proxy.ts: `HTTP_PROXY`, a throwaway CA in
 * `NODE_EXTRA_CA_CERTS`). Nothing leaves 127.0.0.1: the proxy refuses, and
 * the test fails on, any other host.
 *
 * Each deploy runs in a fresh copy of the project as a clone has it (git's
 * tracked and unignored files, node_modules linked), with a test .env whose
 * secrets are random, so a leak into an uploaded file is found by value.
 *
 * Asserted: every function and its visibility; the assets; the environment
 * variables; no secret in any uploaded file; the dependencies (production
 * only, pinned to what package-lock.json installs); the runtime; and that a
 * second deploy, from a fresh clone with no .twiliodeployinfo (as in CI),
 * updates the same Service instead of stopping at "already exists".
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { InterceptProxy } from '../../dev/twilio-fake/intercept-proxy';
import { liveDeployment, serverlessServices } from '../../dev/twilio-fake/apis/serverless';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { ROOT } from '../../dev/local-runtime';

const HOSTS = ['serverless.twilio.com', 'serverless-upload.twilio.com'];
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

interface PackageJson {
  name: string;
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}
interface PackageLock {
  packages: Record<string, { version: string }>;
}

const readJson = async <T>(file: string) => JSON.parse(await readFile(file, 'utf8')) as T;

/** Files under `dir`, relative, with `/` separators, sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

/** What a clone has: git's tracked and unignored files (or, outside git, all but what .gitignore names). */
async function projectFiles(): Promise<string[]> {
  try {
    const listed = execFileSync(
      'git',
      ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
      { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    return listed.split('\0').filter((f) => f && existsSync(join(ROOT, f)));
  } catch {
    const ignored =
      /^(node_modules|dist|coverage|\.git|\.bench|test-results|screenshots)(\/|$)|(^|\/)(\.env|\.twiliodeployinfo)$|\.log$/;
    const files: string[] = [];
    for (const top of await readdir(ROOT, { withFileTypes: true })) {
      if (ignored.test(top.name)) continue;
      if (!top.isDirectory()) files.push(top.name);
      else files.push(...(await filesUnder(join(ROOT, top.name))).map((f) => `${top.name}/${f}`));
    }
    return files.filter((f) => !ignored.test(f));
  }
}

/** A copy of the project as a fresh clone has it: no .env, no dist/, no .twiliodeployinfo. */
async function freshClone(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'webchat-clone-'));
  for (const file of await projectFiles()) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await cp(join(ROOT, file), join(dir, file));
  }
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** `npm run deploy -- <args>` in `dir`, its Twilio traffic sent through the proxy. */
function npmRunDeploy(dir: string, proxy: InterceptProxy, args: string[] = []) {
  return run(dir, 'npm', ['run', 'deploy', '--', ...args], proxy);
}

function run(
  dir: string,
  command: string,
  args: string[],
  proxy: InterceptProxy,
  more: Record<string, string> = {},
) {
  // A clean environment: no TWILIO_REGION/TWILIO_EDGE, no developer credentials.
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    HTTP_PROXY: proxy.url,
    NODE_EXTRA_CA_CERTS: proxy.caFile,
    FORCE_COLOR: '0',
    ...more,
  };
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(command, args, { cwd: dir, env, detached: true });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} timed out:\n${output}`));
    }, 90_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The path and visibility twilio-run gives a file under a functions or assets folder. */
function routeOf(file: string, dropJs: boolean) {
  const visibility = /\.protected\./.test(file)
    ? 'protected'
    : /\.private\./.test(file)
      ? 'private'
      : 'public';
  const path = '/' + file.replace(/\.(protected|private)(?=\.[^.]+$)/, '');
  return { path: dropJs ? path.replace(/\.js$/, '') : path, visibility };
}

let mock: TwilioMock;
let proxy: InterceptProxy;
const clones: string[] = [];
const ACCOUNT_SID = 'AC' + hex(16);
const AUTH_TOKEN = hex(16);
/** A site owner's .env: realistic keys, random secrets, one key left empty. */
const ENV: Record<string, string> = {
  ACCOUNT_SID,
  AUTH_TOKEN,
  API_KEY: 'SK' + hex(16),
  API_SECRET: hex(24),
  CONVERSATIONS_SERVICE_SID: 'IS' + hex(16),
  HANDOFF_MODE: 'studio',
  STUDIO_FLOW_SID: 'FW' + hex(16),
  ALLOWED_ORIGINS: `https://www-${hex(6)}.example.com`,
  TOKEN_TTL_SECONDS: '3600',
  OPENING_HOURS: '',
};
const envFile = (env: Record<string, string>) =>
  Object.entries(env)
    .map(([k, v]) => `${k}=${v}\n`)
    .join('');

beforeAll(async () => {
  mock = await TwilioMock.start();
  mock.acceptCredentials((user, password) => user === ACCOUNT_SID && password === AUTH_TOKEN);
  proxy = await InterceptProxy.start(mock.baseUrl, HOSTS);
});

afterAll(async () => {
  await proxy?.stop();
  await mock?.stop();
  for (const dir of clones) await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  expect(mock.violations).toEqual([]);
  expect(proxy.refused).toEqual([]);
});

async function cloneWithEnv(env: Record<string, string>): Promise<string> {
  const dir = await freshClone();
  clones.push(dir);
  await writeFile(join(dir, '.env'), envFile(env));
  return dir;
}

describe('npm run deploy (the real twilio-run deploy) against the Serverless fake', () => {
  let first: string;

  it('deploys every function, asset, variable and dependency, and nothing else', async () => {
    first = await cloneWithEnv(ENV);
    const { code, output } = await npmRunDeploy(first, proxy);
    expect({ code, output }).toMatchObject({ code: 0 });

    const pkg = await readJson<PackageJson>(join(first, 'package.json'));
    const services = serverlessServices(mock);
    expect(services.map((s) => [s.accountSid, s.uniqueName])).toEqual([[ACCOUNT_SID, pkg.name]]);
    // The runtime injects ACCOUNT_SID and AUTH_TOKEN (context.getTwilioClient) only with this.
    expect(services[0]?.includeCredentials).toBe(true);
    const live = liveDeployment(mock, pkg.name, 'dev');
    if (!live) throw new Error(`nothing live on the dev environment:\n${output}`);
    expect(live.build.status).toBe('completed');
    expect(live.environment.domainName).toMatch(new RegExp(`^${pkg.name}-\\d{4}-dev\\.twil\\.io$`));
    expect(proxy.intercepted.every((h) => HOSTS.includes(h.replace(/:443$/, '')))).toBe(true);

    // Functions: one per functions/*.ts, each the bundle npm run build wrote.
    const sources = (await filesUnder(join(first, 'functions'))).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'),
    );
    const expected = sources.map((f) => routeOf(f.replace(/\.ts$/, '.js'), true));
    const deployed = live.functions.map((f) => ({ path: f.path, visibility: f.visibility }));
    expect(sortByPath(deployed)).toEqual(sortByPath(expected));
    expect(deployed).toContainEqual({ path: '/interaction', visibility: 'protected' });
    expect(deployed.filter((f) => f.visibility !== 'public').map((f) => f.path)).toEqual([
      '/interaction',
    ]);
    for (const fn of live.functions) {
      const built = sources.find((s) => routeOf(s.replace(/\.ts$/, '.js'), true).path === fn.path);
      const file = join(first, 'dist', 'functions', (built ?? '').replace(/\.ts$/, '.js'));
      expect(fn.content.equals(await readFile(file))).toBe(true);
    }

    // Assets: exactly dist/assets, all public, nothing that should stay private.
    const assetFiles = await filesUnder(join(first, 'dist', 'assets'));
    expect(
      sortByPath(live.assets.map((a) => ({ path: a.path, visibility: a.visibility }))),
    ).toEqual(sortByPath(assetFiles.map((f) => routeOf(f, false))));
    const assetPaths = live.assets.map((a) => a.path);
    for (const needed of ['/webchat.js', '/webchat-sdk.js', '/index.html', '/assets/index.html']) {
      expect(assetPaths).toContain(needed);
    }
    for (const path of assetPaths) {
      expect(path).not.toMatch(/\.map$|\.tsx?$|(^|\/)\.env|\/\.|^\/(dev|tests|src|scripts)\//);
    }
    expect(live.assets.every((a) => a.visibility === 'public')).toBe(true);

    // No source maps, and no code from dev/ or tests/ inside any bundle
    // (esbuild marks each bundled module with a `// <path>` comment).
    for (const file of [...live.functions, ...live.assets]) {
      const text = file.content.toString('utf8');
      expect({ file: file.path, map: /sourceMappingURL/.test(text) }).toEqual({
        file: file.path,
        map: false,
      });
      expect({ file: file.path, from: text.match(/^\/\/ (dev|tests)\/.*$/m)?.[0] }).toEqual({
        file: file.path,
        from: undefined,
      });
    }
    expect(live.functions.some((f) => /^\/\/ src\//m.test(f.content.toString()))).toBe(true);

    // Variables: every .env key with a value, but the account's own credentials.
    const { ACCOUNT_SID: _sid, AUTH_TOKEN: _token, OPENING_HOURS: _empty, ...uploaded } = ENV;
    expect(live.variables).toEqual(uploaded);

    // No secret inside any uploaded file.
    const secrets = Object.values(ENV).filter((v) => v.length >= 16);
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    for (const file of [...live.functions, ...live.assets]) {
      const text = file.content.toString('latin1');
      for (const secret of secrets) {
        expect({ file: file.path, leaks: text.includes(secret) }).toEqual({
          file: file.path,
          leaks: false,
        });
      }
    }

    // Dependencies: production only, each the exact version package-lock.json installs.
    const lock = await readJson<PackageLock>(join(first, 'package-lock.json'));
    const pinned = Object.keys(pkg.dependencies).map((name) => ({
      name,
      version: lock.packages[`node_modules/${name}`]?.version,
    }));
    expect(live.build.dependencies).toEqual(pinned);
    for (const dev of Object.keys(pkg.devDependencies)) {
      expect(live.build.dependencies?.map((d) => d.name)).not.toContain(dev);
    }

    // Runtime: what .twilioserverlessrc asks for, a Node the project supports.
    expect(live.build.runtime).toBe('node22');
    expect(pkg.engines.node).toContain('^22');

    expect(existsSync(join(first, '.twiliodeployinfo'))).toBe(true);
    if (process.env.DEPLOY_REPORT) await writeReport(process.env.DEPLOY_REPORT, live, mock);
  }, 60_000);

  it('deploys again from a fresh clone (no .twiliodeployinfo, as in CI) to the same Service', async () => {
    const pkg = await readJson<PackageJson>(join(ROOT, 'package.json'));
    const before = liveDeployment(mock, pkg.name, 'dev');
    if (!before) throw new Error('the first deploy left nothing live');
    const functionCount = before.service.functions.length;
    // A changed value, and a key removed from .env.
    const { TOKEN_TTL_SECONDS: _removed, ...kept } = ENV;
    const changed = { ...kept, ALLOWED_ORIGINS: `https://shop-${hex(6)}.example.com` };
    const clone = await cloneWithEnv(changed);
    expect(existsSync(join(clone, '.twiliodeployinfo'))).toBe(false);
    mock.recorded.length = 0;

    const { code, output } = await npmRunDeploy(clone, proxy);
    expect({ code, output }).toMatchObject({ code: 0 });

    // Twilio refuses a second Service of that name; the deploy then finds it.
    expect(mock.requests('serverless.services.create').map((r) => r.status)).toEqual([409]);
    expect(serverlessServices(mock)).toHaveLength(1);
    const after = liveDeployment(mock, pkg.name, 'dev');
    expect(after?.service.sid).toBe(before.service.sid);
    expect(after?.environment.sid).toBe(before.environment.sid);
    expect(after?.build.sid).not.toBe(before.build.sid);
    expect(after?.service.functions).toHaveLength(functionCount); // updated, not duplicated
    expect(after?.variables.ALLOWED_ORIGINS).toBe(changed.ALLOWED_ORIGINS);
    // twilio-run adds and updates variables, never removes them (docs/deploy.md says so).
    expect(after?.variables.TOKEN_TTL_SECONDS).toBe(ENV.TOKEN_TTL_SECONDS);
  }, 60_000);

  it('deploys from the first clone by the SID it saved, without trying to create a Service', async () => {
    mock.recorded.length = 0;
    const { code, output } = await npmRunDeploy(first, proxy);
    expect({ code, output }).toMatchObject({ code: 0 });
    expect(mock.requests('serverless.services.create')).toEqual([]);
    expect(serverlessServices(mock)).toHaveLength(1);
  }, 60_000);

  it("is what twilio-run alone cannot do: a fresh clone's plain deploy stops at the name", async () => {
    const clone = await cloneWithEnv(ENV);
    const twilioRun = join(ROOT, 'node_modules', 'twilio-run', 'bin', 'twilio-run.js');
    await cp(join(first, 'dist'), join(clone, 'dist'), { recursive: true }); // npm run build's output
    const { code, output } = await run(clone, process.execPath, [twilioRun, 'deploy'], proxy);
    expect(code).toBe(1);
    expect(output).toMatch(/Service with name "[^"]+" already exists/);
  }, 60_000);
});

/**
 * The Twilio CLI's `twilio serverless:deploy`, which bundles its own older
 * twilio-run (3.5.x). Not a project dependency (twilio-cli is ~875 packages,
 * about 3 minutes to install), so it runs only when TWILIO_CLI names its
 * binary, e.g. after `npm i twilio-cli@6.2.4 @twilio-labs/plugin-serverless@3.1.3`
 * in a folder of your own: `TWILIO_CLI=$PWD/node_modules/.bin/twilio npx jest
 * tests/runtime/deploy.test.ts`. The plugin is linked into a throwaway HOME.
 */
const TWILIO_CLI = process.env.TWILIO_CLI;
(TWILIO_CLI ? describe : describe.skip)('twilio serverless:deploy (set TWILIO_CLI)', () => {
  it('deploys the same functions, assets and pinned dependencies to the same Service', async () => {
    const cli = realpathSync(TWILIO_CLI ?? '');
    const plugin =
      process.env.TWILIO_SERVERLESS_PLUGIN ??
      join(cli, '..', '..', '..', '@twilio-labs', 'plugin-serverless');
    const home = await mkdtemp(join(tmpdir(), 'twilio-cli-home-'));
    clones.push(home);
    const cliEnv = {
      HOME: home,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      // Its update check would go to registry.npmjs.org (the proxy refuses it).
      TWILIO_SKIP_NEW_VERSION_CHECK: '1',
    };
    const linked = await run(home, cli, ['plugins:link', plugin], proxy, cliEnv);
    expect(linked).toMatchObject({ code: 0 });

    const clone = await cloneWithEnv(ENV);
    expect((await run(clone, 'npm', ['run', 'build'], proxy)).code).toBe(0);
    const args = ['serverless:deploy', '--runtime', 'node22', '--override-existing-project'];
    const { code, output } = await run(clone, cli, args, proxy, cliEnv);
    expect({ code, output }).toMatchObject({ code: 0 });

    const pkg = await readJson<PackageJson>(join(clone, 'package.json'));
    const live = liveDeployment(mock, pkg.name, 'dev');
    expect(serverlessServices(mock).filter((s) => s.accountSid === ACCOUNT_SID)).toHaveLength(1);
    expect(live?.functions.filter((f) => f.visibility !== 'public').map((f) => f.path)).toEqual([
      '/interaction',
    ]);
    expect(live?.functions.map((f) => f.path).sort()).toEqual(
      (await filesUnder(join(clone, 'dist', 'functions'))).map((f) => routeOf(f, true).path).sort(),
    );
    expect(live?.assets.map((a) => a.path).sort()).toEqual(
      (await filesUnder(join(clone, 'dist', 'assets'))).map((f) => routeOf(f, false).path).sort(),
    );
    const { ACCOUNT_SID: _sid, AUTH_TOKEN: _token, OPENING_HOURS: _empty, ...uploaded } = ENV;
    expect(live?.variables).toEqual(uploaded);
    const lock = await readJson<PackageLock>(join(clone, 'package-lock.json'));
    expect(live?.build.dependencies).toEqual(
      Object.keys(pkg.dependencies).map((name) => ({
        name,
        version: lock.packages[`node_modules/${name}`]?.version,
      })),
    );
    expect(live?.build.runtime).toBe('node22');
  }, 120_000);
});

/**
 * What the first deploy uploaded, as JSON in the file DEPLOY_REPORT names
 * (`DEPLOY_REPORT=/tmp/deploy.json npx jest tests/runtime/deploy.test.ts`):
 * the figures docs/deploy.md quotes.
 */
async function writeReport(
  file: string,
  live: NonNullable<ReturnType<typeof liveDeployment>>,
  mock: TwilioMock,
): Promise<void> {
  const files = (list: typeof live.functions) =>
    sortByPath(list).map((f) => ({
      path: f.path,
      visibility: f.visibility,
      contentType: f.contentType,
      bytes: f.content.length,
    }));
  const calls: Record<string, number> = {};
  for (const r of mock.requests()) calls[r.name] = (calls[r.name] ?? 0) + 1;
  const report = {
    functions: files(live.functions),
    assets: files(live.assets),
    uploadedBytes: [...live.functions, ...live.assets].reduce((n, f) => n + f.content.length, 0),
    variables: Object.keys(live.variables).sort(),
    variablesJsonBytes: JSON.stringify(live.variables).length,
    dependencies: live.build.dependencies,
    runtime: live.build.runtime,
    domain: live.environment.domainName,
    requests: calls,
  };
  await writeFile(file, JSON.stringify(report, null, 2));
}

function sortByPath<T extends { path: string }>(list: T[]): T[] {
  return [...list].sort((a, b) => a.path.localeCompare(b.path));
}
