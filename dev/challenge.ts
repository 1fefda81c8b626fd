/**
 * Challenges solved outside a browser, for tests and the bench: fetched from
 * the real `/challenge` handler (in process) and solved with altcha-lib's own
 * solver, an implementation independent of the widget's
 * (client/lib/challenge-solver.ts). Fast at the test difficulty
 * (`CHALLENGE_MAX_NUMBER` in TEST_ENV).
 *
 * @example
 *   const body = await withProof({ friendlyName: 'Ana' });
 *   await invoke(startChat, { mock, body });
 */
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { handler as challengeHandler } from '../functions/challenge';
import type { Proof } from '../src/guard/challenge';
import { invoke, type InvokeOptions } from './invoke';
import { SITE_ORIGIN, TEST_ENV, type TestEnv } from './twilio-fake/env';

export interface ProofOptions {
  env?: TestEnv;
  /** The website asking; SITE_ORIGIN by default. */
  origin?: string;
  /** `context.DOMAIN_NAME`, for a service's own page (`localhost:3000`). */
  domainName?: string;
}

/** A challenge from `/challenge`, as a widget on `origin` would get it. */
export async function fetchChallenge(options: ProofOptions = {}): Promise<Challenge> {
  const res = await invoke(challengeHandler, {
    env: options.env ?? { ...TEST_ENV },
    headers: { origin: options.origin ?? SITE_ORIGIN, 'content-type': undefined },
    ...(options.domainName !== undefined && { domainName: options.domainName }),
  });
  const challenge = (res.body as { challenge?: Challenge | null }).challenge;
  if (res.status !== 200 || !challenge) {
    throw new Error(`/challenge answered ${res.status}: ${res.text}`);
  }
  return challenge;
}

/** Solves a challenge (any of ours, at any difficulty) into the proof /start-chat takes. */
export async function solve(challenge: Challenge): Promise<Proof> {
  const solution = await solveChallenge({ challenge, deriveKey });
  if (!solution || challenge.signature === undefined) throw new Error('challenge not solved');
  const { counter, derivedKey } = solution;
  return {
    challenge: { parameters: challenge.parameters, signature: challenge.signature },
    solution: { counter, derivedKey },
  };
}

/** A fresh proof for `origin`: fetched, then solved. */
export async function freshProof(options: ProofOptions = {}): Promise<Proof> {
  return solve(await fetchChallenge(options));
}

/** A /start-chat body with a fresh proof added. */
export async function withProof<T extends object>(
  body: T,
  options: ProofOptions = {},
): Promise<T & { proof: Proof }> {
  return { ...body, proof: await freshProof(options) };
}

/**
 * The options of a /start-chat call as the widget makes it: the body plus a
 * fresh proof for the call's own env, origin and domain.
 *
 * @example
 *   await invoke(startChat, await proven({ mock, env, body: { friendlyName: 'Ana' } }));
 */
export async function proven(options: InvokeOptions): Promise<InvokeOptions> {
  const origin = options.headers?.origin;
  const body = await withProof(options.body ?? {}, {
    ...(options.env && { env: options.env }),
    ...(origin !== undefined && { origin }),
    ...(options.domainName !== undefined && { domainName: options.domainName }),
  });
  return { ...options, body };
}

/** A fresh proof from a running service (twilio-run), asked as a page on `origin` asks. */
export async function proofOver(baseUrl: string, origin: string = SITE_ORIGIN): Promise<Proof> {
  const res = await fetch(`${baseUrl}/challenge`, { method: 'POST', headers: { Origin: origin } });
  const { challenge } = (await res.json()) as { challenge?: Challenge | null };
  if (res.status !== 200 || !challenge) throw new Error(`/challenge answered ${res.status}`);
  return solve(challenge);
}
