/** Helpers shared by the mock's route modules. */
import { field, type RouteInput } from '../twilio-mock';

/** Twilio's timestamp format (no milliseconds). */
export const now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The `meta` block of a Twilio list response (one page). */
export function listMeta(url: string, key: string) {
  return {
    page: 0,
    page_size: 50,
    first_page_url: `${url}?PageSize=50&Page=0`,
    previous_page_url: null,
    url: `${url}?PageSize=50&Page=0`,
    next_page_url: null,
    key,
  };
}

/** A form field holding JSON, parsed; `{}` when absent or malformed. */
export function parseJsonField(input: RouteInput, name: string): Record<string, unknown> {
  try {
    return JSON.parse(field(input, name) ?? '{}') as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** A state list kept on the mock under `key`, created on first use. */
export function stateList<T>(mock: { state: Map<string, unknown> }, key: string): T[] {
  let list = mock.state.get(key) as T[] | undefined;
  if (!list) {
    list = [];
    mock.state.set(key, list);
  }
  return list;
}

export const text = (value: unknown): string => (typeof value === 'string' ? value : '');
