/**
 * Where the web UI's sessions live: in this server process's memory, never on disk, never in the browser (the cookie
 * holds only a random id). @fastify/session's own memory store never forgets a session; this one drops a session
 * when its cookie expires, sweeps expired ones periodically, and holds at most `maxSessions` (those not signed in go
 * first, then the least recently used), so abandoned sign-ins can't grow the process without bound. A restart signs everybody out, which is acceptable for
 * an approval console and keeps the tokens out of any shared store.
 */
import type { SessionStore } from '@fastify/session';
import type { Session } from 'fastify';

interface Entry {
  readonly session: Session;
  readonly expiresAt: number;
}

export interface MemorySessionStoreOptions {
  readonly maxSessions?: number;
  readonly sweepEveryMs?: number;
  readonly now?: () => number;
}

export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, Entry>();
  private readonly maxSessions: number;
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout;

  constructor(options: MemorySessionStoreOptions = {}) {
    this.maxSessions = options.maxSessions ?? 10_000;
    this.now = options.now ?? Date.now;
    this.timer = setInterval(() => this.sweep(), options.sweepEveryMs ?? 10 * 60_000);
    // The sweep must not keep a finished server (or a test) alive.
    this.timer.unref();
  }

  set(sessionId: string, session: Session, callback: (err?: unknown) => void): void {
    const expires = session.cookie?.expires;
    const expiresAt = expires ? new Date(expires).getTime() : this.now() + 24 * 3_600_000;
    // Re-inserting moves the session to the end: the Map's order is then the order of last use.
    this.sessions.delete(sessionId);
    this.sessions.set(sessionId, { session, expiresAt });
    while (this.sessions.size > this.maxSessions) {
      // Sessions nobody signed in to (a sign-in page's CSRF secret) go first: a flood of sign-in page loads
      // must not push out the people who are signed in.
      let victim: string | undefined;
      for (const [id, entry] of this.sessions) {
        if (!entry.session.token) {
          victim = id;
          break;
        }
      }
      victim ??= this.sessions.keys().next().value;
      if (victim === undefined) break;
      this.sessions.delete(victim);
    }
    callback();
  }

  get(sessionId: string, callback: (err: unknown, result?: Session | null) => void): void {
    const entry = this.sessions.get(sessionId);
    if (entry && entry.expiresAt <= this.now()) this.sessions.delete(sessionId);
    callback(null, entry && entry.expiresAt > this.now() ? entry.session : null);
  }

  destroy(sessionId: string, callback: (err?: unknown) => void): void {
    this.sessions.delete(sessionId);
    callback();
  }

  get size(): number {
    return this.sessions.size;
  }

  sweep(): void {
    const now = this.now();
    for (const [id, entry] of this.sessions) if (entry.expiresAt <= now) this.sessions.delete(id);
  }

  close(): void {
    clearInterval(this.timer);
  }
}
