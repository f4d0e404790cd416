/**
 * The CEL environment of policy rules: every variable a condition may use, with its type, so a policy is type-checked
 * when it loads. A typo (`statment.class`, `statement.clas`), a comparison of the wrong types, or a condition that
 * isn't a boolean stops the load, naming the rule, instead of denying every statement at run time.
 * Pure: no I/O, no clock. Separate from src/expressions/cel.ts (runbook expressions), whose variables are untyped.
 */
import { Environment } from '@marcbachmann/cel-js';
import { principalChain, type Principal } from '../shared/principal.js';
import type { Classification } from './types.js';

/** The names a rule's condition may use. */
export const POLICY_CONTEXT_ROOTS = ['principal', 'statement', 'connection', 'environment', 'runbook', 'step'] as const;

const environment = new Environment({
  unlistedVariablesAreDyn: false,
  homogeneousAggregateLiterals: false,
  limits: { maxAstNodes: 2_000, maxDepth: 48, maxListElements: 500, maxMapEntries: 200, maxCallArguments: 16 },
})
  .registerVariable({
    name: 'principal',
    description: 'Who acts: the outermost actor; an agent carries its owner, a delegated call the principal it acts for.',
    schema: { id: 'string', kind: 'string', groups: 'list<string>', owner: 'dyn', on_behalf_of: 'dyn', chain: 'string' },
  })
  .registerVariable({
    name: 'statement',
    description: 'The classified SQL statement.',
    schema: {
      kind: 'string',
      command: 'string',
      class: 'string',
      tables_read: 'list<string>',
      tables_written: 'list<string>',
      columns_written: 'list<string>',
      functions: 'list<string>',
      flags: 'list<string>',
      statement_count: 'int',
    },
  })
  .registerVariable({ name: 'connection', description: 'The named connection.', schema: { name: 'string', environment: 'string' } })
  .registerVariable({ name: 'environment', description: "The connection's environment.", type: 'string' })
  .registerVariable({ name: 'runbook', description: 'The runbook (empty name and tags for ad-hoc statements).', schema: { name: 'string', tags: 'list<string>' } })
  .registerVariable({ name: 'step', description: 'The runbook step (empty for ad-hoc statements).', schema: { id: 'string', intent: 'string' } });

/** What a condition sees. Names are snake_case, like the policy file. */
export interface PolicyContext {
  readonly principal: { id: string; kind: string; groups: string[]; owner: string | null; on_behalf_of: string | null; chain: string };
  readonly statement: {
    kind: string;
    command: string;
    class: string;
    tables_read: string[];
    tables_written: string[];
    columns_written: string[];
    functions: string[];
    flags: string[];
    statement_count: number;
  };
  readonly connection: { name: string; environment: string };
  readonly environment: string;
  readonly runbook: { name: string; tags: string[] };
  readonly step: { id: string; intent: string };
}

export interface PolicyContextInput {
  readonly classification: Classification;
  readonly principal: Principal;
  readonly connection: string;
  readonly runbook?: { readonly name: string; readonly tags?: readonly string[] };
  readonly step?: { readonly id: string; readonly intent?: string };
}

export function policyContext(input: PolicyContextInput, environmentName: string): PolicyContext {
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
    connection: { name: input.connection, environment: environmentName },
    environment: environmentName,
    runbook: { name: input.runbook?.name ?? '', tags: [...(input.runbook?.tags ?? [])] },
    step: { id: input.step?.id ?? '', intent: input.step?.intent ?? '' },
  };
}

/** A condition compiled once; `evaluate` may throw (e.g. an index out of range), which the caller treats as deny. */
export interface CompiledCondition {
  readonly source: string;
  evaluate(context: CelContext): unknown;
}

/** The context as CEL wants it: integers are BigInt. Built once per decision, shared by every rule. */
export type CelContext = Readonly<Record<string, unknown>>;

export function celContext(context: PolicyContext): CelContext {
  return { ...context, statement: { ...context.statement, statement_count: BigInt(context.statement.statement_count) } };
}

export class ConditionError extends Error {}

/** Parses and type-checks a condition; throws ConditionError with a one-line reason. */
export function compileCondition(source: string): CompiledCondition {
  const checked = environment.check(source);
  if (!checked.valid) throw new ConditionError(`condition does not compile: ${firstLine(checked.error?.message ?? 'invalid condition')}`);
  if (checked.type !== 'bool') throw new ConditionError(`condition must be a boolean, but it is ${checked.type ?? 'unknown'}`);
  const program = environment.parse(source);
  return { source, evaluate: (context) => program(context) };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
