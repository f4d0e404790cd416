/**
 * Tells Temporal what a run's gates wait for, each time one opens, counts a decision or closes: the search attribute
 * that lists runs waiting for approval, and (runs started since the patch) the pending gates themselves in the
 * memo, so that deciding reads them from the server instead of querying a worker.
 */
import { patched, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import { PENDING_APPROVAL } from '../shared/search-attributes.js';
import type { ApprovalGate } from './approval-gate.js';
import { PENDING_GATES_MEMO } from './definitions.js';
import { PATCH } from './patches.js';

export function publishGates(gates: Iterable<ApprovalGate>): void {
  const pending = [...gates].filter((g) => !g.settled);
  upsertSearchAttributes([{ key: PENDING_APPROVAL, value: pending.length > 0 }]);
  if (patched(PATCH.GATES_IN_MEMO)) upsertMemo({ [PENDING_GATES_MEMO]: pending.map((g) => g.view()) });
}
