/**
 * Reading and merging `.env` without losing anything: every line the file
 * had (comments, order, variables setup knows nothing about) stays as it was.
 *
 *   readEnvFile(path)              -> the file's lines and values (or .env.example's, when absent)
 *   mergeEnv(file, updates, force) -> new text, plus what was set, kept or already so
 *
 * A variable that already has a different value is kept unless `force` is
 * set: setup never overwrites what someone else chose. Empty variables and
 * the defaults of a file started from .env.example are filled in place;
 * unknown ones are appended. Values are written unquoted when that is
 * unambiguous for dotenv, single-quoted otherwise.
 */
import { existsSync, readFileSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';

export interface EnvFile {
  path: string;
  /** False when the file did not exist and its text comes from the template. */
  exists: boolean;
  lines: string[];
  values: Record<string, string>;
}

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/;

/** One `KEY=value` line's value, as dotenv reads it. */
function parseValue(raw: string): string {
  const quoted = /^(["'`])(.*)\1$/.exec(raw);
  if (quoted) {
    const inner = quoted[2] ?? '';
    return quoted[1] === '"' ? inner.replace(/\\n/g, '\n') : inner;
  }
  return raw.replace(/\s+#.*$/, '').trim();
}

export function parseEnv(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = ASSIGNMENT.exec(line);
    if (match?.[1]) values[match[1]] = parseValue(match[2] ?? '');
  }
  return values;
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

export interface MergeResult {
  text: string;
  /** Variables written (new, empty before, or overwritten with force). */
  set: string[];
  /** Variables that already had another value and were left alone. */
  kept: string[];
  /** Variables that already had exactly this value. */
  unchanged: string[];
}

/** A value written so that dotenv reads back exactly the same string. */
export function formatValue(value: string): string {
  if (/^[A-Za-z0-9_\-.:/,@*+=%~]*$/.test(value)) return value;
  if (!value.includes("'") && !value.includes('\n')) return `'${value}'`;
  return JSON.stringify(value);
}

export function mergeEnv(
  file: EnvFile,
  updates: Record<string, string | undefined>,
  force = false,
): MergeResult {
  const lines = [...file.lines];
  const result: MergeResult = { text: '', set: [], kept: [], unchanged: [] };
  const appended: string[] = [];
  for (const [key, value] of Object.entries(updates)) {
    if (value === undefined) continue;
    const current = file.values[key];
    if (current === value) {
      result.unchanged.push(key);
      continue;
    }
    // A file started from the template has only defaults: they are ours to fill.
    if (current !== undefined && current !== '' && file.exists && !force) {
      result.kept.push(key);
      continue;
    }
    const line = `${key}=${formatValue(value)}`;
    const index = lines.findIndex((l) => ASSIGNMENT.exec(l)?.[1] === key);
    if (index >= 0) lines[index] = line;
    else appended.push(line);
    result.set.push(key);
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
