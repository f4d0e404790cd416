/** `1h30m`, `250ms`, `2d` to milliseconds. Pure. The schema guarantees the shape. */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string): number {
  let total = 0;
  for (const m of text.matchAll(/([0-9]+)(ms|s|m|h|d)/g)) total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? NaN);
  if (!Number.isFinite(total)) throw new RangeError(`bad duration ${text}`);
  return total;
}
