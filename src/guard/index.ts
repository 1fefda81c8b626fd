/**
 * The guard `/start-chat` passes before anything is written, in this order:
 *
 *   0. opening hours (hours.ts): outside them, a 403 `outside_opening_hours`
 *      with no request at all (AFTER_HOURS closed or hide), or the chat goes
 *      on marked after hours (AFTER_HOURS=message); before the proof, so a
 *      closed service spends no claim and no budget;
 *   1. admission (admission.ts): the challenge's proof is checked, with no
 *      request at all, so a flood without solved challenges costs nothing
 *      but this service's CPU, and spends no budget;
 *   2. in one round, side by side, the Twilio-side steps: the challenge's
 *      claim in Sync (modes without a unique name, i.e. address mode) and
 *      the chat budget (budget.ts). At most one sequential round trip, none
 *      in unique-name modes without a budget.
 *
 * Trade-off of doing 2 side by side: a replayed proof spends a place of the
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
 * @example
 *   const { identity, sessionStartedAt, afterHours } = await guardStart(twilio, config, {
 *     proof, origin, nowMs,
 *   });
 */
import type { Twilio } from 'twilio';
import type { ConfigOf } from '../config';
import { ChallengeError } from '../errors';
import { log } from '../log';
import { singleUseOf } from '../modes';
import { admitChat, type Admission, type AdmissionRequest, type ChallengeClaim } from './admission';
import { spendChatBudget } from './budget';
import { checkHours } from './hours';
import { isSyncUnavailable, sharedState } from './shared-state';

type GuardConfig = ConfigOf<'tokens' | 'handoff' | 'challenge' | 'budget' | 'hours'>;

/** Admitted, and whether after hours (the chat is then marked: hours.ts). */
export type GuardResult = Admission & { afterHours: boolean };

export async function guardStart(
  twilio: () => Twilio,
  config: GuardConfig,
  request: Omit<AdmissionRequest, 'singleUse'>,
): Promise<GuardResult> {
  const { afterHours } = checkHours(config.hours, request.nowMs);
  const admission = await admitChat(config, {
    ...request,
    singleUse: singleUseOf(config.handoff.mode),
  });
  await Promise.all([
    admission.claim && claimChallenge(twilio, config, admission.claim),
    spendChatBudget(twilio, config, request.nowMs),
  ]);
  return { ...admission, afterHours };
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
