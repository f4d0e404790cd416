/**
 * What stops a change to the audit trail, and what catches one that got past: triggers refuse UPDATE, DELETE and
 * TRUNCATE; the writer role can only append through the chain function; and when a superuser switches the triggers
 * off and edits anyway, `verify` (library and `vigil audit verify`) names the record.
 *
 * How the tests tamper, as an attacker with superuser rights would: `ALTER TABLE vigil_audit DISABLE TRIGGER ...`,
 * then a direct UPDATE or DELETE (`SET session_replication_role = replica` would do the same).
 */
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditStore, migrateAuditStore, type AuditStore } from '../../src/audit/audit-store.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { attempt, emailChange, testPool } from './fixtures.js';

const succeeded = { status: 'succeeded' as const, rows: 1, errorCode: null, errorMessage: null, durationMs: 1 };
const HOUR = 3_600_000;

/** A fresh store holding `pairs` attempt+outcome pairs (seq 1..2*pairs). */
async function seeded(pairs: number): Promise<{ db: TestDatabase; pool: pg.Pool; store: AuditStore; ids: string[] }> {
  const db = await createTestDatabase('vigil_test_audit');
  const pool = testPool({ connectionString: db.url, max: 4 });
  await migrateAuditStore(pool);
  const store = createAuditStore(pool);
  const ids: string[] = [];
  for (let i = 0; i < pairs; i++) {
    const a = await store.recordAttempt(i === 1 ? emailChange(i) : attempt(i));
    const o = await store.recordOutcome(a.id, succeeded);
    ids.push(a.id, o.id);
  }
  return { db, pool, store, ids };
}

