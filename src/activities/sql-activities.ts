/**
 * The SQL activity: the one seam every database step passes. Built by a factory with injected dependencies.
 * FOUNDATION VERSION: runs the statement read-only with bound parameters and a statement timeout.
 * The governance layer (classify, decide, guard, mask, audit) plugs in here.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { ConnectionPools } from './connection-pools.js';
import type { Tracer } from '@opentelemetry/api';
import type { GovernedSqlRequest, SqlActivities, SqlCheck, SqlOutput } from './types.js';

export interface SqlActivityDeps {
  readonly connections: ConnectionPools;
  readonly tracer: Tracer;
}

export function createSqlActivities(deps: SqlActivityDeps): SqlActivities {
  return {
    async checkSql(request: GovernedSqlRequest): Promise<SqlCheck> {
      return {
        effect: 'allow',
        summary: 'foundation: no governance yet',
        rules: [],
        approvers: [],
        statementHash: request.query,
        connection: request.connection,
        environment: 'development',
        statement: request.query,
        params: [],
        classification: { command: 'UNKNOWN', class: 'read', tablesRead: [], tablesWritten: [], flags: [] },
      };
    },
    async executeGovernedSql(request: GovernedSqlRequest): Promise<SqlOutput> {
      const connection = deps.connections.resolve(request.connection);
      if (!connection) {
        throw ApplicationFailure.create({ type: 'VIGIL_E_CONNECTION_UNKNOWN', message: `no connection named "${request.connection}" on this worker`, nonRetryable: true });
      }
      const client = await connection.pool.connect();
      try {
        await client.query('BEGIN READ ONLY');
        await client.query('SELECT set_config($1, $2, true)', ['statement_timeout', String(request.timeoutMs)]);
        const result = await client.query({ text: request.query, values: [...request.params] });
        await client.query('COMMIT');
        const rows = (result.rows as Record<string, unknown>[]).slice(0, request.maxRows ?? 1000);
        return {
          rows: JSON.parse(JSON.stringify(rows)) as Record<string, unknown>[],
          row_count: result.rowCount ?? rows.length,
          columns: result.fields.map((f) => f.name),
          masked: [],
          truncated: rows.length < (result.rowCount ?? 0),
          command: result.command,
          decision: { effect: 'allow', summary: 'foundation: no governance yet', rules: [] },
        };
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
  };
}
