/**
 * The layout of an evidence bundle, shared by the exporter and the verifier. Pure.
 *
 *   records.jsonl     every record in a contiguous seq range, one canonical JSON object per line
 *   summary.json      built from records.jsonl alone (evidence-summary.ts), sections mapped to controls
 *   chain-head.json   the store's chain head when the bundle was made: { seq, hash, readAt }
 *   public-key.pem    the Ed25519 public key that signed the manifest
 *   SHA256SUMS        the same file hashes in `sha256sum -c` format
 *   manifest.json     scope, range, and sha256 + size of each file above
 *   manifest.sig      raw Ed25519 signature (64 bytes) over the exact bytes of manifest.json
 */
import { canonicalJson } from '../shared/canonical-json.js';
import type { BundleRecord } from './evidence-summary.js';

export const BUNDLE_FORMAT = 'vigil-audit-evidence/1';

export const FILES = {
  records: 'records.jsonl',
  summary: 'summary.json',
  head: 'chain-head.json',
  publicKey: 'public-key.pem',
  sums: 'SHA256SUMS',
  manifest: 'manifest.json',
  signature: 'manifest.sig',
} as const;

/** Files whose hashes the manifest must list. */
export const HASHED_FILES: readonly string[] = [FILES.records, FILES.summary, FILES.head, FILES.publicKey, FILES.sums];

export interface BundleManifest {
  readonly format: typeof BUNDLE_FORMAT;
  readonly generatedAt: string;
  /** The requested time range. */
  readonly scope: { readonly from: string; readonly to: string };
  /** What records.jsonl holds: a contiguous part of the chain, and the hash its first record links to. */
  readonly range: {
    readonly firstSeq: number | null;
    readonly lastSeq: number | null;
    readonly prevHash: string | null;
    readonly lastHash: string | null;
    readonly records: number;
  };
  readonly files: Readonly<Record<string, { readonly sha256: string; readonly bytes: number }>>;
  readonly signature: { readonly algorithm: 'Ed25519'; readonly file: string; readonly publicKey: string; readonly publicKeySha256: string };
}

export interface ChainHeadFile {
  readonly seq: number;
  readonly hash: string;
  readonly readAt: string;
}

/** One line of records.jsonl, without its newline. */
export function recordLine(r: BundleRecord): string {
  return canonicalJson({ seq: r.seq, id: r.id, kind: r.kind, at: r.at, record: r.record, prevHash: r.prevHash, hash: r.hash });
}

export function prettyJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
