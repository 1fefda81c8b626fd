import { solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { EnvReader } from '../config/reader';
import { ChallengeError } from '../errors';
import {
  challengeKey,
  DEFAULT_CHALLENGE_MAX_NUMBER,
  issueChallenge,
  optionalProof,
  readChallenge,
  verifyProof,
  type Proof,
} from './challenge';

const config = { challenge: { enabled: true, maxNumber: 1000 }, apiSecret: 'api-secret' };
const ORIGIN = 'https://www.example.com';

async function proofFor(origin = ORIGIN, nowMs = Date.now()): Promise<Proof> {
  const challenge = await issueChallenge(config, origin, nowMs);
  const solution = await solveChallenge({ challenge, deriveKey });
  if (!solution || !challenge.signature) throw new Error('not solved');
  return {
    challenge: { parameters: challenge.parameters, signature: challenge.signature },
    solution: { counter: solution.counter, derivedKey: solution.derivedKey },
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (!(error instanceof ChallengeError)) throw error;
    return error.code;
  }
}

describe('readChallenge', () => {
  const read = (env: Record<string, string>) => {
    const reader = new EnvReader(env);
    return { settings: readChallenge(reader), problems: reader.problems };
  };

  it('is on, at the default difficulty, unless told otherwise', () => {
    expect(read({})).toEqual({
      settings: { enabled: true, maxNumber: DEFAULT_CHALLENGE_MAX_NUMBER },
      problems: [],
    });
    expect(read({ CHALLENGE: 'off', CHALLENGE_MAX_NUMBER: '50000' }).settings).toEqual({
      enabled: false,
      maxNumber: 50_000,
    });
  });

  it.each(['yes', 'OFF', 'false'])('refuses CHALLENGE=%s: only on and off', (value) => {
    expect(read({ CHALLENGE: value }).problems).toEqual([
      { field: 'CHALLENGE', problem: 'must be one of: on, off' },
    ]);
  });

  it.each(['999', '100000001', '1e6', '-5', '12.5', 'lots'])(
    'refuses CHALLENGE_MAX_NUMBER=%s, without echoing it',
    (value) => {
      const { problems } = read({ CHALLENGE_MAX_NUMBER: value });
      expect(problems).toEqual([
        { field: 'CHALLENGE_MAX_NUMBER', problem: 'must be a whole number from 1000 to 100000000' },
      ]);
    },
  );
});

describe('challengeKey', () => {
  it('is derived from API_SECRET: stable, its own, and not the secret', () => {
    const key = challengeKey('api-secret');
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(challengeKey('api-secret')).toBe(key);
    expect(challengeKey('another-secret')).not.toBe(key);
    expect(key).not.toContain('api-secret');
  });
});

describe('verifyProof', () => {
  it('accepts a solved challenge from the origin it was issued to', async () => {
    const now = Date.now();
    const proof = await proofFor(ORIGIN, now);
    const verified = await verifyProof(config, proof, 'https://WWW.example.com');
    expect(verified).toEqual({
      id: proof.challenge.parameters.nonce,
      issuedAt: Math.floor(now / 1000),
      expiresAt: Math.floor(now / 1000) + 300,
    });
  });

  it('names each way a proof fails', async () => {
    const proof = await proofFor();
    expect(await codeOf(verifyProof(config, undefined, ORIGIN))).toBe('challenge_required');
    expect(await codeOf(verifyProof(config, proof, 'https://shop.example.com'))).toBe(
      'challenge_invalid',
    );
    expect(await codeOf(verifyProof(config, proof, undefined))).toBe('challenge_invalid');
    expect(await codeOf(verifyProof({ ...config, apiSecret: 'rotated' }, proof, ORIGIN))).toBe(
      'challenge_invalid',
    );
    const old = await proofFor(ORIGIN, Date.now() - 301_000);
    expect(await codeOf(verifyProof(config, old, ORIGIN))).toBe('challenge_expired');
    const wrong = {
      ...proof,
      solution: { ...proof.solution, counter: proof.solution.counter + 1 },
    };
    expect(await codeOf(verifyProof(config, wrong, ORIGIN))).toBe('challenge_invalid');
  });

  it('treats input altcha-lib cannot read as invalid, not as a crash', async () => {
    const proof = await proofFor();
    const odd = structuredClone(proof);
    odd.challenge.parameters.algorithm = 'MD5';
    expect(await codeOf(verifyProof(config, odd, ORIGIN))).toBe('challenge_invalid');
  });
});

describe('optionalProof', () => {
  it('takes a proof as JSON gives it, or nothing', async () => {
    const proof = await proofFor();
    expect(optionalProof(proof, 'proof')).toEqual({ ok: true, value: proof });
    expect(optionalProof(undefined, 'proof')).toEqual({ ok: true, value: undefined });
  });

  it('refuses what a query string or a form would make of it: strings', async () => {
    const proof = await proofFor();
    const asQuery = structuredClone(proof) as unknown as { solution: { counter: unknown } };
    asQuery.solution.counter = String(proof.solution.counter);
    expect(optionalProof(asQuery, 'proof').ok).toBe(false);
    expect(optionalProof(JSON.stringify(proof), 'proof').ok).toBe(false);
  });

  it('refuses shapes it cannot be, and anything oversized', async () => {
    const proof = await proofFor();
    const huge = structuredClone(proof);
    huge.challenge.parameters.data = { origin: ORIGIN, note: 'x'.repeat(3000) };
    for (const value of [[], {}, { challenge: {}, solution: {} }, huge, 42]) {
      expect(optionalProof(value, 'proof').ok).toBe(false);
    }
  });
});
