/**
 * Doctor's row for the challenge before every chat (src/guard/challenge.ts):
 * OK when on, with its difficulty; a warning when CHALLENGE=off, since
 * /start-chat then admits any caller that names an allowed origin, which any
 * script can. Malformed values are the configuration row's business.
 */
import type { Env } from '../../src/config';
import { EnvReader } from '../../src/config/reader';
import { readChallenge } from '../../src/guard/challenge';
import type { Add } from './checks';

export function checkChallenge(env: Env, add: Add): void {
  const read = new EnvReader(env);
  const { enabled, maxNumber } = readChallenge(read);
  if (!read.ok) return;
  if (enabled) {
    const hashes = Math.round(maxNumber / 2).toLocaleString('en-US');
    add('CHALLENGE', 'ok', `on: each chat costs its browser about ${hashes} hashes first`);
    return;
  }
  add(
    'CHALLENGE',
    'warn',
    'off: /start-chat admits any caller that names an allowed origin, which any script can',
    'remove CHALLENGE=off outside local tests',
  );
}
