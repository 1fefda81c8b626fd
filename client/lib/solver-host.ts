/**
 * Where challenges are solved: in a Web Worker, so the customer's typing never
 * waits on the hashing. A worker's script must be same-origin with the page,
 * and the widget lives on another site than its service, so the worker is a
 * one-line blob: script that `importScripts` webchat-solver.js from the
 * service (a classic import: no CORS needed). That takes `worker-src blob:`
 * in a site's Content-Security-Policy (docs/widget.md); where it is missing,
 * or workers fail otherwise, the same file is loaded as a plain script and
 * solves on the page in slices (solver-slices.ts). Either way the solver's
 * code is fetched only when a chat is about to start.
 *
 * @example
 *   const solve = createSolver('https://example-1234.twil.io/webchat-solver.js');
 *   const { counter, derivedKey } = await solve(challenge.parameters);
 */
import type { ChallengeParameters, Solution } from './challenge-solver';
import { loadScript } from './script-loader';

export type Solve = (parameters: ChallengeParameters) => Promise<Solution>;

/** Our challenges take well under a second; past this the worker is stuck. */
const WORKER_TIMEOUT_MS = 60_000;

let registered: Solve | undefined;

/** Called (through webchat.js's registry) when webchat-solver.js runs on the page. */
export function registerSolver(solve: Solve): void {
  registered = solve;
}

async function solverOnPage(url: string): Promise<Solve> {
  await loadScript(url, () => registered !== undefined).catch(() => {
    throw new Error('The challenge solver could not be loaded.');
  });
  if (!registered) throw new Error('The challenge solver did not start.');
  return registered;
}

function solveInWorker(url: string, parameters: ChallengeParameters): Promise<Solution> {
  return new Promise((resolve, reject) => {
    const source = `importScripts(${JSON.stringify(url)});`;
    const blobUrl = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    let worker: Worker;
    try {
      worker = new Worker(blobUrl); // throws (or fails below) when the CSP forbids it
    } catch (error) {
      URL.revokeObjectURL(blobUrl);
      reject(error instanceof Error ? error : new Error('no worker'));
      return;
    }
    const done = (settle: () => void) => {
      clearTimeout(timer);
      worker.terminate();
      URL.revokeObjectURL(blobUrl);
      settle();
    };
    const timer = setTimeout(() => done(() => reject(new Error('timed out'))), WORKER_TIMEOUT_MS);
    worker.onmessage = ({ data }: MessageEvent<{ solution?: Solution; error?: string }>) =>
      done(() => (data.solution ? resolve(data.solution) : reject(new Error(data.error))));
    worker.onerror = (event) => {
      event.preventDefault(); // ours to handle: no uncaught error in the page's console
      done(() => reject(new Error('worker failed')));
    };
    worker.postMessage(parameters);
  });
}

/** A solver that prefers a worker and falls back to the page. */
export function createSolver(url: string): Solve {
  let workers = typeof Worker === 'function';
  return async (parameters) => {
    if (workers) {
      try {
        return await solveInWorker(url, parameters);
      } catch {
        workers = false; // blocked or broken here: do not pay for it again
      }
    }
    return (await solverOnPage(url))(parameters);
  };
}
