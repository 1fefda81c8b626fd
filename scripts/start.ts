/**
 * npm start: builds dist/, then runs it with twilio-run on PORT or
 * `npm start -- --port N` (default 3000; see start-args.ts). Extra arguments
 * go to `twilio-run start` (`npm start -- --ngrok`).
 *
 * Does what a bare `twilio-run start` does not: refuses a busy port with a
 * clear message (twilio-run would hang on an interactive prompt), and says
 * what is still missing from .env before the first request does. With no
 * .env at all (a fresh clone), it runs the preview instead (scripts/preview.ts).
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/config';
import { ConfigError } from '../src/errors';
import { buildAll } from './build';
import { runPreview } from './preview';
import { startArgs } from './start-args';
import { runTwilioRun } from './twilio-run';
import { readEnvFile } from './setup/dotenv';

const root = resolve(__dirname, '..');

function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer()
      .once('error', () => done(false))
      .once('listening', () => probe.close(() => done(true)))
      .listen(port);
  });
}

function reportConfiguration(port: number): void {
  const envFile = join(root, '.env');
  if (!existsSync(envFile)) {
    console.warn(
      'No .env file yet. Run npm run setup (or copy .env.example to .env and fill it in);',
    );
    console.warn('until then the page and /start-chat say what is missing.\n');
    return;
  }
  try {
    // Read with twilio-run's own rules (scripts/setup/dotenv.ts), so the warning
    // is about the values twilio-run will actually load.
    loadConfig(readEnvFile(envFile).values, { domainName: `localhost:${port}` });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.warn('.env is not complete yet:');
    for (const { field, problem } of error.problems) console.warn(`  ${field} ${problem}`);
    console.warn('See .env.example for what each variable means.\n');
  }
}

async function main(): Promise<void> {
  // Anything after `npm start --` goes to twilio-run, e.g. `npm start -- --ngrok`.
  const { port, rest: extra } = startArgs(process.argv.slice(2), process.env);
  if (!(await portIsFree(port))) {
    console.error(
      `Port ${port} is already in use. Stop what runs there, or run: npm start -- --port ${port + 1}`,
    );
    process.exit(1);
  }
  // No .env at all: a newcomer. Show them a whole chat (the preview) rather
  // than a page of missing variables; the terminal and the page say so.
  if (!existsSync(join(root, '.env')) && extra.length === 0) {
    console.log(
      'No .env yet, so this is the preview: a simulated Flex on this computer (npm run preview).\n' +
        'To use your Twilio account: npm run setup (it writes .env), then npm start.\n',
    );
    return runPreview(port);
  }
  await buildAll();
  reportConfiguration(port);
  if (extra.some((arg) => arg === '--ngrok' || arg.startsWith('--ngrok='))) {
    // Behind twilio-run's tunnel the service's own origin is the ngrok host:
    // a page opened on localhost would be refused by /start-chat (403).
    console.log(
      `Starting on port ${port} behind an ngrok tunnel: open the page at the ngrok URL twilio-run prints below\n` +
        `(or add http://localhost:${port} to ALLOWED_ORIGINS to use localhost too)\n`,
    );
  } else {
    console.log(`Starting on http://localhost:${port}/ (open it in your browser)\n`);
  }

  // Stopped with Ctrl-C is how a local run ends: exit code 0.
  runTwilioRun(['start', '--port', String(port), ...extra], 0);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
