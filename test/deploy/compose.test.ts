/**
 * docker-compose.yml can't run here (no Docker engine), so check what can be checked: it parses,
 * it has the pieces of the production story, the worker gets its settings from the environment, and every
 * database a URL names is created by the stack (else the worker crash-loops on its first connect).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: unknown;
  volumes?: string[];
}

interface Compose {
  services: Record<string, Service>;
}

/**
 * The databases a postgres-image service has after its first start: `postgres`, POSTGRES_DB (else POSTGRES_USER),
 * and each `CREATE DATABASE` in the .sql files mounted into /docker-entrypoint-initdb.d.
 */
function createdDatabases(service: Service): string[] {
  const env = service.environment ?? {};
  const names = ['postgres', env.POSTGRES_DB ?? env.POSTGRES_USER ?? 'postgres'];
  for (const volume of service.volumes ?? []) {
    const [source = '', target = ''] = volume.split(':');
    if (!target.startsWith('/docker-entrypoint-initdb.d') || !source.startsWith('.')) continue;
    const files = statSync(source).isDirectory() ? readdirSync(source).map((f) => join(source, f)) : [source];
    for (const file of files.filter((f) => f.endsWith('.sql'))) {
      const sql = readFileSync(file, 'utf8').replace(/--.*$/gm, '');
      for (const m of sql.matchAll(/CREATE DATABASE\s+"?(\w+)"?/gi)) names.push(m[1]!);
    }
  }
  return names;
}

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { uniqueKeys: true }) as Compose;

  it('has Temporal on PostgreSQL, the Temporal UI and a Vigil worker', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['postgresql', 'temporal', 'temporal-setup', 'temporal-ui', 'vigil-worker']);
    expect(compose.services.temporal?.environment?.DB).toBe('postgres12');
    expect(compose.services['vigil-worker']?.command).toEqual(['node', 'bin/vigil.js', 'worker']);
    expect(compose.services['vigil-worker']?.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('creates every search attribute Vigil sets', async () => {
    const { ALL_SEARCH_ATTRIBUTES } = await import('../../src/shared/search-attributes.js');
    const setup = JSON.stringify(compose.services['temporal-setup']);
    for (const key of ALL_SEARCH_ATTRIBUTES) expect(setup).toContain(`--name ${key.name}`);
  });

  it('creates every database that a service\'s PostgreSQL URL names', () => {
    const urls = Object.values(compose.services).flatMap((service) => Object.values(service.environment ?? {}).filter((v) => /^postgres(ql)?:\/\//.test(v)));
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) {
      const { hostname, pathname, username } = new URL(url);
      const server = compose.services[hostname];
      expect(server, `${url}: no service ${hostname}`).toBeDefined();
      // libpq's default database is the user's name.
      expect(createdDatabases(server!), url).toContain(decodeURIComponent(pathname.slice(1)) || username);
    }
  });
});
