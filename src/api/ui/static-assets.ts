/**
 * The UI's static files (one stylesheet, one script, an icon) and their URLs. Each URL carries a hash of the file's
 * content, so browsers may cache them for a year and still get a new version the moment it changes: a phone on a
 * slow network at night downloads them once.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));

const versions = new Map<string, string>();

/** `/static/vigil.css?v=3f2a9c1b0d4e`: read and hashed once per process. */
export function assetUrl(name: 'vigil.css' | 'vigil.js' | 'favicon.svg'): string {
  let version = versions.get(name);
  if (version === undefined) {
    version = createHash('sha256').update(readFileSync(join(STATIC_DIR, name))).digest('hex').slice(0, 12);
    versions.set(name, version);
  }
  return `/static/${name}?v=${version}`;
}
