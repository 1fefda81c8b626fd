/**
 * Runs the setup CLI (`scripts/setup/cli.ts`) in process, the way `npm run
 * setup` would, against the local Twilio mock: its own temporary .env, a
 * scripted stdin, captured stdout and stderr.
 *
 * @example
 *   const run = await setupCli(mock, ['--yes', '--mode', 'studio']);
 *   expect(run.code).toBe(0);
 *   expect(run.env.STUDIO_FLOW_SID).toBe(...);
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { runCli } from '../../scripts/setup/cli';
import { parseEnv } from '../../scripts/setup/dotenv';
import { TEST_ENV } from '../../dev/twilio-fake/env';
import type { TwilioMock } from '../../dev/twilio-fake/twilio-mock';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The .env as written (empty when there is none). */
  env: Record<string, string>;
  envText: string;
}

export interface CliOptions {
  /** Lines typed at the questions, in order. */
  answers?: string[];
  tty?: boolean;
  processEnv?: NodeJS.ProcessEnv;
  /** Text of the .env before the run; absent: no .env. */
  envText?: string;
}

/** A temporary project folder for one test's .env. */
export class EnvDir {
  private constructor(readonly dir: string) {}

  static async create(): Promise<EnvDir> {
    return new EnvDir(await mkdtemp(join(tmpdir(), 'webchat-setup-')));
  }

  get envFile(): string {
    return join(this.dir, '.env');
  }

  read(): string {
    return existsSync(this.envFile) ? readFileSync(this.envFile, 'utf8') : '';
  }

  remove(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }
}

/** The credentials flags for the mock's account. */
export const CREDENTIAL_FLAGS = [
  '--account-sid',
  TEST_ENV.ACCOUNT_SID,
  '--auth-token',
  TEST_ENV.AUTH_TOKEN,
];

/** The README's one-command setup for CI (address mode, everything created). */
export const README_CI_FLAGS = [
  ...CREDENTIAL_FLAGS,
  '--yes',
  '--mode',
  'address',
  '--create-address',
  '--address-target',
  'studio',
  '--create-studio-flow',
];

export async function setupCli(
  mock: TwilioMock,
  dir: EnvDir,
  argv: string[],
  options: CliOptions = {},
): Promise<CliRun> {
  if (options.envText !== undefined) await writeFile(dir.envFile, options.envText);
  const stdin = Readable.from(
    options.answers ? [options.answers.map((a) => `${a}\n`).join('')] : [],
  );
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await runCli([...argv, '--env-path', dir.envFile], {
    stdin,
    stdout,
    stderr,
    tty: options.tty ?? false,
    env: options.processEnv ?? {},
    makeClient: (c) =>
      mock.client({ accountSid: c.accountSid, username: c.username, password: c.password }),
  });
  const envText = dir.read();
  return { code, stdout: out, stderr: err, env: parseEnv(envText), envText };
}
