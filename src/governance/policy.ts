/**
 * Loads a policy file: YAML, validated against schemas/policy.schema.json, then checked for meaning (known groups and
 * environments, approvers where approval is required), with every rule's CEL condition parsed and type-checked once.
 * Pure apart from the file-reading helpers at the bottom. A policy with any problem is not loaded at all: half a policy
 * would fail open. Problems come back together as data (`PolicyError.issues`, each with a path and, when the YAML
 * shows it, a line and column). The loaded policy is frozen.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import policySchema from '../../schemas/policy.schema.json' with { type: 'json' };
import { VigilError } from '../shared/vigil-error.js';
import { compileCondition, ConditionError, type CompiledCondition } from './policy-cel.js';
import type { Effect } from './types.js';

export { POLICY_CONTEXT_ROOTS } from './policy-cel.js';

export interface Approvers {
  readonly group: string;
  readonly count: number;
}

export interface PolicyRule {
  readonly id: string;
  readonly when: string;
  readonly effect: Effect;
  readonly reason: string;
  readonly description?: string;
  readonly approvers: readonly Approvers[];
  /** The condition, compiled and type-checked at load. */
  readonly condition: CompiledCondition;
}

export interface PolicyConnection {
  readonly environment: string;
  /** The worker environment variable that holds the URL. */
  readonly urlEnv: string;
  /** A literal URL, only ever present for a connection in `development`; used when `urlEnv` is unset. */
  readonly url?: string;
}

export interface Policy {
  readonly file: string;
  readonly environments: Readonly<Record<string, { readonly default: Effect; readonly approvers: readonly Approvers[]; readonly dryRun: boolean; readonly dryRunTolerance: number }>>;
  readonly connections: Readonly<Record<string, PolicyConnection>>;
  readonly groups: readonly string[];
  /** Group members pinned in the policy (most groups take members from the identities file instead). */
  readonly groupMembers: Readonly<Record<string, readonly string[]>>;
  readonly allowedFunctions: ReadonlySet<string>;
  readonly rules: readonly PolicyRule[];
  readonly masking: Readonly<Record<string, unknown>>;
}

export interface PolicyIssue {
  /** Where in the document, as a JSON pointer (`/rules/2/when`); `/` for the whole file. */
  readonly path: string;
  readonly message: string;
  readonly line?: number;
  readonly col?: number;
}

/** A policy that did not load, with every problem found. Its message is one line; `formatPolicyIssues` prints them all. */
export class PolicyError extends VigilError {
  constructor(
    readonly file: string,
    readonly issues: readonly PolicyIssue[],
  ) {
    super('VIGIL_E_POLICY_INVALID', `${file}: ${issues.map((i) => (i.path === '/' ? i.message : `${i.path}: ${i.message}`)).join('; ')}`);
    this.name = 'PolicyError';
  }
}

/** `file:line:col  VIGIL_E_POLICY_INVALID  path: message`, one line per issue. */
export function formatPolicyIssues(error: PolicyError): string {
  return error.issues
    .map((i) => `${error.file}${i.line ? `:${i.line}:${i.col ?? 1}` : ''}  ${error.code}  ${i.path === '/' ? '' : `${i.path}: `}${i.message}`)
    .join('\n');
}

export const DEFAULT_POLICY_FILE = fileURLToPath(new URL('../../policies/default.yaml', import.meta.url));

/** The one environment in which a connection may carry a literal URL. */
const URL_ALLOWED_ENVIRONMENT = 'development';

const validate = new Ajv2020({ allErrors: true, strict: false }).compile(policySchema);

interface RawApprover {
  group: string;
  count?: number;
}

interface RawPolicy {
  environments: Record<string, { default: Effect; approvers?: RawApprover[]; dry_run?: boolean; dry_run_tolerance?: number }>;
  connections: Record<string, { environment: string; url_env: string; url?: string }>;
  groups?: Record<string, { members?: string[] }>;
  functions?: { allow?: string[] };
  rules?: { id: string; when: string; effect: Effect; reason: string; description?: string; approvers?: RawApprover[] }[];
  masking?: Record<string, unknown>;
}

const approvers = (list: RawApprover[] | undefined): Approvers[] => (list ?? []).map((a) => ({ group: a.group, count: a.count ?? 1 }));

