/**
 * Webhook sources: which alert endpoints exist, the credential each must present, the service principal its runs act
 * as, its replay window and its rate limit. Read from the identities file's `webhooks:` section after
 * schemas/identity.schema.json has validated it. Pure: an HMAC secret is only named here (an environment variable);
 * the door that starts the server resolves it once with `resolveWebhookSecrets`, and a missing secret stops the start
 * instead of leaving an endpoint that can never authenticate anyone.
 */
import { parseDuration } from '../runbook/duration.js';
import { VigilError } from '../shared/vigil-error.js';

export type SourceKind = 'alertmanager' | 'grafana' | 'pagerduty' | 'generic';

export type SourceAuth =
  /** `Authorization: Bearer <token>`; only the SHA-256 of each accepted token is configured. */
  | { readonly kind: 'bearer'; readonly sha256: readonly string[] }
  /** A signature over the raw body (scheme per source kind, see verify-credential.ts), keyed by a shared secret. */
  | { readonly kind: 'hmac'; readonly secretEnv: string; readonly signatureHeader: string; readonly timestampHeader?: string };

export interface WebhookSource {
  /** The name runbook triggers use: `alertmanager`, `grafana`, `pagerduty` or `generic:<name>`. */
  readonly name: string;
  readonly kind: SourceKind;
  /** The service (from `services:`) that runs started by this source act as. */
  readonly service: string;
  readonly auth: SourceAuth;
  /** How far a signed timestamp may be from the server's clock, either way. */
  readonly replayWindowMs: number;
  /** Authenticated deliveries per window; more are answered 429. */
  readonly rateLimit: { readonly max: number; readonly windowMs: number };
}

/** A source with its HMAC secret read from the environment: what the server holds. */
export type ResolvedWebhookSource = WebhookSource & { readonly secret?: Buffer };

export interface RawWebhookSource {
  service: string;
  bearer_sha256?: string[];
  hmac_secret_env?: string;
  signature_header?: string;
  timestamp_header?: string;
  replay_window?: string;
  rate_limit?: { max: number; window?: string };
}

export interface RawWebhooks {
  alertmanager?: RawWebhookSource;
  grafana?: RawWebhookSource;
  pagerduty?: RawWebhookSource;
  generic?: Record<string, RawWebhookSource>;
}

const DEFAULT_RATE = { max: 600, windowMs: 60_000 };
// PagerDuty retries a failed delivery for about 20 minutes; a 5-minute window would refuse its own late retries.
const DEFAULT_REPLAY_MS: Record<SourceKind, number> = { alertmanager: 300_000, grafana: 300_000, pagerduty: 1_800_000, generic: 300_000 };
const SIGNATURE_HEADERS: Record<Exclude<SourceKind, 'alertmanager'>, { signature: string; timestamp?: string }> = {
  grafana: { signature: 'x-grafana-alerting-signature', timestamp: 'x-grafana-alerting-timestamp' },
  // PagerDuty signs the body only; the replay window is checked against the signed `event.occurred_at`.
  pagerduty: { signature: 'x-pagerduty-signature' },
  generic: { signature: 'x-vigil-signature', timestamp: 'x-vigil-timestamp' },
};

/** The configured sources, and every problem found (unknown services, options that do not apply to the source). */
export function parseWebhookSources(raw: RawWebhooks | undefined, isService: (id: string) => boolean): { sources: WebhookSource[]; problems: string[] } {
  const sources: WebhookSource[] = [];
  const problems: string[] = [];
  const entries: [string, SourceKind, RawWebhookSource][] = [];
  for (const kind of ['alertmanager', 'grafana', 'pagerduty'] as const) {
    const entry = raw?.[kind];
    if (entry) entries.push([kind, kind, entry]);
  }
  for (const [name, entry] of Object.entries(raw?.generic ?? {})) entries.push([`generic:${name}`, 'generic', entry]);

  for (const [name, kind, entry] of entries) {
    const where = `webhook ${name}`;
    if (!isService(entry.service)) problems.push(`${where}: service "${entry.service}" is not defined under services`);
    let auth: SourceAuth;
    if (entry.hmac_secret_env !== undefined) {
      if (kind === 'alertmanager') {
        problems.push(`${where}: Alertmanager does not sign its webhooks; use bearer_sha256`);
        continue;
      }
      const headers = SIGNATURE_HEADERS[kind];
      auth = {
        kind: 'hmac',
        secretEnv: entry.hmac_secret_env,
        signatureHeader: (kind === 'grafana' ? entry.signature_header?.toLowerCase() : undefined) ?? headers.signature,
        timestampHeader: (kind === 'grafana' ? entry.timestamp_header?.toLowerCase() : undefined) ?? headers.timestamp,
      };
    } else {
      auth = { kind: 'bearer', sha256: entry.bearer_sha256 ?? [] };
    }
    if (kind !== 'grafana' && (entry.signature_header !== undefined || entry.timestamp_header !== undefined)) {
      problems.push(`${where}: signature_header and timestamp_header apply to grafana only (the other schemes are fixed)`);
    }
    if (auth.kind === 'bearer' && (entry.signature_header !== undefined || entry.timestamp_header !== undefined)) {
      problems.push(`${where}: signature_header and timestamp_header need hmac_secret_env`);
    }
    sources.push({
      name,
      kind,
      service: entry.service,
      auth,
      replayWindowMs: entry.replay_window === undefined ? DEFAULT_REPLAY_MS[kind] : parseDuration(entry.replay_window),
      rateLimit: entry.rate_limit
        ? { max: entry.rate_limit.max, windowMs: entry.rate_limit.window === undefined ? DEFAULT_RATE.windowMs : parseDuration(entry.rate_limit.window) }
        : DEFAULT_RATE,
    });
  }
  return { sources, problems };
}

/**
 * Reads each HMAC source's secret from `env` (the door passes process.env). Throws, naming the variable, when one is
 * unset or empty: a server that started anyway would answer that source 401 forever and nobody would know why.
 */
export function resolveWebhookSecrets(sources: readonly WebhookSource[], env: Readonly<Record<string, string | undefined>>): ResolvedWebhookSource[] {
  const missing: string[] = [];
  const resolved = sources.map((source) => {
    if (source.auth.kind !== 'hmac') return source;
    const value = env[source.auth.secretEnv];
    if (!value) {
      missing.push(`${source.auth.secretEnv} (webhook ${source.name})`);
      return source;
    }
    return { ...source, secret: Buffer.from(value, 'utf8') };
  });
  if (missing.length > 0) throw new VigilError('VIGIL_E_IDENTITY_INVALID', `webhook secrets are not set in the environment: ${missing.join(', ')}`);
  return resolved;
}
