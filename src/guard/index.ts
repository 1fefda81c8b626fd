/**
 * The guard `/start-chat` passes before anything is written, in this order:
 *
 *   0. opening hours (hours.ts): outside them, a 403 `outside_opening_hours`
 *      with no request at all (AFTER_HOURS closed or hide), or the chat goes
 *      on marked after hours (AFTER_HOURS=message); before the proof, so a
 *      closed service spends no claim and no budget;
 *   0b. the signed-in customer's token, when one came or REQUIRE_SIGNED_IN
 *      wants one (src/customer/verify.ts): no Twilio request (HS256 or a
 *      public key: none at all; a JWKS URL: one to it, cached), so a forged
 *      or expired token spends no claim and no budget either;
 *   1. admission (admission.ts): the challenge's proof is checked, with no
 *      request at all, so a flood without solved challenges costs nothing
 *      but this service's CPU, and spends no budget;
 *   2. the CAPTCHA, when one is configured (captcha.ts): one request to its
 *      provider, none to Twilio; refused, unanswered or late, the start ends
 *      here (fail closed), so a flood that solves proofs but not CAPTCHAs
 *      spends no budget and claims nothing;
 *   3. in one round, side by side, the Twilio-side steps: the challenge's
 *      claim in Sync (modes without a unique name, i.e. address mode) and
 *      the chat budget (budget.ts). At most one sequential round trip, none
 *      in unique-name modes without a budget.
 *
 * Trade-off of doing 3 side by side: a replayed proof spends a place of the
 * budget before its claim is refused (in unique-name modes, before Twilio
 * refuses the unique name). A budget caps what reaches agents, not who gets
 * in: a solve costs a browser a fraction of a second, so a determined
 * caller could drain a service-wide budget with fresh proofs as well.
 *
 * The claim when Sync fails: no answer or a 5xx lets the chat start (the
 * proof was valid; a Sync outage must not stop every address-mode chat) and
 * logs `challenge.claim_unavailable`; anything else (a missing service, a
 * 429) is the error it maps to. A claim refused because it is taken is a
 * 409 `challenge_used`.
 *
 * A claim is released (its Sync document deleted) when what it guards
 * certainly did not happen, so the widget's retry with the same proof is not
 * refused as a replay: the budget refused the start (429, side by side with
 * the claim), or the start failed with Twilio's 429 (`startClaimed`), which
 * Twilio documents as "never processed" (a mode deletes anything a later step
 * of the start made before it fails; see src/modes/flex-created.ts). Any other
 * failure keeps the claim: Twilio may have acted, and the same proof must not
 * start a second chat. A release that fails is logged; the retry then meets
 * `challenge_used`, and the widget gets a new proof (a new identity), which
 * is safe for the same reason.
 *
 * `guardStart` runs it all; `admitStart` (steps 0 to 2) and `spendStart`
 * (step 3) run it in two parts, so a signed-in customer's start can look for
 * their chat in progress in between and resume it without spending anything
 * (src/customer/continuity-start.ts).
 *
 * @example
 *   const { identity, sessionStartedAt, afterHours } = await guardStart(twilio, config, {
 *     proof, captcha, origin, nowMs,
 *   });
 */
import type { Twilio } from 'twilio';
import type { ConfigOf } from '../config';
import { BudgetExceededError, ChallengeError, ChatStartingError, UpstreamError } from '../errors';
import { log } from '../log';
import { singleUseOf } from '../modes';
import { admitChat, type Admission, type AdmissionRequest, type ChallengeClaim } from './admission';
import { spendChatBudget } from './budget';
import { verifyCaptcha } from './captcha';
import { checkHours } from './hours';
import { startingCustomer } from '../customer/verify';
import type { VerifiedCustomer } from '../customer/types';
import { isSyncUnavailable, sharedState } from './shared-state';

type GuardConfig = ConfigOf<
  'tokens' | 'handoff' | 'challenge' | 'budget' | 'captcha' | 'hours' | 'customer'
>;

