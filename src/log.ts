/**
 * One-line JSON logs for the Twilio Console (or a terminal under twilio-run).
 *
 * What may be logged: event names, SIDs, statuses, Twilio error codes, counts.
 * What may not: tokens, secrets, and anything the customer typed (name,
 * question, pre-engagement data). Errors are reduced to safe fields here, so a
 * caller cannot leak a request body by logging the error it caused.
 *
 * @example
 *   log.warn('start_chat.cleanup_failed', { conversationSid, error });
 */
type Level = 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

function safeError(error: unknown): Record<string, unknown> {
  if (typeof error !== 'object' || error === null) return { type: typeof error };
  const e = error as { name?: unknown; status?: unknown; code?: unknown; moreInfo?: unknown };
  // Twilio's RestException: status, code and docs link say it all; its message
  // may quote request values, so it is left out.
  if (typeof e.status === 'number') {
    return { name: e.name, status: e.status, twilioCode: e.code, moreInfo: e.moreInfo };
  }
  if (error instanceof Error) {
    return { name: error.name, message: error.message, code: e.code, stack: error.stack };
  }
  return { type: 'object' };
}

function write(level: Level, event: string, fields: LogFields = {}): void {
  const entry: LogFields = { level, event };
  for (const [key, value] of Object.entries(fields)) {
    entry[key] = key === 'error' ? safeError(value) : value;
  }
  const line = JSON.stringify(entry);
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}

export const log = {
  info: (event: string, fields?: LogFields) => write('info', event, fields),
  warn: (event: string, fields?: LogFields) => write('warn', event, fields),
  error: (event: string, fields?: LogFields) => write('error', event, fields),
};
