/**
 * The state of one approval gate: who must approve, who has, who may not. Pure and deterministic;
 * the workflow owns the waiting and the timers. Signature checks of approvals come from the approval service
 * and are verified again where the statement executes; this file enforces quorum and separation of duties.
 * Which group an approval counts toward is a maximum matching (match-approvers.ts), so someone in two required
 * groups never blocks a later approver who could only fill one of them.
 */
import type { SqlCheck } from '../activities/types.js';
import { matchApprovers, type ApproverMatching } from '../approvals/match-approvers.js';
import { principalChain, type Principal } from '../shared/principal.js';
import { conflictedApprovers } from '../shared/separation-of-duties.js';

export interface ApproverRequirement {
  readonly group: string;
  readonly count: number;
}

export interface ApprovalSignal {
  readonly gateId: string;
  readonly decision: 'approve' | 'deny';
  readonly approver: { readonly id: string; readonly groups: readonly string[] };
  readonly comment?: string;
  /** ISO time the approval service stamped. */
  readonly at: string;
  /** Ed25519 signature by the approval service; verified at execution. */
  readonly signature?: string;
}

export type GateState = 'pending' | 'approved' | 'denied' | 'expired' | 'cancelled';

export interface GateDecisionRecord {
  readonly approver: string;
  readonly decision: 'approve' | 'deny';
  /** The requirement this approval counts toward in the current matching: it may move when a later approver needs its group. */
  readonly group?: string;
  readonly comment?: string;
  readonly at: string;
  readonly signature?: string;
  /** The groups the approval was signed with (claims version 2); execution checks them again. */
  readonly groups?: readonly string[];
}

export interface GateView {
  readonly gateId: string;
  readonly stepId: string;
  readonly message: string;
  readonly requester: string;
  readonly openedAt: string;
  readonly state: GateState;
  readonly required: readonly ApproverRequirement[];
  readonly decisions: readonly GateDecisionRecord[];
  readonly rejected: readonly { readonly approver: string; readonly reason: string; readonly at: string }[];
  readonly reason?: string;
  /** For gates that policy opened on a SQL statement: exactly what is being approved (parameters masked). */
  readonly subject?: SqlCheck;
}

export interface GateOptions {
  /** The approval service's public key (raw, hex) as the worker gave it when the gate opened, recorded in history. */
  readonly signingKey?: string;
  /** Count each approver toward the first of its groups still open, as gates did before the matching. */
  readonly firstOpenGroup?: boolean;
}

export type OfferResult = { readonly accepted: true; readonly settled: boolean } | { readonly accepted: false; readonly reason: string };

export class ApprovalGate {
  private state: GateState = 'pending';
  private required: ApproverRequirement[];
  private readonly decisions: GateDecisionRecord[] = [];
  private readonly rejected: { approver: string; reason: string; at: string }[] = [];
  /** The groups of each approver whose approval was accepted, as the identity config gave them: the matching needs them. */
  private readonly approverGroups = new Map<string, readonly string[]>();
  private reason?: string;

  constructor(
    readonly gateId: string,
    readonly stepId: string,
    readonly message: string,
    private readonly requester: Principal,
    required: readonly ApproverRequirement[],
    private readonly openedAt: string,
    private readonly subject?: SqlCheck,
    private readonly options: GateOptions = {},
  ) {
    this.required = [...required];
  }

  get signingKey(): string | undefined {
    return this.options.signingKey;
  }

  /** What approvals of this gate must be signed for: the statement's hash, or empty for a plain approval step. */
  get statementHash(): string {
    return this.subject?.statementHash ?? '';
  }

  /** Records a decision that does not count (bad signature, unknown approver) without touching the quorum. */
  reject(signal: ApprovalSignal, reason: string): void {
    this.rejected.push({ approver: signal.approver.id, reason, at: signal.at });
  }

  get settled(): boolean {
    return this.state !== 'pending';
  }

  get current(): GateState {
    return this.state;
  }

