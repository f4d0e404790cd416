/**
 * The SQL activities: the one seam every database step passes. `checkSql` classifies and decides without executing
 * (a gate opens on its answer); `executeGovernedSql` decides again, verifies the approvals against the same statement
 * hash, executes under guards, masks the result and records intent, action and outcome on a span.
 * Only masked, bounded rows come back: they are stored forever in workflow history.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';
import { ApplicationFailure } from '@temporalio/activity';
import { verifyApprovals, type ApproverDirectory } from '../approvals/verify-approvals.js';
import { ATTR, SPAN } from '../audit/span-attributes.js';
import type { SqlClassifier } from '../governance/classify-sql.js';
import { decide } from '../governance/decide.js';
import { executeGuarded } from '../governance/execute-guarded.js';
import type { Masker } from '../governance/masker.js';
import type { Policy } from '../governance/policy.js';
import { fromPgError } from '../governance/sql-errors.js';
import type { Decision } from '../governance/types.js';
import { canonicalJson } from '../shared/canonical-json.js';
import type { ErrorCode } from '../shared/error-codes.js';
import { principalChain } from '../shared/principal.js';
import type { ConnectionPools } from './connection-pools.js';
import type { ExecuteSqlRequest, GovernedSqlRequest, SqlActivities, SqlCheck, SqlOutput } from './types.js';

export interface SqlActivityDeps {
  readonly connections: ConnectionPools;
  readonly classifier: SqlClassifier;
  readonly policy: Policy;
  readonly masker: Masker;
  readonly tracer: Tracer;
  readonly approvals: { readonly publicKey: KeyObject; readonly directory: ApproverDirectory };
}

/** What approvals bind to: the connection, the exact text and the exact parameters. */
export function statementHash(request: Pick<GovernedSqlRequest, 'connection' | 'query' | 'params'>): string {
  return createHash('sha256').update(canonicalJson({ connection: request.connection, query: request.query, params: request.params })).digest('hex');
}

function failure(code: ErrorCode, message: string, retryable = false): ApplicationFailure {
  return ApplicationFailure.create({ type: code, message, nonRetryable: !retryable });
}

