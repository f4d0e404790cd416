/**
 * The summary of an evidence bundle, built from its records alone, deterministically: the exporter builds it while
 * writing records.jsonl, and the bundle verifier builds it again from records.jsonl and requires the same result, so
 * the summary can't say anything the records don't. Pure.
 *
 * Each section is mapped to the auditor controls it gives evidence for. The mapping is deliberately modest: it names
 * what the records show, not whether a control is effective.
 */
import { ChainWalker, type ChainRow } from './chain-walker.js';
import type { AuditApproval, AuditApprovalRejection, AuditAttempt, AuditEvent, AuditOutcome, BrokenLink, OutcomeStatus, OutcomeUnknown } from './types.js';

export const SUMMARY_FORMAT = 'vigil-audit-summary/1';

/** One line of records.jsonl: a chain row without the database's index columns. */
export type BundleRecord = Omit<ChainRow, 'index'>;

export interface SummaryScope {
  /** The requested time range (ISO). */
  readonly from: string;
  readonly to: string;
  readonly generatedAt: string;
  /** The contiguous seq range exported; null when nothing was in range. */
  readonly firstSeq: number | null;
  readonly lastSeq: number | null;
  /** The hash the first exported record links to. */
  readonly prevHash: string | null;
}

interface Outcome {
  status: OutcomeStatus | null;
  rows: number | null;
  errorCode: string | null;
}

export interface ChangeEntry extends Outcome {
  readonly seq: number;
  readonly at: string;
  readonly workflowId: string;
  readonly runbook: string;
  readonly stepId: string;
  readonly principalChain: string;
  readonly intent: string;
  readonly command: string;
  readonly connection: string;
  readonly environment: string;
  readonly tablesWritten: readonly string[];
  readonly columnsWritten: readonly string[];
  readonly effect: string;
  readonly rules: readonly string[];
  readonly approvals: readonly AuditApproval[];
}

export interface ControlMapping {
  readonly id: string;
  readonly control: string;
  readonly criteria: readonly string[];
  readonly sections: readonly string[];
  readonly evidence: string;
}

export interface EvidenceSummary {
  readonly format: typeof SUMMARY_FORMAT;
  readonly scope: SummaryScope & { readonly records: number };
  readonly integrity: {
    readonly chain: 'intact' | 'broken';
    readonly firstBrokenLink: BrokenLink | null;
    /** Attempts whose outcome is not in the bundle: in flight at export, after the range end, or lost in a crash. */
    readonly attemptsWithoutOutcome: readonly OutcomeUnknown[];
  };
  readonly runs: readonly { workflowId: string; runbook: string; principals: string[]; statements: number; firstAt: string; lastAt: string }[];
  readonly statementsByClass: Readonly<Record<string, { attempted: number; succeeded: number; failed: number; rolledBack: number; noOutcome: number }>>;
  readonly changes: readonly ChangeEntry[];
  readonly denials: readonly { seq: number; at: string; workflowId: string; runbook: string; stepId: string; principalChain: string; command: string; reason: string; code: string | null; rules: string[] }[];
  readonly approvals: readonly { seq: number; at: string; workflowId: string; runbook: string; stepId: string; requester: string; command: string; approvers: AuditApproval[] }[];
  readonly approvalRejections: readonly { seq: number; at: string; workflowId: string; stepId: string; approver: string | null; reason: string }[];
  readonly maskingExemptions: readonly { seq: number; at: string; workflowId: string; stepId: string; principalChain: string; columns: string[]; reason: string }[];
  readonly agentActions: readonly ({ seq: number; at: string; kind: string; agent: string; onBehalfOf: string | null; principalChain: string; runbook: string; stepId: string; command: string; effect: string } & Outcome)[];
  readonly controls: readonly ControlMapping[];
  readonly note: string;
}

