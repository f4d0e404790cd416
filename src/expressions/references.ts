/**
 * Which context values an expression reads: `inputs.region`, `steps.lag.rows`, `trigger`, ...
 * Pure; the compiler uses it to reject a typo or a forward reference before any run starts.
 */
import type { ASTNode } from '@marcbachmann/cel-js';
import { parseCel } from './cel.js';

export interface Reference {
  /** The root identifier: `inputs`, `steps`, `trigger`, `run`, `item`, `index`, or anything else (an error). */
  readonly root: string;
  /** The first member after the root, when the expression names one (`inputs.region` gives `region`). */
  readonly member?: string;
}

export function expressionReferences(expr: string): Reference[] {
  const refs: Reference[] = [];
  visit(parseCel(expr).ast, refs, new Set());
  return refs;
}

// Comprehension macros (all, exists, map, filter) bind a variable; it is not a context reference.
const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

function visit(node: ASTNode | unknown, refs: Reference[], bound: Set<string>): void {
  if (Array.isArray(node)) {
    for (const child of node) visit(child, refs, bound);
    return;
  }
  if (!node || typeof node !== 'object' || !('op' in node)) return;
  const n = node as { op: string; args: unknown };
  if (n.op === 'id') {
    const name = n.args as string;
    if (!bound.has(name)) refs.push({ root: name });
    return;
  }
  if ((n.op === '.' || n.op === '.?') && Array.isArray(n.args)) {
    const [target, member] = n.args as [{ op: string; args: unknown }, string];
    if (target?.op === 'id' && !bound.has(target.args as string)) {
      refs.push({ root: target.args as string, member });
      return;
    }
  }
  if (n.op === 'rcall' && Array.isArray(n.args)) {
    const [name, receiver, callArgs] = n.args as [string, unknown, unknown[]];
    visit(receiver, refs, bound);
    if (MACROS.has(name) && Array.isArray(callArgs) && callArgs.length >= 2) {
      const variable = callArgs[0] as { op: string; args: unknown };
      const inner = new Set(bound);
      if (variable?.op === 'id') inner.add(variable.args as string);
      for (const a of callArgs.slice(1)) visit(a, refs, inner);
      return;
    }
    for (const a of callArgs ?? []) visit(a, refs, bound);
    return;
  }
  visit(n.args, refs, bound);
}
