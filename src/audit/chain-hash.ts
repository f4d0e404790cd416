/**
 * The link of the audit chain, shared by the database (which computes it at append time, in vigil_audit_append),
 * the store's `verify` and the evidence bundle verifier. Pure.
 *
 * hash = sha256(prev_hash "\n" seq "\n" id "\n" kind "\n" at "\n" canonical-json(record)), hex.
 * Every field before the record is free of newlines (hex, digits, a UUID, a kind word, an ISO time), so the encoding
 * is unambiguous; seq is inside, so records can't be reordered; prev_hash is inside, so none can be removed.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../shared/canonical-json.js';

/** The prev_hash of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

export interface HashedFields {
  readonly seq: number;
  readonly id: string;
  readonly kind: string;
  readonly at: string;
  readonly record: unknown;
}

/** The exact text that is hashed, given the record's canonical JSON. The database builds the same string. */
export function linkText(prevHash: string, row: Omit<HashedFields, 'record'>, recordJson: string): string {
  return `${prevHash}\n${row.seq}\n${row.id}\n${row.kind}\n${row.at}\n${recordJson}`;
}

export function rowHash(prevHash: string, row: HashedFields): string {
  return createHash('sha256').update(linkText(prevHash, row, canonicalJson(row.record)), 'utf8').digest('hex');
}
