/** maskText: PostgreSQL error messages (which quote table data), notification texts and log lines. */
import { describe, expect, it } from 'vitest';
import { createMasker } from '../../../src/governance/masking/mask-rows.js';

const { maskText } = createMasker({ rules: [], hashKey: 'test-key' });

describe('maskText on PostgreSQL messages', () => {
  it('masks the email in a unique violation, keeping the message readable', () => {
    const message =
      'duplicate key value violates unique constraint "customers_email_key"\nDETAIL:  Key (email)=(bob@example.com) already exists.';
    expect(maskText(message)).toBe('duplicate key value violates unique constraint "customers_email_key"\nDETAIL:  Key (email)=(***@example.com) already exists.');
  });

  it('masks by the key column a value no detector would find', () => {
    expect(maskText('Key (full_name, date_of_birth)=(Ada Lovelace, 1980-02-03) already exists.')).toMatch(
      /^Key \(full_name, date_of_birth\)=\(h:[0-9a-f]{16}, \[REDACTED:date_of_birth\]\) already exists\.$/,
    );
  });

  it('matches index expressions by the columns inside them', () => {
    expect(maskText('Key (lower(ssn::text))=(123 45 6789) is duplicated.')).toBe('Key (lower(ssn::text))=([REDACTED:national_id]) is duplicated.');
  });

  it('keeps harmless keys, and still scans their values', () => {
    expect(maskText('Key (customer_id)=(42) is not present in table "customers".')).toBe('Key (customer_id)=(42) is not present in table "customers".');
    expect(maskText('Key (ref)=(see ada@example.com) already exists.')).toBe('Key (ref)=(see [REDACTED:email]) already exists.');
  });

  it('still finds a sensitive value of another kind under a sensitive key (found by the canary property test)', () => {
    expect(maskText('DETAIL: Key (iP)=(378282246310005) already exists.')).toBe('DETAIL: Key (iP)=([REDACTED:payment_card]) already exists.');
    expect(maskText('DETAIL: Key (email)=(378282246310005) already exists.')).toBe('DETAIL: Key (email)=([REDACTED:payment_card]) already exists.');
  });

  it('redacts the whole value list when values and columns cannot be paired', () => {
    expect(maskText('Key (full_name, id)=(Lovelace, Ada, 7) already exists.')).toBe('Key (full_name, id)=([REDACTED:person_name]) already exists.');
  });

  it('redacts the failing row of a not-null or check violation', () => {
    const message =
      'null value in column "phone" of relation "customers" violates not-null constraint\nDETAIL:  Failing row contains (7, Ada Lovelace, ada@example.com, null).';
    expect(maskText(message)).toBe(
      'null value in column "phone" of relation "customers" violates not-null constraint\nDETAIL:  Failing row contains ([REDACTED:row]).',
    );
  });

  it('scans the rest of the message', () => {
    expect(maskText('invalid input syntax for type integer: "4111 1111 1111 1111"')).toBe('invalid input syntax for type integer: "[REDACTED:payment_card]"');
  });
});

describe('maskText on other texts', () => {
  it('masks a notification', () => {
    expect(maskText('Refund for Bob (bob@example.com, +1 415 555 0100) approved')).toBe('Refund for Bob ([REDACTED:email], [REDACTED:phone]) approved');
  });

  it('masks credentials in a log line', () => {
    expect(maskText('connecting to postgres://app:s3cret@db:5432/shop with Authorization: Bearer eyJabc.def123.ghi456')).toBe(
      'connecting to postgres://app:[REDACTED:password]@db:5432/shop with Authorization: Bearer [REDACTED:bearer_token]',
    );
  });

  it('returns the same string when nothing is found, and is idempotent', () => {
    const text = 'payment job 42 stuck since 2026-11-24T10:00:00Z on ip-10-0-0-7';
    expect(maskText(text)).toBe(text);
    const once = maskText('mail a@example.com, key AKIAIOSFODNN7EXAMPLE, password=hunter2, Key (email)=(a@b.io) already exists');
    expect(maskText(once)).toBe(once);
  });
});
