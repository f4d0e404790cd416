/**
 * The names of every span and attribute Vigil emits, in one place (documented in docs/telemetry.md).
 * Intent (why), action (what, by whom, allowed by what) and outcome (what happened) each have their own prefix;
 * OpenTelemetry's `db.*` conventions are used where they fit. Values are masked before they are set.
 * Pure constants: imported by workflow code too.
 */
export const SPAN = {
  /** One per runbook step, opened by the workflow interpreter. */
  STEP: 'vigil.step',
  /** One per governed statement, opened by the SQL activity. */
  SQL: 'vigil.sql',
} as const;

export const ATTR = {
  // intent
  RUNBOOK: 'vigil.runbook.name',
  PLAN_HASH: 'vigil.runbook.plan_hash',
  STEP_ID: 'vigil.step.id',
  STEP_KIND: 'vigil.step.kind',
  INTENT: 'vigil.intent',
  TRIGGER_SOURCE: 'vigil.trigger.source',
  TRIGGER_ID: 'vigil.trigger.id',
  TRIGGER_NAME: 'vigil.trigger.name',
  // action
  PRINCIPAL: 'vigil.principal.id',
  PRINCIPAL_KIND: 'vigil.principal.kind',
  PRINCIPAL_CHAIN: 'vigil.principal.chain',
  ON_BEHALF_OF: 'vigil.principal.on_behalf_of',
  CONNECTION: 'vigil.db.connection',
  ENVIRONMENT: 'vigil.environment',
  STATEMENT_HASH: 'vigil.statement.hash',
  STATEMENT_CLASS: 'vigil.statement.class',
  STATEMENT_FLAGS: 'vigil.statement.flags',
  TABLES_READ: 'vigil.statement.tables_read',
  TABLES_WRITTEN: 'vigil.statement.tables_written',
  PARAMS: 'vigil.statement.params',
  DECISION: 'vigil.decision.effect',
  DECISION_RULES: 'vigil.decision.rules',
  DECISION_SUMMARY: 'vigil.decision.summary',
  APPROVALS: 'vigil.approvals',
  // outcome
  OUTCOME: 'vigil.outcome.status',
  ROWS: 'vigil.outcome.rows',
  ERROR_CODE: 'vigil.outcome.error_code',
  DURATION_MS: 'vigil.outcome.duration_ms',
  MASKED_COLUMNS: 'vigil.outcome.masked_columns',
  MASKING_EXEMPTION: 'vigil.outcome.masking_exemption',
  // OpenTelemetry database conventions
  DB_SYSTEM: 'db.system',
  DB_NAMESPACE: 'db.namespace',
  DB_OPERATION: 'db.operation.name',
  DB_QUERY_TEXT: 'db.query.text',
} as const;
