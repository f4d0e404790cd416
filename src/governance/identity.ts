/**
 * Identities: who acts, and on whose behalf. Loaded from a YAML file validated by schemas/identity.schema.json.
 * API tokens are stored only as SHA-256 hashes and compared in constant time. An agent never has more than its owner:
 * its effective groups are its own groups that its owner also has. The same file configures the alert webhook sources
 * (their credentials and service principals; src/triggers/webhook-sources.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parseDocument } from 'yaml';
import identitySchema from '../../schemas/identity.schema.json' with { type: 'json' };
import type { Principal, PrincipalKind } from '../shared/principal.js';
import type { OidcSettings } from './oidc.js';
import { VigilError } from '../shared/vigil-error.js';
import { parseWebhookSources, type RawWebhooks, type WebhookSource } from '../triggers/webhook-sources.js';

interface RawIdentities {
  users?: Record<string, { name?: string; groups?: string[] }>;
  agents?: Record<string, { owner: string; groups?: string[] }>;
  services?: Record<string, { groups?: string[] }>;
  tokens?: { principal: string; sha256: string; expires?: string }[];
  oidc?: { issuer: string; audience: string; jwks_url: string; groups_claim?: string; subject_claim?: string };
  webhooks?: RawWebhooks;
}

export interface Identities {
  /** The principal for an id, acting for `onBehalfOf` when given; undefined when the id is unknown. */
  principal(id: string, onBehalfOf?: Principal): Principal | undefined;
  /** The principal a bearer token belongs to; undefined for an unknown or expired token. */
  authenticate(token: string, now?: Date): Principal | undefined;
  /** Effective groups of an id: used to check approvers' eligibility at execution. */
  groupsOf(id: string): readonly string[] | undefined;
  /** When set, OIDC JWTs from this provider are accepted too (src/governance/oidc.ts). */
  readonly oidc?: OidcSettings;
  /** Alert webhook sources and their credentials (secrets named, not held: see resolveWebhookSecrets). */
  readonly webhooks: readonly WebhookSource[];
}

const validate = new Ajv2020({ allErrors: true, strict: false }).compile(identitySchema);

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function loadIdentities(text: string, file: string): Identities {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new VigilError('VIGIL_E_IDENTITY_INVALID', `${file}: ${doc.errors[0]?.message.split('\n')[0]}`);
  const raw = doc.toJS() as unknown;
  if (!validate(raw)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
    throw new VigilError('VIGIL_E_IDENTITY_INVALID', `${file}: ${problems.join('; ')}`);
  }
  const config = raw as RawIdentities;
  const kinds = new Map<string, PrincipalKind>();
  const problems: string[] = [];
  for (const [section, kind] of [['users', 'human'], ['agents', 'agent'], ['services', 'service']] as const) {
    for (const id of Object.keys(config[section] ?? {})) {
      if (kinds.has(id)) problems.push(`"${id}" is defined twice`);
      kinds.set(id, kind);
    }
  }
  for (const [id, agent] of Object.entries(config.agents ?? {})) {
    if (!kinds.has(agent.owner) || kinds.get(agent.owner) === 'agent') problems.push(`agent "${id}": owner "${agent.owner}" is not a user or service`);
  }
  for (const t of config.tokens ?? []) if (!kinds.has(t.principal)) problems.push(`token for unknown principal "${t.principal}"`);
  const webhooks = parseWebhookSources(config.webhooks, (id) => kinds.get(id) === 'service');
  problems.push(...webhooks.problems);
  if (problems.length > 0) throw new VigilError('VIGIL_E_IDENTITY_INVALID', `${file}: ${problems.join('; ')}`);

  const ownGroups = (id: string): string[] => {
    const kind = kinds.get(id);
    if (kind === 'human') return config.users?.[id]?.groups ?? [];
    if (kind === 'service') return config.services?.[id]?.groups ?? [];
    if (kind === 'agent') return config.agents?.[id]?.groups ?? [];
    return [];
  };
  const groupsOf = (id: string): string[] | undefined => {
    const kind = kinds.get(id);
    if (!kind) return undefined;
    if (kind !== 'agent') return ownGroups(id);
    const owner = config.agents?.[id]?.owner ?? '';
    const ownerGroups = new Set(ownGroups(owner));
    return ownGroups(id).filter((g) => ownerGroups.has(g));
  };
  const principal = (id: string, onBehalfOf?: Principal): Principal | undefined => {
    const kind = kinds.get(id);
    if (!kind) return undefined;
    const owner = kind === 'agent' ? config.agents?.[id]?.owner : undefined;
    return { id, kind, groups: groupsOf(id) ?? [], ...(owner ? { owner } : {}), ...(onBehalfOf ? { onBehalfOf } : {}) };
  };
  const tokens = (config.tokens ?? []).map((t) => ({ ...t, digest: Buffer.from(t.sha256, 'hex') }));
  const oidc = config.oidc && { issuer: config.oidc.issuer, audience: config.oidc.audience, jwksUrl: config.oidc.jwks_url, groupsClaim: config.oidc.groups_claim, subjectClaim: config.oidc.subject_claim };
  return {
    principal,
    groupsOf,
    webhooks: Object.freeze(webhooks.sources),
    ...(oidc ? { oidc } : {}),
    authenticate(token, now = new Date()) {
      const digest = Buffer.from(hashToken(token), 'hex');
      // Compare against every entry so the time taken does not say which one matched.
      let found: (typeof tokens)[number] | undefined;
      for (const t of tokens) if (timingSafeEqual(t.digest, digest)) found = t;
      if (!found || (found.expires && Date.parse(found.expires) < now.getTime())) return undefined;
      return principal(found.principal);
    },
  };
}

export function loadIdentitiesFile(path: string): Identities {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new VigilError('VIGIL_E_IDENTITY_INVALID', `cannot read identities ${path}: ${(error as Error).message}`);
  }
  return loadIdentities(text, path);
}
