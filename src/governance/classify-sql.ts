/**
 * Classifies SQL with PostgreSQL's own parser (libpg-query, compiled to WASM): the statement kind, its class,
 * the tables read and written, the functions called, and the flags policy decides on.
 * Pure after the parser has loaded; never throws: input it can't classify comes back `parsed: false` with a reason,
 * and policy denies it. Results are cached by exact text (bounded), which never changes a result.
 */
import { createHash } from 'node:crypto';
import { loadModule, normalizeSync, parseSync } from 'libpg-query';
import { builtinName, KNOWN_SAFE_FUNCTIONS, SIDE_EFFECT_FUNCTIONS } from './sql-functions.js';
import { CLASS_SEVERITY, STATEMENT_KINDS } from './statement-kinds.js';
import type { Classification, StatementClass, StatementFlag, TableRef } from './types.js';
import { isAlwaysTrue } from './where-always-true.js';

export const MAX_STATEMENT_BYTES = 1024 * 1024;

export interface SqlClassifier {
  classify(sql: string): Classification;
}

type Node = Record<string, unknown>;

const WRITE_KINDS = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

export async function createSqlClassifier(options: { cacheSize?: number } = {}): Promise<SqlClassifier> {
  await loadModule();
  const cacheSize = options.cacheSize ?? 2_000;
  const cache = new Map<string, Classification>();
  return {
    classify(sql: string): Classification {
      const hit = cache.get(sql);
      if (hit) {
        // Refresh its place: the map's order is the LRU order.
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      let result: Classification;
      try {
        result = Object.freeze(classifyUncached(sql));
      } catch (error) {
        // A tree deep enough to exhaust the walker's stack, or anything else unforeseen: not classified means denied.
        result = Object.freeze(refused(sql, `could not classify: ${(error as Error).message}`));
      }
      cache.set(sql, result);
      if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
      return result;
    },
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function refused(sql: string, error: string): Classification {
  return {
    parsed: false,
    error,
    kind: 'Unparsed',
    command: 'UNKNOWN',
    class: 'admin',
    tables: { read: [], write: [] },
    functions: [],
    flags: [],
    statementCount: 0,
    columnsReferenced: [],
    hash: sha256(sql),
  };
}

/** Collects what a statement touches while walking its whole tree. */
class Walk {
  readonly read = new Map<string, TableRef>();
  readonly written = new Map<string, Set<string> | undefined>();
  readonly functions = new Set<string>();
  readonly flags = new Set<StatementFlag>();
  readonly cteNames = new Set<string>();
  readonly columns = new Set<string>();
  worst: StatementClass = 'transaction';

  raise(cls: StatementClass): void {
    if (CLASS_SEVERITY[cls] > CLASS_SEVERITY[this.worst]) this.worst = cls;
  }

  write(table: string, columns?: readonly string[]): void {
    const existing = this.written.get(table);
    if (!this.written.has(table)) this.written.set(table, columns ? new Set(columns) : undefined);
    else if (existing && columns) for (const c of columns) existing.add(c);
    else this.written.set(table, undefined);
  }
}

function tableName(rangeVar: Node): string {
  const schema = rangeVar.schemaname as string | undefined;
  const rel = rangeVar.relname as string;
  return schema ? `${schema}.${rel}` : rel;
}

/** A relation, whether bare or wrapped as {RangeVar: ...}. */
function relationName(node: unknown): string | undefined {
  if (node && typeof node === 'object' && typeof (node as Node).relname === 'string') return tableName(node as Node);
  const n = unwrap(node);
  return n?.[0] === 'RangeVar' ? tableName(n[1]) : undefined;
}

function unwrap(node: unknown): [string, Node] | undefined {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return undefined;
  const keys = Object.keys(node);
  if (keys.length !== 1) return undefined;
  const key = keys[0] as string;
  const body = (node as Record<string, unknown>)[key];
  return /^[A-Z]/.test(key) && body && typeof body === 'object' ? [key, body as Node] : undefined;
}

function resTargetNames(list: unknown): string[] {
  return ((list as unknown[] | undefined) ?? []).flatMap((t) => {
    const target = unwrap(t);
    return target?.[0] === 'ResTarget' && typeof target[1].name === 'string' ? [target[1].name] : [];
  });
}

function funcName(body: Node): string {
  const parts = ((body.funcname as unknown[] | undefined) ?? []).map((p) => (unwrap(p)?.[1].sval as string | undefined) ?? '?');
  return parts.join('.');
}

/** Visits every node; `top` is true only for the statement itself, so nested writes can be told apart. */
function visit(value: unknown, walk: Walk, top: boolean): void {
  if (Array.isArray(value)) {
    for (const item of value) visit(item, walk, false);
    return;
  }
  const n = unwrap(value);
  if (!n) {
    if (!value || typeof value !== 'object') return;
    // Some relations and calls appear bare (not wrapped as {RangeVar: ...}), e.g. VACUUM's relations and CALL's function.
    if (typeof (value as Node).relname === 'string') {
      const name = tableName(value as Node);
      if (!walk.read.has(name)) walk.read.set(name, { name });
    }
    if (Array.isArray((value as Node).funcname) && 'funcformat' in (value as Node)) walk.functions.add(funcName(value as Node));
    for (const [field, child] of Object.entries(value)) if (field !== 'location') visit(child, walk, false);
    return;
  }
  const [key, body] = n;
  switch (key) {
    case 'RangeVar': {
      const name = tableName(body);
      if (!walk.read.has(name)) walk.read.set(name, { name });
      break;
    }
    case 'FuncCall':
      walk.functions.add(funcName(body));
      break;
    case 'ColumnRef': {
      const fields = (body.fields as unknown[] | undefined) ?? [];
      const last = unwrap(fields[fields.length - 1]);
      if (last?.[0] === 'String') walk.columns.add(String(last[1].sval).toLowerCase());
      break;
    }
    case 'CommonTableExpr':
      walk.cteNames.add(body.ctename as string);
      break;
    case 'SelectStmt':
      if (body.intoClause) {
        walk.flags.add('select_into');
        walk.raise('ddl');
      }
      if (body.lockingClause) walk.flags.add('locking_clause');
      break;
  }
  if (WRITE_KINDS.has(key)) {
    if (!top) walk.flags.add('data_modifying_cte');
    walk.raise('write');
    visitWrite(key, body, walk);
    return;
  }
  for (const [field, child] of Object.entries(body)) {
    if (field !== 'location') visit(child, walk, false);
  }
}

/** INSERT, UPDATE, DELETE, MERGE: the target is written (with the columns named), everything else is read. */
function visitWrite(key: string, body: Node, walk: Walk): void {
  const name = relationName(body.relation) ?? '?';
  let columns: string[] | undefined;
  if (key === 'UpdateStmt') columns = resTargetNames(body.targetList);
  if (key === 'InsertStmt') {
    const named = resTargetNames(body.cols);
    columns = named.length > 0 ? named : undefined;
    const conflict = body.onConflictClause as Node | undefined;
    if (columns && conflict?.targetList) columns = [...columns, ...resTargetNames(conflict.targetList)];
  }
  if (key === 'MergeStmt') {
    columns = ((body.mergeWhenClauses as unknown[] | undefined) ?? []).flatMap((c) => resTargetNames(unwrap(c)?.[1].targetList));
    if (columns.length === 0) columns = undefined;
  }
  walk.write(name, columns);
  if (key === 'UpdateStmt' || key === 'DeleteStmt') {
    if (!body.whereClause) walk.flags.add('no_where');
    else if (isAlwaysTrue(body.whereClause)) walk.flags.add('where_always_true');
  }
  for (const [field, child] of Object.entries(body)) {
    if (field !== 'relation' && field !== 'location') visit(child, walk, false);
  }
}

function dropCommand(body: Node): string {
  const type = String(body.removeType ?? 'OBJECT_UNKNOWN').replace(/^OBJECT_/, '').replace(/_/g, ' ');
  return `DROP ${type}`;
}

function setCommand(body: Node): string {
  const name = String(body.name ?? '').toLowerCase();
  if (name === 'role') return 'SET ROLE';
  if (name === 'session_authorization') return 'SET SESSION AUTHORIZATION';
  if (String(body.kind).startsWith('VAR_RESET')) return `RESET ${name || 'ALL'}`.trim();
  return `SET ${name}`.trim();
}

/** Classifies one top-level statement into the walk; returns its kind and command. */
function classifyStatement(stmt: unknown, walk: Walk): { kind: string; command: string } {
  const n = unwrap(stmt);
  if (!n) {
    walk.flags.add('unknown_statement');
    walk.raise('admin');
    return { kind: 'Unknown', command: 'UNKNOWN' };
  }
  const [kind, body] = n;
  const info = STATEMENT_KINDS[kind];
  if (!info) {
    walk.flags.add('unknown_statement');
    walk.raise('admin');
    visit(stmt, walk, true);
    return { kind, command: kind.replace(/Stmt$/, '').toUpperCase() };
  }
  for (const f of info.flags ?? []) walk.flags.add(f);
  let command = info.command;
  switch (kind) {
    case 'ExplainStmt': {
      const analyze = ((body.options as unknown[] | undefined) ?? []).some((o) => {
        const def = unwrap(o)?.[1];
        return def?.defname === 'analyze' && !/"(false|off|0)"|"boolval":\{\}/.test(JSON.stringify(def.arg ?? {}));
      });
      if (analyze) {
        // EXPLAIN ANALYZE runs its statement: it is what it explains.
        walk.flags.add('explain_analyze');
        const inner = classifyStatement(body.query, walk);
        return { kind, command: `EXPLAIN ANALYZE ${inner.command}` };
      }
      // A plain EXPLAIN does not execute: what it mentions is read (planned), not written.
      walk.raise('read');
      const planned = new Walk();
      visit(body.query, planned, true);
      for (const name of [...planned.read.keys(), ...planned.written.keys()]) walk.read.set(name, { name });
      for (const f of planned.functions) walk.functions.add(f);
      for (const c of planned.cteNames) walk.cteNames.add(c);
      for (const c of planned.columns) walk.columns.add(c);
      return { kind, command };
    }
    case 'CopyStmt': {
      const relation = relationName(body.relation);
      if (body.is_program) walk.flags.add('copy_program');
      if (body.is_program || body.filename) {
        walk.raise('admin');
        command = `COPY ${body.is_from ? 'FROM' : 'TO'} ${body.is_program ? 'PROGRAM' : 'FILE'}`;
      }
      if (body.is_from) {
        walk.raise('write');
        if (relation) walk.write(relation, resTargetNames(body.attlist).length ? resTargetNames(body.attlist) : undefined);
      } else {
        walk.raise('read');
        if (relation) walk.read.set(relation, { name: relation });
        visit(body.query, walk, false);
      }
      return { kind, command };
    }
    case 'DropStmt':
      command = dropCommand(body);
      // What is dropped is written, in the strongest sense: `who dropped orders?` must find it.
      for (const object of (body.objects as unknown[] | undefined) ?? []) {
        const items = (unwrap(object)?.[1].items as unknown[] | undefined) ?? [];
        const name = items.map((i) => unwrap(i)?.[1].sval).filter((x): x is string => typeof x === 'string').join('.');
        if (name) walk.write(name);
      }
      break;
    case 'TruncateStmt':
      for (const r of (body.relations as unknown[] | undefined) ?? []) {
        const name = relationName(r);
        if (name) walk.write(name);
      }
      walk.raise('ddl');
      return { kind, command };
    case 'VariableSetStmt':
      command = setCommand(body);
      break;
    case 'TransactionStmt':
      command = String(body.kind ?? 'TRANS_STMT_UNKNOWN').replace(/^TRANS_STMT_/, '').replace(/_/g, ' ');
      break;
    case 'SelectStmt':
      if (body.intoClause) command = 'SELECT INTO';
      break;
    case 'GrantStmt':
      command = body.is_grant ? 'GRANT' : 'REVOKE';
      break;
    case 'GrantRoleStmt':
      command = body.is_grant ? 'GRANT ROLE' : 'REVOKE ROLE';
      break;
  }
  walk.raise(info.class);
  visit(stmt, walk, true);
  return { kind, command };
}

function wellFormed(sql: string): string | undefined {
  if (sql.includes('\u0000')) return 'input contains a NUL byte';
  if (sql.includes('\uFFFD')) return 'input is not valid UTF-8 (it contains a replacement character)';
  if (!(sql as string & { isWellFormed(): boolean }).isWellFormed()) return 'input is not valid Unicode (lone surrogate)';
  if (Buffer.byteLength(sql, 'utf8') > MAX_STATEMENT_BYTES) return `statement is larger than ${MAX_STATEMENT_BYTES} bytes`;
  return undefined;
}

export function classifyUncached(sql: string): Classification {
  const malformed = wellFormed(sql);
  if (malformed) return refused(sql, malformed);
  let tree: { stmts?: { stmt?: unknown }[] };
  try {
    tree = parseSync(sql) as unknown as { stmts?: { stmt?: unknown }[] };
  } catch (error) {
    return refused(sql, `unparseable SQL: ${(error as Error).message}`);
  }
  const statements = tree.stmts ?? [];
  if (statements.length === 0) return refused(sql, 'no statement (empty or only comments)');

  const walk = new Walk();
  const first = classifyStatement(statements[0]?.stmt, walk);
  for (const s of statements.slice(1)) classifyStatement(s.stmt, walk);
  if (statements.length > 1) walk.flags.add('multi_statement');

  for (const name of walk.functions) {
    const builtin = builtinName(name);
    if (SIDE_EFFECT_FUNCTIONS.has(builtin)) walk.flags.add('side_effect_function');
    else if (!KNOWN_SAFE_FUNCTIONS.has(builtin)) walk.flags.add('unknown_function');
  }
  for (const cte of walk.cteNames) walk.read.delete(cte);
  for (const written of walk.written.keys()) walk.read.delete(written);

  let normalized: string | undefined;
  try {
    normalized = normalizeSync(sql);
  } catch {
    normalized = undefined;
  }
  return {
    parsed: true,
    kind: first.kind,
    command: first.command,
    class: walk.worst,
    tables: {
      read: [...walk.read.values()],
      write: [...walk.written.entries()].map(([name, cols]) => (cols && cols.size > 0 ? { name, columns: [...cols] } : { name })),
    },
    functions: [...walk.functions].map((f) => f.toLowerCase()),
    flags: [...walk.flags].sort(),
    statementCount: statements.length,
    columnsReferenced: [...walk.columns],
    normalized,
    hash: sha256(sql),
  };
}
