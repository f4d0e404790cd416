/**
 * The policy decision for one classified statement: allow, deny, or require approval, with every rule that matched
 * and why. Pure and synchronous. Fails closed: built-in checks that no policy can switch off deny what the
 * classifier could not understand, and a rule whose condition errors counts as a deny.
 */
import { evaluateCel } from '../expressions/cel.js';
import { principalChain, type Principal } from '../shared/principal.js';
import type { Approvers, Policy } from './policy.js';
import { builtinName, KNOWN_SAFE_FUNCTIONS, SIDE_EFFECT_FUNCTIONS } from './sql-functions.js';
import type { Classification, Decision, Effect, MatchedRule } from './types.js';

export interface DecisionInput {
  readonly classification: Classification;
  readonly principal: Principal;
  readonly connection: string;
  readonly runbook?: { readonly name: string; readonly tags: readonly string[] };
  readonly step?: { readonly id: string; readonly intent?: string };
}

const RANK: Record<Effect, number> = { allow: 0, require_approval: 1, deny: 2 };

/** The checks no policy can turn off: what the classifier could not see through is not allowed. */
function builtInDenials(c: Classification, policy: Policy): MatchedRule[] {
  const deny = (id: string, reason: string): MatchedRule => ({ id, effect: 'deny', reason });
  if (!c.parsed) return [deny('vigil-unparseable', c.error ?? 'the statement could not be parsed')];
  const out: MatchedRule[] = [];
  if (c.flags.includes('unknown_statement')) out.push(deny('vigil-unknown-kind', `unknown statement kind ${c.kind}`));
  if (c.flags.includes('multi_statement')) out.push(deny('vigil-multi-statement', `${c.statementCount} statements in one string; a step runs exactly one`));
  const unknown = c.functions.filter((f) => {
    const name = builtinName(f);
    return !KNOWN_SAFE_FUNCTIONS.has(name) && !SIDE_EFFECT_FUNCTIONS.has(name) && !policy.allowedFunctions.has(f.toLowerCase());
  });
  if (unknown.length > 0) out.push(deny('vigil-unknown-function', `unknown function${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} may have side effects (allow it under functions.allow in the policy)`));
  return out;
}

/** What a rule's CEL condition sees. Names are snake_case, like the policy file. */
export function policyContext(input: DecisionInput, environment: string): Record<string, unknown> {
  const c = input.classification;
  const p = input.principal;
  return {
    principal: { id: p.id, kind: p.kind, groups: [...p.groups], owner: p.owner ?? null, on_behalf_of: p.onBehalfOf?.id ?? null, chain: principalChain(p) },
    statement: {
      kind: c.kind,
      command: c.command,
      class: c.class,
      tables_read: c.tables.read.map((t) => t.name),
      tables_written: c.tables.write.map((t) => t.name),
      columns_written: c.tables.write.flatMap((t) => (t.columns ?? []).map((col) => `${t.name}.${col}`)),
      functions: [...c.functions],
      flags: [...c.flags],
      statement_count: c.statementCount,
    },
    connection: { name: input.connection, environment },
    environment,
    runbook: { name: input.runbook?.name ?? '', tags: [...(input.runbook?.tags ?? [])] },
    step: { id: input.step?.id ?? '', intent: input.step?.intent ?? '' },
  };
}

function mergeApprovers(rules: readonly MatchedRule[]): Approvers[] {
  const byGroup = new Map<string, number>();
  for (const r of rules) for (const a of r.approvers ?? []) byGroup.set(a.group, Math.max(byGroup.get(a.group) ?? 0, a.count));
  return [...byGroup].map(([group, count]) => ({ group, count }));
}

function summarize(effect: Effect, rules: readonly MatchedRule[], approvers: readonly Approvers[], c: Classification, environment: string, connection: string): string {
  const what = `${c.command} on ${environment} (${connection})`;
  const top = rules.find((r) => r.effect === effect);
  if (effect === 'deny') return top ? `denied by ${top.id}: ${top.reason} [${what}]` : `denied by default for ${environment}: ${what}`;
  if (effect === 'require_approval') {
    const who = approvers.map((a) => `${a.group} (${a.count})`).join(' + ');
    return top ? `requires approval by ${who} per ${top.id}: ${top.reason} [${what}]` : `requires approval by ${who} by default for ${environment} [${what}]`;
  }
  return top ? `allowed by ${top.id}: ${top.reason} [${what}]` : `allowed by default for ${environment}: ${what}`;
}

export function decide(input: DecisionInput, policy: Policy): Decision {
  const c = input.classification;
  const connection = policy.connections[input.connection];
  if (!connection) {
    const rule: MatchedRule = { id: 'vigil-unknown-connection', effect: 'deny', reason: `no connection named "${input.connection}" in the policy` };
    return { effect: 'deny', rules: [rule], approvers: [], classification: c, connection: input.connection, environment: 'unknown', summary: `denied by ${rule.id}: ${rule.reason}` };
  }
  const environment = connection.environment;
  const matched: MatchedRule[] = builtInDenials(c, policy);
  if (c.parsed) {
    const context = policyContext(input, environment);
    for (const rule of policy.rules) {
      let result: unknown;
      try {
        result = evaluateCel(rule.when, context);
      } catch (error) {
        matched.push({ id: rule.id, effect: 'deny', reason: `condition failed to evaluate (${(error as Error).message.split('\n')[0]}); denying to be safe` });
        continue;
      }
      if (result === true) matched.push({ id: rule.id, effect: rule.effect, reason: rule.reason, approvers: rule.approvers.length ? rule.approvers : undefined });
      else if (result !== false) matched.push({ id: rule.id, effect: 'deny', reason: `condition gave ${JSON.stringify(result)}, not a boolean; denying to be safe` });
    }
  }
  matched.sort((a, b) => RANK[b.effect] - RANK[a.effect]);
  const envDefault = policy.environments[environment];
  const effect: Effect = matched.length > 0 ? (matched[0] as MatchedRule).effect : (envDefault?.default ?? 'deny');
  let approvers = effect === 'require_approval' ? mergeApprovers(matched.filter((r) => r.effect === 'require_approval')) : [];
  if (effect === 'require_approval' && approvers.length === 0) approvers = [...(envDefault?.approvers ?? [])];
  return { effect, rules: matched, approvers, classification: c, connection: input.connection, environment, summary: summarize(effect, matched, approvers, c, environment, input.connection) };
}