export function loadPolicy(text: string, file: string): Policy {
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, lineCounter: lines });
  if (doc.errors.length > 0) {
    throw new PolicyError(
      file,
      doc.errors.map((e) => ({ path: '/', message: e.message.split('\n')[0] ?? e.message, line: e.linePos?.[0].line, col: e.linePos?.[0].col })),
    );
  }
  const at = (path: readonly (string | number)[], key?: string): Pick<PolicyIssue, 'line' | 'col'> => locate(doc, lines, path, key);
  const raw = doc.toJS() as unknown;
  if (!validate(raw)) throw new PolicyError(file, schemaIssues(validate.errors ?? [], at));

  const policy = raw as unknown as RawPolicy;
  const issues: PolicyIssue[] = [];
  const issue = (path: (string | number)[], message: string) => issues.push({ path: pointer(path), message, ...at(path) });
  const groups = Object.keys(policy.groups ?? {});
  const checkApprovers = (path: (string | number)[], list: RawApprover[] | undefined) => {
    (list ?? []).forEach((a, i) => {
      if (!groups.includes(a.group)) issue([...path, i, 'group'], `unknown approver group "${a.group}" (groups: ${groups.join(', ') || 'none'})`);
    });
  };
  for (const [name, env] of Object.entries(policy.environments)) {
    checkApprovers(['environments', name, 'approvers'], env.approvers);
    if (env.default === 'require_approval' && !env.approvers?.length) issue(['environments', name], 'default require_approval needs approvers');
  }
  for (const [name, c] of Object.entries(policy.connections)) {
    if (!policy.environments[c.environment]) issue(['connections', name, 'environment'], `unknown environment "${c.environment}"`);
    if (c.url !== undefined && c.environment !== URL_ALLOWED_ENVIRONMENT) {
      issue(['connections', name, 'url'], `a literal url is only allowed in ${URL_ALLOWED_ENVIRONMENT}; give ${c.environment} credentials to the worker through url_env`);
    }
  }
  const seen = new Set<string>();
  const conditions = new Map<number, CompiledCondition>();
  (policy.rules ?? []).forEach((rule, i) => {
    if (seen.has(rule.id)) issue(['rules', i, 'id'], `rule ${rule.id}: duplicate id`);
    seen.add(rule.id);
    checkApprovers(['rules', i, 'approvers'], rule.approvers);
    if (rule.effect === 'require_approval' && !rule.approvers?.length) issue(['rules', i], `rule ${rule.id}: require_approval needs approvers`);
    if (rule.effect !== 'require_approval' && rule.approvers?.length) issue(['rules', i, 'approvers'], `rule ${rule.id}: approvers only apply to require_approval`);
    try {
      conditions.set(i, compileCondition(rule.when));
    } catch (error) {
      if (!(error instanceof ConditionError)) throw error;
      issue(['rules', i, 'when'], `rule ${rule.id}: ${error.message}`);
    }
  });
  if (issues.length > 0) throw new PolicyError(file, issues);

  return deepFreeze({
    file,
    environments: Object.fromEntries(
      Object.entries(policy.environments).map(([k, v]) => [
        k,
        { default: v.default, approvers: approvers(v.approvers), dryRun: v.dry_run === true, dryRunTolerance: v.dry_run_tolerance ?? 0.1 },
      ]),
    ),
    connections: Object.fromEntries(
      Object.entries(policy.connections).map(([k, v]) => [k, { environment: v.environment, urlEnv: v.url_env, ...(v.url !== undefined ? { url: v.url } : {}) }]),
    ),
    groups,
    groupMembers: Object.fromEntries(Object.entries(policy.groups ?? {}).map(([k, v]) => [k, [...(v.members ?? [])]])),
    allowedFunctions: new Set((policy.functions?.allow ?? []).map((f) => f.toLowerCase())),
    rules: (policy.rules ?? []).map((r, i) => ({
      id: r.id,
      when: r.when,
      effect: r.effect,
      reason: r.reason,
      ...(r.description !== undefined ? { description: r.description } : {}),
      approvers: approvers(r.approvers),
      condition: conditions.get(i) as CompiledCondition,
    })),
    masking: policy.masking ?? {},
  });
}

export function loadPolicyFile(path: string): Policy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PolicyError(path, [{ path: '/', message: `cannot read the policy: ${(error as Error).message}` }]);
  }
  return loadPolicy(text, path);
}

/** policies/default.yaml, shipped with Vigil. */
export function loadDefaultPolicy(): Policy {
  return loadPolicyFile(DEFAULT_POLICY_FILE);
}

/** ajv's errors as issues. `oneOf`-style noise doesn't arise here; additionalProperties names the stray key. */
function schemaIssues(errors: readonly ErrorObject[], at: (path: readonly (string | number)[], key?: string) => Pick<PolicyIssue, 'line' | 'col'>): PolicyIssue[] {
  const seen = new Set<string>();
  const out: PolicyIssue[] = [];
  for (const e of errors) {
    const path = e.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    let message = e.message ?? e.keyword;
    let key: string | undefined;
    if (e.keyword === 'additionalProperties') {
      key = String(e.params.additionalProperty);
      message = `unknown property "${key}"`;
    } else if (e.keyword === 'enum') {
      message = `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    } else if (e.keyword === 'required') {
      message = `missing required property "${String(e.params.missingProperty)}"`;
    } else if (e.keyword === 'propertyNames') {
      // Reported again, with the offending name, by the `pattern` error that follows.
      continue;
    } else if (e.keyword === 'pattern') {
      if (e.propertyName !== undefined) key = e.propertyName;
      message = `${e.propertyName !== undefined ? 'name ' : ''}must match ${String(e.params.pattern)}`;
    }
    const text = `${pointer(key ? [...path, key] : path)} ${message}`;
    if (seen.has(text)) continue;
    seen.add(text);
    out.push({ path: pointer(key ? [...path, key] : path), message, ...at(path, key) });
  }
  return out;
}

function pointer(path: readonly (string | number)[]): string {
  return path.length === 0 ? '/' : `/${path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

/** Line and column of the node at `path` (or of the key `key` inside it), when the YAML has one. */
function locate(doc: Document, lines: LineCounter, path: readonly (string | number)[], key?: string): Pick<PolicyIssue, 'line' | 'col'> {
  try {
    let node: unknown = path.length === 0 ? doc.contents : doc.getIn(path, true);
    if (key !== undefined && isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
      node = pair?.key ?? node;
    }
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (!range) return {};
    const pos = lines.linePos(range[0]);
    return { line: pos.line, col: pos.col };
  } catch {
    return {};
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !(value instanceof Set) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
