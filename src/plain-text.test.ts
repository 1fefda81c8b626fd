/**
 * The character rule on its own: the shared table, and properties over any
 * text (fast-check): nothing it removes survives, and cleaning twice changes
 * nothing more.
 */
import fc from 'fast-check';
import { PLAIN_TEXT_CASES } from '../tests/support/plain-text-cases';
import { cleanText, isSingleLine } from './plain-text';

describe('cleanText', () => {
  it.each(PLAIN_TEXT_CASES)('$name', ({ input, clean, singleLine }) => {
    expect(cleanText(input)).toBe(clean);
    if (clean !== '') expect(isSingleLine(clean)).toBe(singleLine);
  });

  // Every code point from U+0000 to U+FFFF, and the tag block, as the odds allow.
  const anyText = fc.string({
    unit: fc.oneof(
      fc.constantFrom(...'\u200d\u200c\u202e\u2066\ufeff\r\n\t\u0085 a👩🏴'.split('')),
      fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
      fc.integer({ min: 0xe0000, max: 0xe007f }).map((c) => String.fromCodePoint(c)),
    ),
    maxLength: 40,
  });

  it('leaves no control character, override, isolate or zero-width space', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        // eslint-disable-next-line no-control-regex -- the point of the check
        expect(cleanText(text)).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\r]/);
        expect(cleanText(text)).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u200b\ufeff\u2028]/);
      }),
      { numRuns: 3000 },
    );
  });

  it('is idempotent, so the server keeps what the widget sent', () => {
    fc.assert(
      fc.property(anyText, (text) => expect(cleanText(cleanText(text))).toBe(cleanText(text))),
      { numRuns: 3000 },
    );
  });
});
