/**
 * "Chat is not available right now" as soon as the panel opens, instead of
 * after the customer filled in the form and pressed "Start chat", when the
 * service is not configured (`npm start` before `npm run setup`, a deploy
 * missing a variable).
 *
 * No request of its own: the widget learns it from one it makes anyway, the
 * form's challenge (POST /challenge, sent when the form is shown: challenge.ts).
 * The service refuses that with the very answer a start would get, 503
 * `not_configured` naming the variables (functions/challenge.ts reads the
 * sections /start-chat reads), so a page whose panel stays shut asks nothing.
 * `origin_not_allowed` is the other refusal a start would surely repeat; a
 * browser can read it only where the service sends CORS headers, though.
 *
 * @example
 *   const fetchChallenge = reportUnavailable(createChallengeFetch(url), (e) => chat.unavailable(e));
 */
import { ApiError } from './api';

/** Refusals that a start would get too, whatever the customer typed. */
export const UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  'not_configured',
  'origin_not_allowed',
]);

export function isUnavailable(error: unknown): error is ApiError {
  return error instanceof ApiError && UNAVAILABLE_CODES.has(error.code);
}

/** `fetch`, telling `onUnavailable` of such a refusal (which it still throws). */
export function reportUnavailable<T>(
  fetch: () => Promise<T>,
  onUnavailable: (error: ApiError) => void,
): () => Promise<T> {
  return async () => {
    try {
      return await fetch();
    } catch (error) {
      if (isUnavailable(error)) onUnavailable(error);
      throw error;
    }
  };
}
