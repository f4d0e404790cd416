/**
 * The evidence summary is a function of the records: deterministic, complete for each section, mapped to controls,
 * and honest about the chain and about attempts whose outcome is not in the bundle.
 */
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, rowHash } from '../../src/audit/chain-hash.js';
import { CONTROLS, createSummaryBuilder, type BundleRecord } from '../../src/audit/evidence-summary.js';
import { storableAttempt, storableEvent } from '../../src/audit/storable-record.js';
import { canonicalJson } from '../../src/shared/canonical-json.js';
import { attempt, emailChange, event } from './fixtures.js';

function records(): BundleRecord[] {
  const items: { id: string; kind: string; record: unknown }[] = [
    { id: 'a1', kind: 'attempt', record: storableAttempt(attempt(1)) },
    { id: 'o1', kind: 'outcome', record: { attemptId: 'a1', status: 'succeeded', rows: 1, errorCode: null, errorMessage: null, durationMs: 3 } },
    { id: 'a2', kind: 'attempt', record: storableAttempt(emailChange(2)) },
    { id: 'o2', kind: 'outcome', record: { attemptId: 'a2', status: 'rolled_back', rows: null, errorCode: 'VIGIL_E_SQL_MAX_ROWS', errorMessage: 'too many', durationMs: 4 } },
    { id: 'a3', kind: 'attempt', record: storableAttempt(attempt(3, { statementClass: 'read', command: 'SELECT', tablesWritten: [], columnsWritten: [] })) },
    { id: 'd4', kind: 'denial', record: storableEvent(event(4, { reason: 'denied by prod-no-ddl', code: 'VIGIL_E_POLICY_DENIED', command: 'DROP TABLE' })) },
    { id: 'r5', kind: 'approval_rejected', record: storableEvent(event(5, { reason: 'self-approval', approver: 'alice' })) },
    { id: 'm6', kind: 'masking_exemption', record: storableEvent(event(6, { reason: 'rule support-sees-email', columns: ['customers.email'] })) },
    { id: 'g7', kind: 'approval_rejected', record: { workflowId: 'wf-7', gateId: 'cancel', approver: 'mallory', decision: 'approve', claimedAt: 'x', reason: 'forged' } },
    {
      id: 'a8', kind: 'attempt',
      record: storableAttempt(attempt(8, { statementClass: 'read', command: 'SELECT', maskingExemption: { id: 'support-email', reason: 'support answers customers', columns: ['email'] } })),
    },
  ];
  let prev = GENESIS_HASH;
  return items.map((it, i) => {
    const row = { seq: i + 1, id: it.id, kind: it.kind, at: `2026-01-05T10:00:0${i}.000Z`, record: it.record };
    const hash = rowHash(prev, row);
    const out = { ...row, prevHash: prev, hash };
    prev = hash;
    return out;
  });
}

const scope = { from: '2026-01-05T00:00:00.000Z', to: '2026-01-06T00:00:00.000Z', generatedAt: '2026-01-06T00:00:01.000Z', firstSeq: 1, lastSeq: 10, prevHash: GENESIS_HASH };

function build(rows: readonly BundleRecord[]) {
  const b = createSummaryBuilder(scope);
  for (const r of rows) b.add(r);
  return b.finish();
}

describe('evidence summary', () => {
  const rows = records();
  const s = build(rows);

  it('is the same every time it is built from the same records', () => {
    expect(canonicalJson(build(JSON.parse(JSON.stringify(rows)) as BundleRecord[]))).toBe(canonicalJson(s));
  });

  it('lists changes with their approvals and outcomes, and counts statements by class', () => {
    expect(s.changes.map((c) => [c.seq, c.command, c.columnsWritten, c.effect, c.approvals.map((a) => a.approver), c.status])).toEqual([
      [1, 'UPDATE', ['feature_flags.enabled'], 'allow', [], 'succeeded'],
      [3, 'UPDATE', ['customers.email'], 'require_approval', ['bob'], 'rolled_back'],
    ]);
    expect(s.approvals).toEqual([expect.objectContaining({ seq: 3, requester: 'agent:triage-bot -> human:alice', approvers: [{ approver: 'bob', group: 'dba', at: '2026-01-05T10:00:00.000Z' }] })]);
    expect(s.statementsByClass).toEqual({
      write: { attempted: 2, succeeded: 1, failed: 0, rolledBack: 1, noOutcome: 0 },
      read: { attempted: 2, succeeded: 0, failed: 0, rolledBack: 0, noOutcome: 2 },
    });
  });

  it('lists denials, rejected approvals, masking exemptions and what agents did', () => {
    expect(s.denials).toEqual([expect.objectContaining({ seq: 6, reason: 'denied by prod-no-ddl', code: 'VIGIL_E_POLICY_DENIED', command: 'DROP TABLE' })]);
    expect(s.approvalRejections).toEqual([
      expect.objectContaining({ seq: 7, approver: 'alice', reason: 'self-approval' }),
      { seq: 9, at: expect.any(String), workflowId: 'wf-7', stepId: 'cancel', approver: 'mallory', reason: 'forged' },
    ]);
    expect(s.maskingExemptions).toEqual([
      expect.objectContaining({ seq: 8, columns: ['customers.email'] }),
      expect.objectContaining({ seq: 10, columns: ['email'], reason: 'support-email: support answers customers' }),
    ]);
    expect(s.agentActions).toEqual([expect.objectContaining({ seq: 3, agent: 'triage-bot', onBehalfOf: 'alice', effect: 'require_approval', status: 'rolled_back' })]);
    expect(s.runs.map((r) => r.workflowId)).toEqual(['wf-1', 'wf-2', 'wf-3', 'wf-4', 'wf-5', 'wf-6', 'wf-8']);
  });

  it('says the chain is intact and names the attempt whose outcome is not in the bundle', () => {
    expect(s.integrity).toMatchObject({ chain: 'intact', firstBrokenLink: null });
    expect(s.integrity.attemptsWithoutOutcome.map((u) => u.seq)).toEqual([5, 10]);
    const edited = rows.map((r) => (r.seq === 4 ? { ...r, record: { ...(r.record as object), rows: 0 } } : r));
    expect(build(edited).integrity).toMatchObject({ chain: 'broken', firstBrokenLink: { seq: 4 } });
  });

  it('maps every section it names to a control, and every control to sections that exist', () => {
    for (const c of CONTROLS) {
      expect(c.criteria.length).toBeGreaterThan(0);
      for (const section of c.sections) expect(Object.keys(s)).toContain(section);
    }
    expect(s.controls.map((c) => c.id)).toEqual(['change-approval', 'least-privilege', 'audit-integrity']);
  });
});
