/**
 * Detectors for payment cards and IBANs inside text. Both are confirmed by checksum (Luhn plus issuer range and
 * length; IBAN registry length plus mod 97), which is what keeps order numbers, ids and epoch timestamps out.
 * Cards are found inside runs of digit groups, so `0 4111 1111 1111 1111 9` still yields the card in the middle.
 */
import { cardNumberValid, IBAN_LENGTHS, ibanMod97 } from './checksums.js';
import { defineDetector, type Span } from './value-detector.js';

const isDigit = (c: number) => c >= 48 && c <= 57;

const groupStart: number[] = [];
const groupEnd: number[] = [];

/**
 * A run is digit groups joined by single spaces or dashes. A compact run after a `+` (a phone number) or a decimal
 * point (`3.14159...`) is not a card; one glued to letters (`card4111111111111111exp`) still is: the checksum and
 * issuer range are evidence enough, and an identifier that embeds a valid card number is worth masking anyway.
 * Inside a run, every window of whole groups holding 13 to 19 digits is tried from each group, longest valid first.
 */
function findCards(text: string, out: Span[]): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!isDigit(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const prev = i > 0 ? text.charCodeAt(i - 1) : -1;
    const excluded = prev === 43 || (prev === 46 && i > 1 && isDigit(text.charCodeAt(i - 2)));
    groupStart.length = 0;
    groupEnd.length = 0;
    let j = i;
    let total = 0;
    for (;;) {
      const s = j;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      groupStart.push(s);
      groupEnd.push(j);
      total += j - s;
      const sep = j < n ? text.charCodeAt(j) : -1;
      if ((sep === 32 || sep === 45) && j + 1 < n && isDigit(text.charCodeAt(j + 1))) j++;
      else break;
    }
    const runEnd = j;
    i = runEnd;
    if (total < 13 || (excluded && groupStart.length === 1)) continue;
    scanWindows(text, out);
  }
}

function scanWindows(text: string, out: Span[]): void {
  const groups = groupStart.length;
  let g = 0;
  while (g < groups) {
    let best = -1;
    let digits = '';
    for (let h = g; h < groups; h++) {
      digits += text.slice(groupStart[h], groupEnd[h]);
      if (digits.length > 19) break;
      if (digits.length >= 13 && cardNumberValid(digits)) best = h;
    }
    if (best >= 0) {
      out.push({ type: 'payment_card', start: groupStart[g] as number, end: groupEnd[best] as number });
      g = best + 1;
    } else g++;
  }
}

export const cardDetector = defineDetector({
  type: 'payment_card',
  family: 'financial',
  requires: { minDigits: 13 },
  find: findCards,
});

const IBAN_START = /(?<![A-Za-z0-9])([A-Z]{2})\d{2}/g;

/** Electronic (`DE89370400440532013000`) or print format (`DE89 3704 0044 0532 0130 00`), exactly its country's length. */
function findIbans(text: string, out: Span[]): void {
  IBAN_START.lastIndex = 0;
  for (let m = IBAN_START.exec(text); m; m = IBAN_START.exec(text)) {
    const length = IBAN_LENGTHS[m[1] ?? ''];
    if (length === undefined) continue;
    let i = m.index + 4;
    let count = 4;
    let compact = m[0];
    const spaced = text.charCodeAt(i) === 32;
    while (count < length && i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 32) {
        if (!spaced || count % 4 !== 0 || text.charCodeAt(i - 1) === 32) break;
        i++;
      } else if (isDigit(c) || (c >= 65 && c <= 90)) {
        compact += text[i];
        count++;
        i++;
      } else break;
    }
    if (count !== length) continue;
    // Followed by more capitals or digits, it is the start of a longer code; lower case or `_` is just glue.
    const next = i < text.length ? text.charCodeAt(i) : -1;
    if (isDigit(next) || (next >= 65 && next <= 90)) continue;
    if (ibanMod97(compact) !== 1) continue;
    out.push({ type: 'iban', start: m.index, end: i });
    IBAN_START.lastIndex = i;
  }
}

export const ibanDetector = defineDetector({
  type: 'iban',
  family: 'financial',
  requires: { minUpper: 2, minDigits: 4, minLength: 15 },
  find: findIbans,
});
