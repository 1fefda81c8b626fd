/**
 * Starts the real local runtime (`twilio-run start`) on the built dist/, on a
 * free port, with a given environment and the project's `twilio` pointed at
 * a local mock. Used by the smoke tests; stops cleanly.
 *
 * The environment goes in a temporary env file (twilio-run replaces
 * process.env with that file's contents, and its forked function processes
 * inherit it), so a developer's own .env is never read.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

export const ROOT = resolve(__dirname, '..');

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/**
 * Bundles redirect-twilio.ts into `dir`, for `node --require`: a child
 * process's `twilio` then talks to the local mock. Returns the file's path.
 */
export async function buildTwilioRedirect(dir: string): Promise<string> {
  const preload = join(dir, 'redirect-twilio.js');
  await build({
    entryPoints: [join(ROOT, 'dev', 'twilio-fake', 'redirect-twilio.ts')],
    outfile: preload,
    platform: 'node',
    format: 'cjs',
    bundle: true,
    logLevel: 'warning',
  });
  return preload;
}

export interface LocalRuntime {
  url: string;
  port: number;
  output: () => string;
  stop: () => Promise<void>;
}

export async function startLocalRuntime(
  env: Record<string, string | undefined>,
  options: { mockUrl?: string } = {},
): Promise<LocalRuntime> {
  const dir = await mkdtemp(join(tmpdir(), 'webchat-runtime-'));
  const preload = await buildTwilioRedirect(dir);
  const fullEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) fullEnv[key] = value;
  if (options.mockUrl) {
    Object.assign(fullEnv, {
      NODE_OPTIONS: `--require ${preload}`,
      TWILIO_MOCK_URL: options.mockUrl,
      TWILIO_MOCK_ROOT: ROOT,
    });
  }
  const envFile = join(dir, 'test.env');
  await writeFile(
    envFile,
    Object.entries(fullEnv)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join('\n'),
  );

  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      require.resolve('twilio-run/bin/twilio-run.js'),
      'start',
      '--port',
      String(port),
      '--env',
      envFile,
    ],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...fullEnv, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: twilio-run forks a process per request, and a
      // fork orphaned mid-request spins forever, so stop() ends the whole group.
      detached: true,
    },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));

  const url = `http://localhost:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`twilio-run exited early:\n${output}`);
    try {
      const res = await fetch(`${url}/index.html`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
      throw new Error(`twilio-run did not start within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }

  return {
    url,
    port,
    output: () => output,
    stop: async () => {
      const group = (signal: NodeJS.Signals) => {
        try {
          if (child.pid) process.kill(-child.pid, signal);
        } catch {
          // already gone
        }
      };
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        group('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000).unref())]);
      }
      group('SIGKILL'); // forks left behind, if any
      await rm(dir, { recursive: true, force: true });
    },
  };
}
