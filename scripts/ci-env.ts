/**
 * Writes `.env` in a CI job (.github/workflows/deploy.yml) from the
 * repository's secrets and variables, so `npm run deploy` uploads the same
 * configuration `npm run setup` would have written locally:
 *
 *   SECRETS_JSON='${{ toJSON(secrets) }}' VARS_JSON='${{ toJSON(vars) }}' npx tsx scripts/ci-env.ts
 *
 * Every variable `.env.example` names is taken from a secret or a variable of
 * that name; the others keep `.env.example`'s defaults. Names only are
 * printed, never values. Refuses to overwrite an existing `.env`, a name set
 * both ways (which one would win is not obvious), and a secret (AUTH_TOKEN,
 * API_SECRET, CAPTCHA_SECRET) kept as a plain variable, which anyone who can
 * read the repository's settings, and every log, may see.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { mergeEnv, parseEnv, writeEnvFile, type EnvUpdate } from './setup/dotenv';

/** Variables that must come from secrets. */
export const SECRET_VARIABLES = ['AUTH_TOKEN', 'API_SECRET', 'CAPTCHA_SECRET'] as const;

export interface CiEnv {
  /** The new .env's text. */
  text: string;
  fromSecrets: string[];
  fromVariables: string[];
}

/** A JSON object of strings (`toJSON(secrets)`), or an error naming where it came from. */
function stringsOf(json: string | undefined, name: string): Record<string, string> {
  if (!json) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error(`${name} is not JSON: pass \${{ toJSON(...) }}`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`${name} is not an object`);
  return Object.fromEntries(
    Object.entries(parsed).filter((entry): entry is [string, string] => {
      return typeof entry[1] === 'string' && entry[1] !== '';
    }),
  );
}

/** The .env text for the template's variables, from secrets and variables. */
export function ciEnv(
  templatePath: string,
  secretsJson: string | undefined,
  varsJson: string | undefined,
): CiEnv {
  const secrets = stringsOf(secretsJson, 'SECRETS_JSON');
  const vars = stringsOf(varsJson, 'VARS_JSON');
  const templateText = readFileSync(templatePath, 'utf8');
  const names = Object.keys(parseEnv(templateText));
  const both = names.filter((n) => n in secrets && n in vars);
  if (both.length > 0) {
    throw new Error(`${both.join(', ')}: set as both a secret and a variable; keep one`);
  }
  const exposed = SECRET_VARIABLES.filter((n) => n in vars);
  if (exposed.length > 0) {
    throw new Error(
      `${exposed.join(', ')}: a repository variable, visible to anyone who can read the settings; make it a secret`,
    );
  }
  const updates: Record<string, EnvUpdate> = {};
  for (const name of names) {
    const value = secrets[name] ?? vars[name];
    if (value !== undefined) updates[name] = { value, replace: true };
  }
  // A new file from the template: its defaults are filled in place, as setup does.
  const lines = templateText.replace(/\r?\n$/, '').split(/\r?\n/);
  return {
    text: mergeEnv({ path: '.env', exists: false, lines, values: {} }, updates).text,
    fromSecrets: names.filter((n) => n in secrets),
    fromVariables: names.filter((n) => n in vars),
  };
}

async function main(): Promise<void> {
  const root = resolve(__dirname, '..');
  const path = join(root, '.env');
  if (existsSync(path)) throw new Error(`${path} exists already: this is for CI jobs`);
  const env = ciEnv(join(root, '.env.example'), process.env.SECRETS_JSON, process.env.VARS_JSON);
  await writeEnvFile({ path, exists: false, lines: [], values: {} }, env.text);
  const list = (names: string[]) => (names.length ? names.join(', ') : 'none');
  console.log(`Wrote ${path}`);
  console.log(`  from secrets:   ${list(env.fromSecrets)}`);
  console.log(`  from variables: ${list(env.fromVariables)}`);
  console.log("  the rest: .env.example's defaults");
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
