/**
 * The pre-engagement form's fields, and their validation: the same limits and
 * the same character rule as /start-chat (src/limits.ts and src/plain-text.ts
 * are shared), so the page sends and refuses what the server would, with a message a customer understands. Two choices of the form's
 * own: a custom field holds at most 1,600 characters (a message's length),
 * and the 16 KB pre-engagement limit counts the name too, as Flex's modes do.
 *
 * Field `friendlyName` becomes the name agents see, `question` the first
 * message; every other field goes to `preEngagement`.
 */
import { LIMITS } from '../../src/limits';
import { cleanText, isSingleLine } from '../../src/plain-text';
import type { MessageKey } from './i18n';

export type FieldType = 'text' | 'email' | 'tel' | 'textarea';

export interface FieldConfig {
  name: string;
  type: FieldType;
  required: boolean;
  /** Overrides the translated label (`field.<name>`). */
  label?: string;
}

export const DEFAULT_FIELDS: readonly FieldConfig[] = [
  { name: 'friendlyName', type: 'text', required: false },
  { name: 'email', type: 'email', required: false },
  { name: 'question', type: 'textarea', required: false },
];

export interface StartChatBody {
  friendlyName?: string;
  question?: string;
  preEngagement: Record<string, string>;
}

export interface FieldError {
  field: string;
  key: MessageKey;
  params: Record<string, string | number>;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function maxLengthOf(field: FieldConfig): number {
  if (field.name === 'friendlyName') return LIMITS.friendlyNameMaxLength;
  return LIMITS.questionMaxLength;
}

/** Checks the form's values; returns the body for /start-chat or the errors to show. */
export function validatePreEngagement(
  fields: readonly FieldConfig[],
  values: Readonly<Record<string, string>>,
  labelOf: (field: FieldConfig) => string,
): { body: StartChatBody; errors: [] } | { body?: undefined; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const body: StartChatBody = { preEngagement: {} };
  for (const field of fields) {
    const raw = values[field.name] ?? '';
    // The server's own rule (src/plain-text.ts): invisible formatting and
    // pasted control characters go, rather than an error about nothing visible.
    const value = cleanText(raw);
    const label = labelOf(field);
    if (value === '') {
      if (field.required)
        errors.push({ field: field.name, key: 'error.required', params: { field: label } });
      continue;
    }
    const max = maxLengthOf(field);
    if (value.length > max) {
      errors.push({ field: field.name, key: 'error.tooLong', params: { field: label, max } });
    } else if (field.type !== 'textarea' && !isSingleLine(value)) {
      errors.push({ field: field.name, key: 'error.singleLine', params: { field: label } });
    } else if (field.type === 'email' && !EMAIL.test(value)) {
      errors.push({ field: field.name, key: 'error.email', params: {} });
    } else if (field.name === 'friendlyName') {
      body.friendlyName = value;
    } else if (field.name === 'question') {
      body.question = value;
    } else {
      body.preEngagement[field.name] = value;
    }
  }
  // Counted with the name, as address and flex-flow modes send it to Flex
  // (src/chat-attributes.ts preEngagementData; 'Customer' when not given).
  const sent = { ...body.preEngagement, friendlyName: body.friendlyName ?? 'Customer' };
  const bytes = new TextEncoder().encode(JSON.stringify(sent)).length;
  if (bytes > LIMITS.preEngagementMaxBytes) {
    errors.push({ field: '', key: 'error.tooLarge', params: {} });
  }
  return errors.length > 0 ? { errors } : { body, errors: [] };
}

/** A field name the server accepts as a pre-engagement key. */
export function isValidFieldName(name: string): boolean {
  return (
    name === 'friendlyName' || name === 'question' || LIMITS.preEngagementKeyPattern.test(name)
  );
}
