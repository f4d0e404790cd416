/**
 * Runbook text to Plan: parse, validate against the schema, check meaning, build the plan.
 * Pure: no I/O, no Temporal. Every problem found is reported, not only the first, each with its line and column.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../shared/canonical-json.js';
import { compileTemplate, TemplateError, templateExpressions } from '../expressions/compile-template.js';
import { expressionReferences } from '../expressions/references.js';
import type { ErrorCode } from '../shared/error-codes.js';
import { parseDuration } from './duration.js';
import { resolveInputs } from './resolve-inputs.js';
import { RunbookInvalidError, type RunbookIssue } from './issues.js';
import { loadYaml, type LoadedYaml, type PathSegment } from './load-yaml.js';
import { loadYamlFast } from './load-yaml-fast.js';
import type { InputSpec, OnError, Plan, StepNode, Template, TriggerSpec } from './plan.js';
import { describePath, validateSchema } from './validate-schema.js';

export interface CompileOptions {
  /** Connection names that exist; when given, a step naming another one is an error. */
  readonly connections?: readonly string[];
}

export type CompileResult = { ok: true; plan: Plan } | { ok: false; issues: RunbookIssue[] };

const ACTIONS = ['sql', 'approval', 'http', 'notify', 'wait', 'parallel', 'foreach'] as const;
const ROOTS = new Set(['inputs', 'steps', 'trigger', 'run']);

/* eslint-disable @typescript-eslint/no-explicit-any -- the schema has validated the shape of `raw` */
type Raw = any;

export function compileRunbook(text: string, file: string, options: CompileOptions = {}): CompileResult {
  // Most runbooks compile, so read the quick way first. Anything wrong is reported from the positioned parse:
  // every issue keeps its exact line and column, and the quick read never decides alone that a runbook is bad.
  const quick = loadYamlFast(text);
  if (quick) {
    const result = compileLoaded(quick, text, file, options);
    if (result.ok) return result;
  }
  const loaded = loadYaml(text, file);
  if (!loaded.ok) return loaded;
  return compileLoaded(loaded.yaml, text, file, options);
}

/** Validates and compiles YAML already loaded by either loader (the tests compare the two). */
export function compileLoaded(yaml: LoadedYaml, text: string, file: string, options: CompileOptions = {}): CompileResult {
  const schemaIssues = validateSchema(yaml, file);
  if (schemaIssues.length > 0) return { ok: false, issues: schemaIssues };
  const compiler = new Compiler(yaml, file, options);
  const plan = compiler.compile(text);
  return compiler.issues.length > 0 ? { ok: false, issues: compiler.issues } : { ok: true, plan };
}

/** Same as compileRunbook, throwing RunbookInvalidError with every issue. */
export function compileRunbookOrThrow(text: string, file: string, options?: CompileOptions): Plan {
  const result = compileRunbook(text, file, options);
  if (!result.ok) throw new RunbookInvalidError(result.issues);
  return result.plan;
}

class Compiler {
  readonly issues: RunbookIssue[] = [];
  private readonly seenIds = new Set<string>();
  /** Steps whose output exists by the time the current step runs. */
  private readonly completed = new Set<string>();
  private inputNames = new Set<string>();
  private sensitiveInputs = new Set<string>();

  constructor(
    private readonly yaml: LoadedYaml,
    private readonly file: string,
    private readonly options: CompileOptions,
  ) {}

  compile(text: string): Plan {
    const raw = this.yaml.data as Raw;
    const inputs = this.inputs(raw.spec.inputs ?? {});
    this.inputNames = new Set(inputs.map((i) => i.name));
    this.sensitiveInputs = new Set(inputs.filter((i) => i.sensitive).map((i) => i.name));
    const steps = this.steps(raw.spec.steps, ['spec', 'steps'], new Set());
    const outputs: Record<string, Template> = {};
    for (const [name, value] of Object.entries(raw.spec.outputs ?? {})) {
      const t = this.template(value, ['spec', 'outputs', name], new Set());
      if (t) outputs[name] = t;
    }
    const triggers = ((raw.spec.triggers ?? []) as Raw[]).map((trigger, i) => this.trigger(trigger, ['spec', 'triggers', i]));
    const body = {
      apiVersion: 'vigil/plan/v1' as const,
      runbook: {
        name: raw.metadata.name as string,
        title: raw.metadata.title as string | undefined,
        description: raw.metadata.description as string | undefined,
        owner: raw.metadata.owner as string | undefined,
        tags: (raw.metadata.tags ?? []) as string[],
        sourceFile: this.file,
        sourceHash: sha256(text),
      },
      inputs,
      steps,
      outputs,
      triggers,
    };
    return { ...body, hash: sha256(canonicalJson(body)) };
  }

