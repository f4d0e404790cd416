/** Audit records for tests: a plausible governed UPDATE, changed only where a test says so. */
import pg from 'pg';
import type { AttemptInput, AuditEventInput } from '../../src/audit/types.js';

export function attempt(n: number, overrides: Partial<AttemptInput> = {}): AttemptInput {
  return {
    workflowId: `wf-${n}`,
    runId: `run-${n}`,
    runbook: 'feature-flag-kill-switch',
    stepId: 'switch_off',
    intent: 'Stop a misbehaving feature.',
    principal: 'alice',
    principalChain: 'human:alice',
    onBehalfOf: null,
    connection: 'demo',
    environment: 'development',
    statement: 'UPDATE feature_flags SET enabled = $1 WHERE name = $2',
    statementHash: `h${n}`,
    params: [false, 'new_checkout'],
    command: 'UPDATE',
    statementClass: 'write',
    tablesRead: [],
    tablesWritten: ['feature_flags'],
    columnsWritten: ['feature_flags.enabled'],
    flags: [],
    decision: { effect: 'allow', summary: 'allowed by the development default', rules: [] },
    approvals: [],
    traceId: null,
    spanId: null,
    ...overrides,
  };
}

/** The statement an agent ran for alice, which wrote customers.email after bob (dba) approved it. */
export function emailChange(n: number): AttemptInput {
  return attempt(n, {
    runbook: 'gdpr-erasure',
    stepId: 'erase_email',
    intent: 'Erase the e-mail address of a customer who asked to be forgotten (ticket GDPR-42).',
    principal: 'triage-bot',
    principalChain: 'agent:triage-bot -> human:alice',
    onBehalfOf: 'alice',
    connection: 'payments-primary',
    environment: 'production',
    statement: 'UPDATE customers SET email = $1 WHERE id = $2',
    params: ['***@example.net', 42],
    tablesWritten: ['customers'],
    columnsWritten: ['customers.email'],
    decision: {
      effect: 'require_approval',
      summary: 'requires approval by prod-writes-need-dba: writes on production need a DBA',
      rules: [{ id: 'prod-writes-need-dba', effect: 'require_approval', reason: 'writes on production need a DBA' }],
    },
    approvals: [{ approver: 'bob', group: 'dba', at: '2026-01-05T10:00:00.000Z' }],
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
  });
}

export function event(n: number, extra: Pick<AuditEventInput, 'reason'> & Partial<AuditEventInput>): AuditEventInput {
  return { ...attempt(n), ...extra };
}

/**
 * A pool for a test database. pg's pool.end() resolves before each connection has closed, so dropping the database
 * right after may terminate one that is still closing; without a listener that error would be uncaught.
 */
export function testPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config);
  pool.on('error', () => undefined);
  return pool;
}
