/** Strategies: redact names only the type; partial keeps only what its rule promises; hash is a keyed, stable pseudonym. */
import { describe, expect, it } from 'vitest';
import { createStrategies, strictness } from '../../../src/governance/masking/strategies.js';

const s = createStrategies('test-key');

describe('strategies', () => {
  it('redact and null', () => {
    expect(s.apply('redact', 'email', 'ada@example.com')).toBe('[REDACTED:email]');
    expect(s.apply('null', 'email', 'ada@example.com')).toBeNull();
    // Inside a longer text, null can't replace a part: it redacts.
    expect(s.replaceSpan('null', 'email', 'ada@example.com')).toBe('[REDACTED:email]');
  });

  it('hash: h: and 16 hex digits, stable for a key, different under another key', () => {
    const a = s.apply('hash', 'person_name', 'Ada Lovelace');
    expect(a).toMatch(/^h:[0-9a-f]{16}$/);
    expect(s.apply('hash', 'person_name', 'Ada Lovelace')).toBe(a);
    expect(createStrategies('test-key').apply('hash', 'person_name', 'Ada Lovelace')).toBe(a);
    expect(createStrategies('other-key').apply('hash', 'person_name', 'Ada Lovelace')).not.toBe(a);
    expect(createStrategies(new TextEncoder().encode('test-key')).apply('hash', 'person_name', 'Ada Lovelace')).toBe(a);
    expect(s.apply('hash', 'person_name', 'Grace Hopper')).not.toBe(a);
  });

  it('hash ignores formatting that does not change the identity', () => {
    expect(s.apply('hash', 'email', ' Ada@Example.com')).toBe(s.apply('hash', 'email', 'ada@example.com'));
    expect(s.apply('hash', 'payment_card', '4111 1111 1111 1111')).toBe(s.apply('hash', 'payment_card', '4111-1111-1111-1111'));
    expect(s.apply('hash', 'phone', '+1 (415) 555-0100')).toBe(s.apply('hash', 'phone', '+14155550100'));
    expect(s.apply('hash', 'person_name', 'ada')).not.toBe(s.apply('hash', 'person_name', 'Ada'));
  });

  it('hash takes any value', () => {
    expect(s.apply('hash', 'date_of_birth', new Date('1980-02-03'))).toBe(s.apply('hash', 'date_of_birth', new Date('1980-02-03T00:00:00Z')));
    expect(s.apply('hash', 'secret', { a: 1n })).toMatch(/^h:/);
    expect(s.apply('hash', 'secret', Buffer.from('x'))).toMatch(/^h:/);
  });

  it('refuses an empty key', () => {
    expect(() => createStrategies('')).toThrow(/must not be empty/);
  });

  it.each([
    ['email', 'ada.lovelace@example.com', '***@example.com'],
    ['email', 'Ada <ada@example.com>', '[REDACTED:email]'],
    ['email', 'ada@example.com, and her address', '[REDACTED:email]'],
    ['email', 'not an email', '[REDACTED:email]'],
    ['payment_card', '4111 1111 1111 1111', '***1111'],
    ['payment_card', 4111111111111111, '***1111'],
    ['phone', '+1 (415) 555-0100', '***0100'],
    ['phone', '555-0100', '[REDACTED:phone]'],
    ['national_id', '123-45-6789', '***6789'],
    ['iban', 'DE89 3704 0044 0532 0130 00', 'DE***3000'],
    ['iban', 'not an iban', '[REDACTED:iban]'],
    ['person_name', 'Ada Lovelace', 'A. L.'],
    ['person_name', 'Zoë de la Cruz', 'Z. D. L. C.'],
    ['date_of_birth', '1980-02-03', '1980'],
    ['date_of_birth', new Date('1980-02-03T00:00:00Z'), '1980'],
    ['ip_address', '203.0.113.42', '203.0.113.*'],
    ['ip_address', '2001:db8:85a3:0:0:8a2e:370:7334', '2001:db8:85a3:*'],
    ['ip_address', '2001:db8::1', '[REDACTED:ip_address]'],
    ['address', '1 Canary Wharf, London', '[REDACTED:address]'],
    ['secret', 'hunter2', '[REDACTED:secret]'],
    ['email', { email: 'a@b.co' }, '[REDACTED:email]'],
  ])('partial %s %j → %s', (label, value, expected) => {
    expect(s.apply('partial', label, value)).toBe(expected);
  });

  it('orders strategies by what they hide', () => {
    expect(strictness('null')).toBeGreaterThan(strictness('redact'));
    expect(strictness('redact')).toBeGreaterThan(strictness('hash'));
    expect(strictness('hash')).toBeGreaterThan(strictness('partial'));
  });
});
