/**
 * The guard `/start-chat` passes before anything is written, in this order:
 *
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
 * @example
 *   const { identity, sessionStartedAt } = await guardStart(twilio, config, {
 *     proof, captcha, origin, nowMs,
 *   });
 */
import type { Twilio } from 'twilio';
import type { ConfigOf } from '../config';
import { ChallengeError } from '../errors';
import { log } from '../log';
import { singleUseOf } from '../modes';
import { admitChat, type Admission, type AdmissionRequest, type ChallengeClaim } from './admission';
import { spendChatBudget } from './budget';
import { verifyCaptcha } from './captcha';
import { isSyncUnavailable, sharedState } from './shared-state';

type GuardConfig = ConfigOf<'tokens' | 'handoff' | 'challenge' | 'budget' | 'captcha'>;

export interface GuardRequest extends Omit<AdmissionRequest, 'singleUse'> {
  /** The CAPTCHA provider's token, when CAPTCHA is on. */
  captcha: string | undefined;
}

export async function guardStart(
  twilio: () => Twilio,
  config: GuardConfig,
  { captcha, ...request }: GuardRequest,
): Promise<Admission> {
  const admission = await admitChat(config, {
    ...request,
    singleUse: singleUseOf(config.handoff.mode),
  });
  await verifyCaptcha(config.captcha, captcha, request.origin);
  await Promise.all([
    admission.claim && claimChallenge(twilio, config, admission.claim),
    spendChatBudget(twilio, config, request.nowMs),
  ]);
  return admission;
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
