/**
 * POST /transcript's body, validated: which chat, and how the widget showed
 * it, so the email shows it the same way. The address is never in it: the
 * transcript goes to the one on the chat's record (src/transcript-send.ts).
 *
 *   agentName       the widget's `agentName`: `full`, `first` or `role`;
 *                   absent: `role` (an older widget, or none: the email then
 *                   names nobody, never more than any widget could show)
 *   agentRoleLabel  the widget's `agentRoleLabel` (one line, at most 60
 *                   characters); absent: "Agent"/"Agente" as the widget says
 *   timeZone        the browser's IANA time zone (`Intl.DateTimeFormat()
 *                   .resolvedOptions().timeZone`); absent, or a well-formed
 *                   name this server's Intl does not know (a newer tz
 *                   database in the browser): UTC, and the email says so
 */
import { optionalText, parseFields, requiredSid, requiredToken, type FieldParser } from './fields';
import { LIMITS } from './limits';

export const AGENT_NAME_MODES = ['full', 'first', 'role'] as const;
export type AgentNameMode = (typeof AGENT_NAME_MODES)[number];

export const AGENT_ROLE_LABEL_MAX_LENGTH = 60;
const TIME_ZONE_MAX_LENGTH = 64;
/** What IANA zone names are made of: `America/Argentina/Buenos_Aires`, `Etc/GMT+5`. */
const TIME_ZONE = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

export interface TranscriptRequest {
  token: string;
  conversationSid: string;
  agentName: AgentNameMode;
  agentRoleLabel?: string;
  /** A zone Intl knows, as the browser named it; `UTC` when none was given or known. */
  timeZone: string;
}

const agentName: FieldParser<AgentNameMode> = (value) => {
  if (value === undefined || value === null) return { ok: true, value: 'role' };
  return (AGENT_NAME_MODES as readonly unknown[]).includes(value)
    ? { ok: true, value: value as AgentNameMode }
    : { ok: false, problem: 'must be "full", "first" or "role"' };
};

const timeZone: FieldParser<string> = (value) => {
  if (value === undefined || value === null) return { ok: true, value: 'UTC' };
  if (typeof value !== 'string' || value.length > TIME_ZONE_MAX_LENGTH || !TIME_ZONE.test(value)) {
    return { ok: false, problem: 'must be an IANA time zone such as "Europe/Madrid"' };
  }
  return { ok: true, value: knownTimeZone(value) ? value : 'UTC' };
};

/** The zone's canonical name if this runtime's Intl knows it. */
export function knownTimeZone(name: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined; // RangeError: not a zone this tz database has
  }
}

export function parseTranscriptRequest(fields: Record<string, unknown>): TranscriptRequest {
  const { agentRoleLabel, ...request } = parseFields(fields, {
    token: requiredToken(LIMITS.tokenMaxLength),
    conversationSid: requiredSid('CH'),
    agentName,
    agentRoleLabel: optionalText({ maxLength: AGENT_ROLE_LABEL_MAX_LENGTH, singleLine: true }),
    timeZone,
  });
  return agentRoleLabel === undefined ? request : { ...request, agentRoleLabel };
}
