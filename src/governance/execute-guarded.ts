/**
 * Runs one statement that policy has already allowed, under guards:
 * bound parameters only; its own transaction (READ ONLY for reads, so a write hidden in a function fails);
 * `statement_timeout` per step; for writes, a `max_rows` limit and the runbook's `expect` checks, either of which
 * rolls the transaction back; the principal stamped into the session (`application_name`, `vigil.principal`),
 * so the DBA's own logs and pg_stat_activity show who acted. The client always returns to the pool clean.
 */
import type pg from 'pg';
import Cursor from 'pg-cursor';
import { principalChain, type Principal } from '../shared/principal.js';
import { resolveResultColumns, type ResultColumn } from './result-columns.js';
import { fromPgError, GuardedSqlError } from './sql-errors.js';
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

/** application_name is limited to 63 bytes by PostgreSQL. */
function applicationName(principal: Principal): string {
  return `vigil:${principal.id}`.slice(0, 63);
}

/**
 * Opens the guard and stamps the session in one round trip: a simple-protocol string of BEGIN and SETs.
 * Values are escaped with the driver's escapeLiteral; they come from the identities file and the run, never from SQL input.
 */
async function openGuard(client: pg.PoolClient, stmt: GuardedStatement, transaction: 'read' | 'write' | 'none'): Promise<void> {
  const scope = transaction === 'none' ? 'SESSION' : 'LOCAL';
  const set = (name: string, value: string) => `SET ${scope} ${name} = ${client.escapeLiteral(value)}`;
  const parts = [
    ...(transaction === 'read' ? ['BEGIN READ ONLY'] : transaction === 'write' ? ['BEGIN'] : []),
    // The classifier parsed the text with standard strings; the server must read it the same way, or `'x\'` could
    // hide a second statement from the classifier.
    set('standard_conforming_strings', 'on'),
    set('statement_timeout', String(Math.max(1, Math.floor(stmt.timeoutMs)))),
    set('application_name', applicationName(stmt.principal)),
    set('vigil.principal', principalChain(stmt.principal)),
    set('vigil.run_id', stmt.runId ?? ''),
    set('vigil.step_id', stmt.stepId ?? ''),
  ];
  await client.query(parts.join('; '));
}

async function readCapped(client: pg.PoolClient, stmt: GuardedStatement, cap: number): Promise<pg.QueryResult> {
  const cursor = client.query(new Cursor(stmt.sql, [...stmt.params]));
  try {
    return await new Promise<pg.QueryResult>((resolve, reject) =>
      cursor.read(cap + 1, (error, rows, result) => (error ? reject(error) : resolve({ ...result, rows } as pg.QueryResult))),
    );
  } finally {
    await cursor.close().catch(() => undefined);
  }
}

function jsonSafe(value: unknown): unknown {
  if (value === null || (typeof value !== 'object' && typeof value !== 'bigint')) return value;
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  return jsonSafeRow(value as Record<string, unknown>);
}

/** A plain copy in which every value survives JSON. A loop rather than entries/fromEntries: it runs once per row. */
function jsonSafeRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(row)) {
    const value = jsonSafe(row[key]);
    // A column named __proto__ is data, not the copy's prototype.
    if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
  }
  return out;
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
  let open = false;
  let broken = false;
  try {
    if (outside) {
      await openGuard(client, stmt, 'none');
    } else {
      open = true;
      await openGuard(client, stmt, stmt.statementClass === 'read' ? 'read' : 'write');
    }
    const isRead = stmt.statementClass === 'read';
    const cap = (isRead ? stmt.maxRows : undefined) ?? stmt.rowCap ?? DEFAULT_ROW_CAP;
    // Reads go through a cursor that fetches one row past the cap: a huge result is never loaded, only counted as truncated.
    // Writes use the extended protocol too: the simple protocol would run several statements from one string.
    const result = isRead ? await readCapped(client, stmt, cap) : await client.query({ text: stmt.sql, values: [...stmt.params], queryMode: 'extended' } as pg.QueryConfig);
    const affected = isRead ? Math.min(result.rows.length, cap) : (result.rowCount ?? result.rows.length);
    if (!isRead && stmt.maxRows !== undefined && affected > stmt.maxRows) {
      throw new GuardedSqlError('VIGIL_E_SQL_MAX_ROWS', `${affected} rows affected, more than max_rows ${stmt.maxRows}; rolled back`, false);
    }
    if (!isRead && stmt.maxAffected !== undefined && affected > stmt.maxAffected) {
      throw new GuardedSqlError('VIGIL_E_PREVIEW_MISMATCH', `${affected} rows affected, more than the ${stmt.maxAffected} the approval covered; rolled back`, false);
    }
    const failedExpectation = expectationFailure(stmt.expect, affected);
    if (failedExpectation) throw new GuardedSqlError('VIGIL_E_SQL_EXPECT', `${failedExpectation}; ${isRead ? 'nothing changed' : 'rolled back'}`, false);
    const rows = (result.rows as Record<string, unknown>[]).slice(0, cap).map(jsonSafeRow);
    const columns = result.fields ? await resolveResultColumns(pool, client, result.fields) : [];
    if (open) await client.query(stmt.dryRun ? 'ROLLBACK' : 'COMMIT');
    open = false;
    return {
      command: result.command ?? 'UNKNOWN',
      rowCount: affected,
      columns,
      rows,
      truncated: result.rows.length > cap,
      durationMs: Number(process.hrtime.bigint() - started) / 1e6,
    };
  } catch (error) {
    if (open) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
    }
    throw fromPgError(error);
  } finally {
    if (outside) await client.query('RESET ALL').catch(() => (broken = true));
    // A client whose rollback or reset failed is destroyed rather than handed to the next statement.
    client.release(broken ? true : undefined);
  }
}
