/**
 * Recognises conditions that filter nothing: `true`, `1 = 1`, `'a' = 'a'`, `id = id`, `2 > 1`, `x OR true`,
 * `NOT false`, `'t'::boolean`, `(1 = 1) IS TRUE`, `NULL IS NULL`, `x IS NULL OR x IS NOT NULL`, `EXISTS (SELECT 1)`.
 * Pure. Conservative in both directions that matter: it answers "always true" only for shapes it can prove from the
 * text (so a real filter is never refused), and it treats `x = x` as always true although NULLs make it skip rows
 * (flagging it costs an honest author nothing). What it can't judge counts as a real filter; the `max_rows` guard
 * still bounds the damage at execution.
 */

type Node = Record<string, unknown>;

const TRUE_TEXT = new Set(['t', 'tr', 'tru', 'true', 'y', 'ye', 'yes', 'on', '1']);
const FALSE_TEXT = new Set(['f', 'fa', 'fal', 'fals', 'false', 'n', 'no', 'of', 'off', '0']);

function unwrap(node: unknown): [string, Node] | undefined {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return undefined;
  const [key] = Object.keys(node);
  return key ? [key, (node as Record<string, Node>)[key] as Node] : undefined;
}

/** The node with every `location` removed, as text: two expressions are the same when these match. */
function shape(node: unknown): string {
  return JSON.stringify(node, (k, v) => (k === 'location' ? undefined : v)) ?? '';
}

type Constant = { kind: 'null' } | { kind: 'bool'; value: boolean } | { kind: 'number'; value: number } | { kind: 'string'; value: string };

/** The value of a literal, possibly cast (`'t'::boolean`, `1::int`); undefined for anything else. */
function constant(node: unknown): Constant | undefined {
  const n = unwrap(node);
  if (!n) return undefined;
  const [key, body] = n;
  if (key === 'A_Const') {
    if (body.isnull) return { kind: 'null' };
    if ('boolval' in body) return { kind: 'bool', value: Boolean((body.boolval as { boolval?: boolean }).boolval) };
    if ('ival' in body) return { kind: 'number', value: (body.ival as { ival?: number }).ival ?? 0 };
    if ('fval' in body) return { kind: 'number', value: Number((body.fval as { fval?: string }).fval ?? 'NaN') };
    if ('sval' in body) return { kind: 'string', value: (body.sval as { sval?: string }).sval ?? '' };
    return undefined;
  }
  if (key === 'TypeCast') {
    const inner = constant(body.arg);
    if (!inner || !/"bool(ean)?"/.test(shape(body.typeName))) return inner;
    // A cast to boolean: PostgreSQL accepts any unique prefix of true/false/yes/no, and on/off, 1/0.
    if (inner.kind === 'bool' || inner.kind === 'null') return inner;
    const text = String(inner.value).trim().toLowerCase();
    if (TRUE_TEXT.has(text)) return { kind: 'bool', value: true };
    if (FALSE_TEXT.has(text)) return { kind: 'bool', value: false };
  }
  return undefined;
}

function operatorName(body: Node): string | undefined {
  const names = body.name as { String?: { sval?: string } }[] | undefined;
  return names?.[names.length - 1]?.String?.sval;
}

/** `a op b` on two literals of the same kind, when the answer is certain. */
function compareConstants(op: string, a: Constant, b: Constant): boolean | undefined {
  if (a.kind === 'null' || b.kind === 'null' || a.kind !== b.kind) return undefined;
  const [x, y] = [a.value, b.value] as [number | string | boolean, number | string | boolean];
  if (a.kind === 'number' && (Number.isNaN(x) || Number.isNaN(y))) return undefined;
  switch (op) {
    case '=': return x === y;
    case '<>': case '!=': return x !== y;
    // Strings compare by collation on the server: only numbers are ordered here.
    case '<': return a.kind === 'number' ? x < y : undefined;
    case '<=': return a.kind === 'number' ? x <= y : undefined;
    case '>': return a.kind === 'number' ? x > y : undefined;
    case '>=': return a.kind === 'number' ? x >= y : undefined;
    default: return undefined;
  }
}

/** True, false, or unknown (undefined) for the conditions this module can decide. */
function evaluate(node: unknown): boolean | undefined {
  const value = constant(node);
  if (value) return value.kind === 'bool' ? value.value : undefined;
  const n = unwrap(node);
  if (!n) return undefined;
  const [key, body] = n;
  switch (key) {
    case 'BoolExpr': {
      const args = ((body.args as unknown[] | undefined) ?? []).map(evaluate);
      if (body.boolop === 'OR_EXPR') {
        if (args.some((a) => a === true) || coversNulls(body)) return true;
        return args.every((a) => a === false) ? false : undefined;
      }
      if (body.boolop === 'AND_EXPR') return args.some((a) => a === false) ? false : args.every((a) => a === true) ? true : undefined;
      if (body.boolop === 'NOT_EXPR' && args.length === 1) return args[0] === undefined ? undefined : !args[0];
      return undefined;
    }
    case 'A_Expr': {
      if (body.kind !== 'AEXPR_OP') return undefined;
      const op = operatorName(body) ?? '';
      const [left, right] = [constant(body.lexpr), constant(body.rexpr)];
      if (left && right) return compareConstants(op, left, right);
      // The same expression on both sides (`id = id`, `lower(x) >= lower(x)`).
      if (shape(body.lexpr) === shape(body.rexpr) && ['=', '>=', '<='].includes(op)) return true;
      return undefined;
    }
    case 'NullTest': {
      const arg = constant(body.arg);
      if (!arg) return undefined;
      const isNull = arg.kind === 'null';
      return body.nulltesttype === 'IS_NULL' ? isNull : !isNull;
    }
    case 'BooleanTest': {
      const arg = evaluate(body.arg);
      if (arg === undefined) return undefined;
      switch (body.booltesttype) {
        case 'IS_TRUE': case 'IS_NOT_FALSE': return arg;
        case 'IS_FALSE': case 'IS_NOT_TRUE': return !arg;
        case 'IS_NOT_UNKNOWN': return true;
        case 'IS_UNKNOWN': return false;
        default: return undefined;
      }
    }
    case 'SubLink': {
      // EXISTS over a SELECT with no FROM, WHERE, HAVING or LIMIT returns its one row.
      const sub = unwrap(body.subselect)?.[1];
      if (body.subLinkType !== 'EXISTS_SUBLINK' || !sub) return undefined;
      const bare = !sub.fromClause && !sub.whereClause && !sub.havingClause && !sub.limitCount && !sub.valuesLists && !sub.larg;
      return bare ? true : undefined;
    }
    case 'CoalesceExpr': {
      const first = ((body.args as unknown[] | undefined) ?? [])[0];
      return evaluate(first) === true ? true : undefined;
    }
    default:
      return undefined;
  }
}

/** An OR with both `x IS NULL` and `x IS NOT NULL` among its alternatives: every row matches one of them. */
function coversNulls(or: Node): boolean {
  const tests = ((or.args as unknown[] | undefined) ?? []).map(unwrap).filter((a) => a?.[0] === 'NullTest') as [string, Node][];
  const isNull = new Set(tests.filter(([, b]) => b.nulltesttype === 'IS_NULL').map(([, b]) => shape(b.arg)));
  return tests.some(([, b]) => b.nulltesttype === 'IS_NOT_NULL' && isNull.has(shape(b.arg)));
}

export function isAlwaysTrue(node: unknown): boolean {
  return evaluate(node) === true;
}

export function isAlwaysFalse(node: unknown): boolean {
  return evaluate(node) === false;
}
