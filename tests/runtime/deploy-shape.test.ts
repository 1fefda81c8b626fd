/**
 * What `twilio serverless:deploy` uploads is dist/ plus the "dependencies" of
 * package.json. These tests prove that is enough, and that nothing in dist/
 * should not be public:
 *
 * - each built function, copied alone into an empty folder next to nothing but
 *   the production dependencies, loads and answers (calling Twilio where it
 *   should, through the local mock);
 * - every package a function requires is a production dependency;
 * - dist/ holds no source maps, env files, TypeScript, dotfiles, or helpers
 *   exposed as routes.
 */
import { execFileSync, execFile } from 'node:child_process';
import { builtinModules } from 'node:module';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import type { Challenge } from 'altcha-lib';
import { solve } from '../../dev/challenge';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import { ROOT } from '../../dev/local-runtime';
import { TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { WEBHOOK_ENV, messageAddedParams, sign } from '../../dev/twilio-fake/webhooks';

const run = promisify(execFile);
const DIST = join(ROOT, 'dist');

interface PackageJson {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

async function functionNames(): Promise<string[]> {
  const sources = await filesUnder(join(ROOT, 'functions'));
  return sources
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.replace(/\.ts$/, ''));
}

describe('dist/ holds only what may be public', () => {
  it('has exactly one bundle per function, and nothing else, in dist/functions', async () => {
    const expected = (await functionNames()).map((name) => `${name}.js`).sort();
    expect(await filesUnder(join(DIST, 'functions'))).toEqual(expected);
  });

  it('has no source maps, env files, TypeScript or dotfiles anywhere', async () => {
    const all = await filesUnder(DIST);
    expect(all.length).toBeGreaterThan(3);
    for (const file of all) {
      expect(file).not.toMatch(/\.map$|\.ts$|(^|\/)\.|\.env/);
    }
    for (const file of all.filter((f) => f.endsWith('.js'))) {
      expect(await readFile(join(DIST, file), 'utf8')).not.toMatch(/sourceMappingURL/);
    }
  });

  it('serves from dist/assets only files from assets/ and the client bundles', async () => {
    const assets = await filesUnder(join(ROOT, 'assets'));
    const client = (await filesUnder(join(ROOT, 'client')))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.includes('/'))
      .map((f) => f.replace(/\.ts$/, '.js'));
    const allowed = new Set([...assets, ...client, 'assets/index.html']);
    for (const file of await filesUnder(join(DIST, 'assets'))) {
      expect(allowed).toContain(file);
    }
  });

  it('requires only Node built-ins and production dependencies', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as PackageJson;
    const builtins = new Set(builtinModules);
    let seen = 0;
    for (const file of await filesUnder(join(DIST, 'functions'))) {
      const code = await readFile(join(DIST, 'functions', file), 'utf8');
      const required = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1] ?? '');
      seen += required.length;
      for (const name of required) {
        if (builtins.has(name.replace(/^node:/, ''))) continue;
        const pkgName = name.startsWith('@')
          ? name.split('/').slice(0, 2).join('/')
          : name.split('/')[0];
        expect(pkg.dependencies).toHaveProperty([pkgName ?? '']);
      }
    }
    expect(seen).toBeGreaterThan(0); // the pattern does find requires
  });
});

describe('package.json pins what the deploy installs', () => {
  // Twilio's build installs `dependencies` anew from the registry: a range
  // (^6.2.0) would deploy whatever is newest that day, not what was tested.
  it('names every runtime dependency by the exact version package-lock.json installs', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as PackageJson;
    const lock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string }>;
    };
    const declared = Object.entries(pkg.dependencies);
    expect(declared.length).toBeGreaterThan(0);
    for (const [name, version] of declared) {
      expect({ name, version }).toEqual({
        name,
        version: lock.packages[`node_modules/${name}`]?.version,
      });
    }
  });
});