  private trigger(raw: Raw, path: PathSegment[]): TriggerSpec {
    const match: Record<string, string> = { ...(raw.match ?? {}) };
    for (const [label, value] of Object.entries(match)) {
      if (!value.startsWith('~')) continue;
      try {
        new RegExp(value.slice(1));
      } catch (error) {
        this.issue([...path, 'match', label], 'VIGIL_E_RUNBOOK_SCHEMA', `trigger matcher for "${label}" is not a valid regular expression: ${(error as Error).message}`);
      }
    }
    const inputs: Record<string, Template> = {};
    // Trigger templates see only the event: `trigger`, nothing that exists once the run is going.
    const scope = new Set<string>();
    for (const [name, template] of Object.entries(raw.inputs ?? {})) {
      if (!this.inputNames.has(name)) this.issue([...path, 'inputs', name], 'VIGIL_E_RUNBOOK_REFERENCE', `trigger fills unknown input "${name}"`);
      const t = this.template(template, [...path, 'inputs', name], scope);
      if (t) inputs[name] = t;
    }
    // Alertmanager, Grafana and PagerDuty alerts carry their own identity and status; only generic events need them declared.
    const generic = String(raw.source).startsWith('generic:');
    for (const field of ['key', 'resolved'] as const) {
      if (raw[field] !== undefined && !generic) {
        this.issue([...path, field], 'VIGIL_E_RUNBOOK_SCHEMA', `trigger \`${field}\` applies to generic sources only: ${raw.source} alerts carry their own identity and status`);
      }
    }
    const key = raw.key === undefined ? undefined : this.template(raw.key, [...path, 'key'], scope);
    const resolved = raw.resolved === undefined ? undefined : this.condition(raw.resolved, [...path, 'resolved'], scope);
    return { source: raw.source, match, severity: raw.severity, inputs, ...(key ? { key } : {}), ...(resolved ? { resolved } : {}) };
  }

  private inputs(raw: Record<string, Raw>): InputSpec[] {
    const specs: InputSpec[] = Object.entries(raw).map(([name, spec]) => ({
      name,
      type: spec.type,
      required: spec.required ?? spec.default === undefined,
      default: spec.default,
      description: spec.description,
      pattern: spec.pattern,
      enum: spec.values,
      sensitive: spec.sensitive === true,
    }));
    // A default must be a valid value of its own input: "ten" for an integer is a typo found now, not at 2 a.m.
    for (const spec of specs) {
      if (spec.default === undefined) continue;
      const checked = resolveInputs([spec], {});
      if (!checked.ok) {
        for (const p of checked.problems) this.issue(['spec', 'inputs', spec.name, 'default'], 'VIGIL_E_RUNBOOK_SCHEMA', `input "${spec.name}": default ${p.reason}`);
      }
      if (spec.type === 'enum' && !spec.enum) this.issue(['spec', 'inputs', spec.name], 'VIGIL_E_RUNBOOK_SCHEMA', `input "${spec.name}": an enum needs "values"`);
    }
    return specs;
  }

  private steps(raw: Raw[], path: PathSegment[], scope: Set<string>): StepNode[] {
    const out: StepNode[] = [];
    raw.forEach((step, i) => {
      const node = this.step(step, [...path, i], scope);
      if (node) out.push(node);
    });
    return out;
  }