export function createSqlActivities(deps: SqlActivityDeps): SqlActivities {
  const govern = (request: GovernedSqlRequest): Decision =>
    decide(
      { classification: deps.classifier.classify(request.query), principal: request.principal, connection: request.connection, runbook: request.runbook, step: request.step },
      deps.policy,
    );

  const actionAttributes = (span: Span, request: GovernedSqlRequest, decision: Decision, params: readonly unknown[]) => {
    const c = decision.classification;
    span.setAttributes({
      [ATTR.RUNBOOK]: request.runbook.name,
      [ATTR.STEP_ID]: request.step.id,
      [ATTR.INTENT]: request.step.intent ?? '',
      [ATTR.PRINCIPAL]: request.principal.id,
      [ATTR.PRINCIPAL_KIND]: request.principal.kind,
      [ATTR.PRINCIPAL_CHAIN]: principalChain(request.principal),
      [ATTR.ON_BEHALF_OF]: request.principal.onBehalfOf?.id ?? '',
      [ATTR.CONNECTION]: request.connection,
      [ATTR.ENVIRONMENT]: decision.environment,
      [ATTR.STATEMENT_HASH]: c.hash,
      [ATTR.STATEMENT_CLASS]: c.class,
      [ATTR.STATEMENT_FLAGS]: [...c.flags],
      [ATTR.TABLES_READ]: c.tables.read.map((t) => t.name),
      [ATTR.TABLES_WRITTEN]: c.tables.write.map((t) => t.name),
      [ATTR.PARAMS]: JSON.stringify(params),
      [ATTR.DECISION]: decision.effect,
      [ATTR.DECISION_RULES]: decision.rules.map((r) => r.id),
      [ATTR.DECISION_SUMMARY]: decision.summary,
      [ATTR.DB_SYSTEM]: 'postgresql',
      [ATTR.DB_NAMESPACE]: request.connection,
      [ATTR.DB_OPERATION]: c.command,
      [ATTR.DB_QUERY_TEXT]: c.normalized ?? '(unparsed)',
    });
  };

  return {
    async checkSql(request: GovernedSqlRequest): Promise<SqlCheck> {
      const decision = govern(request);
      const c = decision.classification;
      return {
        effect: decision.effect,
        summary: decision.summary,
        rules: decision.rules.map((r) => ({ id: r.id, effect: r.effect, reason: r.reason })),
        approvers: decision.approvers,
        statementHash: statementHash(request),
        connection: request.connection,
        environment: decision.environment,
        statement: request.query,
        params: request.params.map((p) => deps.masker.maskValue(p)),
        classification: {
          command: c.command,
          class: c.class,
          tablesRead: c.tables.read.map((t) => t.name),
          tablesWritten: c.tables.write.map((t) => t.name),
          flags: [...c.flags],
        },
      };
    },

    async executeGovernedSql(request: ExecuteSqlRequest): Promise<SqlOutput> {
      return deps.tracer.startActiveSpan(`${SPAN.SQL} ${request.step.id}`, async (span) => {
        try {
          const decision = govern(request);
          actionAttributes(span, request, decision, request.params.map((p) => deps.masker.maskValue(p)));
          if (decision.effect === 'deny') throw failure('VIGIL_E_POLICY_DENIED', decision.summary);
          if (statementHash(request) !== request.statementHash) {
            throw failure('VIGIL_E_APPROVAL_MISMATCH', 'the statement or its parameters differ from what was checked and approved');
          }
          if (decision.effect === 'require_approval') {
            const verdict = verifyApprovals(
              request.approvals,
              { workflowId: request.workflowId, gateId: request.step.id, statementHash: request.statementHash, requester: request.principal, required: decision.approvers },
              deps.approvals.publicKey,
              deps.approvals.directory,
            );
            if (!verdict.ok) {
              const detail = verdict.rejected.map((r) => `${r.approver}: ${r.reason}`).join('; ');
              throw failure('VIGIL_E_APPROVAL_INVALID', `${verdict.reason}${detail ? ` (rejected: ${detail})` : ''}`);
            }
            span.setAttribute(ATTR.APPROVALS, verdict.counted.map((a) => `${a.approver}@${a.group}`));
          }
          const connection = deps.connections.resolve(request.connection);
          if (!connection) throw failure('VIGIL_E_CONNECTION_UNKNOWN', `no connection named "${request.connection}" on this worker`);
          const c = decision.classification;
          let result;
          try {
            result = await executeGuarded(connection.pool, {
              sql: request.query,
              params: request.params,
              statementClass: c.class,
              kind: c.kind,
              principal: request.principal,
              runId: request.workflowId,
              stepId: request.step.id,
              timeoutMs: request.timeoutMs,
              maxRows: request.maxRows,
              expect: request.expect,
            });
          } catch (error) {
            const e = fromPgError(error);
            throw failure(e.code, deps.masker.maskText(e.message), e.retryable);
          }
          const masked = deps.masker.maskRows(result.columns, result.rows, c.columnsReferenced);
          span.setAttributes({
            [ATTR.OUTCOME]: 'succeeded',
            [ATTR.ROWS]: result.rowCount,
            [ATTR.DURATION_MS]: result.durationMs,
            [ATTR.MASKED_COLUMNS]: masked.masked,
          });
          return {
            rows: masked.rows,
            row_count: result.rowCount,
            columns: result.columns.map((col) => col.name),
            masked: masked.masked,
            truncated: result.truncated,
            command: result.command,
            decision: { effect: decision.effect, summary: decision.summary, rules: decision.rules.map((r) => r.id) },
          };
        } catch (error) {
          const code = error instanceof ApplicationFailure ? (error.type ?? 'VIGIL_E_STEP_FAILED') : 'VIGIL_E_STEP_FAILED';
          span.setAttributes({ [ATTR.OUTCOME]: 'failed', [ATTR.ERROR_CODE]: code });
          span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? deps.masker.maskText(error.message) : code });
          throw error;
        } finally {
          span.end();
        }
      });
    },
  };
}
