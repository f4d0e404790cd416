/**
 * Recognises WHERE clauses that filter nothing: `true`, `1 = 1`, `'a' = 'a'`, `id = id`, `x OR true`, `NOT false`,
 * `1 IS NOT NULL`. Conservative by design: it only answers "always true" when it is sure; a clause it can't judge
 * is treated as a real filter, and the `max_rows` guard still bounds the damage at execution.
 */

type Node = Record<string, unknown>;

const TRUE_TEXT = new Set(['t', 'true', 'y', 'yes', 'on', '1']);
const FALSE_TEXT = new Set(['f', 'false', 'n', 'no', 'off', '0']);

function unwrap(node: unknown): [string, Node] | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const [key] = Object.keys(node);
  return key ? [key, (node as Record<string, Node>)[key] as Node] : undefined;
}

/** The node with every `location` removed, as text: two expressions are the same when these match. */
function shape(node: unknown): string {
  return JSON.stringify(node, (k, v) => (k === 'location' ? undefined : v));
}

function constantBoolean(node: unknown): boolean | undefined {
  const n = unwrap(node);
  if (!n) return undefined;
  const [key, body] = n;
  if (key === 'A_Const') {
    if ('boolval' in body) return Boolean((body.boolval as { boolval?: boolean }).boolval);
    return undefined;
  }
  if (key === 'TypeCast') {
    const arg = unwrap(body.arg);
    const type = shape(body.typeName);
    if (arg?.[0] === 'A_Const' && /"bool(ean)?"/.test(type)) {
      const text = (arg[1].sval as { sval?: string } | undefined)?.sval?.toLowerCase();
      if (text && TRUE_TEXT.has(text)) return true;
      if (text && FALSE_TEXT.has(text)) return false;
      const ival = (arg[1].ival as { ival?: number } | undefined)?.ival;
      if ('ival' in arg[1]) return (ival ?? 0) !== 0;
    }
  }
  return undefined;
}

function isConstant(node: unknown): boolean {
  const n = unwrap(node);
  return n?.[0] === 'A_Const' || (n?.[0] === 'TypeCast' && unwrap(n[1].arg)?.[0] === 'A_Const');
}

function operatorName(body: Node): string | undefined {
  const names = body.name as { String?: { sval?: string } }[] | undefined;
  return names?.[names.length - 1]?.String?.sval;
}

export function isAlwaysTrue(node: unknown): boolean {
  const constant = constantBoolean(node);
  if (constant !== undefined) return constant;
  const n = unwrap(node);
  if (!n) return false;
  const [key, body] = n;
  if (key === 'BoolExpr') {
    const args = (body.args as unknown[] | undefined) ?? [];
    if (body.boolop === 'OR_EXPR') return args.some(isAlwaysTrue);
    if (body.boolop === 'AND_EXPR') return args.length > 0 && args.every(isAlwaysTrue);
    if (body.boolop === 'NOT_EXPR') return args.length === 1 && isAlwaysFalse(args[0]);
  }
  if (key === 'A_Expr' && body.kind === 'AEXPR_OP') {
    const op = operatorName(body);
    const same = shape(body.lexpr) === shape(body.rexpr);
    const bothConstant = isConstant(body.lexpr) && isConstant(body.rexpr);
    if (same && (op === '=' || op === '>=' || op === '<=')) return true;
    if (bothConstant && !same && (op === '<>' || op === '!=')) return true;
  }
  if (key === 'NullTest' && body.nulltesttype === 'IS_NOT_NULL') return isConstant(body.arg);
  return false;
}

export function isAlwaysFalse(node: unknown): boolean {
  const constant = constantBoolean(node);
  if (constant !== undefined) return !constant;
  const n = unwrap(node);
  if (!n) return false;
  const [key, body] = n;
  if (key === 'BoolExpr' && body.boolop === 'NOT_EXPR') return isAlwaysTrue((body.args as unknown[])[0]);
  if (key === 'A_Expr' && body.kind === 'AEXPR_OP') {
    const op = operatorName(body);
    const same = shape(body.lexpr) === shape(body.rexpr);
    if (isConstant(body.lexpr) && isConstant(body.rexpr) && !same && op === '=') return true;
  }
  return false;
}
