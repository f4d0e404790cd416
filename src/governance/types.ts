/**
 * The data that the governance layer produces. Pure types: a Decision crosses into workflow history,
 * so it must stay plain JSON and must never carry raw parameter values.
 */

export type StatementClass = 'read' | 'write' | 'ddl' | 'admin' | 'transaction';

export type StatementFlag =
  | 'no_where'
  | 'where_always_true'
  | 'multi_statement'
  | 'data_modifying_cte'
  | 'explain_analyze'
  | 'side_effect_function'
  | 'copy_program'
  | 'select_into'
  | 'locking_clause'
  /** A function that is neither known-safe nor known-dangerous: it may have side effects. */
  | 'unknown_function'
  /** A construct whose body the classifier can't see through (DO, CALL, EXECUTE of a prepared statement). */
  | 'opaque_code'
  | 'session_change'
  /** A statement kind the classifier has no entry for: denied until someone decides what it is. */
  | 'unknown_statement';

export interface TableRef {
  /** `schema.table`, or `table` when the statement gives no schema. Lower-cased unless quoted. */
  readonly name: string;
  /** Columns written (UPDATE SET, INSERT column list), when known. */
  readonly columns?: readonly string[];
}

export interface Classification {
  /** True when the parser accepted the text. False means: deny, with `error` as the reason. */
  readonly parsed: boolean;
  readonly error?: string;
  /** The parser's statement kind, e.g. `SelectStmt`, `UpdateStmt`, `DropStmt`; for several statements, the first. */
  readonly kind: string;
  /** A human name, e.g. `SELECT`, `UPDATE`, `DROP TABLE`. */
  readonly command: string;
  readonly class: StatementClass;
  readonly tables: { readonly read: readonly TableRef[]; readonly write: readonly TableRef[] };
  readonly functions: readonly string[];
  readonly flags: readonly StatementFlag[];
  readonly statementCount: number;
  /** Every column name the statement mentions anywhere (lower-case, without table): masking's conservative fallback. */
  readonly columnsReferenced: readonly string[];
  /** The statement with literals replaced by placeholders: safe to log and audit. */
  readonly normalized?: string;
  /** sha256 of the exact statement text. Approvals bind to it. */
  readonly hash: string;
}

export type Effect = 'allow' | 'deny' | 'require_approval';

export interface MatchedRule {
  readonly id: string;
  readonly effect: Effect;
  readonly reason: string;
  /** For require_approval: which groups, how many from each. */
  readonly approvers?: readonly { readonly group: string; readonly count: number }[];
}

export interface Decision {
  readonly effect: Effect;
  /** Every rule that matched, most restrictive first. Empty when the environment default decided. */
  readonly rules: readonly MatchedRule[];
  readonly approvers: readonly { readonly group: string; readonly count: number }[];
  readonly classification: Classification;
  readonly connection: string;
  readonly environment: string;
  /** One line a person can read: `denied by prod-no-ddl: DROP TABLE on production (payments-primary)`. */
  readonly summary: string;
}