export const CONTROLS: readonly ControlMapping[] = [
  {
    id: 'change-approval',
    control: 'Changes to data and schema are authorised before they run',
    criteria: ['SOC 2 CC8.1'],
    sections: ['changes', 'approvals', 'approvalRejections', 'denials'],
    evidence:
      'Every write, DDL or admin statement with its intent, the policy decision and rules that allowed it, and, where policy required approval, who approved (group and time); statements that policy or approval verification stopped, and approvals that did not count.',
  },
  {
    id: 'least-privilege',
    control: 'Access is restricted by identity and role, and exceptions are recorded',
    criteria: ['SOC 2 CC6.1', 'SOC 2 CC6.3'],
    sections: ['runs', 'denials', 'agentActions', 'maskingExemptions'],
    evidence:
      'Who acted and on whose behalf (agents under their own identity, with the person they act for), what policy refused them, and where sensitive columns were left unmasked by exception and under which rule.',
  },
  {
    id: 'audit-integrity',
    control: 'The record of database activity is complete and unaltered',
    criteria: ['SOC 2 CC7.2'],
    sections: ['integrity', 'statementsByClass'],
    evidence:
      'A hash chain over every record in scope, re-verifiable from records.jsonl without access to Vigil; a signed manifest over every file; statements whose outcome is not on record are listed, not hidden.',
  },
];

export const SUMMARY_NOTE =
  'Evidence toward the criteria named (AICPA Trust Services Criteria, 2017). Whether a control is suitably designed and operating effectively is for the auditor to judge; this bundle covers only statements governed by Vigil.';

const CHANGE_CLASSES = new Set(['write', 'ddl', 'admin']);

function ruleIds(a: AuditAttempt): string[] {
  return (a.decision?.rules ?? []).map((r) => (typeof r === 'string' ? r : r.id));
}

/** The outermost actor of `agent:bot -> human:alice`, when it is an agent. */
function agentOf(chain: string): string | undefined {
  const first = chain.split(' -> ')[0] ?? '';
  return first.startsWith('agent:') ? first.slice('agent:'.length) : undefined;
}

