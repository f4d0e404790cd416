/**
 * Walks audit records in chain order and checks every link: the sequence has no gap, prev_hash is the previous
 * record's hash, the hash recomputes from the content, and the index columns (when given) agree with the record.
 * Remembers the FIRST broken link and every attempt not yet followed by its outcome. Pure: the store's `verify` feeds
 * it from the database, and the evidence bundle verifier from records.jsonl.
 */
import { GENESIS_HASH, rowHash } from './chain-hash.js';
import { indexColumns, indexMismatch, type IndexColumns } from './index-columns.js';
import { AUDIT_KINDS, type AuditAttempt, type AuditKind, type BrokenLink, type OutcomeUnknown } from './types.js';

export interface ChainRow {
  readonly seq: number;
  readonly id: string;
  readonly kind: string;
  readonly at: string;
  readonly record: unknown;
  readonly prevHash: string;
  readonly hash: string;
  /** The stored index columns, when checking a database (an exported record has none). */
  readonly index?: IndexColumns;
}

export class ChainWalker {
  private prev: { seq: number; hash: string };
  private broken: BrokenLink | undefined;
  private readonly pending = new Map<string, OutcomeUnknown>();
  private count = 0;

  /** `start`: the seq and hash of the record before the first one to be pushed (0 and the genesis hash for a whole chain). */
  constructor(start: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH }) {
    this.prev = start;
  }

  push(row: ChainRow): void {
    this.count++;
    if (!this.broken) this.broken = this.check(row);
    // Keep walking from what is there, so that outcomes are still matched after a break.
    this.prev = { seq: row.seq, hash: row.hash };
    if (row.kind === 'attempt') {
      const a = row.record as Partial<AuditAttempt>;
      this.pending.set(row.id, {
        seq: row.seq, id: row.id, at: row.at, workflowId: a.workflowId ?? '', runId: a.runId ?? '', runbook: a.runbook ?? '',
        stepId: a.stepId ?? '', principalChain: a.principalChain ?? '', command: a.command ?? '',
      });
    } else if (row.kind === 'outcome') {
      const attemptId = (row.record as { attemptId?: unknown }).attemptId;
      if (typeof attemptId === 'string') this.pending.delete(attemptId);
    }
  }

  private check(row: ChainRow): BrokenLink | undefined {
    const at = (reason: string, expected: string, found: string): BrokenLink => ({ seq: row.seq, id: row.id, reason, expected, found });
    if (row.seq !== this.prev.seq + 1) return at(`gap in the sequence: #${this.prev.seq} is followed by #${row.seq}`, String(this.prev.seq + 1), String(row.seq));
    if (row.prevHash !== this.prev.hash) return at('prev_hash is not the previous record\'s hash (a record was removed, inserted or replaced)', this.prev.hash, row.prevHash);
    if (!(AUDIT_KINDS as readonly string[]).includes(row.kind)) return at('unknown record kind', AUDIT_KINDS.join('|'), row.kind);
    const recomputed = rowHash(row.prevHash, { seq: row.seq, id: row.id, kind: row.kind as AuditKind, at: row.at, record: row.record });
    if (recomputed !== row.hash) return at('content does not match its hash (the record was edited after it was written)', recomputed, row.hash);
    if (row.index) {
      const mismatch = indexMismatch(indexColumns(row.kind, row.record), row.index);
      if (mismatch) return at(`index column ${mismatch[0]} disagrees with the record (search would mislead)`, mismatch[1], mismatch[2]);
    }
    return undefined;
  }

  /** Call when the walk reached the chain head as stored beside the records. */
  checkHead(head: { seq: number; hash: string }): void {
    if (this.broken) return;
    if (head.seq !== this.prev.seq) {
      this.broken = { seq: Math.min(head.seq, this.prev.seq) + 1, id: '', reason: `the chain head says #${head.seq} but the last record is #${this.prev.seq}`, expected: String(head.seq), found: String(this.prev.seq) };
    } else if (head.hash !== this.prev.hash) {
      this.broken = { seq: head.seq, id: '', reason: 'the chain head hash is not the last record\'s hash', expected: this.prev.hash, found: head.hash };
    }
  }

  /** Record a problem found outside the walk (an anchor that no longer matches), unless an earlier one is known. */
  report(link: BrokenLink): void {
    if (!this.broken || link.seq < this.broken.seq) this.broken = link;
  }

  get rows(): number {
    return this.count;
  }

  get last(): { seq: number; hash: string } {
    return this.prev;
  }

  get brokenAt(): BrokenLink | undefined {
    return this.broken;
  }

  /** Attempts seen without their outcome so far, in chain order. */
  get withoutOutcome(): OutcomeUnknown[] {
    return [...this.pending.values()];
  }
}