describe('each built function, alone with the production dependencies', () => {
  let sandbox: string;
  let mock: TwilioMock;

  beforeAll(async () => {
    mock = await TwilioMock.start();
    sandbox = await mkdtemp(join(tmpdir(), 'webchat-deploy-'));
    // The production dependency tree, as `npm install --omit=dev` would lay it out.
    const listing = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const packages = listing
      .split('\n')
      .filter((p) => p.startsWith(join(ROOT, 'node_modules')))
      .sort();
    const copied: string[] = [];
    for (const dir of packages) {
      if (copied.some((parent) => dir.startsWith(parent + sep))) continue; // inside a copied one
      await cp(dir, join(sandbox, relative(ROOT, dir)), { recursive: true });
      copied.push(dir);
    }
    await writeFile(join(sandbox, 'harness.js'), HARNESS);
  }, 120_000);

  afterAll(async () => {
    await mock?.stop();
    if (sandbox) await rm(sandbox, { recursive: true, force: true });
  });

  afterEach(() => expect(mock.violations).toEqual([]));

  /** Copies one built function into its own folder and invokes it in a fresh Node process. */
  async function runAlone(name: string, event: object, env: object = TEST_ENV) {
    const folder = join(sandbox, name.replace(/\//g, '_'));
    await mkdir(folder, { recursive: true });
    await cp(join(DIST, 'functions', `${name}.js`), join(folder, `${name.split('/').pop()}.js`));
    const { stdout } = await run(
      process.execPath,
      [join(sandbox, 'harness.js'), join(folder, `${name.split('/').pop()}.js`)],
      {
        cwd: folder,
        env: {
          PATH: process.env.PATH,
          MOCK_URL: mock.baseUrl,
          FUNCTION_ENV: JSON.stringify(env),
          FUNCTION_EVENT: JSON.stringify(event),
        },
      },
    );
    return JSON.parse(stdout) as {
      statusCode: number;
      body: string;
      devDependencyVisible: boolean;
    };
  }

  const event = (body: object) => ({
    request: {
      headers: {
        origin: 'https://www.example.com',
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(JSON.stringify(body))),
      },
      cookies: {},
    },
    ...body,
  });

  it('cannot see any development dependency', async () => {
    const result = await runAlone('status', { request: { headers: {}, cookies: {} } });
    expect(result.devDependencyVisible).toBe(false);
  });

  /** A proof from the deployed shape of /challenge (altcha-lib from production dependencies). */
  async function proofAlone(env: object = TEST_ENV) {
    const asked = { request: { headers: { origin: 'https://www.example.com' }, cookies: {} } };
    const result = await runAlone('challenge', asked, env);
    expect(result.statusCode).toBe(200);
    return solve((JSON.parse(result.body) as { challenge: Challenge }).challenge);
  }

  it('challenge issues a challenge, and start-chat starts a chat with it solved', async () => {
    const proof = await proofAlone();
    const result = await runAlone('start-chat', event({ friendlyName: 'Ana', proof }));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toHaveProperty('token');
    expect(mock.requests().map((r) => r.name)).toEqual(['conversations.create', 'webhooks.create']);
  });

  it('refresh-token renews the token of an open chat', async () => {
    const started = await runAlone('start-chat', event({ proof: await proofAlone() }));
    const { token } = JSON.parse(started.body) as Record<string, string>;
    const result = await runAlone('refresh-token', event({ token }));
    expect(result.statusCode).toBe(200);
  });

  it('status answers, configured or not', async () => {
    expect((await runAlone('status', { request: { headers: {}, cookies: {} } })).statusCode).toBe(
      200,
    );
    expect(
      (await runAlone('status', { request: { headers: {}, cookies: {} } }, {})).statusCode,
    ).toBe(503);
  });

  it('end-chat ends a chat', async () => {
    const started = await runAlone('start-chat', event({ proof: await proofAlone() }));
    const { token, conversationSid } = JSON.parse(started.body) as Record<string, string>;
    const result = await runAlone('end-chat', event({ token, conversationSid }));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({
      ended: true,
      alreadyEnded: false,
      closed: 'conversation',
    });
  });

  it('interaction hands a chat off to Flex', async () => {
    const started = await runAlone(
      'start-chat',
      event({ proof: await proofAlone(WEBHOOK_ENV) }),
      WEBHOOK_ENV,
    );
    const chat = JSON.parse(started.body) as { conversationSid: string; identity: string };
    const params = messageAddedParams({ ...chat, author: chat.identity });
    const result = await runAlone(
      'interaction.protected',
      { request: { headers: { 'x-twilio-signature': sign(params) }, cookies: {} }, ...params },
      WEBHOOK_ENV,
    );
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ outcome: 'handed_off' });
  });

  it('every function in dist/ loads on its own, and answers an empty request as designed', async () => {
    // No configuration, no Origin: browser-facing functions refuse the caller
    // first (403); /status and Twilio's webhook say what is not configured (503);
    // /availability needs no variable at all (no OPENING_HOURS: always open).
    const expected: Record<string, number> = {
      availability: 200,
      challenge: 403,
      // No Origin is needed (Studio sends none): it says what is not configured.
      'check-customer': 503,
      'start-chat': 403,
      'refresh-token': 403,
      'end-chat': 403,
      'previous-chat': 403,
      survey: 403,
      transcript: 403,
      status: 503,
      'interaction.protected': 503,
    };
    const names = await functionNames();
    expect(names.sort()).toEqual(Object.keys(expected).sort());
    for (const name of names) {
      const result = await runAlone(name, { request: { headers: {}, cookies: {} } }, {});
      expect({ name, status: result.statusCode }).toEqual({ name, status: expected[name] });
    }
  });
});

/**
 * Runs one function the way the deployed runtime does: `Twilio.Response` from
 * the runtime handler (a production dependency), `context.getTwilioClient()`
 * from the installed `twilio`, redirected to the mock.
 */
const HARNESS = String.raw`
// The function's own logs go to stderr; stdout carries only the result.
console.log = console.info = (...args) => console.error(...args);
const { dirname, join } = require('path');
const { Response } = require(join(dirname(require.resolve('@twilio/runtime-handler/dev')), 'internal', 'response'));
global.Twilio = { Response };
const twilio = require('twilio');
const RequestClient = require('twilio/lib/base/RequestClient');
class ToMock extends RequestClient {
  request(opts) {
    const url = new URL(opts.uri);
    return super.request({ ...opts, uri: process.env.MOCK_URL + '/' + url.host + url.pathname + url.search });
  }
}
let devDependencyVisible = true;
try { require.resolve('typescript', { paths: [process.cwd()] }); } catch { devDependencyVisible = false; }
const env = JSON.parse(process.env.FUNCTION_ENV);
const context = {
  ...env,
  DOMAIN_NAME: 'webchat-1234-dev.twil.io',
  PATH: '/x',
  getTwilioClient: (opts) => twilio(env.ACCOUNT_SID, env.AUTH_TOKEN, { ...opts, httpClient: new ToMock() }),
};
const { handler } = require(process.argv[2]);
handler(context, JSON.parse(process.env.FUNCTION_EVENT), (error, response) => {
  if (error) { console.error(error); process.exit(1); }
  const { statusCode, body } = response.serialize();
  process.stdout.write(JSON.stringify({ statusCode, body: typeof body === 'string' ? body : JSON.stringify(body), devDependencyVisible }));
});
`;
