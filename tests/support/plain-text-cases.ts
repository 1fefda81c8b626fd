/**
 * One table of inputs for the character rule (src/plain-text.ts), run on both
 * sides: the widget's form (client/lib/pre-engagement.test.ts) and what
 * /start-chat writes to Twilio (tests/contract/plain-text.test.ts). Each
 * case: what the customer typed or pasted, and what agents may receive.
 */
export interface PlainTextCase {
  name: string;
  input: string;
  /** What reaches agents; '' when nothing visible is left (the field counts as blank). */
  clean: string;
  /** A single line (fits a name); false where only multi-line fields take it. */
  singleLine: boolean;
}

export const PLAIN_TEXT_CASES: readonly PlainTextCase[] = [
  // Removed: what could mislead an agent or hide text.
  {
    name: 'a bidi override (U+202E)',
    input: 'Ana\u202Efdp.exe',
    clean: 'Anafdp.exe',
    singleLine: true,
  },
  {
    name: 'bidi embeddings and isolates',
    input: '\u202AAna\u202C \u2066Bo\u2069',
    clean: 'Ana Bo',
    singleLine: true,
  },
  {
    name: 'zero-width spaces and a BOM',
    input: '\uFEFFA\u200Bn\u200Ba\u2060',
    clean: 'Ana',
    singleLine: true,
  },
  { name: 'a soft hyphen', input: 'An\u00ADa', clean: 'Ana', singleLine: true },
  {
    name: 'Hangul fillers (a blank-looking name)',
    input: '\u3164\u3164',
    clean: '',
    singleLine: true,
  },
  { name: 'only marks and joiners', input: '\u200F\u200D\u200E', clean: '', singleLine: true },
  { name: 'a stray joiner', input: '\u200DAna\u200D', clean: 'Ana', singleLine: true },
  { name: 'hidden tag characters', input: 'Ana\u{E0041}\u{E0042}', clean: 'Ana', singleLine: true },
  // Controls: C0 and C1 become spaces, line breaks become \n.
  { name: 'C0 controls', input: 'Ana\u0000\u0007Bo', clean: 'Ana  Bo', singleLine: true },
  { name: 'C1 controls', input: 'Ana\u0080\u009FBo', clean: 'Ana  Bo', singleLine: true },
  { name: 'DEL', input: 'Ana\u007F', clean: 'Ana', singleLine: true },
  {
    name: 'CR LF, CR, NEL and U+2028',
    input: 'a\r\nb\rc\u0085d\u2028e',
    clean: 'a\nb\nc\nd\ne',
    singleLine: false,
  },
  {
    name: 'a vertical tab and a form feed',
    input: 'a\u000Bb\u000Cc',
    clean: 'a b c',
    singleLine: true,
  },
  { name: 'a tab', input: 'a\tb', clean: 'a\tb', singleLine: false },
  // Kept: legitimate text, intact.
  {
    name: 'an emoji ZWJ sequence',
    input: 'Ana 👩\u200D💻',
    clean: 'Ana 👩\u200D💻',
    singleLine: true,
  },
  {
    name: 'a family and a skin tone',
    input: '👨\u200D👩\u200D👧 👍🏽',
    clean: '👨\u200D👩\u200D👧 👍🏽',
    singleLine: true,
  },
  {
    name: 'a heart on fire (VS16 then ZWJ)',
    input: '❤\uFE0F\u200D🔥',
    clean: '❤\uFE0F\u200D🔥',
    singleLine: true,
  },
  {
    name: "Scotland's flag (tags)",
    input: '🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}',
    clean: '🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}',
    singleLine: true,
  },
  { name: 'Arabic', input: 'مرحبا بك', clean: 'مرحبا بك', singleLine: true },
  {
    name: 'Hebrew with a right-to-left mark',
    input: 'שלום\u200F (Dana)',
    clean: 'שלום\u200F (Dana)',
    singleLine: true,
  },
  { name: 'Persian with a ZWNJ', input: 'می\u200Cخواهم', clean: 'می\u200Cخواهم', singleLine: true },
  { name: 'Devanagari with a ZWJ', input: 'क्\u200Dष', clean: 'क्\u200Dष', singleLine: true },
  {
    name: 'accents, both composed and combining',
    input: 'José Jose\u0301',
    clean: 'José Jose\u0301',
    singleLine: true,
  },
  {
    name: 'a question on several lines',
    input: ' Hi,\n\nmy order?\n ',
    clean: 'Hi,\n\nmy order?',
    singleLine: false,
  },
];
