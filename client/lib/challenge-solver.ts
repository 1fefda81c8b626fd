/**
 * Solves the service's proof-of-work challenges (ALTCHA v2, SHA-256, cost 1;
 * see src/guard/challenge.ts): find the counter whose
 * SHA-256(salt ‖ nonce ‖ counter as 4 bytes, big-endian) starts with
 * `keyPrefix`. Pure and synchronous, so it runs in a Web Worker
 * (webchat-solver.js) or, in slices, on the page.
 *
 * Our own SHA-256 rather than Web Crypto's: the input is always one 64-byte
 * block, so a plain loop (with the rounds that only see salt and nonce done
 * once) measured about eight times faster in Chromium than awaiting
 * `crypto.subtle.digest` per counter, and it needs no secure context.
 *
 * @example
 *   const found = solveRange(challenge.parameters, 0, 50_000); // undefined: not in range
 */

export interface ChallengeParameters {
  algorithm: string;
  nonce: string;
  salt: string;
  cost: number;
  keyLength: number;
  keyPrefix: string;
  expiresAt: number;
  data: { origin?: string; issuedAt?: number };
}

export interface Solution {
  counter: number;
  derivedKey: string;
}

const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const H0 = [
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));

/** Rounds `from`..`to`-1 of SHA-256's compression on `s` (a, b, … h), in place. */
function rounds(s: Int32Array, w: Int32Array, from: number, to: number): void {
  let a = s[0]!,
    b = s[1]!,
    c = s[2]!,
    d = s[3]!,
    e = s[4]!,
    f = s[5]!,
    g = s[6]!,
    h = s[7]!;
  for (let i = from; i < to; i++) {
    const t1 =
      (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) | 0;
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  s[0] = a;
  s[1] = b;
  s[2] = c;
  s[3] = d;
  s[4] = e;
  s[5] = f;
  s[6] = g;
  s[7] = h;
}

function schedule(w: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15]!;
    const y = w[i - 2]!;
    const s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3);
    const s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
}

function words(hex: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < hex.length; i += 8)
    out.push(parseInt(hex.slice(i, i + 8).padEnd(8, '0'), 16));
  return out;
}

const hex32 = (x: number) => (x >>> 0).toString(16).padStart(8, '0');

/**
 * The solution among counters `from`..`to`-1, or undefined. Throws for a
 * challenge that is not the service's kind (another algorithm or cost, or
 * salt and nonce that do not fill whole words of one block).
 */
export function solveRange(p: ChallengeParameters, from: number, to: number): Solution | undefined {
  // Salt and nonce in whole words, leaving room in one block for the counter,
  // the padding bit and the length (13 words at most).
  const input = p.salt + p.nonce;
  const hexPattern = /^(?:[0-9a-f]{8})+$/;
  if (p.algorithm !== 'SHA-256' || p.cost !== 1 || !hexPattern.test(input) || input.length > 104) {
    throw new Error('unsupported challenge');
  }
  const prefix = p.keyPrefix.toLowerCase();
  if (!/^[0-9a-f]{1,64}$/.test(prefix)) throw new Error('unsupported challenge');
  const want = words(prefix);
  const lastMask = prefix.length % 8 ? ~0 << (32 - (prefix.length % 8) * 4) : ~0;
  const fixed = words(input);
  const at = fixed.length; // the counter's word
  const block = new Int32Array(64);
  block.set(fixed);
  block[at + 1] = 0x80000000 | 0; // padding: a 1 bit, zeros, then the length in bits
  block[15] = (fixed.length + 1) * 32;
  // Rounds that see only salt and nonce are the same for every counter.
  const mid = Int32Array.from(H0);
  rounds(mid, block, 0, at);
  const w = new Int32Array(64);
  const s = new Int32Array(8);
  for (let counter = from; counter < to; counter++) {
    w.set(block);
    w[at] = counter | 0;
    schedule(w);
    s.set(mid);
    rounds(s, w, at, 64);
    let match = true;
    for (let i = 0; i < want.length && match; i++) {
      const mask = i === want.length - 1 ? lastMask : ~0;
      match = ((s[i]! + H0[i]!) & mask) === (want[i]! & mask);
    }
    if (match) {
      const digest = [...s].map((x, i) => hex32(x + H0[i]!)).join('');
      return { counter, derivedKey: digest.slice(0, p.keyLength * 2) };
    }
  }
  return undefined;
}

/** The largest counter a challenge can use (ALTCHA v2 counters are 32-bit). */
export const MAX_COUNTER = 0xffffffff;
