/**
 * Group commit: one write in flight, everything that arrives meanwhile goes into the next one; a bad record fails
 * only its own caller; a lost connection fails the whole batch (its commit is uncertain).
 */
import { describe, expect, it } from 'vitest';
import { AppendBatcher } from '../../src/audit/append-batcher.js';

function recorder(fail?: (batch: readonly number[]) => Error | undefined) {
  const batches: number[][] = [];
  const write = async (entries: readonly number[]) => {
    batches.push([...entries]);
    await new Promise((r) => setTimeout(r, 5));
    const error = fail?.(entries);
    if (error) throw error;
    return entries.map((e) => e * 10);
  };
  return { batches, write };
}

const dataError = () => Object.assign(new Error('bad record'), { code: '23503' });

describe('append batcher', () => {
  it('writes the first append alone and groups those that arrive while it is in flight', async () => {
    const r = recorder();
    const b = new AppendBatcher(r.write, 3);
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => b.append(n)));
    expect(results).toEqual([10, 20, 30, 40, 50, 60]);
    expect(r.batches).toEqual([[1], [2, 3, 4], [5, 6]]);
  });

  it('retries a batch that failed on its data one by one, so only the bad record fails', async () => {
    const r = recorder((batch) => (batch.includes(3) ? dataError() : undefined));
    const b = new AppendBatcher(r.write);
    const settled = await Promise.allSettled([1, 2, 3, 4].map((n) => b.append(n)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(r.batches).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
  });

  it('fails the whole batch on any other error, without retrying', async () => {
    const r = recorder((batch) => (batch.length > 1 ? Object.assign(new Error('connection terminated'), { code: 'ECONNRESET' }) : undefined));
    const b = new AppendBatcher(r.write);
    const settled = await Promise.allSettled([1, 2, 3].map((n) => b.append(n)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect(r.batches).toEqual([[1], [2, 3]]);
    // And it keeps working afterwards.
    await expect(b.append(7)).resolves.toBe(70);
  });
});
