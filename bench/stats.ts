/** Small timing helpers shared by the benchmarks. Numbers are printed, never asserted. */

export interface Summary {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
}

/** Percentiles over samples in any unit. */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  const mean = sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length);
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), mean };
}

/** Time each call of a synchronous function, in microseconds. */
export function timeSync(iterations: number, fn: (i: number) => void): Summary {
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    fn(i);
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return summarize(samples);
}

/** Time each call of an asynchronous function, in microseconds, one at a time. */
export async function timeAsync(iterations: number, fn: (i: number) => Promise<unknown>): Promise<Summary> {
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    await fn(i);
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return summarize(samples);
}

/**
 * Time several asynchronous paths in turn, one call of each per round, in microseconds. Interleaving spreads the
 * machine's noise over every path alike, so their ratio is fair even when other work runs beside the bench.
 */
export async function timeInterleaved(iterations: number, paths: readonly ((i: number) => Promise<unknown>)[]): Promise<Summary[]> {
  const samples = paths.map(() => [] as number[]);
  for (let i = 0; i < iterations; i++) {
    for (const [k, fn] of paths.entries()) {
      const t0 = process.hrtime.bigint();
      await fn(i);
      samples[k]?.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
  }
  return samples.map(summarize);
}

export function fmt(us: number): string {
  return us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`;
}

export function printTable(title: string, rows: readonly Record<string, string | number>[]): void {
  console.log(`\n## ${title}`);
  console.table(rows);
}
