/**
 * Detectors for personal data inside text: email addresses, international phone numbers and US social security
 * numbers. Email and phone are scanned by hand from their anchor character (`@`, `+`), so the work stays linear
 * even on a megabyte of text; the SSN pattern has a fixed length.
 */
import { CH, charClass } from './text-features.js';
import { ssnValid } from './checksums.js';
import { defineDetector, type Span } from './value-detector.js';

const isAsciiAlnum = (c: number) => (charClass(c) & (CH.DIGIT | CH.UPPER | CH.LOWER)) !== 0;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isLetter = (c: number) => (charClass(c) & (CH.UPPER | CH.LOWER)) !== 0 || c >= 128;
/** Local part of an address (RFC 5322 dot-atom, the characters people actually use), plus any non-ASCII letter. */
const isLocal = (c: number) => isAsciiAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45 || c >= 128;
const isDomain = (c: number) => isAsciiAlnum(c) || c === 45 || c >= 128;

function findEmails(text: string, out: Span[]): void {
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    // Leftwards over the local part, at most 64 characters (its RFC limit); a leading dot is not part of it.
    let start = at;
    while (start > 0 && at - start < 64 && isLocal(text.charCodeAt(start - 1))) start--;
    while (start < at && text.charCodeAt(start) === 46) start++;
    if (start === at) continue;
    // Rightwards over dot-separated labels, at most 253 characters; the last label (the TLD) has two letters or more.
    let end = at + 1;
    let lastDot = -1;
    const limit = Math.min(text.length, at + 254);
    while (end < limit) {
      const c = text.charCodeAt(end);
      if (isDomain(c)) end++;
      else if (c === 46 && end > at + 1 && text.charCodeAt(end - 1) !== 46 && end + 1 < limit && isDomain(text.charCodeAt(end + 1))) {
        lastDot = end;
        end++;
      } else break;
    }
    // A hyphen can't end a domain: `a@example.net-` is the address and a dash.
    while (end > lastDot + 1 && text.charCodeAt(end - 1) === 45) end--;
    if (lastDot === -1 || end - lastDot - 1 < 2) continue;
    // The last label needs a letter: `lodash@4.17.21` is a package version, `ops@example.net0` still an address.
    let letter = false;
    for (let i = lastDot + 1; i < end && !letter; i++) letter = isLetter(text.charCodeAt(i));
    if (!letter) continue;
    out.push({ type: 'email', start, end });
    at = end - 1;
  }
}

export const emailDetector = defineDetector({
  type: 'email',
  family: 'personal',
  requires: { allMarks: CH.AT, minLength: 6 },
  find: findEmails,
});

/**
 * International numbers written with their country code: `+14155550100`, `+1 415 555 0100`, `+1 (415) 555-0100`,
 * `+44 20 7946 0958`, `+49 (0)30 1234567`, with at least 8 digits, up to 30 characters. The `+` must not follow a
 * letter or digit (`UTC+1`, `1.2.3+20231122`).
 * Numbers without a `+` (national formats, `0044 ...`) are not detected: too many ids and dates share their shape.
 */
function findPhones(text: string, out: Span[]): void {
  for (let plus = text.indexOf('+'); plus !== -1; plus = text.indexOf('+', plus + 1)) {
    if (plus > 0) {
      const prev = text.charCodeAt(plus - 1);
      if (isAsciiAlnum(prev) || prev === 43) continue;
    }
    const first = text.charCodeAt(plus + 1);
    if (!(first >= 49 && first <= 57)) continue; // country codes never start with 0
    let i = plus + 1;
    let digits = 0;
    let lastDigitEnd = i;
    let openParen = false;
    let parens = 0;
    let prevSep = false;
    let digitsBeforeParen = 0;
    let endBeforeParen = -1;
    while (i < text.length && i - plus <= 30) {
      const c = text.charCodeAt(i);
      if (isDigit(c)) {
        digits++;
        lastDigitEnd = i + 1;
        prevSep = false;
      } else if (c === 32 || c === 45 || c === 46) {
        if (prevSep || !isDigitOrParen(text.charCodeAt(i + 1))) break;
        prevSep = true;
      } else if (c === 40) {
        if (openParen || parens > 0 || !isDigit(text.charCodeAt(i + 1))) break;
        digitsBeforeParen = digits;
        endBeforeParen = digits > 0 ? lastDigitEnd : -1;
        openParen = true;
        parens++;
      } else if (c === 41) {
        if (!openParen) break;
        openParen = false;
        prevSep = false;
      } else break;
      i++;
    }
    // A parenthesis never closed (`+14155550100 (0`) is not part of the number: back off to before it.
    if (openParen) {
      if (endBeforeParen === -1) continue;
      lastDigitEnd = endBeforeParen;
      digits = digitsBeforeParen;
    }
    // More than E.164's 15 digits is still masked: a `+` followed by that many digits is nothing we want in clear.
    // Letters right after (`+14155550100ext`, `+44 20 7946 0958 0A`) don't make it less of a number.
    if (digits < 8) continue;
    out.push({ type: 'phone', start: plus, end: lastDigitEnd });
    plus = lastDigitEnd - 1;
  }
}

function isDigitOrParen(c: number): boolean {
  return isDigit(c) || c === 40;
}

export const phoneDetector = defineDetector({
  type: 'phone',
  family: 'personal',
  requires: { allMarks: CH.PLUS, minDigits: 8 },
  find: findPhones,
});

/**
 * `ddd-dd-dddd`, not inside a longer number: `123-45-6789-01` and `7-123-45-6789` are part numbers. Letters around
 * it (`ssn123-45-6789`, `SSN-219-09-9999x`) do not hide it. Scanned from each dash: most texts have few.
 */
function findSsns(text: string, out: Span[]): void {
  const n = text.length;
  for (let dash = text.indexOf('-', 3); dash !== -1 && dash + 8 <= n; dash = text.indexOf('-', dash + 1)) {
    const s = dash - 3;
    if (!(digitsAt(text, s, 3) && digitsAt(text, dash + 1, 2) && text.charCodeAt(dash + 3) === 45 && digitsAt(text, dash + 4, 4))) continue;
    const before = s > 0 ? text.charCodeAt(s - 1) : -1;
    if (before !== -1 && (isDigit(before) || (before === 45 && s > 1 && isDigit(text.charCodeAt(s - 2))))) continue;
    const e = dash + 8;
    const after = e < n ? text.charCodeAt(e) : -1;
    if (after !== -1 && (isDigit(after) || (after === 45 && e + 1 < n && isDigit(text.charCodeAt(e + 1))))) continue;
    if (ssnValid(text.slice(s, dash), text.slice(dash + 1, dash + 3), text.slice(dash + 4, e))) out.push({ type: 'us_ssn', start: s, end: e });
    dash = e;
  }
}

function digitsAt(text: string, from: number, count: number): boolean {
  for (let i = from; i < from + count; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

export const ssnDetector = defineDetector({
  type: 'us_ssn',
  family: 'personal',
  requires: { allMarks: CH.DASH, minDigits: 9, minLength: 11 },
  find: findSsns,
});
