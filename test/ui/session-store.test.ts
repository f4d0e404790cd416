/** The UI's sessions expire with their cookie, are swept, and are bounded in number. */
import type { Session } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { MemorySessionStore } from '../../src/api/ui/session-store.js';

const session = (expiresAt: number) => ({ cookie: { originalMaxAge: null, expires: new Date(expiresAt) } }) as unknown as Session;
const get = (store: MemorySessionStore, id: string) => new Promise<Session | null | undefined>((resolve) => store.get(id, (_e, s) => resolve(s)));
const set = (store: MemorySessionStore, id: string, s: Session) => new Promise<void>((resolve) => store.set(id, s, () => resolve()));

describe('MemorySessionStore', () => {
  let now = 1_000_000;
  const stores: MemorySessionStore[] = [];
  const make = (maxSessions?: number) => {
    const store = new MemorySessionStore({ now: () => now, maxSessions });
    stores.push(store);
    return store;
  };
  afterEach(() => stores.splice(0).forEach((s) => s.close()));

  it('returns a session until its cookie expires, then forgets it', async () => {
    const store = make();
    await set(store, 'a', session(now + 1_000));
    expect(await get(store, 'a')).toBeTruthy();
    now += 1_000;
    expect(await get(store, 'a')).toBeNull();
    expect(store.size).toBe(0);
  });

  it('sweeps expired sessions nobody asks for', async () => {
    const store = make();
    await set(store, 'old', session(now + 10));
    await set(store, 'new', session(now + 10_000));
    now += 100;
    store.sweep();
    expect(store.size).toBe(1);
    expect(await get(store, 'new')).toBeTruthy();
  });

  it('keeps at most maxSessions, dropping the least recently saved', async () => {
    const store = make(2);
    await set(store, 'a', session(now + 10_000));
    await set(store, 'b', session(now + 10_000));
    await set(store, 'a', session(now + 10_000));
    await set(store, 'c', session(now + 10_000));
    expect(await get(store, 'b')).toBeNull();
    expect(await get(store, 'a')).toBeTruthy();
    expect(await get(store, 'c')).toBeTruthy();
  });

  it('drops sessions nobody signed in to before signed-in ones, so a flood of sign-in pages evicts nobody', async () => {
    const store = make(2);
    await set(store, 'signed-in', { ...session(now + 10_000), token: 'dev-bob' } as Session);
    for (let i = 0; i < 5; i++) await set(store, `anonymous-${i}`, session(now + 10_000));
    expect(await get(store, 'signed-in')).toBeTruthy();
    expect(store.size).toBe(2);
  });

  it('destroys on request', async () => {
    const store = make();
    await set(store, 'a', session(now + 10_000));
    await new Promise<void>((resolve) => store.destroy('a', () => resolve()));
    expect(await get(store, 'a')).toBeNull();
  });
});
