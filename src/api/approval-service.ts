/**
 * The approval service: lists the gates waiting for a person, and turns an authenticated person's decision into a
 * signed signal. It is the only holder of the signing key; the workflow and the SQL activity verify what it signs.
 * Every answer says what the run was seen to make of a decision (counted, quorum reached, denied, or rejected with the
 * reason); when no answer confirmed it in time, it says just that: sent, outcome not yet known.
 */
import type { Client } from '@temporalio/client';
import type { KeyObject } from 'node:crypto';
import { signApproval } from '../approvals/signed-approval.js';
import type { Principal } from '../shared/principal.js';
import { RUNBOOK } from '../shared/search-attributes.js';
import { conflictedApprovers } from '../shared/separation-of-duties.js';
import { approvalSignal } from '../workflows/definitions.js';
import type { GateView } from '../workflows/approval-gate.js';
import { allGates, pendingGates, pendingGatesFromMemo, requesterOf } from './gate-queries.js';
import { mapLimit } from '../shared/map-limit.js';

/** How far one required group has come: `have` of `count` approvals. */
export interface GateProgress {
  readonly group: string;
  readonly count: number;
  readonly have: number;
}

export interface PendingGate extends GateView {
  readonly workflowId: string;
  readonly runbook: string;
  /** Whether the caller may decide this gate, and if not, why. */
  readonly eligible: boolean;
  readonly ineligibleReason?: string;
  /** What is still needed, e.g. "1 of 2 dba". */
  readonly needs: string;
  /** The same, per required group. */
  readonly progress: readonly GateProgress[];
}

export type DecisionOutcome =
  /** Counted toward the quorum; `needs` says how far the gate has come, e.g. "1 of 2 dba". */
  | { readonly status: 'counted'; readonly needs: string; readonly gate: GateView }
  | { readonly status: 'quorum_reached' | 'denied'; readonly gate: GateView }
  /** Not counted: the run's reason, or how the gate closed before the decision reached it. */
  | { readonly status: 'rejected'; readonly reason: string; readonly gate: GateView }
  /** Signalled, but no answer from the run showed what it made of it. */
  | { readonly status: 'sent'; readonly reason: string; readonly gate?: undefined };

