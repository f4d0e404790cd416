/**
 * Runs one statement that policy has already allowed, under guards:
 * bound parameters only; read-only for reads, so a write hidden in a function fails; writes in their own READ WRITE
 * transaction; `statement_timeout` per step; for writes, a `max_rows` limit and the runbook's `expect` checks, either
 * of which rolls the transaction back; the principal stamped into the session (`application_name`, `vigil.principal`),
 * so the DBA's own logs and pg_stat_activity show who acted (session-stamp.ts). A client whose rollback or reset fails
 * is destroyed rather than returned to the pool. Reads are kept on their connection as named prepared statements, so
 * a repeated read is parsed and planned once (statement-slots.ts).
 */
import type pg from 'pg';
import type { Principal } from '../shared/principal.js';
import { forgetPrepared, runPipeline, type PipelineResult, type PipelineStatement } from './guard-pipeline.js';
import { jsonSafeRow } from './json-safe.js';
import { resolveResultColumns, type ResultColumn } from './result-columns.js';
import { afterRead, forgetStamp, readStampFor, sessionStampSql, writeHead } from './session-stamp.js';
import { fromPgError, GuardedSqlError } from './sql-errors.js';
import { slotFor } from './statement-slots.js';
import type { StatementClass } from './types.js';

export interface GuardedStatement {
  readonly sql: string;
  readonly params: readonly unknown[];
  readonly statementClass: StatementClass;
  /** The parser's statement kind: a few (VACUUM) can't run inside a transaction block. */
  readonly kind: string;
  readonly principal: Principal;
  readonly runId?: string;
  readonly stepId?: string;
  readonly timeoutMs: number;
  /** Writes: more rows affected than this rolls back. Reads: at most this many rows are returned. */
  readonly maxRows?: number;
  readonly expect?: { readonly rows?: number; readonly minRows?: number; readonly maxRows?: number };
  /** Rows returned at most when maxRows is not set: results go into workflow history. */
  readonly rowCap?: number;
  /** Run it and roll back whatever happens: the impact preview of a write. */
  readonly dryRun?: boolean;
  /** The approved preview's bound: more rows affected rolls back with VIGIL_E_PREVIEW_MISMATCH. */
  readonly maxAffected?: number;
  /**
   * Every function the statement calls is on the classifier's safe list: a read that calls no other function can't
   * change session settings, so the connection's stamp may serve the next read. Unset counts as false.
   */
  readonly trustedFunctionsOnly?: boolean;
}

export interface GuardedResult {
  readonly command: string;
  readonly rowCount: number;
  readonly columns: readonly ResultColumn[];
  readonly rows: readonly Record<string, unknown>[];
  readonly truncated: boolean;
  readonly durationMs: number;
}

const DEFAULT_ROW_CAP = 1_000;
const OUTSIDE_TRANSACTION = new Set(['VacuumStmt']);

function expectationFailure(expect: GuardedStatement['expect'], count: number): string | undefined {
  if (!expect) return undefined;
  if (expect.rows !== undefined && count !== expect.rows) return `expected exactly ${expect.rows} row(s), got ${count}`;
  if (expect.minRows !== undefined && count < expect.minRows) return `expected at least ${expect.minRows} row(s), got ${count}`;
  if (expect.maxRows !== undefined && count > expect.maxRows) return `expected at most ${expect.maxRows} row(s), got ${count}`;
  return undefined;
}

interface Executed {
  readonly command: string;
  readonly affected: number;
  readonly fields: readonly pg.FieldDef[];
  readonly rows: readonly Record<string, unknown>[];
  readonly truncated: boolean;
}

/**
 * What a kept read statement can meet through no fault of its own: its table was altered so that the plan's result
 * type changed (0A000, raised where PostgreSQL revalidates a cached plan; 0A000 alone is any unsupported feature), or
 * the statement is gone (26000). Nothing ran, and a read can be sent again.
 */
function isStaleStatement(error: unknown): boolean {
  const { code, routine } = error as { code?: string; routine?: string };
  return code === '26000' || (code === '0A000' && routine === 'RevalidateCachedQuery');
}

