/**
 * Value detectors: find personal data and secrets inside any text, by shape and, where one exists, by checksum
 * (Luhn for cards, mod-97 for IBANs, SSN area rules), so that an order number is not mistaken for a card.
 * Each detector returns the spans it found; strategies replace just those spans. Regexes are compiled once.
 */

export type SensitiveType =
  | 'email'
  | 'phone'
  | 'payment_card'
  | 'national_id'
  | 'iban'
  | 'jwt'
  | 'cloud_key'
  | 'private_key'
  | 'bearer_token'
  | 'url_password'
  | 'secret';

export interface Detection {
  readonly type: SensitiveType;
  readonly start: number;
  readonly end: number;
}

interface Detector {
  readonly type: SensitiveType;
  /** A cheap test that must pass before the pattern runs: most cells fail every hint and cost almost nothing. */
  readonly hint: (text: string) => boolean;
  readonly pattern: RegExp;
  /** Extra check on a match; false discards it. */
  readonly valid?: (match: string) => boolean;
  /** Which capture group is the sensitive part (default: the whole match). */
  readonly group?: number;
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function ibanValid(text: string): boolean {
  const iban = text.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const value = ch >= 'A' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const digit of value) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

function cardValid(match: string): boolean {
  const digits = match.replace(/[ -]/g, '');
  if (digits.length < 13 || digits.length > 19 || /^(\d)\1+$/.test(digits)) return false;
  // Issuer prefixes of the major networks: 2 and 5 (Mastercard), 3 (Amex, Diners, JCB), 4 (Visa), 6 (Discover, UnionPay).
  return /^[2-6]/.test(digits) && luhnValid(digits);
}

function ssnValid(match: string): boolean {
  const [area, group, serial] = match.split('-');
  return area !== '000' && area !== '666' && !area?.startsWith('9') && group !== '00' && serial !== '0000';
}

function jwtValid(match: string): boolean {
  try {
    const header = JSON.parse(Buffer.from(match.split('.')[0] ?? '', 'base64url').toString('utf8')) as { alg?: unknown };
    return typeof header.alg === 'string';
  } catch {
    return false;
  }
}

/** Shannon entropy in bits per character. */
function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** A long, mixed, high-entropy token that is not a UUID, a hex digest or a plain word. */
function secretLike(match: string): boolean {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(match)) return false;
  if (/^[0-9a-f]+$/i.test(match)) return false;
  if (/^[a-z_]+$/i.test(match) || /^\d+$/.test(match)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /\d/].filter((r) => r.test(match)).length;
  return classes >= 3 && entropy(match) >= 4;
}

const LONG_TOKEN = /[A-Za-z0-9_+/=-]{24}/;

