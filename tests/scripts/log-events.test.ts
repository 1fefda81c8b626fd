/**
 * docs/logs.md lists every event the functions log, and nothing else: a new
 * `log.warn('…')` without a row there fails here, as does a row for an event
 * the code no longer writes.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The event names in `log.info|warn|error(…)` calls, comments aside. */
function loggedEvents(): Set<string> {
  const events = new Set<string>();
  for (const file of [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'functions'))]) {
    const code = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    for (const call of code.matchAll(/\blog\.(?:info|warn|error)\(\s*([^,)]*)/g)) {
      for (const name of (call[1] ?? '').matchAll(/'([a-z_.]+)'/g)) events.add(name[1] ?? '');
    }
  }
  return events;
}

function documentedEvents(): Set<string> {
  const doc = readFileSync(join(ROOT, 'docs', 'logs.md'), 'utf8');
  return new Set([...doc.matchAll(/^\|\s*`([a-z_.]+)`\s*\|/gm)].map((m) => m[1] ?? ''));
}

describe('docs/logs.md', () => {
  it('documents every event the functions log, and no other', () => {
    const logged = loggedEvents();
    expect(logged.size).toBeGreaterThan(20); // the scan found the calls
    expect([...documentedEvents()].sort()).toEqual([...logged].sort());
  });
});
