/**
 * The policy decision for one classified statement: allow, deny, or require approval, with every rule that matched
 * and why. Pure and synchronous. Fails closed: built-in checks that no policy can switch off deny what the
 * classifier could not understand, and a rule whose condition errors or gives a non-boolean counts as a deny.
 */
import type { Principal } from '../shared/principal.js';
import { celContext, policyContext } from './policy-cel.js';
import type { Approvers, Policy } from './policy.js';
import { functionVerdict } from './sql-functions.js';
import type { Classification, Decision, Effect, MatchedRule } from './types.js';

export { policyContext } from './policy-cel.js';

export interface DecisionInput {
  readonly classification: Classification;
  readonly principal: Principal;
  readonly connection: string;
  readonly runbook?: { readonly name: string; readonly tags?: readonly string[] };
  readonly step?: { readonly id: string; readonly intent?: string };
}

const RANK: Record<Effect, number> = { allow: 0, require_approval: 1, deny: 2 };

/** The ids of the checks no policy can turn off. */
export const BUILT_IN_RULES = {
  unparseable: 'vigil-unparseable',
  unknownKind: 'vigil-unknown-kind',
  multiStatement: 'vigil-multi-statement',
  unknownFunction: 'vigil-unknown-function',
  unknownConnection: 'vigil-unknown-connection',
} as const;

/** What the classifier could not see through is not allowed, whatever the policy says. */
function builtInDenials(c: Classification, policy: Policy): MatchedRule[] {
  const deny = (id: string, reason: string): MatchedRule => ({ id, effect: 'deny', reason });
  if (!c.parsed) return [deny(BUILT_IN_RULES.unparseable, c.error ?? 'the statement could not be parsed')];
  const out: MatchedRule[] = [];
  if (c.flags.includes('unknown_statement')) out.push(deny(BUILT_IN_RULES.unknownKind, `unknown statement kind ${c.kind}: nobody has decided what it does`));
  if (c.flags.includes('multi_statement')) out.push(deny(BUILT_IN_RULES.multiStatement, `${c.statementCount} statements in one string; a step runs exactly one`));
  const unknown = c.functions.filter((f) => functionVerdict(f) === 'unknown' && !policy.allowedFunctions.has(f.toLowerCase()));
  if (unknown.length > 0) {
    out.push(deny(BUILT_IN_RULES.unknownFunction, `unknown function${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} may have side effects (a policy can vouch for it under functions.allow)`));
  }
  return out;
}

function mergeApprovers(rules: readonly MatchedRule[]): Approvers[] {
  const byGroup = new Map<string, number>();
  for (const r of rules) for (const a of r.approvers ?? []) byGroup.set(a.group, Math.max(byGroup.get(a.group) ?? 0, a.count));
  return [...byGroup].map(([group, count]) => ({ group, count }));
}

/** One line: `denied by prod-no-destruction: DROP TABLE on production (payments-primary) — <reason>`. */
function summarize(effect: Effect, rules: readonly MatchedRule[], approvers: readonly Approvers[], c: Classification, environment: string, connection: string): string {
  const where = `${environment} (${connection})`;
  const what = `${c.parsed ? c.command : 'statement'} on ${where}`;
  const deciding = rules.filter((r) => r.effect === effect);
  const top = deciding[0];
  const who = approvers.map((a) => `${a.group} (${a.count})`).join(' + ');
  if (!top) {
    const verb = effect === 'deny' ? 'denied' : effect === 'allow' ? 'allowed' : `requires approval by ${who}`;
    return `${verb} by default for ${where}: ${c.parsed ? c.command : 'statement'}`;
  }
  const ids = deciding.map((r) => r.id).join(', ');
  if (effect === 'require_approval') return `requires approval by ${who} per ${ids}: ${what} — ${top.reason}`;
  return `${effect === 'deny' ? 'denied' : 'allowed'} by ${top.id}: ${what} — ${top.reason}`;
}

export function decide(input: DecisionInput, policy: Policy): Decision {
  const c = input.classification;
  const connection = policy.connections[input.connection];
  if (!connection) {
    const rule: MatchedRule = { id: BUILT_IN_RULES.unknownConnection, effect: 'deny', reason: `no connection named "${input.connection}" in the policy` };
    return { effect: 'deny', rules: [rule], approvers: [], classification: c, connection: input.connection, environment: 'unknown', summary: `denied by ${rule.id}: ${rule.reason}` };
  }
  const environment = connection.environment;
  const matched: MatchedRule[] = builtInDenials(c, policy);
  if (c.parsed) {
    const context = celContext(policyContext(input, environment));
    for (const rule of policy.rules) {
      let result: unknown;
      try {
        result = rule.condition.evaluate(context);
      } catch (error) {
        matched.push({ id: rule.id, effect: 'deny', reason: `condition failed to evaluate (${firstLine(error)}); denying to be safe` });
        continue;
      }
      if (result === true) matched.push({ id: rule.id, effect: rule.effect, reason: rule.reason, ...(rule.approvers.length > 0 ? { approvers: rule.approvers } : {}) });
      else if (result !== false) matched.push({ id: rule.id, effect: 'deny', reason: `condition gave ${describe(result)}, not a boolean; denying to be safe` });
    }
  }
  // Stable sort: within one effect, built-in rules first, then the policy's order.
  matched.sort((a, b) => RANK[b.effect] - RANK[a.effect]);
  const envDefault = policy.environments[environment];
  const effect: Effect = matched[0]?.effect ?? envDefault?.default ?? 'deny';
  let approvers = effect === 'require_approval' ? mergeApprovers(matched.filter((r) => r.effect === 'require_approval')) : [];
  if (effect === 'require_approval' && approvers.length === 0) approvers = [...(envDefault?.approvers ?? [])];
  if (effect === 'require_approval' && approvers.length === 0) {
    // Unreachable with a policy that loaded (the loader demands approvers), but an approval nobody can give is a deny.
    const rule: MatchedRule = { id: 'vigil-no-approvers', effect: 'deny', reason: 'approval required but no approver group is named' };
    return { effect: 'deny', rules: [rule, ...matched], approvers: [], classification: c, connection: input.connection, environment, summary: `denied by ${rule.id}: ${rule.reason}` };
  }
  return { effect, rules: matched, approvers, classification: c, connection: input.connection, environment, summary: summarize(effect, matched, approvers, c, environment, input.connection) };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
