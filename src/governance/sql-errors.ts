/**
 * Errors of guarded execution, each with a registry code and whether retrying could help.
 * Messages may quote PostgreSQL's, which can contain data (a unique violation quotes the value):
 * callers mask them before they leave the governance layer.
 */
import type { ErrorCode } from '../shared/error-codes.js';

export class GuardedSqlError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryable: boolean,
    /** PostgreSQL's SQLSTATE, when the server reported the error. */
    readonly sqlstate?: string,
  ) {
    super(message);
    this.name = 'GuardedSqlError';
  }
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE']);

/** Turns what `pg` threw into a GuardedSqlError. */
export function fromPgError(error: unknown): GuardedSqlError {
  if (error instanceof GuardedSqlError) return error;
  const e = error as { code?: string; message?: string };
  const message = e.message ?? String(error);
  if (e.code && CONNECTION_CODES.has(e.code)) return new GuardedSqlError('VIGIL_E_SQL_CONNECTION', `cannot reach the database (${e.code})`, true);
  if (/timeout exceeded when trying to connect|Connection terminated/i.test(message)) return new GuardedSqlError('VIGIL_E_SQL_CONNECTION', message, true);
  if (e.code === '57014') return new GuardedSqlError('VIGIL_E_SQL_TIMEOUT', 'statement timed out (statement_timeout) and was cancelled', false, e.code);
  if (e.code === '25006') return new GuardedSqlError('VIGIL_E_SQL_READ_ONLY', `a read tried to write: ${message}`, false, e.code);
  if (e.code?.startsWith('08')) return new GuardedSqlError('VIGIL_E_SQL_CONNECTION', message, true, e.code);
  return new GuardedSqlError('VIGIL_E_SQL_ERROR', `${message} (SQLSTATE ${e.code ?? 'unknown'})`, false, e.code);
}
