/**
 * The patches a run's code branches on, so that runs recorded before each change replay without the commands it
 * added. New runs decide all of them in their first workflow task. A patch first asked for right after a local
 * activity is fragile: the code after the activity may have run a workflow task later than it does on replay, and a
 * replay only sees the patch markers of the task it is in, so it would take the old branch.
 */
import { patched } from '@temporalio/workflow';

export const PATCH = {
  /** A SQL step's policy check is a local activity. */
  LOCAL_SQL_CHECK: 'vigil-local-sql-check',
  /** An escalated gate tells the groups it escalates to. */
  RENOTIFY_ON_ESCALATION: 'vigil-renotify-on-escalation',
  /** Decisions a gate did not count, and an approver's denial of a statement, are recorded in the audit store. */
  AUDIT_GATE_DECISIONS: 'vigil-audit-gate-decisions',
  /** Pending gates are kept in the memo too. */
  GATES_IN_MEMO: 'vigil-gates-in-memo',
  /** A gate records the approval key when it opens and checks signatures itself. */
  GATE_CHECKS_SIGNATURES: 'vigil-gate-checks-signatures',
  /** A gate counts approvers by a maximum matching to the groups, not toward the first group still open. */
  MATCHED_QUORUM: 'vigil-matched-quorum',
} as const;

const DECIDED_AT_START = 'vigil-patches-decided-at-start';

/** Call first in the workflow. Runs started before it keep deciding each patch where the code first asks. */
export function decidePatchesAtStart(): void {
  if (patched(DECIDED_AT_START)) for (const id of Object.values(PATCH)) patched(id);
}
