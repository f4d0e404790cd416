/**
 * One pass over a text that tells which value detectors could possibly match it. Most result cells are short and
 * harmless (`shipped`, `eu-west-1`, `42`): a character-class table and a few counters reject them without a regex.
 * Pure; no allocation per call (the result is a shared scratch object, valid until the next call).
 */

/** Bits of the character table; `marks` in TextFeatures is the OR of every character's bits. */
export const CH = {
  DIGIT: 1,
  UPPER: 2,
  LOWER: 4,
  /** Part of a key-like token: letters, digits and `_ - + / =` (base64, base64url, snake and kebab case). */
  TOKEN: 8,
  AT: 16,
  PLUS: 32,
  COLON: 64,
  EQUALS: 128,
  DASH: 256,
  DOT: 512,
  SPACE: 1024,
} as const;

const TABLE = new Uint16Array(128);
for (let c = 48; c <= 57; c++) TABLE[c] = CH.DIGIT | CH.TOKEN;
for (let c = 65; c <= 90; c++) TABLE[c] = CH.UPPER | CH.TOKEN;
for (let c = 97; c <= 122; c++) TABLE[c] = CH.LOWER | CH.TOKEN;
TABLE[95] = CH.TOKEN; // _
TABLE[45] = CH.TOKEN | CH.DASH; // -
TABLE[43] = CH.TOKEN | CH.PLUS; // +
TABLE[47] = CH.TOKEN; // /
TABLE[61] = CH.TOKEN | CH.EQUALS; // =
TABLE[64] = CH.AT; // @
TABLE[58] = CH.COLON; // :
TABLE[46] = CH.DOT; // .
TABLE[32] = CH.SPACE;

/** The class bits of one UTF-16 code unit (0 for anything outside ASCII). */
export function charClass(code: number): number {
  return code < 128 ? (TABLE[code] ?? 0) : 0;
}

export interface TextFeatures {
  length: number;
  digits: number;
  upper: number;
  lower: number;
  /** OR of the class bits of every character. */
  marks: number;
  /** Length of the longest run of TOKEN characters. */
  longestToken: number;
  /** True when some character is outside ASCII (internationalised emails, names). */
  nonAscii: boolean;
}

const scratch: TextFeatures = { length: 0, digits: 0, upper: 0, lower: 0, marks: 0, longestToken: 0, nonAscii: false };

export function readFeatures(text: string): TextFeatures {
  let digits = 0;
  let upper = 0;
  let lower = 0;
  let marks = 0;
  let run = 0;
  let longest = 0;
  let nonAscii = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128) {
      nonAscii = true;
      if (run > longest) longest = run;
      run = 0;
      continue;
    }
    const k = TABLE[c] ?? 0;
    marks |= k;
    if (k & CH.TOKEN) {
      run++;
      if (k & CH.DIGIT) digits++;
      else if (k & CH.LOWER) lower++;
      else if (k & CH.UPPER) upper++;
    } else {
      if (run > longest) longest = run;
      run = 0;
    }
  }
  scratch.length = n;
  scratch.digits = digits;
  scratch.upper = upper;
  scratch.lower = lower;
  scratch.marks = marks;
  scratch.longestToken = run > longest ? run : longest;
  scratch.nonAscii = nonAscii;
  return scratch;
}
