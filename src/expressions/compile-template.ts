/**
 * Turns a YAML value into a Template: text with `${{ cel }}` becomes an expression node.
 * Pure; used by the compiler. Expressions are parsed here so that a bad one is a compile error.
 */
import type { Template } from '../runbook/plan.js';
import { parseCel } from './cel.js';

const EXPRESSION = /\$\{\{([\s\S]*?)\}\}/g;

export class TemplateError extends Error {
  constructor(
    message: string,
    readonly expr: string,
  ) {
    super(message);
  }
}

function checked(expr: string): string {
  const trimmed = expr.trim();
  if (!trimmed) throw new TemplateError('empty expression ${{ }}', expr);
  try {
    parseCel(trimmed);
  } catch (error) {
    const summary = (error as Error).message.split('\n')[0] ?? 'invalid expression';
    throw new TemplateError(`expression \${{ ${trimmed} }} does not parse: ${summary}`, trimmed);
  }
  return trimmed;
}

export function compileTemplate(value: unknown): Template {
  if (typeof value === 'string') return compileText(value);
  if (Array.isArray(value)) {
    const items = value.map(compileTemplate);
    return items.every((t) => t.kind === 'literal') ? { kind: 'literal', value } : { kind: 'array', items };
  }
  if (value !== null && typeof value === 'object') {
    const entries: Record<string, Template> = {};
    for (const [k, v] of Object.entries(value)) entries[k] = compileTemplate(v);
    return Object.values(entries).every((t) => t.kind === 'literal')
      ? { kind: 'literal', value }
      : { kind: 'object', entries };
  }
  return { kind: 'literal', value };
}

function compileText(text: string): Template {
  const matches = [...text.matchAll(EXPRESSION)];
  if (matches.length === 0) return { kind: 'literal', value: text };
  const only = matches[0];
  if (matches.length === 1 && only && only.index === 0 && only[0].length === text.length) {
    return { kind: 'expr', expr: checked(only[1] ?? '') };
  }
  const parts: (string | { expr: string })[] = [];
  let last = 0;
  for (const m of matches) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push({ expr: checked(m[1] ?? '') });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return { kind: 'interpolate', parts };
}

/** Every expression inside a template, for reference checks. */
export function templateExpressions(template: Template): string[] {
  switch (template.kind) {
    case 'literal':
      return [];
    case 'expr':
      return [template.expr];
    case 'interpolate':
      return template.parts.flatMap((p) => (typeof p === 'string' ? [] : [p.expr]));
    case 'object':
      return Object.values(template.entries).flatMap(templateExpressions);
    case 'array':
      return template.items.flatMap(templateExpressions);
  }
}
