/**
 * Whether `twilio-run deploy` will have credentials, decided the way it
 * decides (twilio-run/dist/config/utils/credentials.js): `--username` /
 * `--password` (`-u` / `-p`) first, else ACCOUNT_SID / AUTH_TOKEN from the
 * env file (`--env`, default .env), whose empty entries fall back to the
 * shell's only with `--load-system-env`.
 *
 * Without them twilio-run answers in its own words (about --username and
 * --password); `npm run deploy` says to run setup instead.
 *
 * @example
 *   missingCredentials(['--override-existing-project'], readEnv('.env'), process.env);
 *   // ['AUTH_TOKEN'] when .env has no Auth Token
 */
type Values = Readonly<Record<string, string | undefined>>;

/** The value of `--name value`, `--name=value` or `-n value`; undefined if absent. */
export function flagValue(
  args: readonly string[],
  long: string,
  short?: string,
): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg.startsWith(`--${long}=`)) return arg.slice(long.length + 3);
    if (arg === `--${long}` || (short && arg === `-${short}`)) return args[i + 1];
  }
  return undefined;
}

/** The credential variables twilio-run would find empty (none: it can deploy). */
export function missingCredentials(
  args: readonly string[],
  fileValues: Values,
  systemEnv: Values,
): ('ACCOUNT_SID' | 'AUTH_TOKEN')[] {
  const system = args.includes('--load-system-env');
  const valueOf = (name: 'ACCOUNT_SID' | 'AUTH_TOKEN', long: string, short: string) =>
    flagValue(args, long, short) || fileValues[name] || (system ? systemEnv[name] : undefined);
  return [
    ...(valueOf('ACCOUNT_SID', 'username', 'u') ? [] : (['ACCOUNT_SID'] as const)),
    ...(valueOf('AUTH_TOKEN', 'password', 'p') ? [] : (['AUTH_TOKEN'] as const)),
  ];
}