async function asSuperuserWithoutTriggers(pool: pg.Pool, sql: string, table = 'vigil_audit'): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
    await client.query(sql);
    await client.query(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

const vigil = (args: string[], url: string) =>
  spawnSync(process.execPath, ['bin/vigil.js', ...args], { encoding: 'utf8', env: { ...process.env, VIGIL_DATABASE_URL: url } });

describe('append-only audit store', () => {
  let s: Awaited<ReturnType<typeof seeded>>;

  beforeAll(async () => {
    s = await seeded(3);
  });

  afterAll(async () => {
    await s?.pool.end();
    await s?.db.drop();
  });

  it('refuses UPDATE, DELETE and TRUNCATE, even from the owner, naming the rule', async () => {
    await expect(s.pool.query(`UPDATE vigil_audit SET kind = 'outcome' WHERE seq = 1`)).rejects.toThrow('vigil_audit is append-only: UPDATE is not allowed');
    await expect(s.pool.query('DELETE FROM vigil_audit WHERE seq = 1')).rejects.toThrow('vigil_audit is append-only: DELETE is not allowed');
    await expect(s.pool.query('TRUNCATE vigil_audit')).rejects.toThrow('vigil_audit is append-only: TRUNCATE is not allowed');
    await expect(s.pool.query('UPDATE vigil_audit_head SET seq = seq - 1')).rejects.toThrow(/vigil_audit_head only moves forward/);
    await expect(s.pool.query('DELETE FROM vigil_audit_head')).rejects.toThrow('vigil_audit_head: DELETE is not allowed');
    expect((await s.store.verify({ graceMs: 0 })).ok).toBe(true);
  });

  it('lets the writer role append through the chain function and nothing else', async () => {
    const writer = testPool({ connectionString: s.db.url, max: 2, options: '-c role=vigil_audit_writer' });
    try {
      expect((await writer.query<{ r: string }>('SELECT current_user AS r')).rows[0]?.r).toBe('vigil_audit_writer');
      // A worker whose login holds only this role can start: the store is at the current version, so no DDL runs.
      await migrateAuditStore(writer);
      const w = createAuditStore(writer);
      const a = await w.recordAttempt(attempt(50));
      await w.recordOutcome(a.id, succeeded);
      expect(await w.head()).toMatchObject({ seq: a.seq + 1 });
      await expect(writer.query(`UPDATE vigil_audit SET kind = 'outcome' WHERE seq = 1`)).rejects.toThrow('permission denied for table vigil_audit');
      await expect(writer.query('DELETE FROM vigil_audit WHERE seq = 1')).rejects.toThrow('permission denied for table vigil_audit');
      // Not even INSERT: a writer that could insert directly could choose its own hashes.
      await expect(writer.query(`INSERT INTO vigil_audit (seq, id, kind, at, record, prev_hash, hash) VALUES (999, gen_random_uuid(), 'attempt', '', '{}', '', '')`)).rejects.toThrow('permission denied for table vigil_audit');
      await expect(writer.query('UPDATE vigil_audit_head SET seq = seq + 1')).rejects.toThrow('permission denied for table vigil_audit_head');
    } finally {
      await writer.end();
    }
    // The same with SET ROLE on an owner's connection.
    const client = await s.pool.connect();
    try {
      await client.query('SET ROLE vigil_audit_writer');
      await expect(client.query(`UPDATE vigil_audit SET kind = 'outcome' WHERE seq = 1`)).rejects.toThrow('permission denied for table vigil_audit');
    } finally {
      await client.query('RESET ROLE');
      client.release();
    }
    const reader = testPool({ connectionString: s.db.url, max: 1, options: '-c role=vigil_audit_reader' });
    try {
      expect((await createAuditStore(reader).verify({ graceMs: 0 })).ok).toBe(true);
      await expect(createAuditStore(reader).recordAttempt(attempt(51))).rejects.toThrow('permission denied for function vigil_audit_append');
    } finally {
      await reader.end();
    }
  });
});

describe('tampering that got past the triggers', () => {
  it('one changed byte of one record fails verify at that record, in the library and in `vigil audit verify`', async () => {
    const s = await seeded(3);
    try {
      // Record #3 is the attempt that changed customers.email; change one letter of its intent.
      await asSuperuserWithoutTriggers(s.pool, `UPDATE vigil_audit SET record = jsonb_set(record, '{intent}', to_jsonb(overlay(record->>'intent' placing 'e' from 1 for 1))) WHERE seq = 3`);
      const report = await s.store.verify({ graceMs: HOUR });
      expect(report.ok).toBe(false);
      expect(report.brokenAt).toMatchObject({ seq: 3, id: s.ids[2], reason: 'content does not match its hash (the record was edited after it was written)' });
      expect(report.brokenAt?.expected).toMatch(/^[0-9a-f]{64}$/);
      expect(report.brokenAt?.found).not.toBe(report.brokenAt?.expected);

      const cli = vigil(['audit', 'verify'], s.db.url);
      expect(cli.status).toBe(1);
      expect(cli.stdout).toContain(`BROKEN at #3 (${s.ids[2]}): content does not match its hash`);
      expect(cli.stdout).toMatch(/expected [0-9a-f]{64}\n {2}found {4}[0-9a-f]{64}/);
      expect(cli.stderr).toContain(`VIGIL_E_AUDIT_CHAIN_BROKEN  the audit chain breaks at #3 (${s.ids[2]})`);
      const json = vigil(['audit', 'verify', '--json'], s.db.url);
      expect(json.status).toBe(1);
      expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, brokenAt: { seq: 3 } });
      // Verifying only the records before it still passes.
      expect(vigil(['audit', 'verify', '--to', '2'], s.db.url).status).toBe(0);
    } finally {
      await s.pool.end();
      await s.db.drop();
    }
  });

  it('catches an edited search column, a removed record, a removed tail, and a rewound head against an anchor', async () => {
    const s = await seeded(4);
    try {
      const anchor = await s.store.head(); // #8, as an evidence bundle's chain-head.json would keep it
      await asSuperuserWithoutTriggers(s.pool, `UPDATE vigil_audit SET principal = 'mallory' WHERE seq = 3`);
      expect((await s.store.verify({ graceMs: HOUR })).brokenAt).toMatchObject({ seq: 3, reason: expect.stringMatching(/index column principal disagrees/) });
      await asSuperuserWithoutTriggers(s.pool, `UPDATE vigil_audit SET principal = 'triage-bot' WHERE seq = 3`);
      expect((await s.store.verify({ graceMs: HOUR })).ok).toBe(true);

      await asSuperuserWithoutTriggers(s.pool, 'DELETE FROM vigil_audit WHERE seq = 8');
      expect((await s.store.verify({ graceMs: HOUR })).brokenAt).toMatchObject({ seq: 8, reason: 'the chain head says #8 but the last record is #7' });

      // Rewinding the head as well makes the shortened chain self-consistent ...
      await asSuperuserWithoutTriggers(s.pool, `UPDATE vigil_audit_head SET seq = 7, hash = (SELECT hash FROM vigil_audit WHERE seq = 7)`, 'vigil_audit_head');
      expect((await s.store.verify({ graceMs: HOUR })).ok).toBe(true);
      // (though the attempt whose outcome went with it is left open for all to see) ...
      expect((await s.store.verify({ graceMs: 0 })).outcomeUnknown.map((u) => u.seq)).toEqual([7]);
      // ... but not against a head kept outside the database.
      expect((await s.store.verify({ graceMs: HOUR, anchor })).brokenAt).toMatchObject({ seq: 8, reason: expect.stringMatching(/no longer has the anchored hash/) });
      expect(vigil(['audit', 'verify', '--anchor', `${anchor.seq}:${anchor.hash}`], s.db.url).status).toBe(1);

      await asSuperuserWithoutTriggers(s.pool, 'DELETE FROM vigil_audit WHERE seq = 4');
      const report = await s.store.verify({ graceMs: HOUR });
      expect(report.brokenAt).toMatchObject({ seq: 5, reason: 'gap in the sequence: #3 is followed by #5' });
    } finally {
      await s.pool.end();
      await s.db.drop();
    }
  });

  it('reports a missing outcome from the command line, with its position', async () => {
    const s = await seeded(1);
    try {
      const lost = await s.store.recordAttempt(attempt(9, { stepId: 'crashed_here' }));
      const cli = vigil(['audit', 'verify', '--grace', '0'], s.db.url);
      expect(cli.status).toBe(1);
      expect(cli.stdout).toMatch(new RegExp(`OUTCOME UNKNOWN at #${lost.seq}: wf-9/crashed_here attempted \\S+ by human:alice \\(feature-flag-kill-switch, UPDATE\\), no outcome recorded`));
      expect(vigil(['audit', 'verify', '--grace-seconds', '0'], s.db.url).status).toBe(1);
      expect(cli.stderr).toContain(`VIGIL_E_AUDIT_OUTCOME_UNKNOWN  1 attempt(s) without an outcome, first at #${lost.seq} (wf-9/crashed_here)`);
      expect(vigil(['audit', 'verify'], s.db.url).status).toBe(0); // inside the default 5-minute grace
    } finally {
      await s.pool.end();
      await s.db.drop();
    }
  });
});
