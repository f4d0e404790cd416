/**
 * Every error code Vigil shows to a person, in one registry: `VIGIL_E_<AREA>_<WHAT>`.
 * A test checks that each code here is documented in docs/errors.md, and that code outside this file uses only these.
 */
export const ERROR_CODES = {
  VIGIL_E_RUNBOOK_YAML: 'The file is not valid YAML (syntax, tabs, duplicate keys).',
  VIGIL_E_RUNBOOK_TOO_LARGE: 'The runbook exceeds the size or nesting limit.',
  VIGIL_E_RUNBOOK_SCHEMA: 'The runbook does not match schemas/runbook.schema.json.',
  VIGIL_E_RUNBOOK_DUPLICATE_ID: 'Two steps share an id.',
  VIGIL_E_RUNBOOK_EXPRESSION: 'An expression does not parse.',
  VIGIL_E_RUNBOOK_REFERENCE: 'An expression refers to an unknown input, or a step that has not run yet.',
  VIGIL_E_RUNBOOK_SQL_TEMPLATE: 'A SQL query contains an expression: SQL text is never built from input; use $1 parameters.',
  VIGIL_E_RUNBOOK_UNKNOWN_CONNECTION: 'A step names a connection that the configuration does not define.',
  VIGIL_E_RUNBOOK_READ: 'The runbook file could not be read.',
  VIGIL_E_INPUT_INVALID: 'A run input is missing, unknown, or of the wrong type.',
  VIGIL_E_STEP_CONDITION: 'A `when` condition failed to evaluate or did not give a boolean.',
  VIGIL_E_STEP_TEMPLATE: 'A template (parameter, message, URL) failed to evaluate.',
  VIGIL_E_CONNECTION_UNKNOWN: 'The worker has no connection of that name.',
  VIGIL_E_TEMPORAL_UNREACHABLE: 'The Temporal server could not be reached.',
  VIGIL_E_POSTGRES_UNREACHABLE: 'PostgreSQL could not be reached.',
  VIGIL_E_TEMPORAL_CLI_MISSING: 'No Temporal CLI was found, and none could be built or downloaded.',
  VIGIL_E_STEP_FAILED: 'A step failed for a reason without a more specific code.',
  VIGIL_E_RUN_FAILED: 'The run failed for a reason without a more specific code.',
  VIGIL_E_HTTP_STATUS: 'An http step got a status it did not expect.',
  VIGIL_E_NOTIFY_TARGET: 'A notify step names a chat target the worker does not know.',
  VIGIL_E_APPROVAL_DENIED: 'An approver denied the gate.',
  VIGIL_E_APPROVAL_EXPIRED: 'Nobody decided before the gate timed out (after any escalation).',
  VIGIL_E_POLICY_DENIED: 'Policy denied the statement; the message names the rule and its reason.',
  VIGIL_E_POLICY_INVALID: 'The policy file is invalid.',
  VIGIL_E_IDENTITY_INVALID: 'The identities file is invalid.',
  VIGIL_E_UNAUTHENTICATED: 'No valid token: set VIGIL_TOKEN (or pass one) to say who you are.',
  VIGIL_E_APPROVAL_MISMATCH: 'The statement changed after it was approved (its hash differs); nothing ran.',
  VIGIL_E_APPROVAL_INVALID: 'The approvals presented at execution do not verify or do not meet the quorum; nothing ran.',
  VIGIL_E_SQL_MAX_ROWS: 'A write affected more rows than max_rows; it was rolled back.',
  VIGIL_E_SQL_EXPECT: 'The rows returned or affected did not meet `expect`; a write was rolled back.',
  VIGIL_E_SQL_TIMEOUT: 'The statement ran longer than the step timeout and was cancelled.',
  VIGIL_E_SQL_READ_ONLY: 'A statement classified as a read tried to write (read-only transaction).',
  VIGIL_E_SQL_ERROR: 'PostgreSQL rejected the statement; the message carries its SQLSTATE, masked.',
  VIGIL_E_SQL_CONNECTION: 'The worker could not connect to the database; retried.',
  VIGIL_E_USAGE: 'A command was called with missing or conflicting options.',
  VIGIL_E_INTERNAL: 'A bug in Vigil: the command line prints this for errors it did not expect.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
