/**
 * docker-compose.yml can't run here (no Docker engine), so check what can be checked: it parses,
 * it has the pieces of the production story, and the worker gets its settings from the environment.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

interface Compose {
  services: Record<string, { image?: string; build?: string; command?: string[]; environment?: Record<string, string>; depends_on?: unknown }>;
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
});
