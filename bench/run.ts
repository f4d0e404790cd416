/**
 * `npm run bench`: runs every bench/*.bench.ts in turn (or those named on the command line, e.g. `npm run bench classify`).
 * Each prints its numbers next to a baseline measured in the same run; nothing here asserts a timing.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { installQuietRuntime } from '../workers/runtime.js';

const dir = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();

// Before any bench starts a dev server or a worker: the Temporal runtime's INFO lines would bury the numbers.
installQuietRuntime();
console.log(`Vigil benchmarks on ${process.version}, ${new Date().toISOString()}`);
for (const file of benches) {
  console.log(`\n# ${file}`);
  const started = Date.now();
  const module = (await import(`./${file}`)) as { default: () => Promise<void> };
  await module.default();
  console.log(`(${file}: ${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
process.exit(0);
