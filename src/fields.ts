/**
 * A small kit for validating the fields of a JSON request: every problem is
 * collected (so the caller can fix them all at once), unknown fields are
 * named, and values are never echoed back.
 *
 * @example
 *   const input = parseFields(fields, {
 *     name: optionalText({ maxLength: 64, singleLine: true }),
 *   });
 *   input.name; // string | undefined
 */
import { BadRequestError, type FieldProblem } from './errors';
import { cleanText, isSingleLine } from './plain-text';

export type FieldResult<T> = { ok: true; value: T } | { ok: false; problem: string };
export type FieldParser<T> = (value: unknown, field: string) => FieldResult<T>;

type Parsed<S> = { [K in keyof S]: S[K] extends FieldParser<infer T> ? T : never };

const ok = <T>(value: T): FieldResult<T> => ({ ok: true, value });
const fail = (problem: string): FieldResult<never> => ({ ok: false, problem });

export function parseFields<S extends Record<string, FieldParser<unknown>>>(
  fields: Record<string, unknown>,
  schema: S,
): Parsed<S> {
  const problems: FieldProblem[] = [];
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(fields)) {
    if (!Object.hasOwn(schema, name))
      problems.push({ field: name, problem: 'is not a known field' });
  }
  for (const [name, parse] of Object.entries(schema)) {
    const result = parse(fields[name], name);
    if (result.ok) out[name] = result.value;
    else problems.push({ field: name, problem: result.problem });
  }
  if (problems.length > 0) {
    const names = problems.map((p) => p.field).join(', ');
    throw new BadRequestError(`Invalid request: check ${names}.`, problems);
  }
  return out as Parsed<S>;
}

export interface TextOptions {
  maxLength: number;
  /** Refuse tabs and line breaks too (names, not messages). */
  singleLine?: boolean;
}

/**
 * Text that may be absent; blank text counts as absent. Cleaned by the rule
 * the widget applies too (src/plain-text.ts: invisible formatting removed,
 * control characters made spaces, trimmed), then measured.
 */
export function optionalText(options: TextOptions): FieldParser<string | undefined> {
  return (value) => {
    if (value === undefined || value === null) return ok(undefined);
    if (typeof value !== 'string') return fail('must be a string');
    const text = cleanText(value);
    if (text === '') return ok(undefined);
    if (text.length > options.maxLength) {
      return fail(`must be at most ${options.maxLength} characters`);
    }
    if (options.singleLine && !isSingleLine(text)) {
      return fail('must be a single line of plain text');
    }
    return ok(text);
  };
}

const TOKEN = /^[A-Za-z0-9_.-]+$/;

/** A token, taken verbatim (never cleaned): the characters of a JWT, at most `maxLength`. */
export function requiredToken(maxLength: number): FieldParser<string> {
  return (value) => {
    if (value === undefined || value === null || value === '') return fail('is required');
    if (typeof value !== 'string') return fail('must be a string');
    if (value.length > maxLength) return fail(`must be at most ${maxLength} characters`);
    if (!TOKEN.test(value)) return fail('must be a token from this service');
    return ok(value);
  };
}

/** Text that must be present and non-blank. */
export function requiredText(options: TextOptions): FieldParser<string> {
  const parse = optionalText(options);
  return (value, field) => {
    const result = parse(value, field);
    if (!result.ok) return result;
    return result.value === undefined ? fail('is required') : ok(result.value);
  };
}

/** A Twilio SID of one kind, e.g. `requiredSid('CH')` for a conversation. */
export function requiredSid(prefix: string): FieldParser<string> {
  const shape = new RegExp(`^${prefix}[0-9a-f]{32}$`);
  return (value) => {
    if (value === undefined || value === null || value === '') return fail('is required');
    if (typeof value !== 'string' || !shape.test(value)) {
      return fail(`must be a SID starting with ${prefix}`);
    }
    return ok(value);
  };
}

export type FlatValue = string | number | boolean;
export type FlatObject = Record<string, FlatValue>;

export interface FlatObjectOptions {
  maxBytes: number;
  keyPattern: RegExp;
}

/**
 * A flat JSON object of strings, finite numbers and booleans, whose JSON is
 * at most `maxBytes` (UTF-8). Absent means `{}`. Strings are cleaned like
 * text (src/plain-text.ts) before they are measured.
 */
export function optionalFlatObject(options: FlatObjectOptions): FieldParser<FlatObject> {
  return (value) => {
    if (value === undefined || value === null) return ok({});
    if (typeof value !== 'object' || Array.isArray(value)) {
      return fail('must be an object of strings, numbers and booleans');
    }
    const entries = Object.entries(value as Record<string, unknown>);
    for (const [key, item] of entries) {
      if (!options.keyPattern.test(key)) {
        return fail(
          'has a key that is not a plain name (a letter, then letters, digits, _, - or .; at most 64)',
        );
      }
      const flat =
        typeof item === 'string' ||
        typeof item === 'boolean' ||
        (typeof item === 'number' && Number.isFinite(item));
      if (!flat) return fail('values must be strings, finite numbers or booleans (no nesting)');
    }
    // fromEntries defines own properties, so a "__proto__" key could not
    // reach a prototype even if the key pattern allowed it.
    const object = Object.fromEntries(
      entries.map(([key, item]) => [key, typeof item === 'string' ? cleanText(item) : item]),
    ) as FlatObject;
    if (Buffer.byteLength(JSON.stringify(object)) > options.maxBytes) {
      return fail(`must be at most ${options.maxBytes / 1024} KB as JSON`);
    }
    return ok(object);
  };
}
