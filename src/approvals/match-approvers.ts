/**
 * Which group each approver counts toward when a gate needs quorums from several groups at once and one person
 * belongs to more than one of them. Counting each approver toward the first group still open can stall a gate that
 * could be met (alice in dba and owners counted for dba, then bob who is only in dba turned away while owners waits);
 * this computes a maximum matching of approvers to the requirements' slots instead (augmenting paths).
 *
 * Pure and deterministic, no imports: the workflow's gate runs it in the Temporal sandbox, and the execution-time
 * verification runs the same rule. Approvers are inserted in arrival order, so an approver once counted stays
 * counted (possibly moved to another of its groups), and one that cannot be counted when it arrives never can be
 * under the same requirements (they form a transversal matroid): refusing it at once is final.
 */

export interface QuorumRequirement {
  readonly group: string;
  readonly count: number;
}

export interface Approver {
  readonly id: string;
  readonly groups: readonly string[];
}

export interface ApproverMatching {
  /** The approvers that count and the group each counts toward, in arrival order. */
  readonly counted: readonly { readonly approver: string; readonly group: string }[];
  /** Per requirement, in the order given: how many more approvers it needs (0 once met). */
  readonly needs: readonly { readonly group: string; readonly missing: number }[];
  /** Every requirement is met. */
  readonly met: boolean;
}

/**
 * A maximum matching of `approvers` (in arrival order; ids unique, a repeated id is ignored) to `required`.
 * Stable: each new approver takes a free slot it fits when there is one, and moves earlier approvers (along an
 * augmenting path) only when that is the only way to count it; an earlier approver is never uncounted.
 */
export function matchApprovers(required: readonly QuorumRequirement[], approvers: readonly Approver[]): ApproverMatching {
  // One slot per approval a requirement needs, each held by at most one approver.
  const slots: Slot[] = required.flatMap((r, requirement) => Array.from({ length: Math.max(0, r.count) }, () => ({ requirement, group: r.group, holder: undefined })));

  // Seats `approver`: in a free slot it fits if there is one, else in a slot whose holder can move to another.
  // `visited` holds the slots this search has already tried to free, so each is tried once.
  const seat = (approver: Approver, visited: Set<Slot>): boolean => {
    const fitting = slots.filter((slot) => !visited.has(slot) && approver.groups.includes(slot.group));
    const free = fitting.find((slot) => slot.holder === undefined);
    if (free) {
      free.holder = approver;
      return true;
    }
    for (const slot of fitting) {
      if (visited.has(slot) || !slot.holder) continue;
      visited.add(slot);
      if (seat(slot.holder, visited)) {
        slot.holder = approver;
        return true;
      }
    }
    return false;
  };

  const seen = new Set<string>();
  const arrived = approvers.filter((approver) => !seen.has(approver.id) && seen.add(approver.id));
  for (const approver of arrived) seat(approver, new Set());

  const counted = arrived.flatMap((approver) => {
    const slot = slots.find((s) => s.holder === approver);
    return slot ? [{ approver: approver.id, group: slot.group }] : [];
  });
  const needs = required.map((r, requirement) => ({ group: r.group, missing: slots.filter((s) => s.requirement === requirement && !s.holder).length }));
  return { counted, needs, met: needs.every((n) => n.missing === 0) };
}

interface Slot {
  readonly requirement: number;
  readonly group: string;
  holder: Approver | undefined;
}
