/**
 * The chat budgets `/start-chat` spends before it writes anything, so a flood
 * costs the site owner at most its budget: `MAX_CHATS_PER_MINUTE` chats a
 * minute across the whole service (a fixed window of one calendar minute,
 * counted in Sync by src/guard/shared-state.ts). Unset: no budget, and not a
 * single extra request.
 *
 *   within budget    one Sync append, one round trip (three, once a minute,
 *                    for the request that opens the minute's list)
 *   over budget      429 `budget_exceeded`, `Retry-After` = seconds to the
 *                    next minute; the Sync append was the only request
 *
 * What counts is a request that passed validation and reached the guard, not
 * a chat that was made: a start that fails after the guard still used its
 * place. A fixed window lets up to twice the budget through across a minute's
 * boundary (the end of one, the start of the next).
 *
 * When Sync fails:
 *   429 from Sync    fail closed: 429 `budget_exceeded`. Sync throttles one
 *                    list past about 20 writes a second, which is what a
 *                    flood looks like; letting those through would open the
 *                    gate exactly when it matters.
 *   no answer        fail open: the chat starts, and `budget.unavailable` is
 *   (timeout), 5xx   logged. An outage of Sync is not load; refusing every
 *                    customer for it is a certain loss, while a flood that
 *                    coincides with it still meets the challenge before any
 *                    chat and Twilio's own rate limits behind it.
 *   configuration    fail closed, loudly: 503 `not_configured` naming
 *                    SYNC_SERVICE_SID (or the credentials), like every other
 *                    setting that is wrong; doctor says the same beforehand.
 *
 * Per-customer budgets (issue 10): once `/start-chat` knows a signed-in
 * customer, `budgetsFor` returns a second budget keyed by the customer's
 * stable id (`webchat-customer-<id>-chats`, its own limit and variable), and
 * both are spent in parallel: still one round trip. Not built yet.
 */
import type { Twilio } from 'twilio';
import type { ConfigOf } from '../config';
import { DEFAULT_SYNC_SERVICE } from '../config/budget';
import { BudgetExceededError, UpstreamError } from '../errors';
import { log } from '../log';
import { isSyncUnavailable, sharedState, type SharedState, type WindowCount } from './shared-state';

/** The budget's window: a calendar minute. */
export const WINDOW_SECONDS = 60;

/** `Retry-After` when Sync throttles the counter (its burst window is 10 s). */
export const SYNC_BUSY_RETRY_SECONDS = 5;

interface Budget {
  /** The Sync List name's prefix (shared-state keys: letters, digits, `_ . : -`). */
  key: string;
  limit: number;
}

function budgetsFor(config: ConfigOf<'budget'>): Budget[] {
  if (config.maxChatsPerMinute === undefined) return [];
  return [{ key: 'webchat-chats', limit: config.maxChatsPerMinute }];
}

/**
 * Spends one chat of every budget, or throws: `BudgetExceededError` (429)
 * over budget, a `ConfigError` (503) when Sync is misconfigured. Builds no
 * Twilio client, and makes no request, when no budget is set.
 *
 * Time: each Sync request may take the client's timeout (1.7 s, src/endpoint.ts)
 * and then fails open, so a Sync that hangs costs one timeout, not three (the
 * minute's list is created only after Sync answered 404). A Function has
 * 10 s, and the chat start behind the guard 8.5 s at its pathological worst:
 * only Sync and Conversations both that slow at once could run past it, and
 * then the conversation's closed timer ends what a stopped start left. No
 * deadline of our own: it would make the count depend on this host's load.
 */
export async function spendChatBudget(
  twilio: () => Twilio,
  config: ConfigOf<'budget'>,
  nowMs: number,
): Promise<void> {
  const budgets = budgetsFor(config);
  if (budgets.length === 0) return;
  const state = sharedState(twilio(), config);
  await Promise.all(budgets.map((budget) => spend(state, budget, nowMs)));
}

async function spend(state: SharedState, budget: Budget, nowMs: number): Promise<void> {
  let counted: WindowCount;
  try {
    counted = await state.countInWindow(budget.key, WINDOW_SECONDS, nowMs);
  } catch (error) {
    return onSyncFailure(error, budget);
  }
  const { count, windowStartMs, windowEndMs } = counted;
  if (count <= budget.limit) return;
  // Once a window, not once per refusal: a flood would fill the log.
  if (count === budget.limit + 1) {
    log.warn('budget.exhausted', { budget: budget.key, limit: budget.limit, windowStartMs });
  }
  throw new BudgetExceededError(
    'Too many chats are starting right now. Please try again in a minute.',
    (windowEndMs - nowMs) / 1000,
  );
}

/** The decisions in this module's header: closed on 429 and configuration, open otherwise. */
function onSyncFailure(error: unknown, budget: Budget): void {
  if (error instanceof UpstreamError && error.upstreamStatus === 429) {
    throw new BudgetExceededError(
      'Too many chats are starting right now. Please try again shortly.',
      SYNC_BUSY_RETRY_SECONDS,
    );
  }
  if (!isSyncUnavailable(error)) throw error;
  log.warn('budget.unavailable', { budget: budget.key, upstreamStatus: error.upstreamStatus });
}

/** What `/status` says about the budget and where shared state lives (no SIDs). */
export function budgetStatus(config: ConfigOf<'budget'>) {
  return {
    chatBudget:
      config.maxChatsPerMinute === undefined ? null : { maxPerMinute: config.maxChatsPerMinute },
    syncService: config.syncServiceSid === DEFAULT_SYNC_SERVICE ? 'default' : 'SYNC_SERVICE_SID',
  };
}
