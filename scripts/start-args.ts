/**
 * The port `npm start` serves on, from `PORT` or from `--port` among the
 * arguments meant for twilio-run (`npm start -- --port 3001`), and those
 * arguments without it: twilio-run must see exactly one `--port` (a second
 * one becomes an array and crashes it).
 *
 * @example
 *   startArgs(['--port', '3001', '--ngrok'], {}); // {port: 3001, rest: ['--ngrok']}
 *   startArgs([], { PORT: '3002' });               // {port: 3002, rest: []}
 */
export const DEFAULT_PORT = 3000;

export interface StartArgs {
  port: number;
  /** Everything else, for `twilio-run start`. */
  rest: string[];
}

/** Thrown for a port that cannot be used, with a message for the terminal. */
export class StartArgsError extends Error {}

export function startArgs(argv: readonly string[], env: { PORT?: string }): StartArgs {
  const rest: string[] = [];
  const given: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--port' || arg === '-p') {
      given.push(argv[i + 1] ?? '');
      i++;
    } else if (arg.startsWith('--port=')) {
      given.push(arg.slice('--port='.length));
    } else {
      rest.push(arg);
    }
  }
  if (given.length > 1) throw new StartArgsError('Give --port once.');
  const fromEnv = env.PORT?.trim() || undefined;
  if (given.length === 1 && fromEnv !== undefined) {
    throw new StartArgsError(
      'A port was given both as PORT and as --port: give one (PORT=3001 npm start, or npm start -- --port 3001).',
    );
  }
  const text = given[0] ?? fromEnv;
  const port = text === undefined ? DEFAULT_PORT : Number(text);
  if (!/^\d+$/.test(text ?? String(DEFAULT_PORT)) || port < 1 || port > 65535) {
    const source = given.length === 1 ? '--port' : 'PORT';
    throw new StartArgsError(`${source} must be a port number from 1 to 65535, got "${text}".`);
  }
  return { port, rest };
}
