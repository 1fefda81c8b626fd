/**
 * Runs the project's own twilio-run (`npm start`, `npm run deploy`) in this
 * terminal, in the project's root, and exits with its exit code. Ctrl-C and
 * SIGTERM are passed on, so no twilio-run is left holding its port.
 *
 * @example
 *   runTwilioRun(['deploy', '--environment', 'prod'], 1);
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '..');

/** `killedExitCode`: this process's exit code when twilio-run ends on a signal. */
export function runTwilioRun(args: readonly string[], killedExitCode: number): void {
  const twilioRun = require.resolve('twilio-run/bin/twilio-run.js');
  const child = spawn(process.execPath, [twilioRun, ...args], { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code) => process.exit(code ?? killedExitCode));
}
