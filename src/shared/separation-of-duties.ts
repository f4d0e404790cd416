/**
 * Who may never approve a request: the requester, every principal it acts on behalf of, and an agent's owner.
 * Pure: the workflow's gate and the execution-time verification share this one rule.
 */
import type { Principal } from './principal.js';

export function conflictedApprovers(requester: Principal): Set<string> {
  const ids = new Set<string>();
  for (let p: Principal | undefined = requester; p; p = p.onBehalfOf) {
    ids.add(p.id);
    if (p.owner) ids.add(p.owner);
  }
  return ids;
}