/** A governed read under its stamp, sent once more, stamped and parsed afresh, when its kept statement no longer fits. */
async function runRead(client: pg.PoolClient, stmt: GuardedStatement, statement: PipelineStatement): Promise<PipelineResult> {
  const stamp = readStampFor(client, stmt);
  let result: PipelineResult;
  try {
    result = await runPipeline(client, [...stamp.head, statement]);
  } catch (error) {
    if (!isStaleStatement(error)) throw error;
    forgetStamp(client);
    forgetPrepared(client);
    result = await runPipeline(client, [...readStampFor(client, stmt).head, statement]);
  }
  afterRead(client, stamp, stmt.trustedFunctionsOnly === true);
  // A function off the safe list may have run DEALLOCATE: the next read parses its statement again.
  if (stmt.trustedFunctionsOnly !== true) forgetPrepared(client);
  return result;
}

export async function executeGuarded(pool: pg.Pool, stmt: GuardedStatement): Promise<GuardedResult> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw fromPgError(error);
  }
  const started = process.hrtime.bigint();
  const outside = OUTSIDE_TRANSACTION.has(stmt.kind);
  const isRead = stmt.statementClass === 'read';
  const cap = (isRead ? stmt.maxRows : undefined) ?? stmt.rowCap ?? DEFAULT_ROW_CAP;
  let open = false;
  let broken = false;
  try {
    let executed: Executed;
    if (outside) {
      await client.query(sessionStampSql(client, stmt));
      const result = await client.query({ text: stmt.sql, values: [...stmt.params], queryMode: 'extended' } as pg.QueryConfig);
      executed = { command: result.command ?? 'UNKNOWN', affected: result.rowCount ?? result.rows.length, fields: result.fields ?? [], rows: result.rows.map(jsonSafeRow), truncated: false };
    } else {
      // The stamp and the statement in one round trip (a write's BEGIN too). A read fetches one row past the cap, so a
      // huge result is never loaded, only reported as truncated. The extended protocol runs exactly one statement per
      // text: the simple protocol would run several from one string.
      open = !isRead;
      const statement = { text: stmt.sql, values: stmt.params, collect: true, rowLimit: isRead ? cap + 1 : 0 };
      const result = isRead
        ? await runRead(client, stmt, { ...statement, prepareAs: slotFor(client, stmt.sql) })
        : await runPipeline(client, [...writeHead(client, stmt), statement]);
      const affected = isRead ? Math.min(result.rows.length, cap) : (result.rowCount ?? result.rows.length);
      executed = { command: result.command, affected, fields: result.fields, rows: result.rows, truncated: result.rows.length > cap };
    }
    const { affected } = executed;
    if (!isRead && stmt.maxRows !== undefined && affected > stmt.maxRows) {
      throw new GuardedSqlError('VIGIL_E_SQL_MAX_ROWS', `${affected} rows affected, more than max_rows ${stmt.maxRows}; rolled back`, false);
    }
    if (!isRead && stmt.maxAffected !== undefined && affected > stmt.maxAffected) {
      throw new GuardedSqlError('VIGIL_E_PREVIEW_MISMATCH', `${affected} rows affected, more than the ${stmt.maxAffected} the approval covered; rolled back`, false);
    }
    const failedExpectation = expectationFailure(stmt.expect, affected);
    if (failedExpectation) throw new GuardedSqlError('VIGIL_E_SQL_EXPECT', `${failedExpectation}; ${isRead ? 'nothing changed' : 'rolled back'}`, false);
    // The pipeline's rows are JSON-safe already, built by its parsers; no copy of a 100,000-row result.
    const rows = executed.rows.length > cap ? executed.rows.slice(0, cap) : executed.rows;
    const resolved = executed.fields.length > 0 ? resolveResultColumns(pool, client, executed.fields) : [];
    const columns = Array.isArray(resolved) ? resolved : await resolved;
    if (open) await client.query(stmt.dryRun ? 'ROLLBACK' : 'COMMIT');
    open = false;
    return { command: executed.command, rowCount: affected, columns, rows, truncated: executed.truncated, durationMs: Number(process.hrtime.bigint() - started) / 1e6 };
  } catch (error) {
    forgetStamp(client);
    if (open) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
    }
    throw fromPgError(error);
  } finally {
    if (outside) await client.query('RESET ALL').catch(() => (broken = true));
    if (!isRead) forgetPrepared(client);
    // A client whose rollback or reset failed is destroyed rather than handed to the next statement.
    client.release(broken ? true : undefined);
  }
}
