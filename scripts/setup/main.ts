/**
 * Entry point of `npm run setup` (run with tsx): the real terminal, the
 * real environment and the real Twilio library. Everything else is in cli.ts.
 */
import { runCli } from './cli';
import { twilioClient } from './twilio';

runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  tty: Boolean(process.stdin.isTTY && process.stdout.isTTY),
  env: process.env,
  makeClient: twilioClient,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A bug, not a user error: the stack helps, and holds no secret.
    console.error(error);
    process.exitCode = 1;
  },
);