export interface GuardRequest extends Omit<AdmissionRequest, 'singleUse'> {
  /** The CAPTCHA provider's token, when CAPTCHA is on. */
  captcha: string | undefined;
  /** The signed-in customer's token (a JWT), if the page gave one. */
  customerToken: string | undefined;
}

/**
 * Admitted, whether after hours (the chat is then marked: hours.ts), and the
 * verified customer, if a token came.
 */
export type GuardResult = Admission & { afterHours: boolean; customer?: VerifiedCustomer };

export async function guardStart(
  twilio: () => Twilio,
  config: GuardConfig,
  request: GuardRequest,
): Promise<GuardResult> {
  const admitted = await admitStart(config, request);
  await spendStart(twilio, config, admitted, request.nowMs);
  return admitted;
}

/**
 * Steps 0 to 2, which make no Twilio request: hours, the customer's token,
 * the proof, the CAPTCHA. A signed-in customer's start then looks for their
 * chat in progress before `spendStart` (src/customer/continuity.ts), so a
 * resume spends no claim and no budget.
 */
export async function admitStart(
  config: GuardConfig,
  { captcha, customerToken, ...request }: GuardRequest,
): Promise<GuardResult> {
  const { afterHours } = checkHours(config.hours, request.nowMs);
  const customer = await startingCustomer(config, customerToken, request.nowMs);
  const admission = await admitChat(config, {
    ...request,
    singleUse: singleUseOf(config.handoff.mode),
  });
  await verifyCaptcha(config.captcha, captcha, request.origin, admission.identity);
  return { ...admission, afterHours, ...(customer && { customer }) };
}

/** Step 3: the challenge's claim and the budget, side by side (one round trip at most). */
export async function spendStart(
  twilio: () => Twilio,
  config: ConfigOf<'budget' | 'sync'>,
  admission: Admission,
  nowMs: number,
): Promise<void> {
  const [claimed, spent] = await Promise.allSettled([
    admission.claim && claimChallenge(twilio, config, admission.claim),
    spendChatBudget(twilio, config, nowMs),
  ]);
  if (claimed.status === 'rejected') throw claimed.reason;
  if (spent.status === 'rejected') {
    if (spent.reason instanceof BudgetExceededError) await releaseClaim(twilio, config, admission);
    throw spent.reason;
  }
}

/**
 * Runs the chat's start for an admission; a start that certainly made
 * nothing (Twilio refused it with a 429, or a signed-in customer's other
 * device is starting their chat: 503 `chat_starting`) releases the
 * admission's claim before the error goes on, so the widget's retry with the
 * same proof is not refused as a replay.
 */
export async function startClaimed<T>(
  twilio: () => Twilio,
  config: ConfigOf<'sync'>,
  admission: Admission,
  start: () => Promise<T>,
): Promise<T> {
  try {
    return await start();
  } catch (error) {
    const madeNothing =
      (error instanceof UpstreamError && error.upstreamStatus === 429) ||
      error instanceof ChatStartingError;
    if (madeNothing) {
      await releaseClaim(twilio, config, admission);
    }
    throw error;
  }
}

/** Frees the admission's claim, if it made one; never throws (the caller is already failing). */
async function releaseClaim(
  twilio: () => Twilio,
  config: ConfigOf<'sync'>,
  { claim }: Admission,
): Promise<void> {
  if (!claim) return;
  try {
    await sharedState(twilio(), config).release(claim.key);
  } catch (error) {
    log.warn('challenge.release_failed', { error });
  }
}

async function claimChallenge(
  twilio: () => Twilio,
  config: ConfigOf<'sync'>,
  { key, ttlSeconds }: ChallengeClaim,
): Promise<void> {
  let claimed: boolean;
  try {
    claimed = await sharedState(twilio(), config).claimOnce(key, ttlSeconds);
  } catch (error) {
    if (!isSyncUnavailable(error)) throw error;
    log.warn('challenge.claim_unavailable', { upstreamStatus: error.upstreamStatus });
    return;
  }
  if (!claimed) throw new ChallengeError('challenge_used');
}