  /**
   * Counts a decision whose signature has been verified. `signal.approver.groups` must be what the service signed or
   * the identity config says; `signedGroups` is set when the signature covers them, so execution can check it again.
   */
  offer(signal: ApprovalSignal, signedGroups?: readonly string[]): OfferResult {
    const reject = (reason: string): OfferResult => {
      this.reject(signal, reason);
      return { accepted: false, reason };
    };
    if (this.state !== 'pending') return reject(`gate is already ${this.state}`);
    if (conflictedApprovers(this.requester).has(signal.approver.id)) return reject('separation of duties: the requester (or whom it acts for) cannot decide its own request');
    if (this.decisions.some((d) => d.approver === signal.approver.id)) return reject('this approver has already decided');
    const eligible = this.required.filter((r) => signal.approver.groups.includes(r.group));
    if (eligible.length === 0) return reject(`not in an approver group (${this.required.map((r) => r.group).join(', ')})`);

    if (signal.decision === 'deny') {
      this.decisions.push({ approver: signal.approver.id, decision: 'deny', comment: signal.comment, at: signal.at, signature: signal.signature, ...(signedGroups ? { groups: signedGroups } : {}) });
      this.state = 'denied';
      this.reason = `denied by ${signal.approver.id}${signal.comment ? `: ${signal.comment}` : ''}`;
      return { accepted: true, settled: true };
    }
    if (this.options.firstOpenGroup) return this.countTowardFirstOpenGroup(signal, eligible, signedGroups);
    // Counted iff it enlarges the maximum matching (earlier approvers may move to another of their groups to make
    // room). One that does not can never help under these requirements, so refusing it now is final.
    const approver = { id: signal.approver.id, groups: [...signal.approver.groups] };
    const matching = matchApprovers(this.required, [...this.approvers(), approver]);
    const counted = matching.counted.find((c) => c.approver === approver.id);
    if (!counted) return reject('the groups this approver belongs to have already reached their quorum');
    this.approverGroups.set(approver.id, approver.groups);
    this.decisions.push({ approver: approver.id, decision: 'approve', group: counted.group, comment: signal.comment, at: signal.at, signature: signal.signature, ...(signedGroups ? { groups: signedGroups } : {}) });
    this.apply(matching);
    return { accepted: true, settled: this.settled };
  }

  /**
   * After a timeout: ask other groups instead. Approvals already given still count toward them, matched afresh to the
   * new requirements; if they already meet them the gate is approved at once.
   */
  escalate(to: readonly ApproverRequirement[]): void {
    this.required = [...to];
    if (!this.options.firstOpenGroup) this.apply(matchApprovers(this.required, this.approvers()));
  }

  /** How gates opened before the matching counted, kept so that their runs replay as they ran. */
  private countTowardFirstOpenGroup(signal: ApprovalSignal, eligible: readonly ApproverRequirement[], signedGroups?: readonly string[]): OfferResult {
    const countFor = (group: string) => this.decisions.filter((d) => d.decision === 'approve' && d.group === group).length;
    const open = eligible.find((r) => countFor(r.group) < r.count);
    if (!open) {
      const reason = 'the groups this approver belongs to have already reached their quorum';
      this.reject(signal, reason);
      return { accepted: false, reason };
    }
    this.decisions.push({ approver: signal.approver.id, decision: 'approve', group: open.group, comment: signal.comment, at: signal.at, signature: signal.signature, ...(signedGroups ? { groups: signedGroups } : {}) });
    if (this.required.every((r) => countFor(r.group) >= r.count)) this.state = 'approved';
    return { accepted: true, settled: this.settled };
  }

  close(state: 'expired' | 'cancelled', reason: string): void {
    if (this.state !== 'pending') return;
    this.state = state;
    this.reason = reason;
  }

  /** The accepted approvals, in arrival order. */
  private approvers(): { id: string; groups: readonly string[] }[] {
    return this.decisions.filter((d) => d.decision === 'approve').map((d) => ({ id: d.approver, groups: this.approverGroups.get(d.approver) ?? [] }));
  }

  /** Records the group each approval counts toward now (none, after an escalation it does not fit), and the quorum. */
  private apply(matching: ApproverMatching): void {
    const groupOf = new Map(matching.counted.map((c) => [c.approver, c.group]));
    this.decisions.forEach((d, i) => {
      if (d.decision === 'approve' && d.group !== groupOf.get(d.approver)) this.decisions[i] = { ...d, group: groupOf.get(d.approver) };
    });
    if (this.state === 'pending' && matching.met) this.state = 'approved';
  }

  view(): GateView {
    return {
      gateId: this.gateId,
      stepId: this.stepId,
      message: this.message,
      requester: principalChain(this.requester),
      openedAt: this.openedAt,
      state: this.state,
      required: [...this.required],
      decisions: [...this.decisions],
      rejected: [...this.rejected],
      reason: this.reason,
      subject: this.subject,
    };
  }
}
