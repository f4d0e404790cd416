/** Identities: tokens by hash, agents capped by their owners, and a config that names unknown principals is refused. */
import { describe, expect, it } from 'vitest';
import { hashToken, loadIdentities } from '../../src/governance/identity.js';
import { readFileSync } from 'node:fs';

const dev = loadIdentities(readFileSync('identities/dev.yaml', 'utf8'), 'identities/dev.yaml');

describe('identities', () => {
  it('authenticates a token by its hash only', () => {
    expect(dev.authenticate('dev-bob')).toEqual({ id: 'bob', kind: 'human', groups: ['dba'] });
    expect(dev.authenticate('dev-bobx')).toBeUndefined();
    expect(readFileSync('identities/dev.yaml', 'utf8')).not.toContain('dev-bob\n');
  });

  it('gives an agent only the groups its owner also has', () => {
    expect(dev.principal('triage-bot')).toEqual({ id: 'triage-bot', kind: 'agent', groups: ['sre'], owner: 'alice' });
    expect(dev.groupsOf('triage-bot')).toEqual(['sre']);
  });

  it('refuses expired tokens', () => {
    const ids = loadIdentities(
      `apiVersion: vigil/v1\nkind: Identities\nusers: { u: { groups: [a] } }\ntokens: [{ principal: u, sha256: ${hashToken('t')}, expires: "2020-01-01T00:00:00Z" }]\n`,
      'x.yaml',
    );
    expect(ids.authenticate('t')).toBeUndefined();
  });

  it.each([
    ['an agent whose owner is unknown', 'agents: { bot: { owner: ghost } }', /owner "ghost" is not a user or service/],
    ['a token for an unknown principal', `tokens: [{ principal: ghost, sha256: ${hashToken('x')} }]`, /unknown principal "ghost"/],
    ['a plain-text token', 'tokens: [{ principal: u, sha256: not-a-hash }]', /sha256/],
    ['an id used twice', 'services: { u: {} }', /"u" is defined twice/],
  ])('refuses %s', (_name, extra, message) => {
    expect(() => loadIdentities(`apiVersion: vigil/v1\nkind: Identities\nusers: { u: {} }\n${extra}\n`, 'x.yaml')).toThrow(message);
  });
});
