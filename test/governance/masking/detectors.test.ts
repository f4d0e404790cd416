/** Each detector with true and false positives: checksums keep ordinary numbers and words out. */
import { describe, expect, it } from 'vitest';
import { detect, ibanValid, luhnValid } from '../../../src/governance/masking/detectors.js';
import { testCardNumber } from '../../../src/dev/demo-database.js';

const types = (text: string) => detect(text).map((d) => d.type);

describe('value detectors', () => {
  it.each([
    ['email', 'contact ada.lovelace@example.com today', 'email'],
    ['phone (US, spaced)', 'call +1 415 555 0100', 'phone'],
    ['phone (UK)', '+44 20 7946 0958', 'phone'],
    ['phone (compact E.164)', '+4915112345678', 'phone'],
    ['Visa test card', '4111 1111 1111 1111', 'payment_card'],
    ['demo card', testCardNumber(7), 'payment_card'],
    ['card with dashes', '5555-5555-5555-4444', 'payment_card'],
    ['SSN', 'ssn 123-45-6789', 'national_id'],
    ['IBAN', 'DE89 3704 0044 0532 0130 00', 'iban'],
    ['IBAN compact', 'GB82WEST12345698765432', 'iban'],
    ['JWT', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'jwt'],
    ['AWS access key id', 'key AKIAIOSFODNN7EXAMPLE', 'cloud_key'],
    ['GitHub token', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'cloud_key'],
    ['PEM private key', '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----', 'private_key'],
    ['bearer token', 'Authorization: Bearer abc.def-ghi_123456', 'bearer_token'],
    ['password in a URL', 'postgres://app:s3cr3t-pw@db:5432/shop', 'url_password'],
    ['password in a DSN', 'host=db user=app password=hunter2 dbname=shop', 'url_password'],
    ['high-entropy secret', 'token Zq8vN2kLp4Xr7TbW9yHc3Jm5Fd', 'secret'],
  ])('finds %s', (_name, text, type) => {
    expect(types(text)).toContain(type);
  });

  it.each([
    ['a 16-digit number that fails Luhn', '4111 1111 1111 1112'],
    ['an order number', 'order 1234567890123456'],
    ['an invalid SSN area', '000-12-3456'],
    ['the 666 SSN area', '666-12-3456'],
    ['an IBAN with a wrong checksum', 'DE88 3704 0044 0532 0130 00'],
    ['a UUID', '0b6f5c5e-8f7a-4c1b-9f3e-2d7a1c9e4b10'],
    ['a hex digest', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['a date', '2026-11-24'],
    ['a timestamp', '2026-11-24T22:09:18.123Z'],
    ['an ordinary sentence', 'The payment job is stuck since yesterday'],
    ['a version string', 'PostgreSQL 15.19 on x86_64-pc-linux-gnu'],
    ['a long snake_case identifier', 'analytics_rollup_nightly_reindex_job'],
    ['a price', '$1,234.56'],
    ['a plain integer', '12345678'],
  ])('ignores %s', (_name, text) => {
    expect(types(text)).toEqual([]);
  });

  it('checks Luhn and mod-97', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('DE89370400440532013001')).toBe(false);
  });
});