  private step(raw: Raw, path: PathSegment[], scope: Set<string>): StepNode | undefined {
    const id = raw.id as string;
    if (this.seenIds.has(id)) this.issue([...path, 'id'], 'VIGIL_E_RUNBOOK_DUPLICATE_ID', `step id "${id}" is used more than once`);
    this.seenIds.add(id);

    const actions = ACTIONS.filter((a) => raw[a] !== undefined);
    if (actions.length !== 1) {
      const message =
        actions.length === 0
          ? `${describePath(this.yaml.data, path)}: has no action; give exactly one of ${ACTIONS.join(', ')}`
          : `${describePath(this.yaml.data, path)}: has ${actions.length} actions (${actions.join(', ')}); give exactly one`;
      this.issue(path, 'VIGIL_E_RUNBOOK_SCHEMA', message);
      return undefined;
    }
    const action = actions[0] as (typeof ACTIONS)[number];
    const when = raw.when === undefined ? undefined : this.condition(raw.when, [...path, 'when'], scope);
    const base = {
      id,
      name: (raw.name as string | undefined) ?? id,
      intent: raw.intent as string | undefined,
      when,
      timeoutMs: raw.timeout === undefined ? undefined : parseDuration(raw.timeout),
      retry:
        raw.retry === undefined
          ? undefined
          : {
              maxAttempts: raw.retry.attempts ?? 3,
              initialIntervalMs: raw.retry.backoff === undefined ? 1_000 : parseDuration(raw.retry.backoff),
              backoffCoefficient: raw.retry.coefficient ?? 2,
            },
      onError: this.onError(raw.on_error, [...path, 'on_error'], scope),
      source: this.yaml.locate(path),
    };

    let node: StepNode;
    switch (action) {
      case 'sql': {
        const sql = raw.sql as Raw;
        if (raw.intent === undefined) {
          this.issue(path, 'VIGIL_E_RUNBOOK_SCHEMA', `step "${id}": a sql step needs an "intent" (why it touches the database; it becomes the audit record)`);
        }
        if (/\$\{\{/.test(sql.query)) {
          this.issue([...path, 'sql', 'query'], 'VIGIL_E_RUNBOOK_SQL_TEMPLATE', `step "${id}": the query contains \${{ }}; SQL text is never built from input, pass values as params ($1, $2, ...)`);
        }
        if (this.options.connections && !this.options.connections.includes(sql.connection)) {
          this.issue([...path, 'sql', 'connection'], 'VIGIL_E_RUNBOOK_UNKNOWN_CONNECTION', `step "${id}": unknown connection "${sql.connection}" (known: ${this.options.connections.join(', ') || 'none'})`);
        }
        const params = ((sql.params ?? []) as unknown[]).map(
          (p, i) => this.template(p, [...path, 'sql', 'params', i], scope, 'sql-param') ?? { kind: 'literal' as const, value: null },
        );
        const sensitiveParams = params.flatMap((p, i) => (this.readsSensitiveInput(p) ? [i] : []));
        node = {
          ...base,
          kind: 'sql',
          connection: sql.connection,
          query: sql.query,
          params,
          ...(sensitiveParams.length > 0 ? { sensitiveParams } : {}),
          maxRows: sql.max_rows,
          expect: sql.expect && { rows: sql.expect.rows, minRows: sql.expect.min_rows, maxRows: sql.expect.max_rows },
        };
        break;
      }
      case 'approval': {
        const a = raw.approval as Raw;
        node = {
          ...base,
          kind: 'approval',
          approvers: a.approvers.map((g: Raw) => ({ group: g.group, count: g.count ?? 1 })),
          timeoutMs: a.timeout === undefined ? undefined : parseDuration(a.timeout),
          escalateTo: a.escalate_to?.map((g: Raw) => ({ group: g.group, count: g.count ?? 1 })),
          message: this.template(a.message ?? `Approve step "${id}"?`, [...path, 'approval', 'message'], scope) ?? { kind: 'literal', value: '' },
        };
        break;
      }
      case 'http': {
        const h = raw.http as Raw;
        const headers: Record<string, Template> = {};
        for (const [k, v] of Object.entries(h.headers ?? {})) headers[k] = this.template(v, [...path, 'http', 'headers', k], scope) ?? { kind: 'literal', value: '' };
        node = {
          ...base,
          kind: 'http',
          method: h.method ?? 'GET',
          url: this.template(h.url, [...path, 'http', 'url'], scope) ?? { kind: 'literal', value: '' },
          headers,
          body: h.body === undefined ? undefined : this.template(h.body, [...path, 'http', 'body'], scope),
          expectStatus: h.expect_status ?? [],
        };
        break;
      }
      case 'notify':
        node = {
          ...base,
          kind: 'notify',
          target: raw.notify.target,
          text: this.template(raw.notify.text, [...path, 'notify', 'text'], scope) ?? { kind: 'literal', value: '' },
        };
        break;
      case 'wait':
        node = { ...base, kind: 'wait', durationMs: parseDuration(raw.wait) };
        break;
      case 'parallel': {
        // Branches run at once: none may read another's output, so each sees only what ran before the block.
        const branches = (raw.parallel as Raw[]).map((s, i) => {
          const saved = new Set(this.completed);
          const n = this.step(s, [...path, 'parallel', i], scope);
          this.completed.clear();
          for (const x of saved) this.completed.add(x);
          return n;
        });
        for (const b of branches) if (b) this.completed.add(b.id);
        node = { ...base, kind: 'parallel', steps: branches.filter((b): b is StepNode => b !== undefined) };
        break;
      }
      case 'foreach': {
        const f = raw.foreach as Raw;
        const items = this.condition(f.items, [...path, 'foreach', 'items'], scope) ?? '[]';
        const inner = new Set([...scope, 'item', 'index']);
        node = {
          ...base,
          kind: 'foreach',
          items,
          maxConcurrency: f.max_concurrency ?? 1,
          steps: this.steps(f.steps, [...path, 'foreach', 'steps'], inner),
        };
        break;
      }
    }
    this.completed.add(id);
    return node;
  }

  private onError(raw: Raw, path: PathSegment[], scope: Set<string>): OnError {
    if (raw === undefined || raw === 'fail') return { kind: 'fail' };
    if (raw === 'continue') return { kind: 'continue' };
    return { kind: 'compensate', steps: this.steps(raw.compensate, [...path, 'compensate'], scope) };
  }

  /** A condition or list expression: `${{ x }}` or bare CEL `x`. */
  private condition(raw: string, path: PathSegment[], scope: Set<string>): string | undefined {
    const m = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(raw);
    const expr = (m ? m[1] ?? '' : raw).trim();
    const t = this.template(`\${{ ${expr} }}`, path, scope);
    return t?.kind === 'expr' ? t.expr : undefined;
  }

  private template(value: unknown, path: PathSegment[], scope: Set<string>, use: 'sql-param' | 'other' = 'other'): Template | undefined {
    let t: Template;
    try {
      t = compileTemplate(value);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      this.issue(path, 'VIGIL_E_RUNBOOK_EXPRESSION', `${describePath(this.yaml.data, path)}: ${error.message}`);
      return undefined;
    }
    for (const expr of templateExpressions(t)) this.checkReferences(expr, path, scope);
    if (this.sensitiveInputs.size > 0 && this.readsSensitiveInput(t)) this.checkSensitiveUse(t, path, use);
    return t;
  }

  /**
   * A sensitive input stays sealed in the workflow; only the SQL activity opens it, to bind it. So it may appear only
   * in a SQL step's params, and such a param is rendered in the activity from the run's inputs alone.
   */
  private checkSensitiveUse(t: Template, path: PathSegment[], use: 'sql-param' | 'other'): void {
    const where = describePath(this.yaml.data, path);
    const names = [...this.sensitiveInputs].join(', ');
    if (use !== 'sql-param') {
      this.issue(path, 'VIGIL_E_RUNBOOK_SENSITIVE', `${where}: reads a sensitive input (${names}); a sensitive input can only be passed to a SQL step's params, where it is bound without entering the run's history`);
      return;
    }
    const others = templateExpressions(t).flatMap((expr) => expressionReferences(expr).filter((r) => r.root !== 'inputs').map((r) => r.root));
    if (others.length > 0) {
      this.issue(path, 'VIGIL_E_RUNBOOK_SENSITIVE', `${where}: a param that reads a sensitive input can read only inputs, not ${[...new Set(others)].join(', ')}; compute the rest in another param`);
    }
  }

  /** Whether a template reads a `sensitive: true` input (`inputs` as a whole counts when any input is sensitive). */
  private readsSensitiveInput(t: Template): boolean {
    return templateExpressions(t).some((expr) =>
      expressionReferences(expr).some((r) => r.root === 'inputs' && (r.member === undefined ? this.sensitiveInputs.size > 0 : this.sensitiveInputs.has(r.member))),
    );
  }

  private checkReferences(expr: string, path: PathSegment[], scope: Set<string>): void {
    // The place in words is worked out only for a reference that is wrong: most are fine.
    const where = () => describePath(this.yaml.data, path);
    for (const ref of expressionReferences(expr)) {
      if (!ROOTS.has(ref.root) && !scope.has(ref.root)) {
        this.issue(path, 'VIGIL_E_RUNBOOK_REFERENCE', `${where()}: unknown name "${ref.root}" in \${{ ${expr} }} (known: ${[...ROOTS, ...scope].join(', ')})`);
      } else if (ref.root === 'inputs' && ref.member !== undefined && !this.inputNames.has(ref.member)) {
        this.issue(path, 'VIGIL_E_RUNBOOK_REFERENCE', `${where()}: unknown input "${ref.member}" (declared: ${[...this.inputNames].join(', ') || 'none'})`);
      } else if (ref.root === 'steps' && ref.member !== undefined && !this.completed.has(ref.member)) {
        const why = this.seenIds.has(ref.member) ? 'has not run yet at this point' : 'does not exist';
        this.issue(path, 'VIGIL_E_RUNBOOK_REFERENCE', `${where()}: step "${ref.member}" ${why}`);
      }
    }
  }

  private issue(path: PathSegment[], code: ErrorCode, message: string): void {
    const { line, col } = this.yaml.locate(path);
    this.issues.push({ file: this.file, line, col, code, message });
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
