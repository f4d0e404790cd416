/**
 * The names callers used before the record types moved to types.ts. Kept so that code outside src/audit keeps
 * compiling; new code imports from types.ts.
 */
export type { AttemptInput as AuditAction, AuditApprovalRejection, AuditKind, AuditOutcome, AuditRow } from './types.js';
