/**
 * Merging .env: nothing setup did not set is dropped or changed, and what it
 * writes reads back as the same string (the rules of dotenv, which twilio-run uses).
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

describe('mergeEnv', () => {
  const text = ['# mine', 'A=1', 'EMPTY=', 'QUOTED="x y" ', 'export EXPORTED=e # note', ''].join(
    '\n',
  );

  it('fills empty values in place, appends new ones, keeps differing ones, reports each', () => {
    const result = mergeEnv(file(text), { A: '2', EMPTY: 'filled', NEW: 'n', QUOTED: 'x y' });
    expect(result).toMatchObject({ set: ['EMPTY', 'NEW'], kept: ['A'], unchanged: ['QUOTED'] });
    expect(result.text).toBe(
      [
        '# mine',
        'A=1',
        'EMPTY=filled',
        'QUOTED="x y" ',
        'export EXPORTED=e # note',
        '',
        '# Added by npm run setup',
        'NEW=n',
        '',
      ].join('\n'),
    );
    expect(parseEnv(result.text)).toEqual({
      A: '1',
      EMPTY: 'filled',
      QUOTED: 'x y',
      EXPORTED: 'e',
      NEW: 'n',
    });
  });

  it('overwrites differing values only with force', () => {
    const result = mergeEnv(file(text), { A: '2' }, true);
    expect(result.set).toEqual(['A']);
    expect(parseEnv(result.text).A).toBe('2');
  });

  it("treats a file started from .env.example as defaults to fill, not someone's values", () => {
    const result = mergeEnv(file('# doc\nHANDOFF_MODE=studio\n', false), {
      HANDOFF_MODE: 'address',
    });
    expect(result.set).toEqual(['HANDOFF_MODE']);
    expect(result.text).toBe('# doc\nHANDOFF_MODE=address\n');
  });

  it.each(['https://a.example,https://b.example', 'has space', "it's", 'a#b', '"quoted"', ''])(
    'writes %j so that it reads back the same',
    (value) => {
      expect(parseEnv(`K=${formatValue(value)}`).K).toBe(value);
    },
  );
});
