/**
 * Verifies an evidence bundle from its files alone: no database, no network, no Vigil configuration. Checks, in this
 * order, and reports each: the signature over manifest.json, the key (against a pinned one when given), every file's
 * sha256, every link of the chain in records.jsonl, the chain head, and that summary.json is exactly what the records
 * give. A bundle signed by an unknown key verifies only as "self-consistent": the report says the key is not pinned.
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { canonicalJson } from '../shared/canonical-json.js';
import { BUNDLE_FORMAT, FILES, HASHED_FILES, type BundleManifest, type ChainHeadFile } from './evidence-bundle.js';
import { createSummaryBuilder, type BundleRecord } from './evidence-summary.js';
import { keyFingerprint } from './signing-key.js';

export interface BundleCheck {
  readonly check: 'signature' | 'key' | 'files' | 'chain' | 'chain-head' | 'summary';
  readonly ok: boolean;
  readonly detail: string;
}

export interface BundleReport {
  readonly ok: boolean;
  readonly checks: readonly BundleCheck[];
  /** sha256 of the signing key's SubjectPublicKeyInfo, hex. */
  readonly publicKeySha256: string | null;
  /** True when the caller named the key the bundle must be signed with. */
  readonly pinned: boolean;
  readonly range: BundleManifest['range'] | null;
}

