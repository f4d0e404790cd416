/**
 * How a sensitive value is replaced:
 * - `redact`: a fixed token naming only the type, `[REDACTED:email]`;
 * - `partial`: the part operations need and nothing more (`***@example.com`, `***1111`, `DE***3000`, `A. L.`,
 *   the year of a birth date, the /24 of an IPv4 address); a value that doesn't have the expected shape is redacted,
 *   so partial never shows more than its rule promises;
 * - `hash`: `h:` and the first 16 hex digits of HMAC-SHA256 under the deployment's key. Stable for a key, so joins,
 *   counts and "same customer?" still work; irreversible without the key. Emails are lower-cased and phone, card,
 *   national id and IBAN values stripped of separators first, so formatting differences don't split a pseudonym;
 * - `null`: the value becomes null (inside a longer text, where null can't replace a part, it redacts).
 */
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

export type Strategy = 'redact' | 'partial' | 'hash' | 'null';

export const STRATEGIES: readonly Strategy[] = Object.freeze(['redact', 'partial', 'hash', 'null']);

/** How much each strategy hides: null > redact > hash > partial. */
const STRICTNESS: Readonly<Record<Strategy, number>> = { partial: 0, hash: 1, redact: 2, null: 3 };

export function strictness(strategy: Strategy): number {
  return STRICTNESS[strategy];
}

export function redactionToken(label: string): string {
  return `[REDACTED:${label}]`;
}

export interface Strategies {
  /** The replacement for a whole value (a cell, a JSON member). Never returns the input object itself. */
  apply(strategy: Strategy, label: string, value: unknown): string | null;
  /** The replacement for a span inside a longer text. */
  replaceSpan(strategy: Strategy, label: string, text: string): string;
}

const DIGITS_LAST_FOUR = new Set(['phone', 'payment_card', 'national_id', 'us_ssn']);
const COMPACT_FOR_HASH = new Set(['phone', 'payment_card', 'national_id', 'us_ssn', 'iban']);

export function createStrategies(hashKey: Uint8Array | string): Strategies {
  const key = toKey(hashKey);

  const hash = (label: string, value: unknown): string => {
    const mac = createHmac('sha256', key);
    if (value instanceof Uint8Array) mac.update(value);
    else mac.update(canonical(label, value), 'utf8');
    return `h:${mac.digest('hex').slice(0, 16)}`;
  };

  const apply = (strategy: Strategy, label: string, value: unknown): string | null => {
    switch (strategy) {
      case 'null':
        return null;
      case 'redact':
        return redactionToken(label);
      case 'hash':
        return hash(label, value);
      case 'partial':
        return partial(label, value) ?? redactionToken(label);
    }
  };

  return {
    apply,
    replaceSpan: (strategy, label, text) => (strategy === 'null' ? redactionToken(label) : (apply(strategy, label, text) as string)),
  };
}

function toKey(hashKey: Uint8Array | string): KeyObject {
  const bytes = typeof hashKey === 'string' ? Buffer.from(hashKey, 'utf8') : Buffer.from(hashKey);
  // An empty key would make every pseudonym a plain, dictionary-reversible hash.
  if (bytes.length === 0) throw new Error('masking: the hash key must not be empty');
  return createSecretKey(bytes);
}

function canonical(label: string, value: unknown): string {
  if (typeof value === 'string') {
    if (label === 'email') return value.trim().toLowerCase();
    if (COMPACT_FOR_HASH.has(label)) return value.replace(/[\s().-]/g, '').toUpperCase();
    return value;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (typeof value === 'object' && value !== null) return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return String(value);
}

/** The partial form of a value, or undefined when it lacks the expected shape (the caller then redacts). */
function partial(label: string, value: unknown): string | undefined {
  if (value instanceof Date) return label === 'date_of_birth' && !Number.isNaN(value.getTime()) ? String(value.getUTCFullYear()) : undefined;
  if (typeof value === 'number' || typeof value === 'bigint') value = String(value);
  if (typeof value !== 'string') return undefined;
  if (label === 'email') return partialEmail(value);
  if (DIGITS_LAST_FOUR.has(label)) return lastFourDigits(value);
  if (label === 'iban') return partialIban(value);
  if (label === 'person_name') return initials(value);
  if (label === 'date_of_birth') return /^\s*(\d{4})-\d{2}-\d{2}/.exec(value)?.[1];
  if (label === 'ip_address') return partialIp(value);
  return undefined;
}

/** A bare domain: dot-separated labels of letters, digits and hyphens (any non-ASCII letter too), the last one letters. */
function bareDomain(domain: string): boolean {
  let lastDot = -1;
  for (let i = 0; i < domain.length; i++) {
    const c = domain.charCodeAt(i);
    if (c === 46) {
      if (i === 0 || i === lastDot + 1) return false;
      lastDot = i;
    } else if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c >= 128)) return false;
  }
  if (lastDot === -1 || domain.length - lastDot - 1 < 2) return false;
  for (let i = lastDot + 1; i < domain.length; i++) {
    const c = domain.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c >= 128)) return false;
  }
  return true;
}

function partialEmail(value: string): string | undefined {
  const at = value.lastIndexOf('@');
  if (at <= 0) return undefined;
  const domain = value.slice(at + 1).trimEnd();
  // Anything after the domain (a second address, a note) would be shown in clear: only a bare domain is kept.
  return bareDomain(domain) ? `***@${domain}` : undefined;
}

function lastFourDigits(value: string): string | undefined {
  const digits = value.replace(/\D/g, '');
  return digits.length >= 8 ? `***${digits.slice(-4)}` : undefined;
}

function partialIban(value: string): string | undefined {
  const compact = value.replace(/[\s-]/g, '').toUpperCase();
  return /^[A-Z]{2}\d{2}[A-Z0-9]{8,30}$/.test(compact) ? `${compact.slice(0, 2)}***${compact.slice(-4)}` : undefined;
}

function initials(value: string): string | undefined {
  const words = value.trim().split(/\s+/u).filter((w) => /^\p{L}/u.test(w));
  if (words.length === 0 || words.length > 6) return undefined;
  return words.map((w) => `${String.fromCodePoint(w.codePointAt(0) as number).toUpperCase()}.`).join(' ');
}

function partialIp(value: string): string | undefined {
  const text = value.trim().replace(/\/\d{1,3}$/, '');
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/.exec(text);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.*`;
  if (/^[0-9a-f:]+$/i.test(text) && text.includes(':')) {
    // The first three groups (a /48); an address compressed with `::` before them doesn't have them in place.
    const groups = text.split(':').slice(0, 3);
    if (groups.length === 3 && groups.every((g) => g !== '')) return `${groups.join(':')}:*`;
  }
  return undefined;
}
