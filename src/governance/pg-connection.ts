/**
 * The wire connection under a pooled client: what Vigil's per-connection records (session stamp, kept statements)
 * are keyed by, since a connection outlives each checkout. pg does not type the field.
 */
import type pg from 'pg';

export function connectionOf(client: pg.PoolClient): pg.Connection {
  return (client as unknown as { connection: pg.Connection }).connection;
}
