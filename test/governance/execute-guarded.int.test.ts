/**
 * Guarded execution on real PostgreSQL: max_rows and expect roll back, reads can't write even through a function,
 * timeouts cancel, parameters stay bound, the session carries the principal, and result columns resolve to their source.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoDatabase } from '../../src/dev/demo-database.js';
import { executeGuarded, type GuardedStatement } from '../../src/governance/execute-guarded.js';
import { explainPreview } from '../../src/governance/explain-preview.js';
import { GuardedSqlError } from '../../src/governance/sql-errors.js';
import { SLOTS } from '../../src/governance/statement-slots.js';
import type { Principal } from '../../src/shared/principal.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const bot: Principal = { id: 'triage-bot', kind: 'agent', groups: ['sre'], owner: 'alice', onBehalfOf: { id: 'alice', kind: 'human', groups: ['sre'] } };

describe('executeGuarded on PostgreSQL', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  const run = (s: Partial<GuardedStatement> & { sql: string }) =>
    executeGuarded(pool, { params: [], statementClass: 'read', kind: 'SelectStmt', principal: bot, timeoutMs: 5_000, ...s });
  const count = async (sql: string) => Number((await pool.query(sql)).rows[0].n);
  // Governed reads leave their stamp (read-only by default) on the connection for the next one: set-up gets its own.
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  /** A pool of one connection, so consecutive statements meet the session the previous one left. */
  const withOneConnection = async (body: (one: pg.Pool) => Promise<void>) => {
    const one = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      await body(one);
    } finally {
      await one.end();
    }
  };
  const on = (one: pg.Pool, s: Partial<GuardedStatement> & { sql: string }) =>
    executeGuarded(one, { params: [], statementClass: 'read', kind: 'SelectStmt', principal: bot, timeoutMs: 5_000, trustedFunctionsOnly: true, ...s });
  const failure = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (error) {
      return error as GuardedSqlError;
    }
    throw new Error('expected a failure');
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemoDatabase(db.url);
    pool = new pg.Pool({ connectionString: db.url, max: 3 });
    await pool.query(`CREATE FUNCTION sneaky_write() RETURNS int LANGUAGE plpgsql AS $$ BEGIN UPDATE feature_flags SET enabled = NOT enabled; RETURN 1; END $$`);
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('rolls back a write that affects more rows than max_rows, leaving the table unchanged', async () => {
    const before = await count(`SELECT count(*) AS n FROM payment_jobs WHERE state = 'queued'`);
    const error = await failure(run({ sql: `UPDATE payment_jobs SET state = 'queued' WHERE state = 'done'`, statementClass: 'write', kind: 'UpdateStmt', maxRows: 3 }));
    expect(error).toMatchObject({ code: 'VIGIL_E_SQL_MAX_ROWS', retryable: false });
    expect(error.message).toMatch(/^\d+ rows affected, more than max_rows 3; rolled back$/);
    expect(await count(`SELECT count(*) AS n FROM payment_jobs WHERE state = 'queued'`)).toBe(before);
  });

  it('enforces expect by rolling back', async () => {
    const error = await failure(run({ sql: `UPDATE feature_flags SET enabled = false WHERE name LIKE $1`, params: ['%'], statementClass: 'write', kind: 'UpdateStmt', expect: { rows: 1 } }));
    expect(error).toMatchObject({ code: 'VIGIL_E_SQL_EXPECT', message: 'expected exactly 1 row(s), got 3; rolled back' });
    expect(await count(`SELECT count(*) AS n FROM feature_flags WHERE enabled`)).toBe(2);
    const ok = await run({ sql: `UPDATE feature_flags SET enabled = false WHERE name = $1`, params: ['bulk_export'], statementClass: 'write', kind: 'UpdateStmt', expect: { rows: 1 } });
    expect(ok).toMatchObject({ command: 'UPDATE', rowCount: 1 });
  });

  it('runs reads read-only, so a write hidden in a function fails', async () => {
    const error = await failure(run({ sql: 'SELECT sneaky_write()' }));
    expect(error.code).toBe('VIGIL_E_SQL_READ_ONLY');
    expect(await count(`SELECT count(*) AS n FROM feature_flags WHERE enabled`)).toBe(2);
  });

  it('cancels a statement that runs past its timeout', async () => {
    const error = await failure(run({ sql: 'SELECT pg_sleep(5)', timeoutMs: 200 }));
    expect(error).toMatchObject({ code: 'VIGIL_E_SQL_TIMEOUT' });
  });

  it('binds parameters: an injection attempt is stored as text and the table survives', async () => {
    const evil = `x'); DROP TABLE feature_flags; --`;
    await run({ sql: 'INSERT INTO feature_flags (name, enabled) VALUES ($1, false)', params: [evil], statementClass: 'write', kind: 'InsertStmt' });
    expect((await pool.query('SELECT name FROM feature_flags WHERE name = $1', [evil])).rows).toEqual([{ name: evil }]);
  });

  it('stamps the principal into the session, visible to the DBA in pg_stat_activity', async () => {
    const inside = await run({ sql: `SELECT current_setting('vigil.principal') AS chain, current_setting('application_name') AS app, current_setting('vigil.step_id') AS step`, stepId: 'lag' });
    expect(inside.rows).toEqual([{ chain: 'agent:triage-bot -> human:alice', app: 'vigil:triage-bot', step: 'lag' }]);

    const sleeping = run({ sql: 'SELECT pg_sleep(1.5)', stepId: 'slow' });
    let seen: { application_name: string }[] = [];
    for (let i = 0; i < 20 && seen.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      seen = (await pool.query(`SELECT application_name FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(1.5)'`)).rows;
    }
    await sleeping;
    expect(seen).toEqual([{ application_name: 'vigil:triage-bot' }]);
  });

  it('stamps the next statement on a connection as whoever runs it, whatever ran there before', async () => {
    const alice: Principal = { id: 'alice', kind: 'human', groups: ['sre'] };
    const who = `SELECT current_setting('vigil.principal') AS chain, current_setting('application_name') AS app, current_setting('vigil.step_id') AS step`;
    await withOneConnection(async (one) => {
      expect((await on(one, { sql: who, stepId: 'a' })).rows).toEqual([{ chain: 'agent:triage-bot -> human:alice', app: 'vigil:triage-bot', step: 'a' }]);
      expect((await on(one, { sql: who, stepId: 'a', principal: alice })).rows).toEqual([{ chain: 'human:alice', app: 'vigil:alice', step: 'a' }]);
      expect((await on(one, { sql: who, stepId: 'b', principal: alice })).rows).toEqual([{ chain: 'human:alice', app: 'vigil:alice', step: 'b' }]);
      await on(one, { sql: `UPDATE feature_flags SET enabled = enabled WHERE name = 'x'`, statementClass: 'write', kind: 'UpdateStmt', principal: alice });
      expect((await on(one, { sql: who, stepId: 'b', principal: alice })).rows).toEqual([{ chain: 'human:alice', app: 'vigil:alice', step: 'b' }]);
      expect((await on(one, { sql: who, stepId: 'c' })).rows).toEqual([{ chain: 'agent:triage-bot -> human:alice', app: 'vigil:triage-bot', step: 'c' }]);
    });
  });

  it('keeps reads read-only and writes writable on a connection that alternates between them', async () => {
    await withOneConnection(async (one) => {
      await on(one, { sql: 'SELECT 1' });
      await on(one, { sql: `INSERT INTO feature_flags (name, enabled) VALUES ('alternating', false)`, statementClass: 'write', kind: 'InsertStmt' });
      expect((await failure(on(one, { sql: 'SELECT sneaky_write()' }))).code).toBe('VIGIL_E_SQL_READ_ONLY');
      await on(one, { sql: `DELETE FROM feature_flags WHERE name = 'alternating'`, statementClass: 'write', kind: 'DeleteStmt' });
      expect((await failure(on(one, { sql: 'SELECT sneaky_write()' }))).code).toBe('VIGIL_E_SQL_READ_ONLY');
    });
    expect(await count(`SELECT count(*) AS n FROM feature_flags WHERE enabled`)).toBe(2);
  });

  it('stamps again after a read that changed a setting, so what it changed never carries over', async () => {
    await withOneConnection(async (one) => {
      // A function off the safe list may change anything: the next read is stamped in full again.
      await on(one, { sql: `SELECT set_config('statement_timeout', '0', false)`, trustedFunctionsOnly: false });
      expect((await on(one, { sql: `SELECT current_setting('statement_timeout') AS t` })).rows).toEqual([{ t: '5s' }]);
      // Even when the change hides where the classifier can't see (a view, say), PostgreSQL reports these to the
      // client, and the next read is stamped again: read-only, standard strings and the principal hold.
      await on(one, { sql: `SELECT set_config('default_transaction_read_only', 'off', false)` });
      expect((await failure(on(one, { sql: 'SELECT sneaky_write()' }))).code).toBe('VIGIL_E_SQL_READ_ONLY');
      await on(one, { sql: `SELECT set_config('application_name', 'forged', false)` });
      expect((await on(one, { sql: `SELECT current_setting('application_name') AS app` })).rows).toEqual([{ app: 'vigil:triage-bot' }]);
      await on(one, { sql: `SELECT set_config('standard_conforming_strings', 'off', false)` });
      expect((await on(one, { sql: `SELECT current_setting('standard_conforming_strings') AS scs` })).rows).toEqual([{ scs: 'on' }]);
    });
    expect(await count(`SELECT count(*) AS n FROM feature_flags WHERE enabled`)).toBe(2);
  });

  it('keeps a repeated read prepared on its connection, and prepares it afresh when its table changes shape', async () => {
    await admin(`CREATE TABLE kept_reads (id int PRIMARY KEY, label text); INSERT INTO kept_reads VALUES (1, 'one')`);
    const read = 'SELECT * FROM kept_reads WHERE id = $1';
    await withOneConnection(async (one) => {
      expect((await on(one, { sql: read, params: [1] })).rows).toEqual([{ id: 1, label: 'one' }]);
      const kept = await on(one, { sql: 'SELECT name FROM pg_prepared_statements WHERE statement = $1', params: [read] });
      expect(kept.rows).toEqual([{ name: expect.stringMatching(/^vigil_read_\d+$/) }]);
      // The kept plan's result type no longer fits: PostgreSQL refuses it, and the read is prepared again.
      await admin(`ALTER TABLE kept_reads ADD COLUMN note text DEFAULT 'added'`);
      expect((await on(one, { sql: read, params: [1] })).rows).toEqual([{ id: 1, label: 'one', note: 'added' }]);
      // Statements dropped behind Vigil's back are prepared again too.
      await one.query('DEALLOCATE ALL');
      expect((await on(one, { sql: read, params: [1] })).rows).toEqual([{ id: 1, label: 'one', note: 'added' }]);
      // A read that fails while executing leaves its statement usable.
      expect((await failure(on(one, { sql: 'SELECT 10 / $1::int AS q', params: [0] }))).message).toMatch(/division by zero/);
      expect((await on(one, { sql: 'SELECT 10 / $1::int AS q', params: [5] })).rows).toEqual([{ q: 2 }]);
    });
  });

  it('keeps at most SLOTS reads per connection, each name always running its own text', async () => {
    await withOneConnection(async (one) => {
      const texts = Array.from({ length: SLOTS + 10 }, (_, i) => `SELECT ${i} AS n, $1::text AS tag`);
      // Twice round, so the first texts come back after their names went to later ones.
      for (const round of ['first', 'second']) {
        for (const [i, sql] of texts.entries()) expect((await on(one, { sql, params: [round] })).rows).toEqual([{ n: i, tag: round }]);
      }
      const kept = await on(one, { sql: `SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name ~ '^vigil_read_[0-9]+$'` });
      expect(kept.rows[0]?.n).toBeLessThanOrEqual(SLOTS);
      expect(kept.rows[0]?.n).toBeGreaterThan(SLOTS / 2);
    });
  });

  it('resolves result columns to their source, through aliases and SELECT *, and marks computed ones', async () => {
    const aliased = await run({ sql: 'SELECT email AS contact, upper(full_name) AS shout, id FROM customers WHERE id = $1', params: [1] });
    expect(aliased.columns).toEqual([
      { name: 'contact', source: { schema: 'public', table: 'customers', column: 'email' }, typeOid: 25 },
      { name: 'shout', unresolved: true, typeOid: 25 },
      { name: 'id', source: { schema: 'public', table: 'customers', column: 'id' }, typeOid: 20 },
    ]);
    const star = await run({ sql: 'SELECT * FROM customers LIMIT 1' });
    expect(star.columns.find((c) => c.name === 'ssn')?.source).toEqual({ schema: 'public', table: 'customers', column: 'ssn' });
  });

  it('fetches a huge read only up to its cap, through a cursor', async () => {
    const before = process.memoryUsage().heapUsed;
    const result = await run({ sql: 'SELECT g, repeat(\'x\', 100) AS pad FROM generate_series(1, 3000000) g', maxRows: 10 });
    expect(result.rows).toHaveLength(10);
    expect(result.truncated).toBe(true);
    // Three million 100-byte rows would be hundreds of MB on the heap; the cursor holds eleven.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(50 * 1024 * 1024);
  });

  it('caps the rows a read returns and says so', async () => {
    const result = await run({ sql: 'SELECT id FROM orders', maxRows: 5 });
    expect(result.rows).toHaveLength(5);
    expect(result.truncated).toBe(true);
  });

  it('returns every client to the pool, even after errors', async () => {
    await failure(run({ sql: 'SELECT 1/0' }));
    await failure(run({ sql: 'SELECT pg_sleep(5)', timeoutMs: 100 }));
    expect(pool.totalCount).toBe(pool.idleCount);
  });

  it('reads the statement as the classifier did: standard strings forced on, one statement per call', async () => {
    await admin(`ALTER DATABASE ${db.name} SET standard_conforming_strings = off`);
    try {
      const fresh = new pg.Pool({ connectionString: db.url, max: 1 });
      try {
        const r = await executeGuarded(fresh, { sql: `SELECT current_setting('standard_conforming_strings') AS scs`, params: [], statementClass: 'read', kind: 'SelectStmt', principal: bot, timeoutMs: 5_000 });
        expect(r.rows).toEqual([{ scs: 'on' }]);
        const error = await failure(executeGuarded(fresh, { sql: 'SELECT 1; SELECT 2', params: [], statementClass: 'read', kind: 'SelectStmt', principal: bot, timeoutMs: 5_000 }));
        expect(error.message).toMatch(/cannot insert multiple commands into a prepared statement/);
      } finally {
        await fresh.end();
      }
    } finally {
      await admin(`ALTER DATABASE ${db.name} RESET standard_conforming_strings`);
    }
  });

  it('previews the impact of a write with EXPLAIN, changing nothing', async () => {
    await admin('ANALYZE payment_jobs');
    const before = await count(`SELECT count(*) AS n FROM payment_jobs WHERE state = 'queued'`);
    const preview = await explainPreview(pool, `UPDATE payment_jobs SET state = 'queued' WHERE state = $1`, ['done'], bot, 5_000);
    expect(preview?.plan).toBe('Update on payment_jobs <- Seq Scan on payment_jobs');
    expect(preview?.estimatedRows).toBeGreaterThan(10);
    expect(await count(`SELECT count(*) AS n FROM payment_jobs WHERE state = 'queued'`)).toBe(before);
    expect(await explainPreview(pool, 'VACUUM orders', [], bot, 5_000)).toBeUndefined();
  });

  it('runs VACUUM outside a transaction block', async () => {
    const result = await run({ sql: 'VACUUM (ANALYZE) orders', statementClass: 'admin', kind: 'VacuumStmt' });
    expect(result.command).toBe('VACUUM');
  });
});
