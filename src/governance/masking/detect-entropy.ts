/**
 * The last net for secrets with no known prefix: tokens of 20 or more key-like characters (`A-Z a-z 0-9 _ - + / =`)
 * that mix upper case, lower case and digits, have high character entropy, and are not made of words.
 *
 * Decisions, each to keep false positives down:
 * - Hex strings (UUIDs, sha256/sha1/md5 digests, git commits, hex with dashes) are never secrets here. A digest is a
 *   one-way fingerprint that runbooks compare and log; a hex-encoded key is missed, and left to column rules
 *   (`*secret*`, `*_key`) and to the `secret=`/`token:` assignment detector.
 * - Identifiers and paths are made of words (`OrderService2Handler`, `/Users/Ada/Projects/Vigil2025`): their pieces
 *   (a capitalised word, an acronym, a number) average three characters or more. Random base62/base64 averages
 *   under two; a token whose pieces average 3.0 or more is not flagged (this misses about 1% of random 20-40
 *   character secrets, measured on generated keys).
 * - Lower-case-and-digits tokens (hostnames, Kubernetes pod names, cuid-style ids) are not flagged.
 */
import { CH, charClass } from './text-features.js';
import { defineDetector, type Span } from './value-detector.js';

const MIN_LENGTH = 20;
const MIN_ENTROPY = 3.5;
const MAX_MEAN_PIECE = 3.0;

const counts = new Int32Array(128);

function isHexLike(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    const hex = (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) || c === 45 || c === 95;
    if (!hex) return false;
  }
  return true;
}

/** Shannon entropy in bits per character of text[start, end), all ASCII. */
function entropy(text: string, start: number, end: number): number {
  for (let i = start; i < end; i++) counts[text.charCodeAt(i)]!++;
  const n = end - start;
  let bits = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    const k = counts[c]!;
    if (k === 0) continue;
    const p = k / n;
    bits -= p * Math.log2(p);
    counts[c] = 0;
  }
  return bits;
}

/** Mean length of the pieces: runs of digits, lower-case words with an optional capital, and upper-case acronyms. */
function meanPiece(text: string, start: number, end: number): number {
  let pieces = 0;
  let i = start;
  let letters = 0;
  const classAt = (at: number) => (at < end ? charClass(text.charCodeAt(at)) : 0);
  const skip = (bit: number) => {
    const from = i;
    while (classAt(i) & bit) i++;
    return i - from;
  };
  while (i < end) {
    const k = classAt(i);
    if (k & CH.DIGIT) letters += skip(CH.DIGIT);
    else if (k & CH.LOWER) letters += skip(CH.LOWER);
    else if (k & CH.UPPER) {
      const capitals = skip(CH.UPPER);
      const word = skip(CH.LOWER);
      letters += capitals + word;
      // In `HTTPClient` the last capital starts the word `Client`: the acronym is `HTTP`, a second piece.
      if (word > 0 && capitals > 1) pieces++;
    } else {
      i++;
      continue;
    }
    pieces++;
  }
  return pieces === 0 ? Infinity : letters / pieces;
}

export function secretLike(text: string, start: number, end: number): boolean {
  if (end - start < MIN_LENGTH) return false;
  let upper = 0;
  let lower = 0;
  let digits = 0;
  for (let i = start; i < end; i++) {
    const k = charClass(text.charCodeAt(i));
    if (k & CH.UPPER) upper++;
    else if (k & CH.LOWER) lower++;
    else if (k & CH.DIGIT) digits++;
  }
  if (upper === 0 || lower === 0 || digits === 0) return false;
  if (isHexLike(text, start, end)) return false;
  return meanPiece(text, start, end) < MAX_MEAN_PIECE && entropy(text, start, end) >= MIN_ENTROPY;
}

/** Token characters, except `=`: `KEY=value` is two tokens, though `=` padding at the end of base64 belongs to it. */
const isTokenChar = (c: number) => c !== 61 && (charClass(c) & CH.TOKEN) !== 0;

function findSecrets(text: string, out: Span[]): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!isTokenChar(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    while (i < n && isTokenChar(text.charCodeAt(i))) i++;
    let end = i;
    while (end < n && text.charCodeAt(end) === 61 && end - i < 2) end++;
    if (i - start >= MIN_LENGTH && secretLike(text, start, i)) out.push({ type: 'secret', start, end });
    i = end > i ? end : i;
  }
}

export const secretDetector = defineDetector({
  type: 'secret',
  family: 'entropy',
  requires: { minToken: MIN_LENGTH, minUpper: 1, minLower: 1, minDigits: 1 },
  find: findSecrets,
});
