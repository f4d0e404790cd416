/**
 * Counting approvers toward several groups' quorums at once: a maximum matching, not the first open group.
 * Each row is the requirements, the approvers in arrival order, and whom each counts toward and what is still missing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchApprovers, type Approver, type QuorumRequirement } from '../../src/approvals/match-approvers.js';

const alice = { id: 'alice', groups: ['dba', 'owners'] };
const bob = { id: 'bob', groups: ['dba'] };
const carol = { id: 'carol', groups: ['dba'] };
const dbaAndOwners = [
  { group: 'dba', count: 1 },
  { group: 'owners', count: 1 },
];

describe('matchApprovers', () => {
  it.each<[string, QuorumRequirement[], Approver[], Record<string, string>, Record<string, number>]>([
    [
      'a two-step augmenting path: z takes dba from x, x takes sre from y, y moves to owners',
      [
        { group: 'dba', count: 1 },
        { group: 'sre', count: 1 },
        { group: 'owners', count: 1 },
      ],
      [
        { id: 'x', groups: ['dba', 'sre'] },
        { id: 'y', groups: ['sre', 'owners'] },
        { id: 'z', groups: ['dba'] },
      ],
      { x: 'sre', y: 'owners', z: 'dba' },
      { dba: 0, sre: 0, owners: 0 },
    ],
    [
      'a useless approver (carol, only dba, once alice and bob fill dba and owners) is not counted',
      [...dbaAndOwners, { group: 'sre', count: 1 }],
      [alice, bob, carol],
      { alice: 'owners', bob: 'dba' },
      { dba: 0, owners: 0, sre: 1 },
    ],
    [
      'a quorum of two with a swap: carol is counted once alice moves to owners',
      [
        { group: 'dba', count: 2 },
        { group: 'owners', count: 1 },
      ],
      [alice, bob, carol],
      { alice: 'owners', bob: 'dba', carol: 'dba' },
      { dba: 0, owners: 0 },
    ],
  ])('%s', (_name, required, approvers, groups, missing) => {
    const matching = matchApprovers(required, approvers);
    expect(Object.fromEntries(matching.counted.map((c) => [c.approver, c.group]))).toEqual(groups);
    expect(Object.fromEntries(matching.needs.map((n) => [n.group, n.missing]))).toEqual(missing);
    expect(matching.met).toBe(Object.values(missing).every((n) => n === 0));
  });

  it('counts alice (dba, owners) and bob (dba) toward both groups whichever approves first, in arrival order', () => {
    for (const approvers of [
      [alice, bob],
      [bob, alice],
    ]) {
      const matching = matchApprovers(dbaAndOwners, approvers);
      expect(matching.counted).toEqual(approvers.map((a) => ({ approver: a.id, group: a === alice ? 'owners' : 'dba' })));
      expect(matching).toMatchObject({ met: true, needs: [{ group: 'dba', missing: 0 }, { group: 'owners', missing: 0 }] });
    }
  });

  it('moves an earlier approver only when that is the only way to count a later one', () => {
    const erin = { id: 'erin', groups: ['dba', 'owners'] };
    // erin fits the free owners slot: alice stays in dba.
    expect(matchApprovers(dbaAndOwners, [alice, erin]).counted).toEqual([{ approver: 'alice', group: 'dba' }, { approver: 'erin', group: 'owners' }]);
    // bob fits only dba: alice moves.
    expect(matchApprovers(dbaAndOwners, [alice, bob]).counted).toEqual([{ approver: 'alice', group: 'owners' }, { approver: 'bob', group: 'dba' }]);
  });

  it('counts a repeated approver once (its second entry does not take the slot bob needs), and nobody outside the groups', () => {
    const matching = matchApprovers(dbaAndOwners, [alice, alice, { id: 'dave', groups: ['sre'] }, bob]);
    expect(matching.counted).toEqual([{ approver: 'alice', group: 'owners' }, { approver: 'bob', group: 'dba' }]);
    expect(matching.met).toBe(true);
  });

  // Against brute force on small random gates: the matching is maximum, an approver counted stays counted as others
  // arrive, and one not counted on arrival adds nothing to the maximum (so the gate may refuse it for good).
  it('is a maximum matching that never uncounts an earlier approver', () => {
    const groupNames = ['a', 'b', 'c'];
    const requirements = fc.uniqueArray(fc.record({ group: fc.constantFrom(...groupNames), count: fc.integer({ min: 0, max: 2 }) }), { selector: (r) => r.group, minLength: 1 });
    const approvers = fc.array(fc.subarray(groupNames), { maxLength: 6 }).map((gs) => gs.map((groups, i) => ({ id: `p${i}`, groups })));
    fc.assert(
      fc.property(requirements, approvers, (required, all) => {
        let before = new Set<string>();
        for (let n = 1; n <= all.length; n++) {
          const prefix = all.slice(0, n);
          const matching = matchApprovers(required, prefix);
          const counted = new Set(matching.counted.map((c) => c.approver));
          expect(matching.counted.length).toBe(maximumMatching(required, prefix));
          for (const id of before) expect(counted.has(id)).toBe(true);
          expect(counted.has(`p${n - 1}`)).toBe(maximumMatching(required, prefix) > maximumMatching(required, prefix.slice(0, -1)));
          for (const c of matching.counted) expect(prefix.find((p) => p.id === c.approver)?.groups).toContain(c.group);
          before = counted;
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** The size of a maximum matching by trying every choice (each approver: one of its groups with room, or none). */
function maximumMatching(required: readonly QuorumRequirement[], approvers: readonly Approver[]): number {
  const room = new Map(required.map((r) => [r.group, r.count]));
  const best = (i: number): number => {
    const approver = approvers[i];
    if (!approver) return 0;
    let most = best(i + 1);
    for (const group of approver.groups) {
      const left = room.get(group) ?? 0;
      if (left === 0) continue;
      room.set(group, left - 1);
      most = Math.max(most, 1 + best(i + 1));
      room.set(group, left);
    }
    return most;
  };
  return best(0);
}
