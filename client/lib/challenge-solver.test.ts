/**
 * The widget's solver against the server's own code: what it finds for a
 * challenge /challenge issues is what /start-chat accepts (altcha-lib's
 * verification), and it agrees with altcha-lib's solver on other prefixes.
 */
import { createChallenge, solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { issueChallenge, verifyProof, type Proof } from '../../src/guard/challenge';
import { solveRange, type ChallengeParameters } from './challenge-solver';

const config = { challenge: { enabled: true, maxNumber: 5000 }, apiSecret: 'secret' };
const ORIGIN = 'https://www.example.com';

it('solves what /challenge issues, as /start-chat verifies it', async () => {
  for (let i = 0; i < 5; i++) {
    const challenge = await issueChallenge(config, ORIGIN, Date.now());
    const parameters = challenge.parameters as ChallengeParameters;
    const solution = solveRange(parameters, 0, 5001);
    expect(solution).toBeDefined();
    const proof: Proof = {
      challenge: { parameters: challenge.parameters, signature: challenge.signature ?? '' },
      solution: solution!,
    };
    await expect(verifyProof(config, proof, ORIGIN)).resolves.toMatchObject({
      id: parameters.nonce,
    });
  }
});

it('finds nothing outside the range it is given', async () => {
  const challenge = await issueChallenge(config, ORIGIN, Date.now());
  const parameters = challenge.parameters as ChallengeParameters;
  const { counter } = solveRange(parameters, 0, 5001)!;
  expect(solveRange(parameters, 0, counter)).toBeUndefined();
  expect(solveRange(parameters, counter, counter + 1)?.counter).toBe(counter);
});

it.each(['0', '00', 'a5f', '0000'])(
  'agrees with altcha-lib on a prefix of %s (whole and partial words)',
  async (keyPrefix) => {
    const challenge = await createChallenge({
      algorithm: 'SHA-256',
      cost: 1,
      deriveKey,
      keyPrefix,
    });
    const expected = await solveChallenge({ challenge, deriveKey });
    const found = solveRange(challenge.parameters as ChallengeParameters, 0, 0xffffffff);
    expect(found).toEqual({ counter: expected?.counter, derivedKey: expected?.derivedKey });
  },
);

it('refuses challenges of another kind instead of searching forever', () => {
  const base: ChallengeParameters = {
    algorithm: 'SHA-256',
    nonce: '00'.repeat(16),
    salt: '11'.repeat(16),
    cost: 1,
    keyLength: 32,
    keyPrefix: 'ab',
    expiresAt: 0,
    data: {},
  };
  for (const odd of [
    { algorithm: 'PBKDF2/SHA-256' },
    { cost: 5000 },
    { salt: 'abc' },
    { nonce: 'zz'.repeat(16) },
    { keyPrefix: '' },
  ]) {
    expect(() => solveRange({ ...base, ...odd }, 0, 10)).toThrow('unsupported challenge');
  }
});
