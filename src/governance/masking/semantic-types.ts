/**
 * What kind of sensitive data a column holds, which JavaScript values can carry it, and the strategy a privacy
 * engineer would pick for it by default. "Can carry" is what keeps pattern rules from masking the harmless
 * neighbours of a sensitive column: `email_verified` (a boolean), `address_id` (a number) and `password_changed_at`
 * (a date) cannot hold an email, an address or a password, so a `*email*`-style rule leaves them alone.
 */
import type { Strategy } from './strategies.js';

export type SemanticType =
  | 'email'
  | 'phone'
  | 'person_name'
  | 'address'
  | 'national_id'
  | 'payment_card'
  | 'iban'
  | 'date_of_birth'
  | 'ip_address'
  | 'secret';

export const SEMANTIC_TYPES: readonly SemanticType[] = Object.freeze([
  'email',
  'phone',
  'person_name',
  'address',
  'national_id',
  'payment_card',
  'iban',
  'date_of_birth',
  'ip_address',
  'secret',
]);

/** The shape of a result value, as masking sees it. `json` is any object or array; `binary` is bytea. */
export type ValueKind = 'text' | 'number' | 'boolean' | 'date' | 'binary' | 'json';

export const VALUE_KINDS: readonly ValueKind[] = Object.freeze(['text', 'number', 'boolean', 'date', 'binary', 'json']);

export function valueKind(value: unknown): ValueKind | undefined {
  switch (typeof value) {
    case 'string':
      return 'text';
    case 'number':
    case 'bigint':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'object':
      if (value === null) return undefined;
      if (value instanceof Date) return 'date';
      if (value instanceof Uint8Array) return 'binary';
      return 'json';
    default:
      return undefined;
  }
}

const TEXTUAL: readonly ValueKind[] = ['text', 'binary', 'json'];
const NUMERIC: readonly ValueKind[] = ['text', 'number', 'binary', 'json'];

/** The value kinds that can carry each type. Booleans carry none: one bit is not an email, a name or a key. */
export const CARRIERS: Readonly<Record<SemanticType, readonly ValueKind[]>> = Object.freeze({
  email: TEXTUAL,
  phone: NUMERIC,
  person_name: TEXTUAL,
  address: TEXTUAL,
  national_id: NUMERIC,
  payment_card: NUMERIC,
  iban: TEXTUAL,
  date_of_birth: ['text', 'date', 'number', 'binary', 'json'],
  ip_address: TEXTUAL,
  secret: TEXTUAL,
});

/**
 * Types a text made only of digits (`"12"`, `"4111111111111111"`) can hold. node-postgres returns bigint and numeric
 * columns as such texts, so `address_id` or `email_count` arrive as `"42"`: no address or email is made of digits
 * alone, but a card, a phone, an SSN, a compact birth date or a PIN can be.
 */
export const NUMERAL_TEXT_TYPES: ReadonlySet<SemanticType> = new Set(['phone', 'national_id', 'payment_card', 'date_of_birth', 'secret']);

/** A decimal numeral, as node-postgres renders bigint and numeric values. */
export function isNumeral(text: string): boolean {
  return /^-?\d+(?:\.\d+)?$/.test(text);
}

/**
 * Defaults: keep what operations need and no more. Email keeps its domain (which provider bounces), phones and cards
 * their last four digits (what support asks for), IBANs their country and last four; names and IP addresses become
 * keyed pseudonyms (joins and counts still work); national ids, addresses, birth dates and secrets are redacted.
 */
export const DEFAULT_TYPE_STRATEGIES: Readonly<Record<SemanticType, Strategy>> = Object.freeze({
  email: 'partial',
  phone: 'partial',
  person_name: 'hash',
  address: 'redact',
  national_id: 'redact',
  payment_card: 'partial',
  iban: 'partial',
  date_of_birth: 'redact',
  ip_address: 'hash',
  secret: 'redact',
});
