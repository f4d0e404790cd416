/**
 * The gate's quorum with approvers in more than one required group: an approval counts iff it enlarges the maximum
 * matching of approvers to groups, earlier approvals move to another of their groups to make room (and the view shows
 * where each counts now), and an escalation matches the approvals already given to the new groups.
 */
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/shared/principal.js';
import { ApprovalGate, type ApproverRequirement } from '../../src/workflows/approval-gate.js';

const requester: Principal = { id: 'requester', kind: 'human', groups: [] };
const members: Record<string, string[]> = { alice: ['dba', 'owners'], bob: ['dba'], carol: ['dba'], dave: ['sre'], erin: ['sre-leads'] };

const gateFor = (required: ApproverRequirement[]) => new ApprovalGate('gate', 'gate', 'Flip the switch?', requester, required, '2026-11-24T02:00:00.000Z');
const approve = (gate: ApprovalGate, id: string, groups = members[id] ?? []) => gate.offer({ gateId: 'gate', decision: 'approve', approver: { id, groups }, at: `2026-11-24T02:0${gate.view().decisions.length + 1}:00.000Z` });
/** Where each accepted approval counts now, as the view shows it. */
const countedToward = (gate: ApprovalGate) => Object.fromEntries(gate.view().decisions.map((d) => [d.approver, d.group]));

const dbaAndOwners = [
  { group: 'dba', count: 1 },
  { group: 'owners', count: 1 },
];

describe('approval gate: approvers in several required groups', () => {
  it('counts bob (dba) after alice (dba, owners) by moving alice to owners, and in the other order too', () => {
    const aliceFirst = gateFor(dbaAndOwners);
    expect(approve(aliceFirst, 'alice')).toEqual({ accepted: true, settled: false });
    expect(countedToward(aliceFirst)).toEqual({ alice: 'dba' });
    expect(approve(aliceFirst, 'bob')).toEqual({ accepted: true, settled: true });
    expect(aliceFirst.current).toBe('approved');
    expect(countedToward(aliceFirst)).toEqual({ alice: 'owners', bob: 'dba' });

    const bobFirst = gateFor(dbaAndOwners);
    approve(bobFirst, 'bob');
    expect(approve(bobFirst, 'alice')).toEqual({ accepted: true, settled: true });
    expect(countedToward(bobFirst)).toEqual({ bob: 'dba', alice: 'owners' });
  });

  it('follows a two-step augmenting path: z takes dba from x, x takes sre from y, y moves to owners', () => {
    const gate = gateFor([
      { group: 'dba', count: 1 },
      { group: 'sre', count: 1 },
      { group: 'owners', count: 1 },
    ]);
    approve(gate, 'x', ['dba', 'sre']);
    approve(gate, 'y', ['sre', 'owners']);
    expect(countedToward(gate)).toEqual({ x: 'dba', y: 'sre' });
    expect(approve(gate, 'z', ['dba'])).toEqual({ accepted: true, settled: true });
    expect(countedToward(gate)).toEqual({ x: 'sre', y: 'owners', z: 'dba' });
  });

  it('refuses an approver who cannot enlarge the matching, and still counts one who can', () => {
    const gate = gateFor([...dbaAndOwners, { group: 'sre', count: 1 }]);
    approve(gate, 'alice');
    expect(approve(gate, 'bob')).toEqual({ accepted: true, settled: false });
    expect(approve(gate, 'carol')).toEqual({ accepted: false, reason: 'the groups this approver belongs to have already reached their quorum' });
    expect(gate.view().rejected.map((r) => r.approver)).toEqual(['carol']);
    expect(approve(gate, 'dave')).toEqual({ accepted: true, settled: true });
    expect(countedToward(gate)).toEqual({ alice: 'owners', bob: 'dba', dave: 'sre' });
  });
});

describe('approval gate: escalation', () => {
  it('counts the approvals already given toward the groups it escalates to, and approves at once when they suffice', () => {
    const gate = gateFor([{ group: 'dba', count: 3 }]);
    approve(gate, 'alice');
    approve(gate, 'bob');
    gate.escalate(dbaAndOwners);
    expect(gate.current).toBe('approved');
    expect(countedToward(gate)).toEqual({ alice: 'owners', bob: 'dba' });
  });

  it('keeps an approval that fits none of the new groups on record without counting it, and waits for the new groups', () => {
    const gate = gateFor([{ group: 'dba', count: 2 }]);
    approve(gate, 'bob');
    gate.escalate([{ group: 'sre-leads', count: 1 }]);
    expect(gate.current).toBe('pending');
    expect(countedToward(gate)).toEqual({ bob: undefined });
    expect(approve(gate, 'erin')).toEqual({ accepted: true, settled: true });
    expect(countedToward(gate)).toEqual({ bob: undefined, erin: 'sre-leads' });
  });
});

describe('approval gate: gates opened before the matching', () => {
  // Their runs must replay as they ran: each approver counted toward the first of its groups still open.
  const legacyGate = (required: ApproverRequirement[]) => new ApprovalGate('gate', 'gate', 'Flip the switch?', requester, required, '2026-11-24T02:00:00.000Z', undefined, { firstOpenGroup: true });

  it('still count alice toward dba and turn bob away, as they did', () => {
    const gate = legacyGate(dbaAndOwners);
    approve(gate, 'alice');
    expect(approve(gate, 'bob')).toEqual({ accepted: false, reason: 'the groups this approver belongs to have already reached their quorum' });
    expect(countedToward(gate)).toEqual({ alice: 'dba' });
    expect(gate.current).toBe('pending');
  });

  it('do not count earlier approvals toward the groups they escalate to', () => {
    const gate = legacyGate([{ group: 'dba', count: 2 }]);
    approve(gate, 'alice');
    gate.escalate([{ group: 'owners', count: 1 }]);
    expect(gate.current).toBe('pending');
  });
});