async function readOrNull(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch {
    return null;
  }
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

export async function verifyEvidenceBundle(dir: string, options: { publicKey?: KeyObject } = {}): Promise<BundleReport> {
  const checks: BundleCheck[] = [];
  const done = (publicKeySha256: string | null, range: BundleManifest['range'] | null): BundleReport => ({
    ok: checks.length > 0 && checks.every((c) => c.ok), checks, publicKeySha256, pinned: options.publicKey !== undefined, range,
  });

  // 1. The signature: nothing in the bundle is trusted before the manifest is.
  const manifestBytes = await readOrNull(join(dir, FILES.manifest));
  const signature = await readOrNull(join(dir, FILES.signature));
  const keyPem = await readOrNull(join(dir, FILES.publicKey));
  if (!manifestBytes || !signature || !keyPem) {
    const missing = [[FILES.manifest, manifestBytes], [FILES.signature, signature], [FILES.publicKey, keyPem]].filter(([, b]) => !b).map(([n]) => n);
    checks.push({ check: 'signature', ok: false, detail: `missing ${missing.join(', ')}` });
    return done(null, null);
  }
  let bundleKey: KeyObject;
  try {
    bundleKey = createPublicKey(keyPem);
  } catch (error) {
    checks.push({ check: 'signature', ok: false, detail: `${FILES.publicKey} is not a public key (${(error as Error).message})` });
    return done(null, null);
  }
  const fingerprint = keyFingerprint(bundleKey);
  let signed = false;
  try {
    signed = bundleKey.asymmetricKeyType === 'ed25519' && verify(null, manifestBytes, bundleKey, signature);
  } catch {
    signed = false;
  }
  checks.push({ check: 'signature', ok: signed, detail: signed ? `${FILES.signature} is a valid Ed25519 signature over ${FILES.manifest}` : `${FILES.signature} does not verify over ${FILES.manifest} with ${FILES.publicKey}` });

  // 2. The key: whose signature is it?
  if (options.publicKey) {
    const pinned = keyFingerprint(options.publicKey);
    checks.push({ check: 'key', ok: pinned === fingerprint, detail: pinned === fingerprint ? `signed by the pinned key ${fingerprint}` : `signed by key ${fingerprint}, not the pinned key ${pinned}` });
  } else {
    checks.push({ check: 'key', ok: true, detail: `signed by key ${fingerprint} (not pinned: compare it with the fingerprint published by whoever runs Vigil, or pass --public-key)` });
  }

  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(manifestBytes.toString('utf8')) as BundleManifest;
    if (manifest.format !== BUNDLE_FORMAT) throw new Error(`format is ${String(manifest.format)}, expected ${BUNDLE_FORMAT}`);
    if (typeof manifest.range !== 'object' || typeof manifest.files !== 'object' || typeof manifest.scope !== 'object' || !manifest.range || !manifest.files || !manifest.scope) {
      throw new Error('it lacks scope, range or files');
    }
  } catch (error) {
    checks.push({ check: 'files', ok: false, detail: `${FILES.manifest} is unreadable: ${(error as Error).message}` });
    return done(fingerprint, null);
  }

  // 3. Every file the manifest lists, byte for byte.
  const problems: string[] = [];
  for (const name of HASHED_FILES) if (!manifest.files?.[name]) problems.push(`${name} is not in the manifest`);
  for (const [name, expected] of Object.entries(manifest.files ?? {})) {
    if (name.includes('/') || name.includes('\\')) {
      problems.push(`${name}: not a plain file name`);
      continue;
    }
    const bytes = await readOrNull(join(dir, name));
    if (!bytes) problems.push(`${name} is missing`);
    else if (sha256(bytes) !== expected.sha256) problems.push(`${name} was altered (sha256 ${sha256(bytes)}, manifest says ${expected.sha256})`);
  }
  if (manifest.signature?.publicKeySha256 !== fingerprint) problems.push(`the manifest names key ${manifest.signature?.publicKeySha256}, ${FILES.publicKey} is ${fingerprint}`);
  checks.push({ check: 'files', ok: problems.length === 0, detail: problems.length === 0 ? `${Object.keys(manifest.files).length} files match the manifest` : problems.join('; ') });

  // 4. The chain, record by record, while building the summary again.
  const range = manifest.range;
  const builder = createSummaryBuilder({
    from: manifest.scope.from, to: manifest.scope.to, generatedAt: manifest.generatedAt,
    firstSeq: range.firstSeq, lastSeq: range.lastSeq, prevHash: range.prevHash,
  });
  let chainProblem: string | undefined;
  const lines = createInterface({ input: createReadStream(join(dir, FILES.records), { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNo = 0;
  let brokenLine: number | undefined;
  try {
    for await (const line of lines) {
      lineNo++;
      if (line === '') continue;
      let row: BundleRecord;
      try {
        row = JSON.parse(line) as BundleRecord;
        if (typeof row !== 'object' || row === null) throw new Error('not an object');
      } catch {
        chainProblem ??= `${FILES.records} line ${lineNo} is not a JSON object`;
        continue;
      }
      try {
        builder.add(row);
      } catch (error) {
        // Only a record that is not Vigil's shape gets here (its link was checked first).
        chainProblem ??= `${FILES.records} line ${lineNo} is not an audit record (${(error as Error).message})`;
      }
      if (brokenLine === undefined && builder.brokenAt) brokenLine = lineNo;
    }
  } catch (error) {
    chainProblem ??= `${FILES.records} is unreadable (${(error as Error).message})`;
  }
  const built = builder.finish();
  const broken = built.integrity.firstBrokenLink;
  if (!chainProblem && broken) {
    chainProblem = `broken at #${broken.seq}${broken.id ? ` (${broken.id})` : ''}, ${FILES.records} line ${brokenLine ?? lineNo}: ${broken.reason}; expected ${broken.expected}, found ${broken.found}`;
  }
  if (!chainProblem && builder.rows !== range.records) chainProblem = `${builder.rows} records, the manifest says ${range.records}`;
  if (!chainProblem && range.lastSeq !== null && (builder.last.seq !== range.lastSeq || builder.last.hash !== range.lastHash)) {
    chainProblem = `the last record is #${builder.last.seq} ${builder.last.hash}, the manifest says #${range.lastSeq} ${range.lastHash}`;
  }
  checks.push({
    check: 'chain', ok: !chainProblem,
    detail: chainProblem ?? (range.firstSeq === null ? 'no records in range' : `${range.records} records #${range.firstSeq}..#${range.lastSeq} link up, each hash recomputed`),
  });

  // 5. The chain head at export: the bundle can't end beyond it, and ends on it when it reaches it.
  let head: ChainHeadFile | undefined;
  try {
    head = JSON.parse((await readFile(join(dir, FILES.head))).toString('utf8')) as ChainHeadFile;
  } catch {
    head = undefined;
  }
  const headOk = head !== undefined && (range.lastSeq === null || head.seq > range.lastSeq || (head.seq === range.lastSeq && head.hash === range.lastHash));
  checks.push({
    check: 'chain-head', ok: headOk,
    detail: !head ? `${FILES.head} is unreadable` : headOk ? `head at export #${head.seq} ${head.hash}` : `head at export #${head.seq} ${head.hash} does not fit the records (last #${range.lastSeq} ${range.lastHash})`,
  });

  // 6. The summary says exactly what the records say.
  let summaryOk = false;
  try {
    const stored: unknown = JSON.parse((await readFile(join(dir, FILES.summary))).toString('utf8'));
    summaryOk = canonicalJson(stored) === canonicalJson(built);
  } catch {
    summaryOk = false;
  }
  checks.push({ check: 'summary', ok: summaryOk, detail: summaryOk ? `${FILES.summary} is what the records give` : `${FILES.summary} differs from the summary built from ${FILES.records}` });

  return done(fingerprint, range);
}
