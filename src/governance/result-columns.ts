/**
 * Where each result column comes from. PostgreSQL sends, with every result, each field's table OID and column number;
 * resolving them through the catalog tells that `SELECT email AS contact` returns customers.email, whatever its name.
 * Computed columns (and columns of views) come with no table: they are marked unresolved, and masking treats them
 * conservatively. One catalog query per result for the OIDs not yet cached; none once they are.
 */
import type pg from 'pg';

export interface ResultColumn {
  readonly name: string;
  readonly source?: { readonly schema: string; readonly table: string; readonly column: string };
  /** The PostgreSQL type's OID, as the result reported it. */
  readonly typeOid?: number;
  /** True when PostgreSQL reported no source table: an expression, an aggregate, or a view's column. */
  readonly unresolved?: boolean;
}

type Source = NonNullable<ResultColumn['source']>;

const caches = new WeakMap<pg.Pool, Map<string, Source | null>>();
/** The columns already built for a result shape, per pool: the same array each time, so masking can keep its plan. */
const shapes = new WeakMap<pg.Pool, Map<string, readonly ResultColumn[]>>();
const MAX_SHAPES = 1_000;

/**
 * Result columns with their source. Synchronous when every source is already cached (the usual case after the first
 * run of a statement), so a hot read does not wait a turn of the event loop for a map lookup.
 */
export function resolveResultColumns(pool: pg.Pool, client: pg.PoolClient, fields: readonly pg.FieldDef[]): readonly ResultColumn[] | Promise<readonly ResultColumn[]> {
  let byShape = shapes.get(pool);
  if (!byShape) shapes.set(pool, (byShape = new Map()));
  const shape = fields.map((f) => `${f.tableID}:${f.columnID}:${f.dataTypeID}:${f.name}`).join('\u0000');
  const built = byShape.get(shape);
  if (built) return built;
  const remember = (columns: readonly ResultColumn[]) => {
    if (byShape.size >= MAX_SHAPES) byShape.clear();
    byShape.set(shape, columns);
    return columns;
  };
  let cache = caches.get(pool);
  if (!cache) caches.set(pool, (cache = new Map()));
  const known = cache;
  const missing = fields.filter((f) => f.tableID !== 0 && !known.has(sourceKey(f)));
  return missing.length === 0 ? remember(fromCache(known, fields)) : lookUp(client, known, missing).then(() => remember(fromCache(known, fields)));
}

function sourceKey(f: pg.FieldDef): string {
  return `${f.tableID}:${f.columnID}`;
}

function fromCache(cache: Map<string, Source | null>, fields: readonly pg.FieldDef[]): ResultColumn[] {
  return fields.map((f) => {
    const source = f.tableID === 0 ? undefined : (cache.get(sourceKey(f)) ?? undefined);
    return source ? { name: f.name, source, typeOid: f.dataTypeID } : { name: f.name, unresolved: true, typeOid: f.dataTypeID };
  });
}

async function lookUp(client: pg.PoolClient, cache: Map<string, Source | null>, missing: readonly pg.FieldDef[]): Promise<void> {
  const { rows } = await client.query<{ oid: number; attnum: number; schema: string; table: string; column: string }>(
    `SELECT c.oid::int AS oid, a.attnum::int AS attnum, n.nspname AS schema, c.relname AS table, a.attname AS column
       FROM pg_catalog.pg_attribute a
       JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE (a.attrelid, a.attnum) IN (SELECT * FROM unnest($1::oid[], $2::int2[]))`,
    [missing.map((f) => f.tableID), missing.map((f) => f.columnID)],
  );
  for (const f of missing) cache.set(sourceKey(f), null);
  for (const r of rows) cache.set(`${r.oid}:${r.attnum}`, { schema: r.schema, table: r.table, column: r.column });
}
