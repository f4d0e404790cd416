/**
 * Which governed reads a pooled connection keeps as named prepared statements, so that a read repeated on that
 * connection is parsed and planned by PostgreSQL once, as JDBC and most drivers do for repeated statements. On a
 * primary-key lookup, parsing and planning are about a quarter of the round trip.
 *
 * Each connection has SLOTS names (`vigil_read_0` ...); the least recently used text gives up its name to a new one.
 * So a connection never holds more than SLOTS of them, whatever texts pass through it. Whether a name really holds a
 * text on the server is guard-pipeline.ts's record: a name reused here is closed and parsed again there.
 */
import type pg from 'pg';
import { connectionOf } from './pg-connection.js';

export const SLOTS = 64;

/** Per connection: text to slot name, least recently used first. */
const connections = new WeakMap<pg.Connection, Map<string, string>>();

/** The name under which `text` is kept on the client's connection, taking the least recently used one if need be. */
export function slotFor(client: pg.PoolClient, text: string): string {
  const connection = connectionOf(client);
  let byText = connections.get(connection);
  if (!byText) connections.set(connection, (byText = new Map()));
  let name = byText.get(text);
  if (name !== undefined) {
    byText.delete(text);
  } else if (byText.size < SLOTS) {
    name = `vigil_read_${byText.size}`;
  } else {
    const [oldest, freed] = byText.entries().next().value as [string, string];
    byText.delete(oldest);
    name = freed;
  }
  byText.set(text, name);
  return name;
}
