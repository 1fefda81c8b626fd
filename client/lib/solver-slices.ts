/**
 * The solver on the page's own thread, for sites whose CSP allows no blob:
 * worker: counters in slices of about 8 ms, yielding to the page between
 * them, so typing and scrolling stay smooth (slower overall than a worker,
 * never frozen).
 */
import {
  MAX_COUNTER,
  solveRange,
  type ChallengeParameters,
  type Solution,
} from './challenge-solver';

/** Counters between two looks at the clock: well under a millisecond. */
const STEP = 1_000;
const SLICE_MS = 8;

export async function solveInSlices(parameters: ChallengeParameters): Promise<Solution> {
  let from = 0;
  while (from <= MAX_COUNTER) {
    const sliceEnds = performance.now() + SLICE_MS;
    while (from <= MAX_COUNTER && performance.now() < sliceEnds) {
      const to = Math.min(from + STEP, MAX_COUNTER + 1);
      const found = solveRange(parameters, from, to);
      if (found) return found;
      from = to;
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  throw new Error('no solution');
}
