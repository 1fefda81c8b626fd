/**
 * The proof /start-chat asks for (src/guard/challenge.ts): a challenge from
 * /challenge, solved off the main thread (solver-host.ts) while the customer
 * fills in the form, and sent with the start. No DOM here.
 *
 * - `prepare()` when the form is shown: fetches and solves one, if there is
 *   no usable one already (unused, not about to expire).
 * - `ready`: whether a start can go at once, or must wait ("Preparing…").
 * - `send(body, start)`: starts with a proof; if the service refuses the proof
 *   (expired, used, invalid, or required after all), a new one is fetched,
 *   solved, and the start tried once more, without the customer noticing.
 *
 * A proof is used once: after a start, the next chat gets a new challenge.
 * With CHALLENGE=off the service answers no challenge, and starts carry none.
 *
 * @example
 *   const challenges = new Challenges({ fetch: api.challenge, solve });
 *   challenges.prepare();
 *   const chat = await challenges.send(body, (withProof) => api.startChat(withProof));
 */
import { ApiError } from './api';
import type { ChallengeParameters, Solution } from './challenge-solver';

export interface Challenge {
  parameters: ChallengeParameters;
  signature: string;
}

export interface Proof {
  challenge: Challenge;
  solution: Solution;
}

export interface ChallengeDeps {
  /** POST /challenge: a challenge, or null when the service requires none. */
  fetch(): Promise<Challenge | null>;
  solve(parameters: ChallengeParameters): Promise<Solution>;
  now?: () => number;
}

/** The refusals a new proof cures. */
const PROOF_REFUSALS = new Set([
  'challenge_required',
  'challenge_invalid',
  'challenge_expired',
  'challenge_used',
]);

/** A proof this close to its expiry is not worth sending: get a new one. */
const EXPIRY_MARGIN_MS = 20_000;

interface Prepared {
  /** Settles with the proof (null: none needed), or rejects when it could not be had. */
  proof: Promise<Proof | null>;
  settled: boolean;
  failed: boolean;
  /** When it stops being worth sending, by this page's clock. */
  usableUntil: number;
}

export class Challenges {
  private prepared?: Prepared;
  private readonly now: () => number;

  constructor(private readonly deps: ChallengeDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Fetches and solves a challenge now, unless a usable one is on its way or ready. */
  prepare(): void {
    if (!this.usable()) this.prepared = this.fetchAndSolve();
  }

  /** A start can go at once: a proof (or the knowledge that none is needed) is at hand. */
  get ready(): boolean {
    return this.usable() && !!this.prepared?.settled;
  }

  /** Starts with a proof; one refusal of the proof gets a fresh one and one more try. */
  async send<B extends object, T>(
    body: B,
    start: (body: B & { proof?: Proof }) => Promise<T>,
  ): Promise<T> {
    try {
      return await start(await this.take(body));
    } catch (error) {
      if (!(error instanceof ApiError && PROOF_REFUSALS.has(error.code))) throw error;
      this.prepared = undefined;
      return start(await this.take(body));
    }
  }

  /** The body with a proof, which is then used up (unless none was needed). */
  private async take<B extends object>(body: B): Promise<B & { proof?: Proof }> {
    this.prepare();
    const prepared = this.prepared!;
    const proof = await prepared.proof;
    if (!proof) return body;
    if (this.prepared === prepared) this.prepared = undefined; // one start per proof
    return { ...body, proof };
  }

  private usable(): boolean {
    const p = this.prepared;
    return !!p && !p.failed && (!p.settled || this.now() < p.usableUntil);
  }

  private fetchAndSolve(): Prepared {
    const prepared: Prepared = {
      proof: Promise.resolve(null),
      settled: false,
      failed: false,
      usableUntil: Infinity,
    };
    const received = this.now();
    prepared.proof = (async () => {
      const challenge = await this.deps.fetch();
      if (!challenge) return null;
      const { expiresAt, data } = challenge.parameters;
      // Its lifetime, counted on this page's clock (which may not be the server's).
      const lifetimeMs = (expiresAt - (data.issuedAt ?? expiresAt)) * 1000;
      prepared.usableUntil = received + lifetimeMs - EXPIRY_MARGIN_MS;
      return { challenge, solution: await this.deps.solve(challenge.parameters) };
    })();
    prepared.proof.then(
      () => (prepared.settled = true),
      () => {
        prepared.settled = true;
        prepared.failed = true; // the next prepare or start tries again
      },
    );
    return prepared;
  }
}
