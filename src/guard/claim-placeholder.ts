/**
 * PLACEHOLDER, to be replaced when the Sync-backed `claimOnce` (src/guard/,
 * branch `budget`) is merged: functions/start-chat.ts passes this as the
 * claim that makes a challenge single use in `claim` modes (address mode:
 * Flex's WebChats API takes no unique name; see SingleUse in
 * src/modes/types.ts).
 *
 * Until then it grants every claim, so in address mode a solved challenge can
 * start more than one chat before it expires (CHALLENGE_TTL_SECONDS); every
 * such start logs `challenge_single_use_missing`. The other modes never call
 * it: Twilio's unique names make their challenges single use.
 */
import { log } from '../log';
import type { ClaimOnce } from './admission';

export const claimOnce: ClaimOnce = (_key, ttlSeconds) => {
  log.warn('challenge_single_use_missing', { ttlSeconds, reason: 'no shared claim store yet' });
  return Promise.resolve(true);
};
