/**
 * One rule for the characters a customer's text may carry to agents, used by
 * the widget (client/lib: the form, the composer) and by the functions
 * (src/fields.ts: names, questions, pre-engagement values) alike, so both
 * sides send and accept exactly the same text. It imports nothing and uses
 * no Node API: the widget's bundle includes it.
 *
 * The rule strips, it never refuses: what it removes is invisible (or a
 * control character pasted by accident), so an error about it would point at
 * nothing the customer can see.
 *
 *   - Line breaks become `\n`: CR LF, CR, NEL (U+0085), U+2028, U+2029.
 *   - Other control characters (C0 but tab and newline, DEL, C1) become a
 *     space, so the words either side stay apart.
 *   - Invisible formatting is removed: bidi embeddings and overrides
 *     (U+202A–U+202E, the "RTL override" that shows `exe.pdf` as `fdp.exe`),
 *     bidi isolates (U+2066–U+2069), zero-width space (U+200B), word joiner
 *     and invisible operators (U+2060–U+2064), byte order mark (U+FEFF), soft
 *     hyphen (U+00AD), Mongolian vowel separator (U+180E), Hangul fillers
 *     (U+115F, U+1160, U+3164, U+FFA0: "blank" names), interlinear
 *     annotation (U+FFF9–U+FFFB), the language tag (U+E0001).
 *   - Joiners (ZWJ U+200D, ZWNJ U+200C) stay between two visible characters,
 *     where emoji sequences (👩‍💻), Persian and Indic scripts need them;
 *     anywhere else (leading, trailing, doubled, beside a space) they go.
 *   - Tag characters (U+E0020–U+E007F) stay only in a flag's tag sequence
 *     (🏴 followed by tags, as in 🏴󠁧󠁢󠁳󠁣󠁴󠁿); anywhere else they go (they can hide text).
 *   - Kept: every letter of every script (Arabic and Hebrew included), the
 *     bidi marks LRM, RLM and ALM (they cannot reorder text, and right-to-left
 *     writers use them), variation selectors (emoji presentation), tabs and
 *     newlines (refused where one line is wanted: `isSingleLine`).
 *   - Then trimmed; text with nothing visible left (only spaces, marks and
 *     joiners) is empty.
 *
 * Lengths are checked after cleaning, on both sides.
 *
 * @example
 *   cleanText('Ana\u202E\u0007 ');  // 'Ana'
 *   cleanText('👩‍💻 hi\r\nthere');   // '👩‍💻 hi\nthere'
 */

const LINE_BREAKS = /\r\n?|[\u0085\u2028\u2029]/g;
// C0 but tab (09) and newline (0a), DEL, C1 (U+0085 became \n above).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const INVISIBLE =
  /[\u00ad\u115f\u1160\u180e\u200b\u202a-\u202e\u2060-\u2064\u2066-\u2069\u3164\ufeff\uffa0\ufff9-\ufffb]|\u{e0001}/gu;
const JOINER = /^(?:\u200c|\u200d)$/;
const TAG = /^[\u{e0020}-\u{e007f}]$/u;
const BLACK_FLAG = '\u{1f3f4}';
/** Not visible on its own: whitespace, joiners, bidi marks. */
const UNSEEN = /^(?:\s|\u200c|\u200d|\u200e|\u200f|\u061c)$/;

/** Tag characters outside a flag's tag sequence, removed (by code point). */
function dropStrayTags(text: string): string {
  const kept: string[] = [];
  for (const char of text) {
    const previous = kept[kept.length - 1];
    if (TAG.test(char) && previous !== BLACK_FLAG && !(previous && TAG.test(previous))) continue;
    kept.push(char);
  }
  return kept.join('');
}

/**
 * Joiners not between two visible characters, removed. After the tags: a
 * joiner's neighbours must be final, or a second cleaning would differ.
 */
function dropStrayJoiners(text: string): string {
  const chars = Array.from(text);
  return chars
    .filter((char, i) => {
      if (!JOINER.test(char)) return true;
      const [before, after] = [chars[i - 1], chars[i + 1]];
      return (
        before !== undefined && after !== undefined && !UNSEEN.test(before) && !UNSEEN.test(after)
      );
    })
    .join('');
}

/** The text as agents may receive it (see the rule above); '' when nothing visible is left. */
export function cleanText(value: string): string {
  const visible = value.replace(LINE_BREAKS, '\n').replace(CONTROLS, ' ').replace(INVISIBLE, '');
  const text = dropStrayJoiners(dropStrayTags(visible)).trim();
  return Array.from(text).every((char) => UNSEEN.test(char)) ? '' : text;
}

/** Whether cleaned text fits on one line (no newline, no tab): names, single-line fields. */
export function isSingleLine(text: string): boolean {
  return !/[\t\n]/.test(text);
}
