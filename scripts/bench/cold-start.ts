/**
 * Cold start: the time to require() each built function (dist/functions) in
 * a fresh Node process (median of 9), next to require('twilio') alone.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../dev/local-runtime';
import { fmt, median } from './measure';
import { table } from './table';

function loadTime(modulePath: string, runs = 9): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(modulePath)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    times.push(
      Number(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' })),
    );
  }
  return median(times);
}

export function coldStart(): void {
  const row = table(
    'Cold start: require() of each built function in a fresh Node process (median of 9)',
    ['module'],
    ['load time', 'vs twilio alone'],
  );
  const baseline = loadTime('twilio');
  row('twilio (whole library, for scale)', `${fmt(baseline)} ms`, '');
  const functions = readdirSync(join(ROOT, 'dist', 'functions')).filter((f) => f.endsWith('.js'));
  for (const file of functions.sort()) {
    const ms = loadTime(join(ROOT, 'dist', 'functions', file));
    const diff = ms - baseline;
    row(`dist/functions/${file}`, `${fmt(ms)} ms`, `${diff >= 0 ? '+' : ''}${fmt(diff)} ms`);
  }
}
