/**
 * Reading and merging `.env` without losing anything: every line the file
 * had (comments, order, variables setup knows nothing about) stays as it was.
 *
 *   parseEnv(text)                 -> the values, read exactly as twilio-run reads them
 *   readEnvFile(path)              -> the file's lines and values (or .env.example's, when absent)
 *   mergeEnv(file, updates)        -> new text, plus what was changed, set, kept or already so
 *
 * Values are read with the `dotenv` that twilio-run itself resolves (6.2 for
 * twilio-run 5), not a look-alike: what setup and doctor see is what `npm
 * start` and `npm run deploy` use. Its rules differ from newer dotenv and from
 * shells: `A=e # note` is `e # note` (no comments after values), `export B=x`
 * is not an assignment at all, `C="a b" ` (a space after the quote) is `a b"`,
 * and of a variable set twice the last line wins.
 *
 * A variable that already has a different value is replaced only when its
 * update says so (setup decides which: see context.ts). Empty variables and
 * the defaults of a file started from .env.example are filled in place (on
 * the last line that sets them, the one dotenv reads); unknown ones are
 * appended. Values are written unquoted when that is unambiguous,
 * single-quoted otherwise, so that dotenv reads back the same string.
 */
import { existsSync, readFileSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

export interface EnvFile {
  path: string;
  /** False when the file did not exist and its text comes from the template. */
  exists: boolean;
  lines: string[];
  values: Record<string, string>;
}

/** The part of dotenv's API used here (dotenv 6 ships no types). */
interface Dotenv {
  parse(src: string): Record<string, string>;
}

// twilio-run's own dependency, resolved from where twilio-run is installed,
// so a different dotenv elsewhere in node_modules cannot change the rules.
const fromTwilioRun = createRequire(require.resolve('twilio-run/package.json'));
const dotenv = fromTwilioRun('dotenv') as Dotenv;

/** A line dotenv reads as an assignment, and its key (dotenv 6.2's own pattern). */
const ASSIGNMENT = /^\s*([\w.-]+)\s*=/;

/** The values of a .env text, as twilio-run reads them. */
export function parseEnv(text: string): Record<string, string> {
  return dotenv.parse(text);
}

/**
 * The env file at `path`; when it does not exist yet, the text of
 * `templatePath` (.env.example), so its documentation comes along.
 */
export function readEnvFile(path: string, templatePath?: string): EnvFile {
  const exists = existsSync(path);
  const source = exists
    ? path
    : templatePath && existsSync(templatePath)
      ? templatePath
      : undefined;
  const text = source ? readFileSync(source, 'utf8') : '';
  const lines = text === '' ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/);
  return { path, exists, lines, values: exists ? parseEnv(text) : {} };
}

/** One variable to write: its value ('' empties it), and whether it may replace another. */
export interface EnvUpdate {
  value: string;
  /** May replace a different, non-empty value the file already has. */
  replace: boolean;
}

export interface MergeResult {
  text: string;
  /** Variables whose non-empty value was replaced, with what it was. */
  changed: { key: string; was: string }[];
  /** Variables that were empty or absent (or a template default) and now have a value. */
  set: string[];
  /** Variables that already had another value and were left alone. */
  kept: string[];
  /** Variables that already had exactly this value. */
  unchanged: string[];
}

/**
 * A value written so that dotenv 6.2 reads back exactly the same string. It
 * strips one quote at each end and then surrounding spaces, and expands `\n`
 * only between double quotes: so single quotes keep anything but a line
 * break or spaces at either end, which no value setup writes has.
 */
export function formatValue(value: string): string {
  if (/^[A-Za-z0-9_\-.:/,@*+=%~]*$/.test(value)) return value;
  if (/[\r\n]/.test(value) || value.trim() !== value) {
    throw new Error('A .env value cannot hold a line break or start or end with a space');
  }
  return `'${value}'`;
}

/** The index of the last line that sets `key` (the one dotenv reads), or -1. */
function lastAssignment(lines: string[], key: string): number {
  for (let i = lines.length - 1; i >= 0; i--) {
    if (ASSIGNMENT.exec(lines[i] ?? '')?.[1] === key) return i;
  }
  return -1;
}

/**
 * The file's text with `updates` applied: a value replaces a different,
 * non-empty one only when its update says `replace`; empty variables and the
 * defaults of a file started from .env.example are filled in place (on the
 * line dotenv reads); new variables are appended. Emptying a variable that is
 * absent or empty changes nothing.
 */
export function mergeEnv(file: EnvFile, updates: Record<string, EnvUpdate>): MergeResult {
  const lines = [...file.lines];
  const result: MergeResult = { text: '', changed: [], set: [], kept: [], unchanged: [] };
  const appended: string[] = [];
  for (const [key, { value, replace }] of Object.entries(updates)) {
    // A file started from the template has only defaults: they are ours to fill.
    const current = file.exists ? (file.values[key] ?? '') : '';
    if (current === value) {
      result.unchanged.push(key);
      continue;
    }
    if (current !== '' && !replace) {
      result.kept.push(key);
      continue;
    }
    const line = `${key}=${formatValue(value)}`;
    const index = lastAssignment(lines, key);
    if (index >= 0) lines[index] = line;
    else if (value !== '') appended.push(line);
    if (current === '') result.set.push(key);
    else result.changed.push({ key, was: current });
  }
  if (appended.length > 0) {
    if (lines.length > 0 && lines[lines.length - 1]?.trim() !== '') lines.push('');
    lines.push('# Added by npm run setup', ...appended);
  }
  result.text = `${lines.join('\n')}\n`;
  return result;
}

/** Writes the merged text; a new file is readable by its owner only (it holds secrets). */
export async function writeEnvFile(file: EnvFile, text: string): Promise<void> {
  await writeFile(file.path, text, { encoding: 'utf8', mode: 0o600 });
  if (!file.exists) await chmod(file.path, 0o600);
}
