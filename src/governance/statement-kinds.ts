/**
 * What each PostgreSQL parse-tree statement kind is, for policy purposes. A kind missing from this table is
 * unknown, and unknown kinds are denied: the table only ever grows by a deliberate decision.
 */
import type { StatementClass, StatementFlag } from './types.js';

export interface KindInfo {
  readonly command: string;
  readonly class: StatementClass;
  readonly flags?: readonly StatementFlag[];
}

export const STATEMENT_KINDS: Readonly<Record<string, KindInfo>> = {
  // reads
  SelectStmt: { command: 'SELECT', class: 'read' },
  VariableShowStmt: { command: 'SHOW', class: 'read' },
  // writes
  InsertStmt: { command: 'INSERT', class: 'write' },
  UpdateStmt: { command: 'UPDATE', class: 'write' },
  DeleteStmt: { command: 'DELETE', class: 'write' },
  MergeStmt: { command: 'MERGE', class: 'write' },
  CallStmt: { command: 'CALL', class: 'write', flags: ['opaque_code'] },
  // data definition
  CreateStmt: { command: 'CREATE TABLE', class: 'ddl' },
  CreateTableAsStmt: { command: 'CREATE TABLE AS', class: 'ddl' },
  AlterTableStmt: { command: 'ALTER TABLE', class: 'ddl' },
  DropStmt: { command: 'DROP', class: 'ddl' },
  TruncateStmt: { command: 'TRUNCATE', class: 'ddl' },
  IndexStmt: { command: 'CREATE INDEX', class: 'ddl' },
  ViewStmt: { command: 'CREATE VIEW', class: 'ddl' },
  RenameStmt: { command: 'ALTER ... RENAME', class: 'ddl' },
  CommentStmt: { command: 'COMMENT', class: 'ddl' },
  CreateSchemaStmt: { command: 'CREATE SCHEMA', class: 'ddl' },
  CreateSeqStmt: { command: 'CREATE SEQUENCE', class: 'ddl' },
  AlterSeqStmt: { command: 'ALTER SEQUENCE', class: 'ddl' },
  CreateEnumStmt: { command: 'CREATE TYPE', class: 'ddl' },
  AlterEnumStmt: { command: 'ALTER TYPE', class: 'ddl' },
  CompositeTypeStmt: { command: 'CREATE TYPE', class: 'ddl' },
  CreateDomainStmt: { command: 'CREATE DOMAIN', class: 'ddl' },
  AlterDomainStmt: { command: 'ALTER DOMAIN', class: 'ddl' },
  DefineStmt: { command: 'CREATE', class: 'ddl' },
  AlterObjectSchemaStmt: { command: 'ALTER ... SET SCHEMA', class: 'ddl' },
  AlterOwnerStmt: { command: 'ALTER ... OWNER', class: 'ddl' },
  CreateFunctionStmt: { command: 'CREATE FUNCTION', class: 'ddl', flags: ['opaque_code'] },
  AlterFunctionStmt: { command: 'ALTER FUNCTION', class: 'ddl' },
  CreateTrigStmt: { command: 'CREATE TRIGGER', class: 'ddl', flags: ['opaque_code'] },
  RuleStmt: { command: 'CREATE RULE', class: 'ddl', flags: ['opaque_code'] },
  CreatePolicyStmt: { command: 'CREATE POLICY', class: 'ddl' },
  AlterPolicyStmt: { command: 'ALTER POLICY', class: 'ddl' },
  RefreshMatViewStmt: { command: 'REFRESH MATERIALIZED VIEW', class: 'ddl' },
  CreateStatsStmt: { command: 'CREATE STATISTICS', class: 'ddl' },
  // administration
  VacuumStmt: { command: 'VACUUM', class: 'admin' },
  ReindexStmt: { command: 'REINDEX', class: 'admin' },
  ClusterStmt: { command: 'CLUSTER', class: 'admin' },
  CheckPointStmt: { command: 'CHECKPOINT', class: 'admin' },
  AlterSystemStmt: { command: 'ALTER SYSTEM', class: 'admin' },
  GrantStmt: { command: 'GRANT', class: 'admin' },
  GrantRoleStmt: { command: 'GRANT ROLE', class: 'admin' },
  AlterDefaultPrivilegesStmt: { command: 'ALTER DEFAULT PRIVILEGES', class: 'admin' },
  CreateRoleStmt: { command: 'CREATE ROLE', class: 'admin' },
  AlterRoleStmt: { command: 'ALTER ROLE', class: 'admin' },
  AlterRoleSetStmt: { command: 'ALTER ROLE SET', class: 'admin' },
  DropRoleStmt: { command: 'DROP ROLE', class: 'admin' },
  ReassignOwnedStmt: { command: 'REASSIGN OWNED', class: 'admin' },
  DropOwnedStmt: { command: 'DROP OWNED', class: 'admin' },
  CreatedbStmt: { command: 'CREATE DATABASE', class: 'admin' },
  DropdbStmt: { command: 'DROP DATABASE', class: 'admin' },
  AlterDatabaseStmt: { command: 'ALTER DATABASE', class: 'admin' },
  AlterDatabaseSetStmt: { command: 'ALTER DATABASE SET', class: 'admin' },
  CreateExtensionStmt: { command: 'CREATE EXTENSION', class: 'admin', flags: ['opaque_code'] },
  AlterExtensionStmt: { command: 'ALTER EXTENSION', class: 'admin' },
  LoadStmt: { command: 'LOAD', class: 'admin', flags: ['opaque_code'] },
  LockStmt: { command: 'LOCK', class: 'admin', flags: ['locking_clause'] },
  ListenStmt: { command: 'LISTEN', class: 'admin', flags: ['session_change'] },
  UnlistenStmt: { command: 'UNLISTEN', class: 'admin', flags: ['session_change'] },
  NotifyStmt: { command: 'NOTIFY', class: 'admin', flags: ['side_effect_function'] },
  DoStmt: { command: 'DO', class: 'admin', flags: ['opaque_code'] },
  ExecuteStmt: { command: 'EXECUTE', class: 'admin', flags: ['opaque_code'] },
  PrepareStmt: { command: 'PREPARE', class: 'admin', flags: ['session_change'] },
  DeallocateStmt: { command: 'DEALLOCATE', class: 'admin', flags: ['session_change'] },
  DiscardStmt: { command: 'DISCARD', class: 'admin', flags: ['session_change'] },
  VariableSetStmt: { command: 'SET', class: 'admin', flags: ['session_change'] },
  ConstraintsSetStmt: { command: 'SET CONSTRAINTS', class: 'transaction' },
  CreateEventTrigStmt: { command: 'CREATE EVENT TRIGGER', class: 'admin', flags: ['opaque_code'] },
  SecLabelStmt: { command: 'SECURITY LABEL', class: 'admin' },
  CreateForeignServerStmt: { command: 'CREATE SERVER', class: 'admin' },
  CreateUserMappingStmt: { command: 'CREATE USER MAPPING', class: 'admin' },
  ImportForeignSchemaStmt: { command: 'IMPORT FOREIGN SCHEMA', class: 'admin' },
  CreateSubscriptionStmt: { command: 'CREATE SUBSCRIPTION', class: 'admin' },
  CreatePublicationStmt: { command: 'CREATE PUBLICATION', class: 'admin' },
  CopyStmt: { command: 'COPY', class: 'write' },
  ExplainStmt: { command: 'EXPLAIN', class: 'read' },
  // transactions
  TransactionStmt: { command: 'TRANSACTION', class: 'transaction' },
};

/** Most dangerous first: a string of several statements is classified as its worst. */
export const CLASS_SEVERITY: Readonly<Record<StatementClass, number>> = { transaction: 0, read: 1, write: 2, ddl: 3, admin: 4 };
