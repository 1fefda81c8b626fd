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
    // A bug, not a user error: the stack helps. Only the stack, never the
    // object: an HTTP client's error carries its request, Authorization
    // header (the Auth Token) included.
    console.error(
      error instanceof Error
        ? (error.stack ?? `${error.name}: ${error.message}`)
        : `Unexpected failure (a thrown ${typeof error})`,
    );
    process.exitCode = 1;
  },
);
