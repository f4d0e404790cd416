/**
 * The audit store on real PostgreSQL: the chain verifies, one changed byte breaks it at that row, a missing outcome
 * is reported, rows can't be changed or deleted, the writer role can only insert, and concurrent writers keep the
 * chain linear and gapless.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditAction } from '../../src/audit/audit-record.js';
import { createAuditStore, migrateAuditStore, type AuditStore } from '../../src/audit/audit-store.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

function action(n: number, overrides: Partial<AuditAction> = {}): AuditAction {
  return {
    workflowId: `wf-${n}`, runId: `run-${n}`, runbook: 'feature-flag-kill-switch', stepId: 'switch_off', intent: 'Stop a misbehaving feature.',
    principal: 'alice', principalChain: 'human:alice', onBehalfOf: null, connection: 'demo', environment: 'development',
    statement: 'UPDATE feature_flags SET enabled = $1 WHERE name = $2', statementHash: `h${n}`, params: [false, 'new_checkout'],
    command: 'UPDATE', statementClass: 'write', tablesRead: [], tablesWritten: ['feature_flags'], columnsWritten: ['feature_flags.enabled'],
    flags: [], decision: { effect: 'allow', summary: 'allowed', rules: [] }, approvals: [], traceId: null, spanId: null, ...overrides,
  };
}

describe('audit store', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: AuditStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 8 });
    await migrateAuditStore(pool);
    await migrateAuditStore(pool); // idempotent
    store = createAuditStore(pool);
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('records attempts and outcomes in a chain that verifies', async () => {
    for (let i = 0; i < 3; i++) {
      const attempt = await store.recordAttempt(action(i));
      await store.recordOutcome({ attemptId: attempt.id, status: 'succeeded', rows: 1, errorCode: null, errorMessage: null, durationMs: 1.5 });
    }
    const report = await store.verify({ graceMs: 0 });
    expect(report).toMatchObject({ ok: true, rows: 6, head: { seq: 6 } });
  });

  it('answers "who changed feature_flags.enabled"', async () => {
    await store.recordAttempt(action(99, { principal: 'bob', principalChain: 'human:bob', columnsWritten: ['customers.email'], tablesWritten: ['customers'] }));
    const rows = await store.search({ column: 'feature_flags.enabled' });
    expect(rows.length).toBe(3);
    expect(new Set(rows.map((r) => (r.record as AuditAction).principal))).toEqual(new Set(['alice']));
    expect((await store.search({ column: 'customers.email' })).map((r) => (r.record as AuditAction).principal)).toEqual(['bob']);
  });

  it('reports an attempt whose outcome never came as outcome unknown', async () => {
    const report = await store.verify({ graceMs: 0 });
    expect(report.ok).toBe(false);
    expect(report.brokenAt).toBeUndefined();
    expect(report.outcomeUnknown.map((u) => u.workflowId)).toEqual(['wf-99']);
  });

  it('refuses UPDATE, DELETE and TRUNCATE, and the writer role may only insert', async () => {
    await expect(pool.query(`UPDATE vigil_audit SET kind = 'x' WHERE seq = 1`)).rejects.toThrow(/append-only: UPDATE is not allowed/);
    await expect(pool.query('DELETE FROM vigil_audit WHERE seq = 1')).rejects.toThrow(/append-only: DELETE is not allowed/);
    await expect(pool.query('TRUNCATE vigil_audit')).rejects.toThrow(/append-only: TRUNCATE is not allowed/);
    const client = await pool.connect();
    try {
      await client.query('SET ROLE vigil_audit_writer');
      await expect(client.query(`UPDATE vigil_audit SET kind = 'x' WHERE seq = 1`)).rejects.toThrow(/permission denied for table vigil_audit/);
      await expect(client.query('SELECT count(*) FROM vigil_audit')).resolves.toBeTruthy();
    } finally {
      await client.query('RESET ROLE');
      client.release();
    }
  });

  it('keeps the chain linear and gapless with 16 concurrent writers', async () => {
    const before = (await store.verify({ graceMs: 3_600_000 })).head.seq;
    await Promise.all(Array.from({ length: 16 }, (_, w) => (async () => {
      for (let i = 0; i < 25; i++) await store.recordAttempt(action(1000 + w * 100 + i));
    })()));
    const report = await store.verify({ graceMs: 3_600_000 });
    expect(report).toMatchObject({ ok: true, head: { seq: before + 400 } });
  });

  it('exports a signed evidence bundle that a person checks with one command, and that fails once edited', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vigil-evidence-'));
    const env = { ...process.env, VIGIL_DATABASE_URL: db.url, XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'vigil-cache-')) };
    const exported = spawnSync(process.execPath, ['bin/vigil.js', 'audit', 'export', '--from', '2000-01-01T00:00:00Z', '--to', '2100-01-01T00:00:00Z', '--out', out], { encoding: 'utf8', env });
    expect(exported.stdout).toMatch(/\d+ record\(s\) from/);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.statementsByClass.write).toBeGreaterThan(0);
    expect(Object.keys(summary.controls)).toEqual(['change approval (e.g. SOC 2 CC8.1)', 'least privilege (e.g. SOC 2 CC6.1, CC6.3)', 'audit integrity (e.g. SOC 2 CC7.2)']);
    const check = () => spawnSync(process.execPath, ['bin/vigil.js', 'audit', 'verify-bundle', out], { encoding: 'utf8', env });
    expect(check()).toMatchObject({ status: 0, stdout: expect.stringMatching(/^OK: /) });
    writeFileSync(join(out, 'records.jsonl'), readFileSync(join(out, 'records.jsonl'), 'utf8').replace('"alice"', '"alicf"'));
    const tampered = check();
    expect(tampered.status).toBe(1);
    expect(tampered.stdout).toMatch(/FAIL: records.jsonl does not match the manifest/);
    expect(tampered.stdout).toMatch(/FAIL: record #\d+ does not match its hash/);
  });

  it('fails verification at the row whose content changed by one byte', async () => {
    // A superuser can switch the trigger off; the chain still tells.
    await pool.query('ALTER TABLE vigil_audit DISABLE TRIGGER vigil_audit_no_change');
    await pool.query(`UPDATE vigil_audit SET record = jsonb_set(record, '{principal}', '"alicf"') WHERE seq = 2 + 1`);
    await pool.query('ALTER TABLE vigil_audit ENABLE TRIGGER vigil_audit_no_change');
    const report = await store.verify({ graceMs: 3_600_000 });
    expect(report.ok).toBe(false);
    expect(report.brokenAt).toMatchObject({ seq: 3, reason: 'row content does not match its hash (edited after it was written)' });

    const cli = spawnSync(process.execPath, ['bin/vigil.js', 'audit', 'verify'], { encoding: 'utf8', env: { ...process.env, VIGIL_DATABASE_URL: db.url } });
    expect(cli.status).toBe(1);
    expect(cli.stdout).toMatch(/BROKEN at #3 \([0-9a-f-]+\): row content does not match its hash/);
    const search = spawnSync(process.execPath, ['bin/vigil.js', 'audit', 'search', '--column', 'customers.email'], { encoding: 'utf8', env: { ...process.env, VIGIL_DATABASE_URL: db.url } });
    expect(search.stdout).toMatch(/attempt {2}human:bob {2}feature-flag-kill-switch\/switch_off \(wf-99\)\n {4}why: {2}Stop a misbehaving feature\./);
  });
});
