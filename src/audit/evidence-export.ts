/**
 * Exports an evidence bundle (layout in evidence-bundle.ts) for a time range: every record of the contiguous seq
 * range that covers it, a summary built from exactly those records, the chain head, and a manifest signed with
 * Ed25519. Runs in the CLI against Vigil's database; reads only (a reader role suffices) and writes only into a new
 * or empty directory. Memory stays bounded by the summary, not by the number of records.
 */
import { createHash, sign, createPublicKey, type KeyObject } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import type pg from 'pg';
import { VigilError } from '../shared/vigil-error.js';
import { GENESIS_HASH } from './chain-hash.js';
import { BUNDLE_FORMAT, FILES, prettyJson, recordLine, type BundleManifest, type ChainHeadFile } from './evidence-bundle.js';
import { createSummaryBuilder, type EvidenceSummary } from './evidence-summary.js';
import { hashAt, readChain, readHead, seqBound } from './read-chain.js';
import { isoTime } from './search-query.js';
import { keyFingerprint } from './signing-key.js';

export interface ExportOptions {
  /** ISO times, inclusive. */
  readonly from: string;
  readonly to: string;
  /** Created if missing; must be empty if it exists. */
  readonly outDir: string;
  /** Private Ed25519 key. */
  readonly signingKey: KeyObject;
  readonly now?: () => Date;
}

export interface ExportResult {
  readonly outDir: string;
  readonly manifest: BundleManifest;
  readonly summary: EvidenceSummary;
  readonly head: ChainHeadFile;
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

async function emptyDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const present = await readdir(dir);
  if (present.length > 0) throw new VigilError('VIGIL_E_USAGE', `${dir} is not empty; an evidence bundle goes into a new directory`);
}

export async function exportEvidence(pool: pg.Pool, options: ExportOptions): Promise<ExportResult> {
  const key = options.signingKey;
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519') throw new VigilError('VIGIL_E_AUDIT_SIGNING_KEY', 'evidence is signed with a private Ed25519 key');
  const from = isoTime(options.from, '--from');
  const to = isoTime(options.to, '--to');
  if (from > to) throw new VigilError('VIGIL_E_USAGE', `--from ${from} is after --to ${to}`);
  await emptyDirectory(options.outDir);
  const generatedAt = (options.now ?? (() => new Date()))().toISOString();

  // The head first: every record up to it is committed, so the range below is stable while we read it.
  const head = (await readHead(pool)) ?? { seq: 0, hash: GENESIS_HASH };
  const firstSeq = Math.max(1, (await seqBound(pool, from, 'from')) ?? 1);
  const lastSeq = Math.min(head.seq, (await seqBound(pool, to, 'to')) ?? head.seq);
  const any = firstSeq <= lastSeq;
  const prevHash = !any ? null : firstSeq === 1 ? GENESIS_HASH : ((await hashAt(pool, firstSeq - 1))?.hash ?? '');

  const summary = createSummaryBuilder({ from, to, generatedAt, firstSeq: any ? firstSeq : null, lastSeq: any ? lastSeq : null, prevHash });
  const recordsHash = createHash('sha256');
  let recordsBytes = 0;
  const out = createWriteStream(join(options.outDir, FILES.records), { encoding: 'utf8' });
  try {
    if (any) {
      for await (const row of readChain(pool, firstSeq, lastSeq)) {
        const line = `${recordLine(row)}\n`;
        recordsHash.update(line, 'utf8');
        recordsBytes += Buffer.byteLength(line, 'utf8');
        // Without the index columns: the verifier sees only what records.jsonl holds, and must build the same summary.
        summary.add({ seq: row.seq, id: row.id, kind: row.kind, at: row.at, record: row.record, prevHash: row.prevHash, hash: row.hash });
        if (!out.write(line)) await once(out, 'drain');
      }
    }
  } finally {
    out.end();
    await once(out, 'close');
  }

  const built = summary.finish();
  const publicKey = createPublicKey(key);
  const chainHead: ChainHeadFile = { seq: head.seq, hash: head.hash, readAt: generatedAt };
  const contents: Record<string, string> = {
    [FILES.summary]: prettyJson(built),
    [FILES.head]: prettyJson(chainHead),
    [FILES.publicKey]: publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
  const files: Record<string, { sha256: string; bytes: number }> = { [FILES.records]: { sha256: recordsHash.digest('hex'), bytes: recordsBytes } };
  for (const [name, text] of Object.entries(contents)) files[name] = { sha256: sha256(text), bytes: Buffer.byteLength(text, 'utf8') };
  // For people who check with coreutils: `sha256sum -c SHA256SUMS`.
  const sums = Object.entries(files).map(([name, f]) => `${f.sha256}  ${name}\n`).join('');
  contents[FILES.sums] = sums;
  files[FILES.sums] = { sha256: sha256(sums), bytes: Buffer.byteLength(sums, 'utf8') };

  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    generatedAt,
    scope: { from, to },
    range: { firstSeq: any ? firstSeq : null, lastSeq: any ? lastSeq : null, prevHash, lastHash: any ? summary.last.hash : null, records: summary.rows },
    files,
    signature: { algorithm: 'Ed25519', file: FILES.signature, publicKey: FILES.publicKey, publicKeySha256: keyFingerprint(publicKey) },
  };
  const manifestText = prettyJson(manifest);
  for (const [name, text] of Object.entries(contents)) await writeFile(join(options.outDir, name), text, 'utf8');
  await writeFile(join(options.outDir, FILES.manifest), manifestText, 'utf8');
  await writeFile(join(options.outDir, FILES.signature), sign(null, Buffer.from(manifestText, 'utf8'), key));
  return { outDir: options.outDir, manifest, summary: built, head: chainHead };
}
