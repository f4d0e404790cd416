/**
 * The chain link and the walker, without a database: the hash is the documented text, one changed byte breaks the
 * chain at that record and nowhere else, gaps and reorders are caught, and outcomes pair with their attempts.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, linkText, rowHash } from '../../src/audit/chain-hash.js';
import { ChainWalker, type ChainRow } from '../../src/audit/chain-walker.js';
import { indexColumns } from '../../src/audit/index-columns.js';
import { storableAttempt } from '../../src/audit/storable-record.js';
import { attempt } from './fixtures.js';

function chain(records: { kind: string; record: unknown; id?: string }[]): ChainRow[] {
  const rows: ChainRow[] = [];
  let prev = GENESIS_HASH;
  records.forEach((r, i) => {
    const row = { seq: i + 1, id: r.id ?? `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`, kind: r.kind, at: `2026-01-01T00:00:0${i % 10}.000Z`, record: r.record };
    const hash = rowHash(prev, row);
    rows.push({ ...row, prevHash: prev, hash });
    prev = hash;
  });
  return rows;
}

const walk = (rows: readonly ChainRow[]) => {
  const w = new ChainWalker();
  for (const r of rows) w.push(r);
  return w;
};

describe('chain link', () => {
  it('is sha256 over prev_hash, seq, id, kind, time and the canonical record, newline-separated', () => {
    const row = { seq: 7, id: 'a1b2', kind: 'attempt', at: '2026-01-01T00:00:00.000Z', record: { b: 1, a: [true, null] } };
    const text = `${GENESIS_HASH}\n7\na1b2\nattempt\n2026-01-01T00:00:00.000Z\n{"a":[true,null],"b":1}`;
    expect(linkText(GENESIS_HASH, row, '{"a":[true,null],"b":1}')).toBe(text);
    expect(rowHash(GENESIS_HASH, row)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    // Key order does not matter; content does.
    expect(rowHash(GENESIS_HASH, { ...row, record: { a: [true, null], b: 1 } })).toBe(rowHash(GENESIS_HASH, row));
    expect(rowHash(GENESIS_HASH, { ...row, record: { a: [true, null], b: 2 } })).not.toBe(rowHash(GENESIS_HASH, row));
  });
});

describe('chain walker', () => {
  const rows = chain([
    { kind: 'attempt', record: storableAttempt(attempt(1)), id: 'attempt-1' },
    { kind: 'outcome', record: { attemptId: 'attempt-1', status: 'succeeded', rows: 1, errorCode: null, errorMessage: null, durationMs: 2 } },
    { kind: 'attempt', record: storableAttempt(attempt(2)), id: 'attempt-2' },
    { kind: 'denial', record: { ...storableAttempt(attempt(3)), reason: 'no' } },
  ]);

  it('accepts an intact chain and lists the attempt still without outcome', () => {
    const w = walk(rows);
    expect(w.brokenAt).toBeUndefined();
    expect(w.rows).toBe(4);
    expect(w.withoutOutcome.map((u) => [u.seq, u.id, u.workflowId])).toEqual([[3, 'attempt-2', 'wf-2']]);
  });

  it('reports one changed byte at that record, with the expected and found hash', () => {
    const tampered = rows.map((r) => (r.seq === 3 ? { ...r, record: { ...(r.record as object), intent: 'Stop a misbehaving featurE.' } } : r));
    const broken = walk(tampered).brokenAt;
    expect(broken).toMatchObject({ seq: 3, id: 'attempt-2', reason: expect.stringMatching(/content does not match its hash/), found: rows[2]?.hash });
    expect(broken?.expected).not.toBe(broken?.found);
  });

  it('reports a removed record as a gap, and a swapped pair at the first of them', () => {
    expect(walk(rows.filter((r) => r.seq !== 2)).brokenAt).toMatchObject({ seq: 3, reason: expect.stringMatching(/gap in the sequence: #1 is followed by #3/) });
    const swapped = [rows[0], { ...rows[2], seq: 2 }, { ...rows[1], seq: 3 }, rows[3]] as ChainRow[];
    expect(walk(swapped).brokenAt).toMatchObject({ seq: 2, reason: expect.stringMatching(/prev_hash/) });
  });

  it('reports an index column that disagrees with its record', () => {
    const index = indexColumns('attempt', rows[0]?.record);
    const w = new ChainWalker();
    w.push({ ...(rows[0] as ChainRow), index: { ...index, principal: 'mallory' } });
    expect(w.brokenAt).toMatchObject({ seq: 1, reason: expect.stringMatching(/index column principal/), expected: '"alice"', found: '"mallory"' });
  });

  it('checks the head against the last record', () => {
    const w = walk(rows);
    w.checkHead({ seq: 5, hash: 'x' });
    expect(w.brokenAt).toMatchObject({ reason: 'the chain head says #5 but the last record is #4' });
  });
});
