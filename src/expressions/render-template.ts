/**
 * Evaluates a compiled Template against the run's context. Pure and deterministic: runs in the workflow sandbox.
 */
import type { Template } from '../runbook/plan.js';
import { evaluateCel } from './cel.js';

export type ExpressionContext = Record<string, unknown>;

export function renderTemplate(template: Template, context: ExpressionContext): unknown {
  switch (template.kind) {
    case 'literal':
      return template.value;
    case 'expr':
      return evaluateCel(template.expr, context);
    case 'interpolate':
      return template.parts
        .map((p) => (typeof p === 'string' ? p : stringify(evaluateCel(p.expr, context))))
        .join('');
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(template.entries)) out[k] = renderTemplate(v, context);
      return out;
    }
    case 'array':
      return template.items.map((t) => renderTemplate(t, context));
  }
}

export function evaluateCondition(expr: string, context: ExpressionContext): boolean {
  const value = evaluateCel(expr, context);
  if (typeof value !== 'boolean') {
    throw new TypeError(`condition ${expr} gave ${value === null ? 'null' : typeof value}, not a boolean`);
  }
  return value;
}

function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
