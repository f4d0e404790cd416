/** How the UI words things, and where it lets a `next` after sign-in lead. */
import { describe, expect, it } from 'vitest';
import { age, ago, askedOf, cell, duration, progressText, safeNext, shortRunId, utc } from '../../src/api/ui/format.js';

describe('UI wording', () => {
  const now = new Date('2026-11-24T12:00:00Z');

  it.each([
    ['2026-11-24T11:59:30Z', 'just now'],
    ['2026-11-24T11:48:00Z', '12 min'],
    ['2026-11-24T09:00:00Z', '3 h'],
    ['2026-11-24T08:55:00Z', '3 h 5 min'],
    ['2026-11-22T08:00:00Z', '2 d 4 h'],
    ['2026-11-24T12:05:00Z', 'just now'],
  ])('age of %s is %s', (iso, expected) => expect(age(iso, now)).toBe(expected));

  it('says ago, durations, UTC times and cells plainly', () => {
    expect(ago('2026-11-24T11:48:00Z', now)).toBe('12 min ago');
    expect(ago('2026-11-24T11:59:59Z', now)).toBe('just now');
    expect([duration(180), duration(2_340), duration(250_000), duration(undefined)]).toEqual(['180 ms', '2.3 s', '4 min 10 s', '']);
    expect(utc('2026-11-24T23:40:05.016Z')).toBe('2026-11-24 23:40:05 UTC');
    expect([cell(null), cell('x'), cell(3), cell({ a: 1 })]).toEqual(['NULL', 'x', '3', '{"a":1}']);
    expect(shortRunId('vigil-hello-db-8c47ff10-aa9a-42af-9572-061a7c4031c7')).toBe('vigil-hello-db-8c47ff10…');
  });

  it('says what a gate still needs, per group', () => {
    expect(progressText([{ group: 'dba', count: 2, have: 1 }, { group: 'service-owners', count: 1, have: 0 }])).toBe('1 of 2 dba approvals, 0 of 1 service-owners approval');
  });

  it('shows a policy gate its intent without repeating the policy summary', () => {
    const subject = { summary: 'requires approval by dba (1) per x' } as never;
    expect(askedOf({ message: 'Fix it.: requires approval by dba (1) per x', subject })).toBe('Fix it.');
    expect(askedOf({ message: 'Flip the switch?', subject: undefined })).toBe('Flip the switch?');
  });

  it.each([
    ['/approvals/vigil-x/gate', '/approvals/vigil-x/gate'],
    ['/audit?column=customers.email', '/audit?column=customers.email'],
    ['//evil.example/x', '/approvals'],
    ['/\\evil.example', '/approvals'],
    ['https://evil.example', '/approvals'],
    ['javascript:alert(1)', '/approvals'],
    ['/signin?next=/x', '/approvals'],
    ['/a b', '/approvals'],
    [undefined, '/approvals'],
  ])('safeNext(%s) is %s', (next, expected) => expect(safeNext(next)).toBe(expected));
});
