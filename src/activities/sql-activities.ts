/**
 * The SQL activities: the one seam every database step passes. `checkSql` classifies and decides without executing
 * (a gate opens on its answer); `executeGovernedSql` decides again, verifies the approvals against the same statement
 * hash, executes under guards, masks the result and records intent, action and outcome on a span.
 * Only masked, bounded rows come back: they are stored forever in workflow history.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { ApplicationFailure } from '@temporalio/activity';
import { verifyApprovals, type ApproverDirectory } from '../approvals/verify-approvals.js';
import type { AttemptInput as AuditAction } from '../audit/types.js';
import type { AuditStore } from '../audit/audit-store.js';
import { ATTR, SPAN } from '../audit/span-attributes.js';
import type { SqlClassifier } from '../governance/classify-sql.js';
import { createCachedDecider } from '../governance/cached-decider.js';
import { executeGuarded } from '../governance/execute-guarded.js';
import { explainPreview } from '../governance/explain-preview.js';
import type { Masker } from '../governance/masker.js';
import { exemptColumns, findExemption, type MaskingExemption } from '../governance/masking/exemptions.js';
import type { Policy } from '../governance/policy.js';
import { fromPgError } from '../governance/sql-errors.js';
import { callsOnlySafeFunctions } from '../governance/sql-functions.js';
import type { Classification, Decision } from '../governance/types.js';
import type pg from 'pg';
import { canonicalJson } from '../shared/canonical-json.js';
import type { InputSealer } from '../shared/input-sealer.js';
import { VigilError } from '../shared/vigil-error.js';
import { bindParams } from './bind-sealed-params.js';
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
  /** Every executed or stopped statement is recorded here; when it can't record, nothing executes. */
  readonly audit: AuditStore;
  readonly exemptions?: readonly MaskingExemption[];
  /** Opens sensitive inputs to bind them; without it, a step that binds one fails with VIGIL_E_SEAL_KEY. */
  readonly sealer?: InputSealer;
}

/** What approvals bind to: the connection, the exact text and the exact parameters. */
/** What a parameter from a `sensitive: true` input looks like wherever it is shown or recorded. */
export const SENSITIVE_INPUT = '[REDACTED:sensitive input]';

/**
 * A param from a sensitive input counts by its template and the sealed inputs it is rendered from, never by its value:
 * a hash over a short secret (a PIN) would give the secret away to anyone who tries every value.
 */
export function statementHash(request: Pick<GovernedSqlRequest, 'connection' | 'query' | 'params' | 'sealedParams' | 'inputs'>): string {
  const sealed = request.sealedParams?.length ? { sealedParams: request.sealedParams, inputs: request.inputs ?? {} } : {};
  return createHash('sha256').update(canonicalJson({ connection: request.connection, query: request.query, params: request.params, ...sealed })).digest('hex');
}

function failure(code: ErrorCode, message: string, retryable = false): ApplicationFailure {
  return ApplicationFailure.create({ type: code, message, nonRetryable: !retryable });
}

/**
 * What masking needs from the classification: the names the statement mentions. Not the tables it reads: through a
 * view, a mentioned `email` belongs to a table the statement never names, and a table-qualified rule would miss it.
 * Matched against every table, a mentioned sensitive name masks computed columns conservatively (docs/masking.md).
 */
function maskingContext(c: Classification): { columnsReferenced: readonly string[] } {
  return { columnsReferenced: c.columnsReferenced };
}

