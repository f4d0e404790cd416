/**
 * Loads a policy file: YAML, validated against schemas/policy.schema.json, with every rule's CEL condition
 * compiled once and its references checked. A policy that fails any check is not loaded at all: half a policy
 * would fail open. The loaded policy is frozen.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parseDocument } from 'yaml';
import policySchema from '../../schemas/policy.schema.json' with { type: 'json' };
import { parseCel } from '../expressions/cel.js';
import { expressionReferences } from '../expressions/references.js';
import { VigilError } from '../shared/vigil-error.js';
import type { Effect } from './types.js';

export interface Approvers {
  readonly group: string;
  readonly count: number;
}

export interface PolicyRule {
  readonly id: string;
  readonly when: string;
  readonly effect: Effect;
  readonly reason: string;
  readonly approvers: readonly Approvers[];
}

export interface Policy {
  readonly file: string;
  readonly environments: Readonly<Record<string, { readonly default: Effect; readonly approvers: readonly Approvers[]; readonly dryRun: boolean; readonly dryRunTolerance: number }>>;
  readonly connections: Readonly<Record<string, { readonly environment: string; readonly urlEnv: string }>>;
  readonly groups: readonly string[];
  readonly allowedFunctions: ReadonlySet<string>;
  readonly rules: readonly PolicyRule[];
  readonly masking: Readonly<Record<string, unknown>>;
}

/** The names a rule's condition may use. */
export const POLICY_CONTEXT_ROOTS = ['principal', 'statement', 'connection', 'environment', 'runbook', 'step'] as const;

export const DEFAULT_POLICY_FILE = fileURLToPath(new URL('../../policies/default.yaml', import.meta.url));

const validate = new Ajv2020({ allErrors: true, strict: false }).compile(policySchema);

interface RawPolicy {
  environments: Record<string, { default: Effect; approvers?: { group: string; count?: number }[]; dry_run?: boolean; dry_run_tolerance?: number }>;
  connections: Record<string, { environment: string; url_env: string }>;
  groups?: Record<string, unknown>;
  functions?: { allow?: string[] };
  rules?: { id: string; when: string; effect: Effect; reason: string; approvers?: { group: string; count?: number }[] }[];
  masking?: Record<string, unknown>;
}

const approvers = (list: { group: string; count?: number }[] | undefined): Approvers[] => (list ?? []).map((a) => ({ group: a.group, count: a.count ?? 1 }));

export function loadPolicy(text: string, file: string): Policy {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) fail(file, doc.errors.map((e) => e.message.split('\n')[0] ?? e.message));
  const raw = doc.toJS() as unknown;
  if (!validate(raw)) {
    fail(file, (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}${e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : ''}`));
  }
  const policy = raw as unknown as RawPolicy;
  const problems: string[] = [];
  const groups = Object.keys(policy.groups ?? {});
  const checkGroups = (where: string, list: { group: string }[] | undefined) => {
    for (const a of list ?? []) if (!groups.includes(a.group)) problems.push(`${where}: unknown approver group "${a.group}"`);
  };
  for (const [name, env] of Object.entries(policy.environments)) {
    checkGroups(`environment ${name}`, env.approvers);
    if (env.default === 'require_approval' && !env.approvers?.length) problems.push(`environment ${name}: default require_approval needs approvers`);
  }
  for (const [name, c] of Object.entries(policy.connections)) {
    if (!policy.environments[c.environment]) problems.push(`connection ${name}: unknown environment "${c.environment}"`);
  }
  const seen = new Set<string>();
  for (const rule of policy.rules ?? []) {
    if (seen.has(rule.id)) problems.push(`rule ${rule.id}: duplicate id`);
    seen.add(rule.id);
    checkGroups(`rule ${rule.id}`, rule.approvers);
    if (rule.effect === 'require_approval' && !rule.approvers?.length) problems.push(`rule ${rule.id}: require_approval needs approvers`);
    try {
      parseCel(rule.when);
      for (const ref of expressionReferences(rule.when)) {
        if (!(POLICY_CONTEXT_ROOTS as readonly string[]).includes(ref.root)) {
          problems.push(`rule ${rule.id}: unknown name "${ref.root}" (use ${POLICY_CONTEXT_ROOTS.join(', ')})`);
        }
      }
    } catch (error) {
      problems.push(`rule ${rule.id}: condition does not parse: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  if (problems.length > 0) fail(file, problems);

  return deepFreeze({
    file,
    environments: Object.fromEntries(Object.entries(policy.environments).map(([k, v]) => [k, { default: v.default, approvers: approvers(v.approvers), dryRun: v.dry_run === true, dryRunTolerance: v.dry_run_tolerance ?? 0.1 }])),
    connections: Object.fromEntries(Object.entries(policy.connections).map(([k, v]) => [k, { environment: v.environment, urlEnv: v.url_env }])),
    groups,
    allowedFunctions: new Set((policy.functions?.allow ?? []).map((f) => f.toLowerCase())),
    rules: (policy.rules ?? []).map((r) => ({ id: r.id, when: r.when, effect: r.effect, reason: r.reason, approvers: approvers(r.approvers) })),
    masking: policy.masking ?? {},
  });
}

export function loadPolicyFile(path: string): Policy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new VigilError('VIGIL_E_POLICY_INVALID', `cannot read policy ${path}: ${(error as Error).message}`);
  }
  return loadPolicy(text, path);
}

function fail(file: string, problems: readonly string[]): never {
  throw new VigilError('VIGIL_E_POLICY_INVALID', `${file}: ${problems.join('; ')}`);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !(value instanceof Set)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
