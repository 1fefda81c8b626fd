/**
 * The solver on the page's own thread, for sites whose CSP allows no blob:
 * worker: counters in slices of a few milliseconds, yielding to the page
 * between them, so typing and scrolling stay smooth (slower overall than a
 * worker, never frozen).
 */
import {
  MAX_COUNTER,
  solveRange,
  type ChallengeParameters,
  type Solution,
} from './challenge-solver';

/** About 5 ms of hashing on a laptop: short enough not to be felt. */
const SLICE = 10_000;

export async function solveInSlices(parameters: ChallengeParameters): Promise<Solution> {
  for (let from = 0; from <= MAX_COUNTER; from += SLICE) {
    const found = solveRange(parameters, from, Math.min(from + SLICE, MAX_COUNTER + 1));
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  throw new Error('no solution');
}
