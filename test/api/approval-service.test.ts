/**
 * What the approval service answers after it signals a decision, against a stand-in for one run (the real gate state
 * machine behind a fake Temporal client): only what the run was seen to do, never a guess. The paths a live run
 * rarely takes on cue are here: the gate closing before the decision reaches it, no worker answering, a run that
 * ended before the signal, a start that can't be read.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApprovalService } from '../../src/api/approval-service.js';
import { loadIdentitiesFile } from '../../src/governance/identity.js';
import type { Principal } from '../../src/shared/principal.js';
import { ApprovalGate, type ApprovalSignal } from '../../src/workflows/approval-gate.js';
import { gatesQuery, pendingGatesQuery } from '../../src/workflows/definitions.js';

const identities = loadIdentitiesFile('identities/dev.yaml');
const person = (id: string) => identities.principal(id) as Principal;

/** What the stand-in run does with a signal, like the workflow's handler; `drop` is what it does for a closed gate. */
type OnSignal = (gate: ApprovalGate, signal: ApprovalSignal) => void;
const verifyAndOffer: OnSignal = (gate, signal) => {
  const groups = identities.groupsOf(signal.approver.id);
  if (!groups) gate.reject(signal, `unknown approver "${signal.approver.id}"`);
  else gate.offer({ ...signal, approver: { id: signal.approver.id, groups } });
};

interface FakeRun {
  readonly gate: ApprovalGate;
  onSignal?: OnSignal;
  /** After the signal, queries fail (no worker answers). */
  queriesFail?: boolean;
  /** The run ends as the signal goes (this closes its gate), so the signal RPC fails. */
  endsFirst?: (gate: ApprovalGate) => void;
  /** The start event can't be read. */
  noHistory?: boolean;
}

function fakeClient(run: FakeRun): Client {
  let signalled = false;
  const handle = {
    async query(def: { name: string }) {
      if (signalled && run.queriesFail) throw new Error('4 DEADLINE_EXCEEDED: Deadline exceeded');
      const all = [run.gate.view()];
      if (def.name === gatesQuery.name) return all;
      if (def.name === pendingGatesQuery.name) return all.filter((g) => g.state === 'pending');
      throw new Error(`unexpected query ${def.name}`);
    },
    async signal(_def: unknown, signal: ApprovalSignal) {
      if (run.endsFirst) {
        run.endsFirst(run.gate);
        throw new Error('workflow execution already completed');
      }
      signalled = true;
      // The workflow verifies in a local activity first: the gate shows the decision a moment later, not at once.
      setTimeout(() => (run.onSignal ?? verifyAndOffer)(run.gate, signal), 20);
    },
  };
  const started = { workflowExecutionStartedEventAttributes: { input: { payloads: [defaultPayloadConverter.toPayload({ principal: person('alice') })] } } };
  return {
    options: { namespace: 'default' },
    connection: { withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn() },
    workflow: { getHandle: () => handle },
    workflowService: {
      async getWorkflowExecutionHistory() {
        if (run.noHistory) throw new Error('history unavailable');
        return { history: { events: [started] } };
      },
    },
  } as unknown as Client;
}

const gateFor = (required: { group: string; count: number }[]) => new ApprovalGate('gate', 'gate', 'Flip the switch?', person('alice'), required, '2026-11-24T02:00:00.000Z');
const serviceFor = (run: FakeRun) => createApprovalService({ client: fakeClient(run), privateKey: generateKeyPairSync('ed25519').privateKey });