export function createSummaryBuilder(scope: SummaryScope) {
  const walker = new ChainWalker(scope.firstSeq !== null && scope.prevHash !== null ? { seq: scope.firstSeq - 1, hash: scope.prevHash } : undefined);
  const runs = new Map<string, { workflowId: string; runbook: string; principals: string[]; statements: number; firstAt: string; lastAt: string }>();
  const byClass: Record<string, { attempted: number; succeeded: number; failed: number; rolledBack: number; noOutcome: number }> = {};
  const changes: ChangeEntry[] = [];
  const denials: EvidenceSummary['denials'][number][] = [];
  const approvals: EvidenceSummary['approvals'][number][] = [];
  const rejections: EvidenceSummary['approvalRejections'][number][] = [];
  const exemptions: EvidenceSummary['maskingExemptions'][number][] = [];
  const agentActions: EvidenceSummary['agentActions'][number][] = [];
  // Where an attempt's outcome must be written when it arrives.
  const awaiting = new Map<string, { statementClass: string; targets: Outcome[] }>();

  function touchRun(a: AuditAttempt, at: string): void {
    const run = runs.get(a.workflowId) ?? { workflowId: a.workflowId, runbook: a.runbook, principals: [], statements: 0, firstAt: at, lastAt: at };
    if (!run.principals.includes(a.principalChain)) run.principals.push(a.principalChain);
    run.lastAt = at;
    runs.set(a.workflowId, run);
  }

  function add(row: BundleRecord): void {
    walker.push(row);
    if (row.kind === 'outcome') {
      const o = row.record as AuditOutcome;
      const waiting = awaiting.get(o.attemptId);
      if (!waiting) return;
      awaiting.delete(o.attemptId);
      const counts = byClass[waiting.statementClass];
      if (counts) {
        counts.noOutcome--;
        if (o.status === 'succeeded') counts.succeeded++;
        else if (o.status === 'rolled_back') counts.rolledBack++;
        else counts.failed++;
      }
      for (const t of waiting.targets) Object.assign(t, { status: o.status, rows: o.rows, errorCode: o.errorCode });
      return;
    }
    if (row.kind === 'approval_rejected' && !('stepId' in (row.record as object))) {
      // Rejected at the gate, before any statement: no statement context to count.
      const x = row.record as AuditApprovalRejection;
      rejections.push({ seq: row.seq, at: row.at, workflowId: x.workflowId, stepId: x.gateId, approver: x.approver ?? null, reason: x.reason });
      return;
    }
    const a = row.record as AuditEvent;
    touchRun(a, row.at);
    const agent = agentOf(a.principalChain ?? '');
    const targets: Outcome[] = [];
    if (agent !== undefined) {
      const entry = {
        seq: row.seq, at: row.at, kind: row.kind, agent, onBehalfOf: a.onBehalfOf, principalChain: a.principalChain, runbook: a.runbook,
        stepId: a.stepId, command: a.command, effect: a.decision?.effect ?? '', status: null, rows: null, errorCode: null,
      };
      agentActions.push(entry);
      targets.push(entry);
    }
    switch (row.kind) {
      case 'attempt': {
        const run = runs.get(a.workflowId);
        if (run) run.statements++;
        const counts = (byClass[a.statementClass] ??= { attempted: 0, succeeded: 0, failed: 0, rolledBack: 0, noOutcome: 0 });
        counts.attempted++;
        counts.noOutcome++;
        if (CHANGE_CLASSES.has(a.statementClass)) {
          const change: ChangeEntry = {
            seq: row.seq, at: row.at, workflowId: a.workflowId, runbook: a.runbook, stepId: a.stepId, principalChain: a.principalChain,
            intent: a.intent, command: a.command, connection: a.connection, environment: a.environment, tablesWritten: a.tablesWritten,
            columnsWritten: a.columnsWritten, effect: a.decision.effect, rules: ruleIds(a), approvals: a.approvals, status: null, rows: null, errorCode: null,
          };
          changes.push(change);
          targets.push(change);
        }
        if (a.approvals.length > 0) {
          approvals.push({
            seq: row.seq, at: row.at, workflowId: a.workflowId, runbook: a.runbook, stepId: a.stepId, requester: a.principalChain,
            command: a.command, approvers: [...a.approvals],
          });
        }
        if (a.maskingExemption) {
          exemptions.push({
            seq: row.seq, at: row.at, workflowId: a.workflowId, stepId: a.stepId, principalChain: a.principalChain,
            columns: [...a.maskingExemption.columns], reason: `${a.maskingExemption.id}: ${a.maskingExemption.reason}`,
          });
        }
        awaiting.set(row.id, { statementClass: a.statementClass, targets });
        break;
      }
      case 'denial':
        denials.push({
          seq: row.seq, at: row.at, workflowId: a.workflowId, runbook: a.runbook, stepId: a.stepId, principalChain: a.principalChain,
          command: a.command, reason: a.reason, code: a.code ?? null, rules: ruleIds(a),
        });
        break;
      case 'approval_rejected':
        rejections.push({ seq: row.seq, at: row.at, workflowId: a.workflowId, stepId: a.stepId, approver: a.approver ?? null, reason: a.reason });
        break;
      case 'masking_exemption':
        exemptions.push({
          seq: row.seq, at: row.at, workflowId: a.workflowId, stepId: a.stepId, principalChain: a.principalChain,
          columns: [...(a.columns ?? [])], reason: a.reason,
        });
        break;
    }
  }

  function finish(): EvidenceSummary {
    const broken = walker.brokenAt;
    return {
      format: SUMMARY_FORMAT,
      scope: { ...scope, records: walker.rows },
      integrity: { chain: broken ? 'broken' : 'intact', firstBrokenLink: broken ?? null, attemptsWithoutOutcome: walker.withoutOutcome },
      runs: [...runs.values()],
      statementsByClass: byClass,
      changes,
      denials,
      approvals,
      approvalRejections: rejections,
      maskingExemptions: exemptions,
      agentActions,
      controls: CONTROLS,
      note: SUMMARY_NOTE,
    };
  }

  return {
    add,
    finish,
    get last() {
      return walker.last;
    },
    get rows() {
      return walker.rows;
    },
    get brokenAt() {
      return walker.brokenAt;
    },
  };
}

export type SummaryBuilder = ReturnType<typeof createSummaryBuilder>;
