/**
 * Connection names to PostgreSQL pools. Runbooks name connections; only the worker holds their URLs,
 * which come from its own environment. Pools open on first use and close with the worker.
 */
import pg from 'pg';

export interface ConnectionSettings {
  readonly url: string;
  readonly environment: string;
  /** Connections per pool; small by default, a worker is one of many. */
  readonly maxConnections?: number;
}

export interface ResolvedConnection {
  readonly name: string;
  readonly environment: string;
  readonly pool: pg.Pool;
}

export class ConnectionPools {
  private readonly pools = new Map<string, pg.Pool>();

  constructor(private readonly settings: Readonly<Record<string, ConnectionSettings>>) {}

  names(): string[] {
    return Object.keys(this.settings);
  }

  resolve(name: string): ResolvedConnection | undefined {
    const settings = this.settings[name];
    if (!settings) return undefined;
    let pool = this.pools.get(name);
    if (!pool) {
      pool = new pg.Pool({ connectionString: settings.url, max: settings.maxConnections ?? 5, connectionTimeoutMillis: 5_000 });
      // An idle client losing its server must not crash the worker; the next checkout reconnects.
      pool.on('error', () => undefined);
      this.pools.set(name, pool);
    }
    return { name, environment: settings.environment, pool };
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.end()));
    this.pools.clear();
  }
}