describe('approval service: what a decision is answered with', () => {
  afterEach(() => vi.useRealTimers());

  it('counted, with how far the gate has come', async () => {
    const outcome = await serviceFor({ gate: gateFor([{ group: 'dba', count: 2 }]) }).decide(person('bob'), 'wf', 'gate', 'approve');
    expect(outcome).toMatchObject({ status: 'counted', needs: '1 of 2 dba', gate: { state: 'pending' } });
  });

  it('quorum reached, and denied, only when the gate shows it', async () => {
    expect(await serviceFor({ gate: gateFor([{ group: 'dba', count: 1 }]) }).decide(person('bob'), 'wf', 'gate', 'approve')).toMatchObject({ status: 'quorum_reached', gate: { state: 'approved' } });
    expect(await serviceFor({ gate: gateFor([{ group: 'dba', count: 1 }]) }).decide(person('bob'), 'wf', 'gate', 'deny', 'not now')).toMatchObject({ status: 'denied', gate: { state: 'denied', reason: 'denied by bob: not now' } });
  });

  it('counted toward where the gate moved it: carol (dba, sre) makes room in sre for bob (dba), and the quorum is reached', async () => {
    const gate = gateFor([
      { group: 'dba', count: 1 },
      { group: 'sre', count: 1 },
    ]);
    expect(await serviceFor({ gate }).decide(person('carol'), 'wf', 'gate', 'approve')).toMatchObject({ status: 'counted', needs: '1 of 1 dba, 0 of 1 sre' });
    expect(await serviceFor({ gate }).decide(person('bob'), 'wf', 'gate', 'approve')).toMatchObject({ status: 'quorum_reached', gate: { state: 'approved' } });
    expect(gate.view().decisions.map((d) => `${d.approver}: ${d.group}`)).toEqual(['carol: sre', 'bob: dba']);
  });

  it("rejected with the run's reason", async () => {
    const run: FakeRun = { gate: gateFor([{ group: 'dba', count: 1 }]), onSignal: (gate, signal) => gate.reject(signal, 'signature does not verify') };
    expect(await serviceFor(run).decide(person('bob'), 'wf', 'gate', 'approve')).toMatchObject({ status: 'rejected', reason: 'signature does not verify', gate: { state: 'pending' } });
  });

  it('rejected with how the gate closed when it closed before the decision reached it (the run drops it)', async () => {
    const run: FakeRun = { gate: gateFor([{ group: 'dba', count: 1 }]), onSignal: (gate) => gate.close('expired', 'no decision within 1000ms') };
    expect(await serviceFor(run).decide(person('bob'), 'wf', 'gate', 'approve')).toMatchObject({
      status: 'rejected',
      reason: 'the gate closed before your decision reached it: it expired: no decision within 1000ms',
      gate: { state: 'expired' },
    });
    const denied: FakeRun = { gate: gateFor([{ group: 'dba', count: 1 }]), onSignal: (gate) => gate.close('cancelled', 'the run was cancelled') };
    expect(await serviceFor(denied).decide(person('bob'), 'wf', 'gate', 'deny')).toMatchObject({ status: 'rejected', reason: expect.stringContaining('it was cancelled: the run was cancelled') });
  });

  it('sent, outcome not yet known, when no answer confirms it', async () => {
    vi.useFakeTimers();
    const answer = serviceFor({ gate: gateFor([{ group: 'dba', count: 1 }]), queriesFail: true }).decide(person('bob'), 'wf', 'gate', 'approve');
    await vi.advanceTimersByTimeAsync(6_000);
    expect(await answer).toEqual({ status: 'sent', reason: 'no answer from the run within 5 s (4 DEADLINE_EXCEEDED: Deadline exceeded): is a worker running?' });

    // The run answers but never shows the decision (a worker that drops it): still only "sent".
    const silent = serviceFor({ gate: gateFor([{ group: 'dba', count: 1 }]), onSignal: () => undefined }).decide(person('bob'), 'wf', 'gate', 'approve');
    await vi.advanceTimersByTimeAsync(6_000);
    expect(await silent).toEqual({ status: 'sent', reason: 'the run had not shown your decision within 5 s' });
  });

  it('refused with how the gate closed when the signal fails because the run has ended', async () => {
    const run: FakeRun = { gate: gateFor([{ group: 'dba', count: 1 }]), endsFirst: (gate) => gate.close('expired', 'no decision within 1000ms') };
    await expect(serviceFor(run).decide(person('bob'), 'wf', 'gate', 'approve')).rejects.toMatchObject({ statusCode: 409, message: "you can't decide this gate: it expired: no decision within 1000ms" });
  });

  it("refuses when the run's requester can't be read, rather than skip separation of duties", async () => {
    const service = serviceFor({ gate: gateFor([{ group: 'dba', count: 1 }]), noHistory: true });
    await expect(service.decide(person('bob'), 'wf', 'gate', 'approve')).rejects.toMatchObject({ statusCode: 403, message: expect.stringContaining("the run's requester can't be read") });
  });
});
