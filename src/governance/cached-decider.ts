/**
 * Decisions remembered per classified statement and context. `decide` is a pure function of the classification,
 * the context and the loaded policy (conditions can't read the clock or anything else), so the same statement from
 * the same principal in the same step gets the same answer; an agent's tight loop of lookups pays for CEL once.
 * The classifier's cache hands out one Classification object per text, which keys the memo; a statement that falls
 * out of that cache takes its decisions with it.
 */
import { principalChain } from '../shared/principal.js';
import { decide, type DecisionInput } from './decide.js';
import type { Policy } from './policy.js';
import type { Classification, Decision } from './types.js';

/** Contexts remembered per statement; a statement run by very many principals or steps starts over. */
const PER_STATEMENT = 64;

export function createCachedDecider(policy: Policy): (input: DecisionInput) => Decision {
  const memo = new WeakMap<Classification, Map<string, Decision>>();
  return (input) => {
    let byContext = memo.get(input.classification);
    if (!byContext) memo.set(input.classification, (byContext = new Map()));
    const key = contextKey(input);
    const known = byContext.get(key);
    if (known) return known;
    const decision = decide(input, policy);
    if (byContext.size >= PER_STATEMENT) byContext.clear();
    byContext.set(key, decision);
    return decision;
  };
}

/** Everything besides the classification that the policy context is built from. */
function contextKey(input: DecisionInput): string {
  const p = input.principal;
  return JSON.stringify([principalChain(p), p.groups, p.owner ?? null, input.connection, input.runbook?.name, input.runbook?.tags, input.step?.id, input.step?.intent]);
}
