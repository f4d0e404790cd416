/**
 * The settings every governed statement runs under, and what each pooled connection already carries.
 *
 * Every statement is stamped with the principal (`application_name`, `vigil.principal`, run and step), its
 * `statement_timeout`, and `standard_conforming_strings = on` (the classifier parsed the text with standard strings;
 * the server must read it the same way, or `'x\\'` could hide a second statement). Reads also run read-only.
 *
 * - A write gets the stamp as LOCAL settings inside its own READ WRITE transaction, ended by its COMMIT or ROLLBACK.
 * - A read gets it at session level, with `default_transaction_read_only = on`, so the read runs alone in an implicit
 *   read-only transaction. When the connection already carries exactly that stamp, the read is sent alone: on a
 *   primary-key lookup the stamp costs as much server time as the lookup itself.
 *
 * A stamp is reused only while it can be trusted: never after a write, VACUUM or a read that called a function not
 * on the classifier's safe list (any of them may change settings); never when PostgreSQL has reported a change to a
 * watched setting since (it reports application_name, default_transaction_read_only and standard_conforming_strings
 * to the client, PostgreSQL 14 and later); and only once the server has confirmed read-only on that connection, so a
 * server that does not report it is stamped every time.
 */
import type pg from 'pg';
import { principalChain, type Principal } from '../shared/principal.js';
import type { PipelineStatement } from './guard-pipeline.js';
import { connectionOf } from './pg-connection.js';

export interface StampedStatement {
  readonly principal: Principal;
  readonly runId?: string;
  readonly stepId?: string;
  readonly timeoutMs: number;
}

const SETTINGS = ['statement_timeout', 'application_name', 'vigil.principal', 'vigil.run_id', 'vigil.step_id'] as const;

function stampText(local: boolean): string {
  const set = (name: string, value: string) => `set_config('${name}', ${value}, ${local})`;
  const settings = [set('standard_conforming_strings', "'on'"), ...SETTINGS.map((name, i) => set(name, `$${i + 1}`))];
  // Read-only from the start of the read's implicit transaction (turning it on is allowed at any point), and after.
  if (!local) settings.unshift("set_config('transaction_read_only', 'on', true)", set('default_transaction_read_only', "'on'"));
  return `SELECT ${settings.join(', ')}`;
}

const WRITE_STAMP = stampText(true);
const READ_STAMP = stampText(false);

/** application_name is limited to 63 bytes by PostgreSQL. */
function applicationName(principal: Principal): string {
  return `vigil:${principal.id}`.slice(0, 63);
}

function stampValues(stmt: StampedStatement): string[] {
  return [String(Math.max(1, Math.floor(stmt.timeoutMs))), applicationName(stmt.principal), principalChain(stmt.principal), stmt.runId ?? '', stmt.stepId ?? ''];
}

interface SessionState {
  /** The read stamp the session carries, as its values joined; undefined when it can't be trusted. */
  stamp?: string;
  /** The last value PostgreSQL reported for each watched setting. */
  readonly reported: Map<string, string>;
}

const WATCHED = new Set(['application_name', 'default_transaction_read_only', 'standard_conforming_strings']);
const sessions = new WeakMap<pg.Connection, SessionState>();

function session(client: pg.PoolClient): SessionState {
  const connection = connectionOf(client);
  let state = sessions.get(connection);
  if (!state) {
    const created: SessionState = { reported: new Map() };
    connection.on('parameterStatus', (msg: { parameterName: string; parameterValue: string }) => {
      if (WATCHED.has(msg.parameterName)) created.reported.set(msg.parameterName, msg.parameterValue);
    });
    sessions.set(connection, (state = created));
  }
  return state;
}

function confirms(state: SessionState, values: readonly string[]): boolean {
  return (
    state.reported.get('default_transaction_read_only') === 'on' &&
    state.reported.get('application_name') === values[1] &&
    state.reported.get('standard_conforming_strings') !== 'off'
  );
}

export interface ReadStamp {
  /** What goes before the read in its pipeline: nothing when the session already carries the stamp, else the stamp. */
  readonly head: PipelineStatement[];
  readonly values: readonly string[];
  readonly key: string;
}

export function readStampFor(client: pg.PoolClient, stmt: StampedStatement): ReadStamp {
  const values = stampValues(stmt);
  const key = values.join('\u0000');
  const state = session(client);
  if (state.stamp === key && confirms(state, values)) return { head: [], values, key };
  state.stamp = undefined;
  return { head: [{ text: READ_STAMP, values, prepareAs: 'vigil_read_stamp' }], values, key };
}

/** After a read that succeeded: keep the stamp for the next read, if the read could not have changed it. */
export function afterRead(client: pg.PoolClient, stamp: ReadStamp, trustedFunctionsOnly: boolean): void {
  const state = session(client);
  state.stamp = trustedFunctionsOnly && confirms(state, stamp.values) ? stamp.key : undefined;
}

/** The head of a write's pipeline: its transaction and its LOCAL stamp. Whatever the write does, no stamp is kept. */
export function writeHead(client: pg.PoolClient, stmt: StampedStatement): PipelineStatement[] {
  session(client).stamp = undefined;
  // READ WRITE explicitly: a read may have left the session's default read-only.
  return [{ text: 'BEGIN READ WRITE' }, { text: WRITE_STAMP, values: stampValues(stmt), prepareAs: 'vigil_write_stamp' }];
}

/** The stamp can't be trusted any more (a failed read, a statement outside a transaction). */
export function forgetStamp(client: pg.PoolClient): void {
  session(client).stamp = undefined;
}

/**
 * For statements that can't run in a transaction block (VACUUM): the stamp as session settings in one
 * simple-protocol string, undone by the caller's RESET ALL. Values are escaped with the driver's escapeLiteral; they
 * come from the identities file and the run, never from SQL input.
 */
export function sessionStampSql(client: pg.PoolClient, stmt: StampedStatement): string {
  forgetStamp(client);
  const values = stampValues(stmt);
  const set = (name: string, value: string) => `SET SESSION ${name} = ${client.escapeLiteral(value)}`;
  return ['RESET default_transaction_read_only', set('standard_conforming_strings', 'on'), ...SETTINGS.map((name, i) => set(name, values[i] as string))].join('; ');
}
