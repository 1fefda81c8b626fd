/**
 * What `GET /availability` tells the widget when its panel opens: open or
 * closed (hours.ts), until when, what happens after hours, and, only when
 * `AVAILABILITY_QUEUE_SID` is set, live figures from TaskRouter.
 *
 * Live figures are TaskRouter's real-time statistics of that TaskQueue for
 * the chat task channel (`TASK_CHANNEL`, default `chat`), as Twilio reports
 * them; nothing is predicted:
 *
 *   availableAgents     `total_available_workers`: agents whose activity is
 *                       available (they may already be in other chats)
 *   waitingChats        tasks `pending` + `reserved` (offered, not accepted)
 *   longestWaitSeconds  `longest_task_waiting_age`: how long the customer
 *                       waiting longest has waited so far
 *
 * The widget shows the longest current wait as "customers are waiting up to
 * about N minutes": the past wait of the oldest waiting chat, which is the
 * honest figure the statistics give, not a forecast of the next chat's wait.
 *
 * One request, only while open, with a short timeout; any failure gives
 * `live: null` (logged) rather than an error: a widget must not lose its
 * launcher because TaskRouter was slow.
 *
 * @example
 *   await availability(twilio, config, Date.now());
 *   // {open: true, timeZone: 'Europe/Madrid', closesAt: '2026-07-01T16:00:00.000Z',
 *   //  opensAt: null, afterHours: 'closed', live: {availableAgents: 2, waitingChats: 0, longestWaitSeconds: 0}}
 */
import type { Twilio } from 'twilio';
import type { ConfigOf } from '../config';
import type { EnvReader } from '../config/reader';
import { log } from '../log';
import { DEFAULT_TASK_CHANNEL } from '../modes/route';
import { upstreamStatus } from '../twilio-errors';
import { hoursAt, type AfterHours } from './hours';

export interface AvailabilitySettings {
  workspaceSid: string;
  queueSid: string;
  taskChannel: string;
}

export type LiveAvailability = {
  availableAgents: number;
  waitingChats: number;
  longestWaitSeconds: number;
};

/** A type, not an interface: it is a JSON body (src/http.ts `JsonBody`). */
export type Availability = {
  open: boolean;
  /** The schedule's IANA zone; null without OPENING_HOURS (always open). */
  timeZone: string | null;
  /** ISO instants (UTC); null when there is none (always open, nothing within a year). */
  closesAt: string | null;
  opensAt: string | null;
  afterHours: AfterHours;
  /** Only with AVAILABILITY_QUEUE_SID, only while open, and null if TaskRouter failed. */
  live: LiveAvailability | null;
};

/** The statistics request's own timeout: the panel is waiting on it. */
export const AVAILABILITY_TIMEOUT_MS = 1000;
/** How long browsers may reuse an answer (less when the hours change sooner). */
export const AVAILABILITY_MAX_AGE_SECONDS = 30;

/** Undefined unless AVAILABILITY_QUEUE_SID is set. */
export function readAvailability(read: EnvReader): AvailabilitySettings | undefined {
  if (!read.isSet('AVAILABILITY_QUEUE_SID')) return undefined;
  const queueSid = read.sid('AVAILABILITY_QUEUE_SID', 'WQ');
  if (!read.isSet('TASKROUTER_WORKSPACE_SID')) {
    read.problem(
      'TASKROUTER_WORKSPACE_SID',
      'is required when AVAILABILITY_QUEUE_SID is set: the TaskRouter workspace (WS…) of that queue',
    );
  }
  const workspaceSid = read.isSet('TASKROUTER_WORKSPACE_SID')
    ? read.sid('TASKROUTER_WORKSPACE_SID', 'WS')
    : '';
  return { queueSid, workspaceSid, taskChannel: read.name('TASK_CHANNEL', DEFAULT_TASK_CHANNEL) };
}

export async function availability(
  twilio: () => Twilio,
  config: ConfigOf<'hours' | 'availability'>,
  nowMs: number,
): Promise<Availability> {
  const { schedule, afterHours } = config.hours;
  const state = schedule ? hoursAt(schedule, nowMs) : { open: true };
  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  const live =
    state.open && config.availability ? await liveAvailability(twilio, config.availability) : null;
  return {
    open: state.open,
    timeZone: schedule?.timeZone ?? null,
    closesAt: iso(state.closesAt),
    opensAt: iso(state.opensAt),
    afterHours,
    live,
  };
}

async function liveAvailability(
  twilio: () => Twilio,
  { workspaceSid, queueSid, taskChannel }: AvailabilitySettings,
): Promise<LiveAvailability | null> {
  try {
    const stats = await twilio()
      .taskrouter.v1.workspaces(workspaceSid)
      .taskQueues(queueSid)
      .realTimeStatistics()
      .fetch({ taskChannel });
    // Counts by status come as strings in an untyped object.
    const byStatus = (stats.tasksByStatus ?? {}) as Record<string, unknown>;
    const count = (status: string) => Math.max(0, Number(byStatus[status]) || 0);
    return {
      availableAgents: stats.totalAvailableWorkers,
      waitingChats: count('pending') + count('reserved'),
      longestWaitSeconds: stats.longestTaskWaitingAge,
    };
  } catch (error) {
    log.warn('availability.unavailable', { upstreamStatus: upstreamStatus(error), error });
    return null;
  }
}

/** Seconds a browser may keep this answer: not past the next opening or closing. */
export function maxAgeOf(answer: Availability, nowMs: number): number {
  const next = answer.open ? answer.closesAt : answer.opensAt;
  const untilChange = next === null ? Infinity : (Date.parse(next) - nowMs) / 1000;
  return Math.max(0, Math.min(AVAILABILITY_MAX_AGE_SECONDS, Math.floor(untilChange)));
}
