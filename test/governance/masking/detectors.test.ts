/**
 * Each value detector with true and false positives. Checksums and shape rules are what keep ordinary numbers,
 * ids, dates and words out; the spans must cover exactly the sensitive part of a longer text.
 */
import { describe, expect, it } from 'vitest';
import { cardIssuerPlausible, cardNumberValid, ibanValid, luhnValid, ssnValid } from '../../../src/governance/masking/checksums.js';
import { createScanner, detect, DETECTOR_TYPES, VALUE_DETECTORS } from '../../../src/governance/masking/detectors.js';
import { emailDetector } from '../../../src/governance/masking/detect-personal.js';

const found = (text: string) => detect(text).map((s) => [s.type, text.slice(s.start, s.end)]);

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkFkYSJ9.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';

describe('value detectors find', () => {
  it.each([
    ['an email in a sentence', 'contact ada.lovelace@example.com today', 'email', 'ada.lovelace@example.com'],
    ['an email with plus and subdomain', 'to: <bob+ops@mail.corp.example.co.uk>', 'email', 'bob+ops@mail.corp.example.co.uk'],
    ['an email followed by a dash', 'ops@example.net--', 'email', 'ops@example.net'],
    ['an internationalised email', 'écrire à zoë@exemple.fr', 'email', 'zoë@exemple.fr'],
    ['a US phone, spaced', 'call +1 415 555 0100 now', 'phone', '+1 415 555 0100'],
    ['a US phone, with area code in parentheses', 'tel:+1 (415) 555-0100', 'phone', '+1 (415) 555-0100'],
    ['a UK phone', 'mobile +44 20 7946 0958.', 'phone', '+44 20 7946 0958'],
    ['a German phone with (0)', '+49 (0)30 1234567', 'phone', '+49 (0)30 1234567'],
    ['a compact E.164 number', 'sms to +4915112345678', 'phone', '+4915112345678'],
    ['a dotted phone', '+33.1.23.45.67.89', 'phone', '+33.1.23.45.67.89'],
    ['a Visa test card, spaced', 'paid with 4111 1111 1111 1111', 'payment_card', '4111 1111 1111 1111'],
    ['a Mastercard, dashed', '5555-5555-5555-4444', 'payment_card', '5555-5555-5555-4444'],
    ['an Amex card', 'amex 3782 822463 10005', 'payment_card', '3782 822463 10005'],
    ['a Luhn-valid 16-digit Visa, compact', 'card=4000001234567899;', 'payment_card', '4000001234567899'],
    ['a card inside a longer run of groups', 'ref 0 4111 1111 1111 1111 9', 'payment_card', '4111 1111 1111 1111'],
    ['a card after a label glued to a digit', 'A0 4000 0012 3456 7899', 'payment_card', '4000 0012 3456 7899'],
    ['a compact card glued to letters', 'card4111111111111111exp1229', 'payment_card', '4111111111111111'],
    ['a phone glued to an extension', '+14155550100ext12', 'phone', '+14155550100'],
    ['a phone followed by a word', '+44 20 7946 0958 0A', 'phone', '+44 20 7946 0958 0'],
    ['a phone before an unclosed parenthesis', '+14155550100 (0', 'phone', '+14155550100'],
    ['an SSN', 'ssn 123-45-6789 on file', 'us_ssn', '123-45-6789'],
    ['an SSN after a label', 'SSN-219-09-9999', 'us_ssn', '219-09-9999'],
    ['an SSN glued to a label', 'ssn123-45-6789', 'us_ssn', '123-45-6789'],
    ['an IBAN in print format', 'pay to DE89 3704 0044 0532 0130 00 today', 'iban', 'DE89 3704 0044 0532 0130 00'],
    ['an IBAN, compact', 'GB82WEST12345698765432', 'iban', 'GB82WEST12345698765432'],
    ['a French IBAN with a letter in the BBAN', 'FR1420041010050500013M02606', 'iban', 'FR1420041010050500013M02606'],
    ['a JWT', `token ${JWT} expired`, 'jwt', JWT],
    ['an AWS access key id', 'key AKIAIOSFODNN7EXAMPLE', 'aws_access_key_id', 'AKIAIOSFODNN7EXAMPLE'],
    ['an AWS temporary key id', '"AccessKeyId": "ASIAY34FZKBOKMUTVV7A"', 'aws_access_key_id', 'ASIAY34FZKBOKMUTVV7A'],
    ['an AWS secret after its key name', 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'aws_secret_access_key', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
    ['a GCP API key', 'AIzaSyA-1234567890abcdefghijklmnopqrstu', 'gcp_api_key', 'AIzaSyA-1234567890abcdefghijklmnopqrstu'],
    ['a GitHub token', 'GITHUB_TOKEN ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'github_token', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
    ['a fine-grained GitHub token', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGH', 'github_token', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGH'],
    ['a Slack bot token', 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp', 'slack_token', 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp'],
    ['a Stripe live key', 'STRIPE=sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'stripe_key', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'],
    ['a PEM private key', 'x -----BEGIN RSA PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END RSA PRIVATE KEY----- y', 'private_key', '-----BEGIN RSA PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END RSA PRIVATE KEY-----'],
    ['a truncated PEM private key', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA', 'private_key', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA'],
    ['a bearer token', 'Authorization: Bearer abc.def-ghi_123456', 'bearer_token', 'abc.def-ghi_123456'],
    ['basic credentials', 'Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l', 'basic_auth', 'YWxhZGRpbjpvcGVuc2VzYW1l'],
    ['a password in a URL', 'postgres://app:s3cr3t-pw@db:5432/shop', 'password', 's3cr3t-pw'],
    ['a password with an unencoded @ in a URL', 'redis://:p@ss@cache:6379', 'password', 'p@ss'],
    ['a password in a key/value DSN', 'host=db user=app password=hunter2 dbname=shop', 'password', 'hunter2'],
    ['a quoted password in a DSN', "host=db password='two words' port=5432", 'password', 'two words'],
    ['PGPASSWORD in an env dump', 'PGPASSWORD=Tr0ub4dor&3', 'password', 'Tr0ub4dor'],
    ['a password in JSON text', '{"user":"app","password":"hunter2"}', 'password', 'hunter2'],
    ['a client secret', 'client_secret: q1w2e3r4', 'credential', 'q1w2e3r4'],
    ['an API key header', 'X-Api-Key: 8f14e45fceea167a', 'credential', '8f14e45fceea167a'],
    ['a high-entropy token', 'token Zq8vN2kLp4Xr7TbW9yHc3Jm5Fd', 'secret', 'Zq8vN2kLp4Xr7TbW9yHc3Jm5Fd'],
    ['random base64', 'blob k3J9+aQ/Zt8WmXr2Lp0Vb7Nc==', 'secret', 'k3J9+aQ/Zt8WmXr2Lp0Vb7Nc=='],
  ])('%s', (_name, text, type, value) => {
    expect(found(text)).toContainEqual([type, value]);
  });
});

describe('value detectors ignore', () => {
  it.each([
    ['a 16-digit number that fails Luhn', '4111 1111 1111 1112'],
    ['a Luhn-valid 16-digit number outside every card range', '1234 5678 9012 3452'],
    ['an order number', 'order 1234567890123456'],
    ['a long numeric id', '98765432109876543210'],
    ['an epoch in milliseconds', '1764000000000'],
    ['digits after a decimal point', 'pi 3.4111111111111111'],
    ['an SSN with area 000', '000-12-3456'],
    ['an SSN with area 666', '666-12-3456'],
    ['an SSN with area 9xx', '912-12-3456'],
    ['an SSN with group 00', '123-00-4567'],
    ['an SSN with serial 0000', '123-45-0000'],
    ['an SSN shape inside a longer number', '123-45-6789-01'],
    ['an IBAN with a wrong checksum', 'DE88 3704 0044 0532 0130 00'],
    ['an IBAN of the wrong length', 'DE89 3704 0044 0532 0130 0'],
    ['a UUID', '0b6f5c5e-8f7a-4c1b-9f3e-2d7a1c9e4b10'],
    ['an upper-case UUID', 'request 0B6F5C5E-8F7A-4C1B-9F3E-2D7A1C9E4B10 failed'],
    ['a sha256 hex digest', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['a git commit', 'deployed 9fceb02d0ae598e95dc970b74767f19372d61af8'],
    ['a date', '2026-11-24'],
    ['a date in a sentence', 'run again on 2026-11-24 at 10:00'],
    ['a timestamp', '2026-11-24T22:09:18.123Z'],
    ['a timestamp with offset', '2026-11-24 22:09:18.123456+01'],
    ['an ordinary sentence', 'The payment job is stuck since yesterday'],
    ['a version string', 'PostgreSQL 15.19 on x86_64-pc-linux-gnu, compiled by gcc 12.2.0'],
    ['a semver with build metadata', 'version 1.2.3+20231122'],
    ['a time zone offset', 'UTC+1 2026'],
    ['a plain integer', '12345678'],
    ['a price', '$1,234.56'],
    ['a snake_case identifier', 'analytics_rollup_nightly_reindex_job'],
    ['a CamelCase identifier with digits', 'OrderService2Handler3Factory'],
    ['a path', '/Users/Ada/Projects/Vigil2025/src/index'],
    ['a hostname', 'ip-10-0-12-34.eu-west-1.compute.internal'],
    ['a Kubernetes pod name', 'payments-api-7f9c8d6b5-x2k4j'],
    ['an ARN', 'arn:aws:iam::123456789012:role/Admin'],
    ['a user mention', 'ping @oncall about it'],
    ['a host without a domain', 'git@localhost'],
    ['a package version', 'installed lodash@4.17.21'],
    ['a bearer in prose', 'use the Bearer authentication scheme'],
    ['Basic in prose', 'Basic subscription plan'],
    ['a password key without a value', '{"password": null}'],
    ['a counter named like a token', 'max_tokens=100 tokens_used: 42'],
    ['a word ending in pass', 'bypass=1 compass: north'],
    ['an already masked value', 'password=[REDACTED:password] key [REDACTED:email] h:0123456789abcdef ***@example.com ***1111'],
  ])('%s', (_name, text) => {
    expect(found(text)).toEqual([]);
  });
});

describe('spans', () => {
  it('are ordered and cover only the sensitive parts', () => {
    const text = 'from a@example.com to b@example.org, card 4111 1111 1111 1111.';
    expect(found(text)).toEqual([
      ['email', 'a@example.com'],
      ['email', 'b@example.org'],
      ['payment_card', '4111 1111 1111 1111'],
    ]);
  });

  it('find no password in a URL without one', () => {
    expect(detect('https://user@example.com/path?q=1').map((s) => s.type)).not.toContain('password');
    expect(detect('https://example.com:8443/path?q=1')).toEqual([]);
  });

  it('merge overlaps under the more specific type, so no part is left out', () => {
    // The URL password and the email-shaped `pw@db.example.com` overlap: one span, labelled password, covering both.
    const text = 'postgres://app:pw@db.example.com/shop';
    expect(found(text)).toEqual([['password', 'pw@db.example.com']]);
  });

  it('each detector works alone, and selection by type or family', () => {
    expect(emailDetector.detect('x a@b.co y')).toEqual([{ type: 'email', start: 2, end: 8 }]);
    expect(emailDetector.detect('no address')).toEqual([]);
    const credentialsOnly = createScanner(['credential']);
    expect(credentialsOnly('a@b.co AKIAIOSFODNN7EXAMPLE').map((s) => s.type)).toEqual(['aws_access_key_id']);
    expect(createScanner(['email'])('a@b.co AKIAIOSFODNN7EXAMPLE').map((s) => s.type)).toEqual(['email']);
    expect(() => createScanner(['emial'])).toThrow(/unknown value detector/);
    expect(DETECTOR_TYPES).toHaveLength(VALUE_DETECTORS.length);
  });

  it('stay linear on hostile input', () => {
    const hostile = ['a'.repeat(200_000) + '@', '+1 '.repeat(50_000), '1-'.repeat(100_000), 'password='.repeat(20_000), 'eyJ'.repeat(60_000) + '.x', 'Key ('.repeat(10_000)];
    const t0 = performance.now();
    for (const text of hostile) detect(text);
    expect(performance.now() - t0).toBeLessThan(5_000);
  });
});

describe('checksums', () => {
  it('Luhn', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('')).toBe(false);
  });

  it('card issuers and lengths', () => {
    expect(cardIssuerPlausible('4111111111111111')).toBe(true);
    expect(cardIssuerPlausible('378282246310005')).toBe(true);
    expect(cardIssuerPlausible('3782822463100050')).toBe(false); // Amex has 15 digits
    expect(cardIssuerPlausible('2221000000000009')).toBe(true); // Mastercard 2-series
    expect(cardIssuerPlausible('1234567890123452')).toBe(false);
    expect(cardNumberValid('4444444444444448')).toBe(true);
    expect(cardNumberValid('5555555555555555')).toBe(false); // one digit repeated, even if it were Luhn-valid
  });

  it('IBAN mod 97 and length', () => {
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('de89 3704 0044 0532 0130 00')).toBe(true);
    expect(ibanValid('DE89370400440532013001')).toBe(false);
    expect(ibanValid('NO9386011117947')).toBe(true);
    expect(ibanValid('XX89370400440532013000')).toBe(false);
  });

  it('SSN rules', () => {
    expect(ssnValid('123', '45', '6789')).toBe(true);
    expect(ssnValid('000', '45', '6789')).toBe(false);
    expect(ssnValid('666', '45', '6789')).toBe(false);
    expect(ssnValid('900', '45', '6789')).toBe(false);
    expect(ssnValid('123', '00', '6789')).toBe(false);
    expect(ssnValid('123', '45', '0000')).toBe(false);
  });
});
