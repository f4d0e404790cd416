/**
 * Classifies SQL with PostgreSQL's own parser (libpg-query, compiled to WASM): the statement kind, its class,
 * the tables read and written, the functions called, and the flags policy decides on.
 * Pure after the parser has loaded; never throws: input it can't classify comes back `parsed: false` with a reason,
 * and policy denies it. Results are deeply frozen and cached by exact text (bounded LRU), so the cache can never
 * make two answers for the same text differ.
 * It reads text only, never the catalog: what a view, trigger, rule or user-defined overload does at run time is not
 * visible here (see docs/sql-parser.md for what covers those).
 */
import { createHash } from 'node:crypto';
import { loadModule, normalizeSync, parseSync } from 'libpg-query';
import { BUILTIN_OPERATORS, builtinName, functionVerdict, SESSION_CHANGING_FUNCTIONS } from './sql-functions.js';
import { CLASS_SEVERITY, STATEMENT_KINDS } from './statement-kinds.js';
import { escapeAmbiguity } from './string-escapes.js';
import type { Classification, StatementClass, StatementFlag, TableRef } from './types.js';
import { isAlwaysFalse, isAlwaysTrue } from './where-always-true.js';

/** Larger input is refused unparsed: nobody types a megabyte into a runbook step, and parsing it costs memory. */
export const MAX_STATEMENT_BYTES = 1024 * 1024;
/** Texts longer than this are classified but not cached, so a few huge inputs can't pin memory. */
const MAX_CACHED_LENGTH = 16 * 1024;

export interface SqlClassifier {
  classify(sql: string): Classification;
}

type Node = Record<string, unknown>;

const WRITE_KINDS = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);
const FALSE_WORDS = new Set(['f', 'fa', 'fal', 'fals', 'false', 'n', 'no', 'of', 'off', '0']);

/** ALTER TABLE subcommands whose `name` is a column: these change that column. */
const COLUMN_SUBCOMMANDS = new Set([
  'AT_ColumnDefault', 'AT_CookedColumnDefault', 'AT_DropNotNull', 'AT_SetNotNull', 'AT_SetExpression', 'AT_DropExpression',
  'AT_SetStatistics', 'AT_SetOptions', 'AT_ResetOptions', 'AT_SetStorage', 'AT_SetCompression', 'AT_DropColumn',
  'AT_AlterColumnType', 'AT_AlterColumnGenericOptions', 'AT_AddIdentity', 'AT_SetIdentity', 'AT_DropIdentity',
]);

