/**
 * webchat-solver.js: the challenge solver (lib/challenge-solver.ts), kept out
 * of webchat.js and fetched only when a chat is about to start. It runs:
 *
 * - in a Web Worker (the usual case): webchat.js starts a worker from a tiny
 *   blob: script that `importScripts` this file, posts it a challenge's
 *   parameters, and gets back `{solution}` or `{error}`;
 * - as a plain script on the page, where the site's Content-Security-Policy
 *   allows no blob: worker: it then hands webchat.js a solver that works in
 *   slices, so the page stays responsive (lib/solver-host.ts).
 */
import { solveRange, MAX_COUNTER, type ChallengeParameters } from './lib/challenge-solver';
import { solveInSlices } from './lib/solver-slices';

interface WorkerScope {
  onmessage: ((event: { data: ChallengeParameters }) => void) | null;
  postMessage(message: unknown): void;
}

const scope = globalThis as unknown as Partial<WorkerScope> & { document?: unknown };

if (scope.document === undefined) {
  const worker = scope as WorkerScope;
  worker.onmessage = ({ data }) => {
    try {
      const solution = solveRange(data, 0, MAX_COUNTER + 1);
      worker.postMessage(solution ? { solution } : { error: 'no solution' });
    } catch (error) {
      worker.postMessage({ error: error instanceof Error ? error.message : 'failed' });
    }
  };
} else {
  window.FlexWebchat?.registerSolver(solveInSlices);
}