export function createSqlActivities(deps: SqlActivityDeps): SqlActivities {
  const decide = createCachedDecider(deps.policy);
  const govern = (request: GovernedSqlRequest): Decision =>
    decide({ classification: deps.classifier.classify(request.query), principal: request.principal, connection: request.connection, runbook: request.runbook, step: request.step });

  /** Parameters as anyone may see them: masked, and those from sensitive inputs redacted outright. */
  const shownParams = (request: GovernedSqlRequest): unknown[] =>
    request.params.map((p, i) => (request.sensitiveParams?.includes(i) ? SENSITIVE_INPUT : deps.masker.maskValue(p)));

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

  const auditAction = (
    span: Span | undefined,
    request: GovernedSqlRequest & { readonly statementHash: string },
    decision: Decision,
    params: readonly unknown[],
    approvals: AuditAction['approvals'],
  ): AuditAction => {
    const c = decision.classification;
    const context = span?.spanContext();
    return {
      workflowId: request.workflowId,
      runId: request.runId,
      runbook: request.runbook.name,
      stepId: request.step.id,
      intent: request.step.intent ?? '',
      ...(request.trigger ? { trigger: request.trigger } : {}),
      principal: request.principal.id,
      principalChain: principalChain(request.principal),
      onBehalfOf: request.principal.onBehalfOf?.id ?? null,
      connection: request.connection,
      environment: decision.environment,
      statement: c.normalized ?? '(unparsed)',
      statementHash: request.statementHash,
      params,
      command: c.command,
      statementClass: c.class,
      tablesRead: c.tables.read.map((t) => t.name),
      tablesWritten: c.tables.write.map((t) => t.name),
      columnsWritten: c.tables.write.flatMap((t) => (t.columns ?? []).map((col) => `${t.name}.${col}`)),
      flags: [...c.flags],
      // Each rule with its reason: the record must explain itself without the policy file of the day.
      decision: { effect: decision.effect, summary: decision.summary, rules: decision.rules.map((r) => ({ id: r.id, effect: r.effect, reason: r.reason })) },
      approvals,
      traceId: context?.traceId || null,
      spanId: context?.spanId || null,
    };
  };

  /** A statement stopped before it ran (by policy at its check, or by an approver at its gate), as the audit keeps it. */
  const recordStoppedStatement = async (request: GovernedSqlRequest, decision: Decision, reason: string, code: ErrorCode): Promise<void> => {
    const action = auditAction(trace.getActiveSpan(), { ...request, statementHash: statementHash(request) }, decision, shownParams(request), []);
    await deps.audit.recordDenial(action, reason, code);
  };

  /** The params to bind, sensitive ones opened: a failure the step reports, never one the activity retries. */
  const boundParams = (request: GovernedSqlRequest): readonly unknown[] => {
    try {
      return bindParams(request, deps.sealer);
    } catch (error) {
      if (error instanceof VigilError) throw failure(error.code, error.message);
      throw error;
    }
  };

  /** Runs a write in a transaction that always rolls back: how many rows it changes, and a masked sample of them. */
  const dryRunWrite = async (pool: pg.Pool, request: GovernedSqlRequest, params: readonly unknown[], c: Classification) => {
    try {
      const result = await executeGuarded(pool, {
        sql: request.query, params, statementClass: c.class, kind: c.kind, principal: request.principal,
        runId: request.workflowId, stepId: `${request.step.id} (dry run)`, timeoutMs: request.timeoutMs, maxRows: request.maxRows, rowCap: 5, dryRun: true,
      });
      return { dryRunRows: result.rowCount, sample: deps.masker.maskRows(result.columns, result.rows, maskingContext(c)).rows };
    } catch (error) {
      return { dryRunError: deps.masker.maskText(fromPgError(error).message) };
    }
  };

  return {
    async checkSql(request: GovernedSqlRequest): Promise<SqlCheck> {
      const decision = govern(request);
      const c = decision.classification;
      // The step fails on this answer without executing: the audit holds the denial, with the rule and its reason.
      if (decision.effect === 'deny') await recordStoppedStatement(request, decision, decision.summary, 'VIGIL_E_POLICY_DENIED');
      // What an approver needs to judge: how much the statement will touch, before anyone says yes.
      const connection = decision.effect === 'require_approval' ? deps.connections.resolve(request.connection) : undefined;
      const params = connection ? boundParams(request) : [];
      const estimate = connection ? await explainPreview(connection.pool, request.query, params, request.principal, Math.min(request.timeoutMs, 10_000)) : undefined;
      const dryRun = connection && c.class === 'write' && deps.policy.environments[decision.environment]?.dryRun ? await dryRunWrite(connection.pool, request, params, c) : undefined;
      const preview = estimate || dryRun ? { estimatedRows: estimate?.estimatedRows ?? 0, plan: estimate?.plan ?? '(no plan)', ...dryRun } : undefined;
      return {
        ...(preview ? { preview } : {}),
        effect: decision.effect,
        summary: decision.summary,
        rules: decision.rules.map((r) => ({ id: r.id, effect: r.effect, reason: r.reason })),
        approvers: decision.approvers,
        statementHash: statementHash(request),
        connection: request.connection,
        environment: decision.environment,
        statement: request.query,
        params: shownParams(request),
        classification: {
          command: c.command,
          class: c.class,
          tablesRead: c.tables.read.map((t) => t.name),
          tablesWritten: c.tables.write.map((t) => t.name),
          flags: [...c.flags],
        },
      };
    },

    async recordSqlDenial(request: GovernedSqlRequest & { readonly reason: string; readonly code: ErrorCode }): Promise<void> {
      const { reason, code, ...statement } = request;
      await recordStoppedStatement(statement, govern(statement), reason, code);
    },

    async executeGovernedSql(request: ExecuteSqlRequest): Promise<SqlOutput> {
      return deps.tracer.startActiveSpan(`${SPAN.SQL} ${request.step.id}`, async (span) => {
        try {
          const decision = govern(request);
          // Masked once: the span and the audit record show the same parameters.
          const params = shownParams(request);
          actionAttributes(span, request, decision, params);
          let approvals: AuditAction['approvals'] = [];
          let stopped: ApplicationFailure | undefined;
          if (decision.effect === 'deny') stopped = failure('VIGIL_E_POLICY_DENIED', decision.summary);
          else if (statementHash(request) !== request.statementHash) {
            stopped = failure('VIGIL_E_APPROVAL_MISMATCH', 'the statement or its parameters differ from what was checked and approved');
          } else if (decision.effect === 'require_approval') {
            const verdict = verifyApprovals(
              request.approvals,
              { workflowId: request.workflowId, gateId: request.gateId ?? request.step.id, statementHash: request.statementHash, requester: request.principal, required: decision.approvers },
              deps.approvals.publicKey,
              deps.approvals.directory,
            );
            if (!verdict.ok) {
              const detail = verdict.rejected.map((r) => `${r.approver}: ${r.reason}`).join('; ');
              stopped = failure('VIGIL_E_APPROVAL_INVALID', `${verdict.reason}${detail ? ` (rejected: ${detail})` : ''}`);
            } else {
              approvals = verdict.counted.map((a) => ({ approver: a.approver, group: a.group, at: request.approvals.find((x) => x.approver === a.approver)?.at ?? '' }));
              span.setAttribute(ATTR.APPROVALS, approvals.map((a) => `${a.approver}@${a.group} at ${a.at}`));
            }
          }
          const exemption = findExemption(deps.exemptions ?? [], request.principal, decision.environment);
          const action = { ...auditAction(span, request, decision, params, approvals), ...(exemption ? { maskingExemption: { id: exemption.id, reason: exemption.reason, columns: [...exemption.columns] } } : {}) };
          if (stopped) {
            await deps.audit.recordDenial(action, stopped.message, stopped.type ?? undefined);
            throw stopped;
          }
          const connection = deps.connections.resolve(request.connection);
          if (!connection) throw failure('VIGIL_E_CONNECTION_UNKNOWN', `no connection named "${request.connection}" on this worker`);
          const c = decision.classification;
          const values = boundParams(request);
          // Write-ahead: if the attempt can't be recorded, the statement does not run (the activity retries).
          const attempt = await deps.audit.recordAttempt(action);
          const attemptedAt = process.hrtime.bigint();
          let result;
          try {
            result = await executeGuarded(connection.pool, {
              sql: request.query,
              params: values,
              statementClass: c.class,
              kind: c.kind,
              principal: request.principal,
              runId: request.workflowId,
              stepId: request.step.id,
              timeoutMs: request.timeoutMs,
              maxRows: request.maxRows,
              expect: request.expect,
              trustedFunctionsOnly: callsOnlySafeFunctions(c.flags),
              maxAffected:
                request.previewRows === undefined
                  ? undefined
                  : Math.floor(request.previewRows * (1 + (deps.policy.environments[decision.environment]?.dryRunTolerance ?? 0))),
            });
          } catch (error) {
            const e = fromPgError(error);
            const message = deps.masker.maskText(e.message);
            const durationMs = Math.round(Number(process.hrtime.bigint() - attemptedAt) / 1e3) / 1e3;
            span.setAttribute(ATTR.DURATION_MS, durationMs);
            await deps.audit.recordOutcome({ attemptId: attempt.id, status: 'failed', rows: null, errorCode: e.code, errorMessage: message, durationMs });
            throw failure(e.code, message, e.retryable);
          }
          try {
            await deps.audit.recordOutcome({ attemptId: attempt.id, status: 'succeeded', rows: result.rowCount, errorCode: null, errorMessage: null, durationMs: Math.round(result.durationMs * 1000) / 1000 });
          } catch {
            // The statement ran: a retry would run it again. The step fails instead, and verify reports the attempt
            // whose outcome is missing.
            throw failure('VIGIL_E_AUDIT_OUTCOME', `the statement ran (${result.rowCount} row(s)), but its outcome could not be recorded; vigil audit verify reports attempt ${attempt.id} as outcome unknown`);
          }
          const exempt = exemption ? exemptColumns(exemption, result.columns) : new Set<string>();
          if (exemption) span.setAttribute(ATTR.MASKING_EXEMPTION, `${exemption.id}: ${[...exempt].join(', ')}`);
          const masked = deps.masker.maskRows(result.columns, result.rows, { ...maskingContext(c), exempt });
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
