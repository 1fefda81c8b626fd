/**
 * Reading and merging .env: values are read exactly as twilio-run reads them
 * (its own dotenv, 6.2), nothing setup did not set is dropped or changed, and
 * what it writes reads back as the same string.
 */
import { formatValue, mergeEnv, parseEnv, type EnvFile } from '../../scripts/setup/dotenv';

function file(text: string, exists = true): EnvFile {
  return {
    path: '/tmp/.env',
    exists,
    lines: text.replace(/\n$/, '').split('\n'), // as readEnvFile reads it
    values: exists ? parseEnv(text) : {},
  };
}

describe('parseEnv: the rules of the dotenv twilio-run uses', () => {
  it.each([
    ['A=e # note', { A: 'e # note' }], // no comments after a value
    ['export B=x', {}], // not an assignment
    ['C="a b" ', { C: 'a b"' }], // a space after the closing quote keeps that quote
    ["D='q'", { D: 'q' }],
    ['E="a\\nb"', { E: 'a\nb' }],
    ['F=  spaced  ', { F: 'spaced' }],
    ['G=1\nG=2', { G: '2' }], // the last one wins
    ['H=x\r\nI=y\r\n', { H: 'x', I: 'y' }],
  ])('%j', (text, values) => {
    expect(parseEnv(text)).toEqual(values);
  });
});

describe('mergeEnv', () => {
  const text = ['# mine', 'A=1', 'EMPTY=', 'QUOTED="x y"', 'export EXPORTED=e', ''].join('\n');
  /** Updates that may not replace a different value (setup's proposals). */
  const proposals = (values: Record<string, string>) =>
    Object.fromEntries(Object.entries(values).map(([k, value]) => [k, { value, replace: false }]));

  it('fills empty values in place, appends new ones, keeps differing ones, reports each', () => {
    const result = mergeEnv(
      file(text),
      proposals({ A: '2', EMPTY: 'filled', NEW: 'n', QUOTED: 'x y' }),
    );
    expect(result).toMatchObject({
      changed: [],
      set: ['EMPTY', 'NEW'],
      kept: ['A'],
      unchanged: ['QUOTED'],
    });
    expect(result.text).toBe(
      [
        '# mine',
        'A=1',
        'EMPTY=filled',
        'QUOTED="x y"',
        'export EXPORTED=e',
        '',
        '# Added by npm run setup',
        'NEW=n',
        '',
      ].join('\n'),
    );
    expect(parseEnv(result.text)).toEqual({ A: '1', EMPTY: 'filled', QUOTED: 'x y', NEW: 'n' });
  });

  it('replaces a differing value when its update says so, and says what it was', () => {
    const result = mergeEnv(file(text), { A: { value: '2', replace: true } });
    expect(result).toMatchObject({ changed: [{ key: 'A', was: '1' }], set: [], kept: [] });
    expect(parseEnv(result.text).A).toBe('2');
  });

  it('empties a variable in place; emptying one that is absent or empty changes nothing', () => {
    const result = mergeEnv(file(text), {
      A: { value: '', replace: true },
      EMPTY: { value: '', replace: true },
      ABSENT: { value: '', replace: true },
    });
    expect(result).toMatchObject({
      changed: [{ key: 'A', was: '1' }],
      unchanged: ['EMPTY', 'ABSENT'],
    });
    expect(result.text).toBe(text.replace('A=1', 'A='));
  });

  it('an `export` line is not the variable dotenv reads: the value is appended', () => {
    const result = mergeEnv(file(text), proposals({ EXPORTED: 'set' }));
    expect(result.set).toEqual(['EXPORTED']);
    expect(result.text).toContain('export EXPORTED=e\n');
    expect(parseEnv(result.text).EXPORTED).toBe('set');
  });

  it('of a variable set twice, updates the last line (the one dotenv reads)', () => {
    const twice = file('K=\n# later\nK=\n');
    const result = mergeEnv(twice, proposals({ K: 'v' }));
    expect(result.text).toBe('K=\n# later\nK=v\n');
    expect(parseEnv(result.text).K).toBe('v');
  });

  it("treats a file started from .env.example as defaults to fill, not someone's values", () => {
    const result = mergeEnv(
      file('# doc\nHANDOFF_MODE=studio\n', false),
      proposals({ HANDOFF_MODE: 'address' }),
    );
    expect(result.set).toEqual(['HANDOFF_MODE']);
    expect(result.text).toBe('# doc\nHANDOFF_MODE=address\n');
  });

  it.each([
    'https://a.example,https://b.example',
    'has space',
    "it's",
    'a#b',
    '"quoted"',
    "'single'",
    '"',
    'a\\nb',
    '',
  ])('writes %j so that it reads back the same', (value) => {
    expect(parseEnv(`K=${formatValue(value)}`).K).toBe(value);
  });

  it.each(['two\nlines', ' padded'])('refuses %j, which dotenv cannot read back', (value) => {
    expect(() => formatValue(value)).toThrow(/line break or start or end with a space/);
  });
});
