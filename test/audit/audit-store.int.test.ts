/**
 * The audit store on real PostgreSQL: attempts and outcomes chain and verify, events are recorded, awkward content
 * survives the hash, search answers "who changed customers.email, who approved it, why", an attempt without outcome
 * is reported, and concurrent writers (in one process or in many) keep one gapless chain.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditStore, migrateAuditStore, type AuditStore } from '../../src/audit/audit-store.js';
import type { AttemptRow, AuditRow } from '../../src/audit/types.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { attempt, emailChange, event, testPool } from './fixtures.js';

const succeeded = { status: 'succeeded' as const, rows: 1, errorCode: null, errorMessage: null, durationMs: 1.5 };
const HOUR = 3_600_000;
const wf = (r: AuditRow): string => ('workflowId' in r.record ? r.record.workflowId : '');

describe('audit store', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: AuditStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = testPool({ connectionString: db.url, max: 8 });
    // Several processes may migrate at once; then again, finding nothing to do.
    await Promise.all([migrateAuditStore(pool), migrateAuditStore(pool), migrateAuditStore(pool)]);
    await migrateAuditStore(pool);
    store = createAuditStore(pool);
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('starts empty at the genesis head, and an empty chain verifies', async () => {
    expect(await store.head()).toEqual({ seq: 0, hash: '0'.repeat(64) });
    expect(await store.verify({ graceMs: 0 })).toMatchObject({ ok: true, rows: 0, from: 0, to: 0 });
  });

  it('records attempts and outcomes in a chain that verifies', async () => {
    for (let i = 0; i < 3; i++) {
      const a = await store.recordAttempt(attempt(i));
      const o = await store.recordOutcome(a.id, { ...succeeded, durationMs: i });
      expect(o.seq).toBe(a.seq + 1);
    }
    // The earlier calling form still works.
    const a = await store.recordAttempt(attempt(3));
    await store.recordOutcome({ attemptId: a.id, ...succeeded, status: 'rolled_back', rows: null, errorCode: 'VIGIL_E_SQL_MAX_ROWS' });
    const report = await store.verify({ graceMs: 0 });
    expect(report).toMatchObject({ ok: true, rows: 8, from: 1, to: 8, head: { seq: 8 } });
    expect((await store.head()).hash).toBe(report.head.hash);
  });

  it('refuses an outcome for an unknown attempt, and a second outcome for the same attempt', async () => {
    await expect(store.recordOutcome('00000000-0000-4000-8000-000000000000', succeeded)).rejects.toThrow(/not in the audit store/);
    const a = await store.recordAttempt(attempt(4));
    await store.recordOutcome(a.id, succeeded);
    await expect(store.recordOutcome(a.id, { ...succeeded, status: 'failed' })).rejects.toThrow(/vigil_audit_one_outcome/);
    expect((await store.verify({ graceMs: 0 })).ok).toBe(true);
  });

  it('records denials, rejected approvals and masking exemptions as their own kinds', async () => {
    await store.recordEvent('denial', event(5, { reason: 'denied by prod-no-ddl: DROP TABLE on production', code: 'VIGIL_E_POLICY_DENIED' }));
    await store.recordDenial(attempt(6, { decision: { effect: 'deny', summary: 'denied by r', rules: ['r'] } }));
    await store.recordEvent('approval_rejected', event(7, { reason: 'an approver may not approve their own request', approver: 'alice' }));
    await store.recordEvent('masking_exemption', event(8, { reason: 'rule support-sees-email', columns: ['customers.email'] }));
    await expect(store.recordEvent('attempt' as never, event(9, { reason: 'x' }))).rejects.toThrow(/not an audit event kind/);
    // A forged approval stopped at the gate, before any statement: recorded without a statement's context.
    await store.recordRejectedApproval({ workflowId: 'wf-9', gateId: 'cancel', approver: 'mallory', decision: 'approve', claimedAt: '2026-01-05T10:00:00.000Z', reason: 'signature does not verify' });
    const kinds = (await store.search({ limit: 5 })).map((r) => r.kind);
    expect(kinds).toEqual(['approval_rejected', 'masking_exemption', 'approval_rejected', 'denial', 'denial']);
    expect((await store.search({ principal: 'mallory' })).map((r) => r.record)).toEqual([expect.objectContaining({ gateId: 'cancel', reason: 'signature does not verify' })]);
    expect(await store.search({ workflowId: 'wf-9' })).toHaveLength(1);
    const denial = (await store.search({ kind: 'denial', limit: 1 }))[0];
    expect(denial?.record).toMatchObject({ reason: 'denied by r', decision: { rules: [{ id: 'r', reason: null }] } });
    expect((await store.verify({ graceMs: 0 })).ok).toBe(true);
  });

  it('hashes exactly what it stores, however awkward the content', async () => {
    await store.recordAttempt(
      attempt(10, {
        intent: 'NUL \u0000, lone surrogate \ud800, emoji 😀, quote " backslash \\ newline \n tab \t, RTL \u202e, LS \u2028',
        params: [1e21, -0, 0.1 + 0.2, Number.MAX_SAFE_INTEGER + 2, 2n ** 70n as never, new Date('2026-01-01T00:00:00Z') as never, NaN, { nested: [[[]], {}] }, 'x'.repeat(20_000)],
      }),
    );
    const report = await store.verify({ graceMs: HOUR });
    expect(report.brokenAt).toBeUndefined();
    const stored = (await store.search({ workflowId: 'wf-10' }))[0] as AttemptRow;
    expect(stored.record.intent).toContain('NUL \uFFFD, lone surrogate \uFFFD, emoji 😀');
    expect(stored.record.params.slice(0, 7)).toEqual([1e21, 0, 0.30000000000000004, 9007199254740992, '1180591620717411303424', '2026-01-01T00:00:00.000Z', null]);
  });

  describe('search', () => {
    beforeAll(async () => {
      const a = await store.recordAttempt(emailChange(20));
      await store.recordOutcome(a.id, succeeded);
      // Wrote the table without naming columns: may have changed the e-mail too.
      await store.recordAttempt(attempt(21, { command: 'DELETE', statement: 'DELETE FROM public.customers WHERE id = $1', tablesWritten: ['public.customers'], columnsWritten: [] }));
      // Wrote another column of the same table: did not change the e-mail.
      await store.recordAttempt(attempt(22, { tablesWritten: ['customers'], columnsWritten: ['customers.name'] }));
    });

    it('answers "who changed customers.email, who approved it, and why" in one query', async () => {
      const rows = await store.search({ column: 'customers.email' });
      expect(rows.map((r) => wf(r))).toEqual(['wf-21', 'wf-20']);
      const change = rows[1] as AttemptRow;
      expect(change.record).toMatchObject({
        principalChain: 'agent:triage-bot -> human:alice',
        intent: expect.stringMatching(/^Erase the e-mail address/),
        approvals: [{ approver: 'bob', group: 'dba' }],
        decision: { effect: 'require_approval', rules: [{ id: 'prod-writes-need-dba', reason: 'writes on production need a DBA' }] },
      });
      expect(change.outcome?.record).toMatchObject({ status: 'succeeded', rows: 1 });
      expect((await store.search({ column: 'public.customers.email' })).map((r) => wf(r))).toEqual(['wf-21', 'wf-20']);
      expect(await store.search({ column: 'customers.phone' })).toHaveLength(1); // only the DELETE, which named no column
    });

    it('finds by principal (acting or on whose behalf, whole ids only), runbook, run, effect, text and time', async () => {
      expect((await store.search({ principal: 'alice', runbook: 'gdpr-erasure' })).map((r) => wf(r))).toEqual(['wf-20']);
      expect(await store.search({ principal: 'human:alice', runbook: 'gdpr-erasure' })).toHaveLength(1);
      expect(await store.search({ principal: 'triage-bot' })).toHaveLength(1);
      // What bob approved is something bob did.
      expect((await store.search({ principal: 'bob' })).map(wf)).toEqual(['wf-20']);
      expect(await store.search({ principal: 'alic' })).toHaveLength(0);
      expect(await store.search({ effect: 'require_approval' })).toHaveLength(1);
      expect(await store.search({ text: 'GDPR-42' })).toHaveLength(1);
      expect(await store.search({ text: 'delete from PUBLIC' })).toHaveLength(1);
      // The run: its attempt and the outcome linked to it.
      expect((await store.search({ workflowId: 'wf-20' })).map((r) => r.kind)).toEqual(['outcome', 'attempt']);
      expect(await store.search({ from: '2999-01-01' })).toHaveLength(0);
      expect((await store.search({ to: '2999-01-01', limit: 2 })).map((r) => r.seq)).toEqual([(await store.head()).seq, (await store.head()).seq - 1]);
    });
  });

  it('reports an attempt whose outcome never came as outcome unknown, after the grace period only', async () => {
    const lost = await store.recordAttempt(attempt(30, { stepId: 'crashed_here' }));
    expect((await store.verify({ graceMs: HOUR })).outcomeUnknown.map((u) => u.id)).not.toContain(lost.id);
    const report = await store.verify({ graceMs: 0 });
    expect(report.ok).toBe(false);
    expect(report.brokenAt).toBeUndefined();
    expect(report.outcomeUnknown).toContainEqual(expect.objectContaining({ seq: lost.seq, id: lost.id, workflowId: 'wf-30', stepId: 'crashed_here' }));
    // An outcome written after the verified range still counts.
    const late = await store.recordAttempt(attempt(31));
    await store.recordOutcome(late.id, succeeded);
    expect((await store.verify({ from: late.seq, to: late.seq, graceMs: 0 })).outcomeUnknown).toEqual([]);
  });

  it('verifies a range given by seq or by time', async () => {
    const head = await store.head();
    expect(await store.verify({ from: 3, to: 5, graceMs: HOUR })).toMatchObject({ ok: true, rows: 3, from: 3, to: 5 });
    expect(await store.verify({ from: '2000-01-01T00:00:00Z', graceMs: HOUR })).toMatchObject({ ok: true, rows: head.seq, from: 1, to: head.seq });
    expect(await store.verify({ from: '2999-01-01T00:00:00Z', graceMs: HOUR })).toMatchObject({ ok: true, rows: 0 });
  });

  it.each([
    ['one store shared by 16 writers (one worker process)', 1],
    ['16 stores with their own pools (16 worker processes)', 16],
  ])('keeps the chain linear and gapless: %s, 16 × 50 appends', async (_name, stores) => {
    const before = (await store.head()).seq;
    const pools = Array.from({ length: stores }, () => testPool({ connectionString: db.url, max: stores === 1 ? 8 : 1 }));
    try {
      const writers = pools.map((p) => createAuditStore(p));
      const seqs = (
        await Promise.all(
          Array.from({ length: 16 }, async (_, w) => {
            const mine: number[] = [];
            const s = writers[w % writers.length] as AuditStore;
            for (let i = 0; i < 50; i++) {
              const a = await s.recordAttempt(attempt(1000 + w * 100 + i));
              mine.push(a.seq, (await s.recordOutcome(a.id, succeeded)).seq);
            }
            return mine;
          }),
        )
      ).flat();
      expect(new Set(seqs).size).toBe(1_600);
      expect(Math.min(...seqs)).toBe(before + 1);
      expect(Math.max(...seqs)).toBe(before + 1_600);
      const gapless = await pool.query<{ n: string; lo: string; hi: string }>('SELECT count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM vigil_audit');
      expect(Number(gapless.rows[0]?.n)).toBe(Number(gapless.rows[0]?.hi) - Number(gapless.rows[0]?.lo) + 1);
      const report = await store.verify({ graceMs: HOUR });
      expect(report.brokenAt).toBeUndefined();
      expect(report.head.seq).toBe(before + 1_600);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });
});