export async function createSqlClassifier(options: { cacheSize?: number } = {}): Promise<SqlClassifier> {
  await loadModule();
  const cacheSize = Math.max(0, options.cacheSize ?? 2_000);
  const cache = new Map<string, Classification>();
  return {
    classify(sql: string): Classification {
      const hit = cache.get(sql);
      if (hit) {
        // Refresh its place: the map's insertion order is the LRU order.
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const result = classifyUncached(sql);
      if (cacheSize > 0 && sql.length <= MAX_CACHED_LENGTH) {
        cache.set(sql, result);
        if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
      }
      return result;
    },
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function refused(sql: string, error: string): Classification {
  return deepFreeze({
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
  });
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
  /** Inside a statement that stores SQL without running it (PREPARE, CREATE RULE, a function body). */
  inert = false;

  raise(cls: StatementClass): void {
    if (CLASS_SEVERITY[cls] > CLASS_SEVERITY[this.worst]) this.worst = cls;
  }

  readTable(name: string): void {
    if (!this.read.has(name)) this.read.set(name, { name });
  }

  /** `columns` undefined means the whole table (DELETE, TRUNCATE, INSERT without a column list). */
  write(table: string, columns?: readonly string[]): void {
    const existing = this.written.get(table);
    if (!this.written.has(table)) this.written.set(table, columns && columns.length > 0 ? new Set(columns) : undefined);
    else if (existing && columns && columns.length > 0) for (const c of columns) existing.add(c);
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

/** `{Kind: body}` -> [Kind, body]; anything else (lists, scalars, bare structs) -> undefined. */
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

function nameParts(list: unknown): string[] {
  return ((list as unknown[] | undefined) ?? []).map((p) => (unwrap(p)?.[1].sval as string | undefined) ?? '?');
}

function funcName(body: Node): string {
  return nameParts(body.funcname).join('.').toLowerCase();
}

/**
 * An operator runs a function. A symbol PostgreSQL doesn't define, or one qualified with a schema other than
 * pg_catalog, is reported as the function `operator(schema.symbol)` so the unknown-function rule sees it.
 */
function noteOperator(names: unknown, walk: Walk): void {
  const parts = nameParts(names);
  const symbol = parts[parts.length - 1];
  // BETWEEN, LIKE and friends carry keywords or built-in symbols; only symbols made of operator characters count.
  if (!symbol || !/^[+\-*/<>=~!@#%^&|`?]+$/.test(symbol)) return;
  const schema = parts.length > 1 ? parts.slice(0, -1).join('.').toLowerCase() : undefined;
  if (BUILTIN_OPERATORS.has(symbol) && (!schema || schema === 'pg_catalog')) return;
  walk.functions.add(`operator(${schema ? `${schema}.` : ''}${symbol})`);
}

function visitFields(body: Node, walk: Walk, skip: readonly string[] = []): void {
  for (const [field, child] of Object.entries(body)) {
    if (field !== 'location' && !skip.includes(field)) visit(child, walk, false);
  }
}

/** Visits every node; `top` is true only for the statement itself, so nested writes can be told apart. */
function visit(value: unknown, walk: Walk, top: boolean): void {
  if (Array.isArray(value)) {
    for (const item of value) visit(item, walk, false);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const n = unwrap(value);
  if (!n) {
    // Some relations and calls appear bare (not wrapped as {RangeVar: ...}), e.g. VACUUM's relations and CALL's function.
    const bare = value as Node;
    if (typeof bare.relname === 'string') walk.readTable(tableName(bare));
    if (Array.isArray(bare.funcname) && 'funcformat' in bare) walk.functions.add(funcName(bare));
    visitFields(bare, walk);
    return;
  }
  const [key, body] = n;
  switch (key) {
    case 'RangeVar':
      walk.readTable(tableName(body));
      break;
    case 'FuncCall':
      walk.functions.add(funcName(body));
      break;
    case 'A_Expr':
      noteOperator(body.name, walk);
      break;
    case 'SubLink':
      noteOperator(body.operName, walk);
      break;
    case 'SortBy':
      noteOperator(body.useOp, walk);
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
        const into = relationName((body.intoClause as Node).rel);
        if (into) walk.write(into);
      }
      if (body.lockingClause) walk.flags.add('locking_clause');
      break;
    case 'ExecuteStmt':
      // Nested, e.g. CREATE TABLE x AS EXECUTE p: the prepared statement's text is not in this one.
      walk.flags.add('opaque_code');
      break;
  }
  if (WRITE_KINDS.has(key)) {
    // A write inside another statement that runs it (a WITH clause, COPY (DELETE ... RETURNING) TO) hides behind
    // what looks like a read. Stored-but-not-run SQL (PREPARE, rules, function bodies) is not that.
    if (!top && !walk.inert) walk.flags.add('data_modifying_cte');
    walk.raise('write');
    visitWrite(key, body, walk);
    return;
  }
  visitFields(body, walk);
}

/** INSERT, UPDATE, DELETE, MERGE: the target is written (with the columns named), everything else is read. */
function visitWrite(key: string, body: Node, walk: Walk): void {
  const name = relationName(body.relation) ?? '?';
  let columns: string[] | undefined;
  if (key === 'UpdateStmt') columns = resTargetNames(body.targetList);
  if (key === 'InsertStmt') {
    const named = resTargetNames(body.cols);
    columns = named.length > 0 ? named : undefined;
    const conflict = unwrap(body.onConflictClause)?.[1] ?? (body.onConflictClause as Node | undefined);
    if (columns && conflict?.targetList) columns = [...columns, ...resTargetNames(conflict.targetList)];
  }
  if (key === 'MergeStmt') {
    const clauses = ((body.mergeWhenClauses as unknown[] | undefined) ?? []).map((c) => unwrap(c)?.[1] ?? {});
    const all = clauses.flatMap((c) => resTargetNames(c.targetList));
    // An INSERT clause without a column list writes every column.
    const insertsAll = clauses.some((c) => c.commandType === 'CMD_INSERT' && resTargetNames(c.targetList).length === 0);
    columns = all.length > 0 && !insertsAll ? [...new Set(all)] : undefined;
    // MERGE's ON is its WHERE: always true with WHEN MATCHED, or never true with WHEN NOT MATCHED BY SOURCE,
    // and an UPDATE or DELETE clause reaches every row of the target.
    const changes = (kind: string) => clauses.some((c) => c.matchKind === kind && (c.commandType === 'CMD_UPDATE' || c.commandType === 'CMD_DELETE'));
    if ((changes('MERGE_WHEN_MATCHED') && isAlwaysTrue(body.joinCondition)) || (changes('MERGE_WHEN_NOT_MATCHED_BY_SOURCE') && isAlwaysFalse(body.joinCondition))) {
      walk.flags.add('where_always_true');
    }
  }
  walk.write(name, columns);
  if (key === 'UpdateStmt' || key === 'DeleteStmt') {
    if (!body.whereClause) walk.flags.add('no_where');
    else if (isAlwaysTrue(body.whereClause)) walk.flags.add('where_always_true');
  }
  visitFields(body, walk, ['relation']);
}

/** Parser object types whose SQL spelling differs from the enum name. */
const OBJECT_WORDS: Readonly<Record<string, string>> = {
  MATVIEW: 'MATERIALIZED VIEW', FDW: 'FOREIGN DATA WRAPPER', FOREIGN_SERVER: 'SERVER', OPCLASS: 'OPERATOR CLASS',
  OPFAMILY: 'OPERATOR FAMILY', STATISTIC_EXT: 'STATISTICS', TSCONFIGURATION: 'TEXT SEARCH CONFIGURATION',
  TSDICTIONARY: 'TEXT SEARCH DICTIONARY', TSPARSER: 'TEXT SEARCH PARSER', TSTEMPLATE: 'TEXT SEARCH TEMPLATE',
};

function dropCommand(body: Node): string {
  const type = String(body.removeType ?? 'OBJECT_UNKNOWN').replace(/^OBJECT_/, '');
  return `DROP ${OBJECT_WORDS[type] ?? type.replace(/_/g, ' ')}`;
}

const TRANSACTION_WORDS: Readonly<Record<string, string>> = {
  START: 'START TRANSACTION', ROLLBACK_TO: 'ROLLBACK TO SAVEPOINT', PREPARE: 'PREPARE TRANSACTION',
  COMMIT_PREPARED: 'COMMIT PREPARED', ROLLBACK_PREPARED: 'ROLLBACK PREPARED',
};

function transactionCommand(body: Node): string {
  const kind = String(body.kind ?? 'TRANS_STMT_UNKNOWN').replace(/^TRANS_STMT_/, '');
  return TRANSACTION_WORDS[kind] ?? kind.replace(/_/g, ' ');
}

function setCommand(body: Node): string {
  const name = String(body.name ?? '').toLowerCase();
  const setting = name === 'role' ? 'ROLE' : name === 'session_authorization' ? 'SESSION AUTHORIZATION' : name;
  if (String(body.kind).startsWith('VAR_RESET')) return `RESET ${setting || 'ALL'}`;
  return `SET ${setting}`.trim();
}

/** The columns an ALTER TABLE changes (added, dropped, retyped, defaulted ...). */
function alteredColumns(body: Node): string[] {
  return ((body.cmds as unknown[] | undefined) ?? []).flatMap((c) => {
    const cmd = unwrap(c)?.[1];
    if (!cmd) return [];
    const def = unwrap(cmd.def);
    if (def?.[0] === 'ColumnDef' && typeof def[1].colname === 'string') return [def[1].colname];
    return typeof cmd.name === 'string' && COLUMN_SUBCOMMANDS.has(String(cmd.subtype)) ? [cmd.name] : [];
  });
}

/** Whether a statement's options turn `name` on (EXPLAIN's ANALYZE, VACUUM's FULL). Anything but an explicit false does. */
function optionEnabled(options: unknown, name: string): boolean {
  return ((options as unknown[] | undefined) ?? []).some((o) => {
    const def = unwrap(o)?.[1];
    if (def?.defname !== name) return false;
    const arg = unwrap(def.arg);
    if (!arg) return true;
    const [type, value] = arg;
    if (type === 'Integer') return Boolean(value.ival);
    if (type === 'Boolean') return Boolean(value.boolval);
    // PostgreSQL's boolean option words; one it doesn't know fails the statement, so counting it as true is safe.
    return type !== 'String' || !FALSE_WORDS.has(String(value.sval ?? '').toLowerCase());
  });
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
      if (optionEnabled(body.options, 'analyze')) {
        // EXPLAIN ANALYZE runs its statement: it is what it explains.
        walk.flags.add('explain_analyze');
        const inner = classifyStatement(body.query, walk);
        return { kind, command: `EXPLAIN ANALYZE ${inner.command}` };
      }
      // A plain EXPLAIN does not execute: what it mentions is read (planned), not written. Its functions still
      // count: the planner evaluates IMMUTABLE ones, and a user function may lie about being immutable.
      walk.raise('read');
      const planned = new Walk();
      planned.inert = true;
      visit(body.query, planned, true);
      for (const name of [...planned.read.keys(), ...planned.written.keys()]) walk.readTable(name);
      for (const f of planned.functions) walk.functions.add(f);
      for (const c of planned.cteNames) walk.cteNames.add(c);
      for (const c of planned.columns) walk.columns.add(c);
      if (planned.flags.has('opaque_code')) walk.flags.add('opaque_code');
      return { kind, command };
    }
    case 'CopyStmt': {
      const relation = relationName(body.relation);
      if (body.is_program) walk.flags.add('copy_program');
      if (body.is_program || body.filename) {
        // Server-side programs and files act outside the database, with the server's own OS account.
        walk.raise('admin');
        command = `COPY ${body.is_from ? 'FROM' : 'TO'} ${body.is_program ? 'PROGRAM' : 'FILE'}`;
      }
      if (body.is_from) {
        walk.raise('write');
        const named = ((body.attlist as unknown[] | undefined) ?? []).map((a) => unwrap(a)?.[1].sval).filter((x): x is string => typeof x === 'string');
        if (relation) walk.write(relation, named);
      } else {
        walk.raise('read');
        if (relation) walk.readTable(relation);
      }
      // The query of COPY (...) TO and the WHERE of COPY FROM can call functions like any SELECT.
      visitFields(body, walk, ['relation']);
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
    case 'CreateStmt':
    case 'RefreshMatViewStmt': {
      const name = relationName(body.relation);
      if (name) walk.write(name);
      break;
    }
    case 'AlterTableStmt': {
      const name = relationName(body.relation);
      if (name) walk.write(name, alteredColumns(body));
      break;
    }
    case 'RenameStmt': {
      const name = relationName(body.relation);
      if (name) walk.write(name, body.renameType === 'OBJECT_COLUMN' && typeof body.subname === 'string' ? [body.subname] : undefined);
      break;
    }
    case 'ViewStmt': {
      const name = relationName(body.view);
      if (name) walk.write(name);
      break;
    }
    case 'CreateTableAsStmt': {
      const name = relationName((body.into as Node | undefined)?.rel);
      if (name) walk.write(name);
      break;
    }
    case 'PrepareStmt':
    case 'RuleStmt':
    case 'CreateFunctionStmt':
      // Stored, not run now: their statements are read for tables and functions but don't count as executed writes.
      walk.inert = true;
      break;
    case 'VariableSetStmt':
      command = setCommand(body);
      break;
    case 'VacuumStmt':
      // ANALYZE alone only reads and samples; VACUUM FULL rewrites the table under an exclusive lock.
      command = !body.is_vacuumcmd ? 'ANALYZE' : optionEnabled(body.options, 'full') ? 'VACUUM FULL' : 'VACUUM';
      break;
    case 'TransactionStmt':
      command = transactionCommand(body);
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
  walk.inert = false;
  return { kind, command };
}

function malformed(sql: string): string | undefined {
  if (typeof sql !== 'string') return 'input is not a string';
  if (sql.length > MAX_STATEMENT_BYTES || Buffer.byteLength(sql, 'utf8') > MAX_STATEMENT_BYTES) return `statement is larger than ${MAX_STATEMENT_BYTES} bytes`;
  if (sql.includes('\u0000')) return 'input contains a NUL byte';
  if (!/\S/.test(sql)) return 'no statement (empty or only comments)';
  // Text decoded from invalid UTF-8 carries U+FFFD where the bad bytes were; a lone surrogate can't be encoded at all.
  if (sql.includes('\uFFFD')) return 'input is not valid UTF-8 (it contains a replacement character)';
  if (!(sql as string & { isWellFormed(): boolean }).isWellFormed()) return 'input is not valid Unicode (lone surrogate)';
  return undefined;
}

export function classifyUncached(sql: string): Classification {
  const problem = malformed(sql);
  if (problem) return refused(String(sql), problem);
  let tree: { stmts?: { stmt?: unknown }[] };
  try {
    tree = parseSync(sql) as unknown as { stmts?: { stmt?: unknown }[] };
  } catch (error) {
    return refused(sql, `unparseable SQL: ${firstLine(error)}`);
  }
  const statements = tree.stmts ?? [];
  if (statements.length === 0) return refused(sql, 'no statement (empty or only comments)');
  try {
    const ambiguity = escapeAmbiguity(sql);
    if (ambiguity) return refused(sql, `ambiguous backslash in a string literal: ${ambiguity}; write E'...' for escapes or pass the value as a parameter`);
    return deepFreeze(classifyTree(sql, statements));
  } catch (error) {
    // A tree too deep for the walk (stack overflow) or a shape it doesn't expect: refuse rather than guess.
    return refused(sql, `could not classify the statement: ${firstLine(error)}`);
  }
}

function classifyTree(sql: string, statements: readonly { stmt?: unknown }[]): Classification {
  const walk = new Walk();
  const commands = statements.map((s) => classifyStatement(s.stmt, walk));
  const first = commands[0] as { kind: string; command: string };
  if (statements.length > 1) walk.flags.add('multi_statement');

  for (const name of walk.functions) {
    const verdict = functionVerdict(name);
    if (verdict === 'side_effect') walk.flags.add('side_effect_function');
    else if (verdict === 'unknown') walk.flags.add('unknown_function');
    if (SESSION_CHANGING_FUNCTIONS.has(builtinName(name))) walk.flags.add('session_change');
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
    // Several statements: name them all, so the one line a person reads shows what was smuggled in.
    command: commands.length > 1 ? commands.map((c) => c.command).join('; ') : first.command,
    class: walk.worst,
    tables: {
      read: [...walk.read.values()],
      write: [...walk.written.entries()].map(([name, cols]) => (cols && cols.size > 0 ? { name, columns: [...cols] } : { name })),
    },
    functions: [...walk.functions],
    flags: [...walk.flags].sort(),
    statementCount: statements.length,
    columnsReferenced: [...walk.columns],
    normalized,
    hash: sha256(sql),
  };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