const DETECTORS: readonly Detector[] = [
  { type: 'private_key', hint: (t) => t.includes('PRIVATE KEY'), pattern: /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----[\s\S]*?(?:-----END (?:[A-Z]+ )?PRIVATE KEY-----|$)/g },
  { type: 'jwt', hint: (t) => t.includes('eyJ'), pattern: /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, valid: jwtValid },
  { type: 'bearer_token', hint: (t) => /bearer/i.test(t), pattern: /\bBearer\s+([A-Za-z0-9._~+/=-]{8,})/gi, group: 1 },
  { type: 'url_password', hint: (t) => t.includes('://'), pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:([^\s@/]+)@/gi, group: 1 },
  { type: 'url_password', hint: (t) => /pass/i.test(t), pattern: /\bpass(?:word)?\s*=\s*('[^']*'|"[^"]*"|[^\s;&]+)/gi, group: 1 },
  { type: 'cloud_key', hint: (t) => t.includes('AKIA') || t.includes('ASIA'), pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { type: 'cloud_key', hint: (t) => t.includes('AIza'), pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { type: 'cloud_key', hint: (t) => t.includes('gh') && t.includes('_'), pattern: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{22,}\b/g },
  { type: 'cloud_key', hint: (t) => t.includes('xox'), pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g },
  { type: 'cloud_key', hint: (t) => t.includes('_live_'), pattern: /\b(?:sk|rk)_live_[A-Za-z0-9]{16,}\b/g },
  { type: 'email', hint: (t) => t.includes('@'), pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g },
  { type: 'iban', hint: (t) => /[A-Z]{2}\d{2}/.test(t), pattern: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/g, valid: ibanValid },
  { type: 'national_id', hint: (t) => t.length >= 11 && t.includes('-'), pattern: /\b\d{3}-\d{2}-\d{4}\b/g, valid: ssnValid },
  // International numbers with a country code: +1 415 555 0100, +44 20 7946 0958, +4915112345678.
  { type: 'phone', hint: (t) => t.includes('+'), pattern: /\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}\b/g, valid: (m) => m.replace(/\D/g, '').length >= 8 && m.replace(/\D/g, '').length <= 15 },
  { type: 'secret', hint: (t) => LONG_TOKEN.test(t), pattern: /\b[A-Za-z0-9_+/=-]{24,}\b/g, valid: secretLike },
];

/**
 * Cards are found inside runs of digit groups (`0 4000 0012 3456 7899 1`): every window of whole groups holding
 * 13 to 19 digits is checked, so a valid number next to other digits is still caught, and an invalid run is not flagged.
 */
function findCards(text: string, found: Detection[]): void {
  const RUN = /(?<![+\w])\d+(?:[ -]\d+)*/g;
  for (let m = RUN.exec(text); m; m = RUN.exec(text)) {
    const groups: { start: number; end: number; digits: string }[] = [];
    for (const g of m[0].matchAll(/\d+/g)) groups.push({ start: m.index + (g.index ?? 0), end: m.index + (g.index ?? 0) + g[0].length, digits: g[0] });
    for (let i = 0; i < groups.length; i++) {
      let digits = '';
      for (let j = i; j < groups.length && digits.length < 19; j++) {
        digits += groups[j]?.digits ?? '';
        const start = groups[i]?.start ?? 0;
        const end = groups[j]?.end ?? 0;
        if (digits.length >= 13 && digits.length <= 19 && cardValid(digits) && !found.some((f) => start < f.end && end > f.start)) {
          found.push({ type: 'payment_card', start, end });
          i = j;
          break;
        }
      }
    }
  }
}

/** Characters without which none of the detectors can match: most cells are rejected on this alone. */
const PREFILTER = /[@\d+:=-]|[A-Za-z0-9_]{16,}/;

/** Whole-cell shapes that can't hold anything sensitive and are common in results: timestamps, dates, UUIDs, plain numbers. */
const HARMLESS = /^(?:\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|-?\d{1,12}(?:\.\d+)?)$/i;

export function detect(text: string): Detection[] {
  if (text.length < 6 || !PREFILTER.test(text) || (text.length <= 36 && HARMLESS.test(text))) return [];
  const found: Detection[] = [];
  // Cards need at least 13 digits: count them once instead of running the card search on every cell.
  let digits = 0;
  for (let i = 0; i < text.length && digits < 13; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) digits++;
  }
  for (const d of DETECTORS) {
    if (d.type === 'email' && digits >= 13) findCards(text, found);
    if (!d.hint(text)) continue;
    d.pattern.lastIndex = 0;
    for (let m = d.pattern.exec(text); m; m = d.pattern.exec(text)) {
      const part = d.group ? m[d.group] : m[0];
      if (part === undefined || part.length === 0) continue;
      if (d.valid && !d.valid(d.group ? part : m[0])) {
        // A longer run that fails its checksum may hide a valid one inside (`0 4000 0012 3456 7899`): retry one later.
        d.pattern.lastIndex = m.index + 1;
        continue;
      }
      const start = d.group ? m.index + m[0].indexOf(part) : m.index;
      const end = start + part.length;
      // The first detector to claim a span keeps it: specific ones (keys, JWTs) run before generic ones (secret).
      if (!found.some((f) => start < f.end && end > f.start)) found.push({ type: d.type, start, end });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}