export class ApprovalError extends Error {
  constructor(
    readonly statusCode: 403 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

export interface ApprovalServiceDeps {
  readonly client: Client;
  readonly privateKey: KeyObject;
  readonly now?: () => Date;
}

/** How many runs the inbox asks for their gates at once. */
const LIST_CONCURRENCY = 8;

/** How long a decision waits for the run to show what it made of it (a workflow task, or a local activity when the gate asks the worker). */
const OUTCOME_WAIT_MS = 5_000;

function progress(gate: GateView): GateProgress[] {
  return gate.required.map((r) => ({ group: r.group, count: r.count, have: gate.decisions.filter((d) => d.decision === 'approve' && d.group === r.group).length }));
}

function needs(gate: GateView): string {
  return progress(gate).map((p) => `${p.have} of ${p.count} ${p.group}`).join(', ');
}

/** Why nobody can decide a gate any more, in the words an approver reads. */
export function closedReason(gate: GateView): string {
  const why = gate.reason ? `: ${gate.reason}` : '';
  switch (gate.state) {
    case 'approved':
      return 'it is already approved (quorum reached)';
    case 'denied':
      return `it is already decided${why}`;
    case 'expired':
      return `it expired${why}`;
    case 'cancelled':
      return `it was cancelled${why}`;
    case 'pending':
      return 'it is still pending';
  }
}

/**
 * What the run made of the decision `approver` signalled at `at`, as far as `gate` shows it; undefined while it shows
 * nothing yet. Decisions are matched by their time stamp too, so an earlier one of the same approver is not taken for it.
 */
export function outcomeOf(gate: GateView, approver: string, at: string): DecisionOutcome | undefined {
  const rejected = gate.rejected.find((r) => r.approver === approver && r.at === at);
  if (rejected) return { status: 'rejected', reason: rejected.reason, gate };
  const taken = gate.decisions.find((d) => d.approver === approver && d.at === at);
  if (taken?.decision === 'deny') return { status: 'denied', gate };
  if (taken) return gate.state === 'approved' ? { status: 'quorum_reached', gate } : { status: 'counted', needs: needs(gate), gate };
  // The run drops a decision for a gate that has closed: it will never count.
  if (gate.state !== 'pending') return { status: 'rejected', reason: `the gate closed before your decision reached it: ${closedReason(gate)}`, gate };
  return undefined;
}

/** How `id` is tied to the request, in the approver's words; `id` is one of conflictedApprovers(requester). */
function conflictOf(requester: Principal, id: string): string {
  if (requester.id === id) return 'you requested this';
  for (let p: Principal | undefined = requester; p; p = p.onBehalfOf) {
    if (p.owner === id) return `you own ${p.kind} ${p.id}, which ${p === requester ? 'requested this' : 'this was requested for'}`;
    if (p.id === id) return 'it was requested on your behalf';
  }
  return 'you are in the requester chain';
}

/** `requester` undefined: the run's start could not be read, so whose request it is can't be checked. */
function eligibility(gate: GateView, caller: Principal, requester: Principal | undefined): { eligible: boolean; reason?: string } {
  if (gate.state !== 'pending') return { eligible: false, reason: closedReason(gate) };
  // Approving is a person's judgment: agents and services may request, never approve.
  if (caller.kind !== 'human') return { eligible: false, reason: `a ${caller.kind} cannot approve; approvals come from people` };
  if (!requester) return { eligible: false, reason: `the run's requester can't be read, so separation of duties can't be checked (${gate.requester})` };
  // The gate's and execution's own rule, applied before signing: the run would reject these decisions anyway.
  if (conflictedApprovers(requester).has(caller.id)) return { eligible: false, reason: `${conflictOf(requester, caller.id)} (separation of duties)` };
  if (gate.decisions.some((d) => d.approver === caller.id)) return { eligible: false, reason: 'you have already decided' };
  // The groups the caller authenticated with: the identities file's for a token, the provider's claim for an OIDC JWT.
  if (!gate.required.some((r) => caller.groups.includes(r.group))) return { eligible: false, reason: `needs a member of ${gate.required.map((r) => r.group).join(' or ')}` };
  return { eligible: true };
}

export function createApprovalService(deps: ApprovalServiceDeps) {
  const now = deps.now ?? (() => new Date());

  const gatesOf = (workflowId: string): Promise<GateView[]> => pendingGates(deps.client, workflowId);
  // Unreadable counts as unknown, which eligibility refuses: separation of duties is never skipped.
  const requester = (workflowId: string): Promise<Principal | undefined> => requesterOf(deps.client, workflowId).catch(() => undefined);

  const detail = (gate: GateView, caller: Principal, workflowId: string, runbook: string, by: Principal | undefined): PendingGate => {
    const e = eligibility(gate, caller, by);
    return { ...gate, workflowId, runbook, eligible: e.eligible, ineligibleReason: e.reason, needs: needs(gate), progress: progress(gate) };
  };

  /**
   * The gate a decision is for, from the run's memo when it names it (the fast path: the server answers, no worker),
   * else asked of the run. A memo a moment stale is harmless: the run itself judges every decision it is sent.
   */
  const gateToDecide = async (workflowId: string, gateId: string | undefined): Promise<GateView> => {
    const published = await pendingGatesFromMemo(deps.client, workflowId).catch(() => undefined);
    const gate = gateId ? published?.find((g) => g.gateId === gateId) : published?.length === 1 ? published[0] : undefined;
    return gate ?? service.get(workflowId, gateId);
  };

  const service = {
    /** Every pending gate, oldest first; `mine` keeps the ones the caller may decide. */
    async list(caller: Principal, mine: boolean): Promise<PendingGate[]> {
      const runs: { workflowId: string; runbook: string }[] = [];
      for await (const run of deps.client.workflow.list({ query: `VigilPendingApproval = true AND ExecutionStatus = 'Running'` })) {
        runs.push({ workflowId: run.workflowId, runbook: String(run.typedSearchAttributes.get(RUNBOOK) ?? run.type) });
      }
      // Asked side by side: a run whose worker is down waits out its query deadline without holding up the others.
      const answers = await mapLimit(runs, LIST_CONCURRENCY, async (run) => {
        try {
          const [gates, by] = await Promise.all([gatesOf(run.workflowId), requester(run.workflowId)]);
          return { run, gates, by };
        } catch {
          return { run, gates: [] as GateView[], by: undefined }; // closed between listing and querying, or no worker to answer
        }
      });
      const out: PendingGate[] = [];
      for (const { run, gates, by } of answers) {
        for (const gate of gates) {
          const shown = detail(gate, caller, run.workflowId, run.runbook, by);
          if (mine && !shown.eligible) continue;
          out.push(shown);
        }
      }
      return out.sort((a, b) => a.openedAt.localeCompare(b.openedAt));
    },

    /**
     * One gate of a run, pending or closed, as the caller sees it: whether they may decide it and why not.
     * A closed gate stays readable, so a link from chat that arrives late says what happened instead of "not found".
     */
    async view(caller: Principal, workflowId: string, gateId: string): Promise<PendingGate> {
      let gates: GateView[];
      let runbook: string;
      const by = requester(workflowId);
      try {
        const handle = deps.client.workflow.getHandle(workflowId);
        const described = await handle.describe();
        runbook = String(described.typedSearchAttributes.get(RUNBOOK) ?? described.type);
        gates = await allGates(deps.client, workflowId);
      } catch {
        throw new ApprovalError(404, `no run ${workflowId} that answers (unknown run, or no worker to answer for it)`);
      }
      const gate = gates.find((g) => g.gateId === gateId);
      if (!gate) throw new ApprovalError(404, `run ${workflowId} has no gate ${gateId}`);
      return detail(gate, caller, workflowId, runbook, await by);
    },

    async get(workflowId: string, gateId?: string): Promise<GateView> {
      let gates: GateView[];
      try {
        gates = await gatesOf(workflowId);
      } catch {
        throw new ApprovalError(404, `no running run ${workflowId}`);
      }
      if (!gateId) {
        if (gates.length === 1) return gates[0] as GateView;
        throw new ApprovalError(gates.length === 0 ? 404 : 409, gates.length === 0 ? `run ${workflowId} has no pending gate` : `run ${workflowId} has ${gates.length} pending gates: name one (${gates.map((g) => g.gateId).join(', ')})`);
      }
      const gate = gates.find((g) => g.gateId === gateId);
      if (!gate) {
        // Say how it closed when it did: "already decided" and "expired" are answers, "not found" is not.
        const closed = (await allGates(deps.client, workflowId).catch(() => [] as GateView[])).find((g) => g.gateId === gateId);
        if (closed) throw new ApprovalError(409, `you can't decide this gate: ${closedReason(closed)}`);
        throw new ApprovalError(404, `gate ${gateId} of ${workflowId} is not pending (decided, expired, or never opened)`);
      }
      return gate;
    },

    async decide(caller: Principal, workflowId: string, gateId: string | undefined, decision: 'approve' | 'deny', comment?: string): Promise<DecisionOutcome> {
      const [gate, by] = await Promise.all([gateToDecide(workflowId, gateId), requester(workflowId)]);
      const e = eligibility(gate, caller, by);
      if (!e.eligible) throw new ApprovalError(403, `you can't decide this gate: ${e.reason}`);
      const at = now().toISOString();
      // The groups are signed in, so the run counts an approver the identities file doesn't know (OIDC) by them.
      const groups = [...caller.groups].sort();
      const claims = { workflowId, gateId: gate.gateId, statementHash: gate.subject?.statementHash ?? '', decision, approver: caller.id, at, groups };
      const signature = signApproval(claims, deps.privateKey);
      try {
        await deps.client.workflow.getHandle(workflowId).signal(approvalSignal, { gateId: gate.gateId, decision, approver: { id: caller.id, groups }, comment, at, signature });
      } catch (error) {
        // The signal failed. Most likely the run ended since the check (its gate expired): say so rather than fail.
        const closed = (await allGates(deps.client, workflowId).catch(() => [] as GateView[])).find((g) => g.gateId === gate.gateId && g.state !== 'pending');
        if (closed) throw new ApprovalError(409, `you can't decide this gate: ${closedReason(closed)}`);
        throw error;
      }
      // Asks for every gate, closed ones too: only the run's own record of this decision, or of how the gate closed, is an answer.
      const until = Date.now() + OUTCOME_WAIT_MS;
      const within = `within ${OUTCOME_WAIT_MS / 1000} s`;
      let unanswered = `the run had not shown your decision ${within}`;
      while (Date.now() < until) {
        try {
          const current = (await allGates(deps.client, workflowId, Math.max(until - Date.now(), 1))).find((g) => g.gateId === gate.gateId);
          const outcome = current && outcomeOf(current, caller.id, at);
          if (outcome) return outcome;
        } catch (error) {
          unanswered = `no answer from the run ${within} (${(error as Error).message}): is a worker running?`;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      return { status: 'sent', reason: unanswered };
    },
  };
  return service;
}

export type ApprovalService = ReturnType<typeof createApprovalService>;
