/**
 * Alert webhooks on `vigil serve`: POST /v1/hooks/alertmanager, /grafana, /pagerduty and /generic/:source.
 * A Fastify plugin, encapsulated so that its JSON parser (which keeps the raw body for signatures) and its error
 * replies apply to these routes only. Each request passes, in order, and each step refuses before the next costs more:
 *   onRequest      the source must be configured (404); a bearer source's token is checked before the body is read (401)
 *   parsing        application/json only (415), within the endpoint's size limit (413), valid JSON (400); raw bytes kept
 *   preValidation  a signing source's HMAC and replay window over those raw bytes (401), then its rate limit (429)
 *   validation     the source's JSON Schema; unknown fields are refused, not dropped (400)
 *   handler        normalise, route, start/join/signal: 202 with a result per alert and runbook, or 422 when every
 *                  match failed its mapping
 * Every refusal is `{ error: CODE, message }` and starts nothing. The source's service principal is the runs' principal.
 */
import { Ajv } from 'ajv';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Identities } from '../governance/identity.js';
import type { ErrorCode } from '../shared/error-codes.js';
import { VigilError } from '../shared/vigil-error.js';
import { alertmanagerBodySchema, normaliseAlertmanager, type AlertmanagerPayload } from '../triggers/alertmanager.js';
import { genericBodySchema, normaliseGeneric } from '../triggers/generic.js';
import { grafanaBodySchema, normaliseGrafana, type GrafanaPayload } from '../triggers/grafana.js';
import { normalisePagerDuty, pagerdutyBodySchema, type PagerDutyPayload } from '../triggers/pagerduty.js';
import type { NormalisedDelivery } from '../triggers/route-alert.js';
import { verifyBearer, verifySignature } from '../triggers/verify-credential.js';
import type { ResolvedWebhookSource, SourceKind } from '../triggers/webhook-sources.js';
import { dispatchAlerts, type DispatchDeps } from './dispatch-alerts.js';

export interface HookDeps extends DispatchDeps {
  /** The configured sources with their secrets resolved (resolveWebhookSecrets); any other source gets 404. */
  readonly sources: readonly ResolvedWebhookSource[];
  /** The clock signed timestamps are checked against. */
  readonly now?: () => number;
}

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: Buffer;
    hookSource?: ResolvedWebhookSource;
  }
  interface FastifyContextConfig {
    /** Set on webhook routes: they authenticate per source here, not with the server's user tokens. */
    webhook?: SourceKind;
  }
}

/** Per endpoint: Alertmanager and Grafana group many alerts in one delivery; PagerDuty sends at most 256 KiB. */
export const HOOK_BODY_LIMITS: Record<SourceKind, number> = { alertmanager: 1024 * 1024, grafana: 1024 * 1024, pagerduty: 256 * 1024, generic: 256 * 1024 };

const FORMAT: Record<SourceKind, string> = {
  alertmanager: 'an Alertmanager webhook (version 4)',
  grafana: 'a Grafana alerting webhook (version 1)',
  pagerduty: 'a PagerDuty v3 webhook',
  generic: 'a JSON object',
};

const STATUS_OF: Partial<Record<ErrorCode, number>> = { VIGIL_E_HOOK_PAYLOAD: 400, VIGIL_E_TEMPORAL_UNREACHABLE: 503 };

export function registerHooks(app: FastifyInstance, deps: HookDeps, identities: Identities): void {
  const byName = new Map(deps.sources.map((s) => [s.name, s]));
  const now = deps.now ?? Date.now;

  void app.register(async (hooks) => {
    // The senders' formats, exactly: Fastify's default Ajv coerces types (a label 7 would pass as "7") and fills
    // defaults. Here nothing is coerced, filled in or removed.
    const ajv = new Ajv({ coerceTypes: false, useDefaults: false, removeAdditional: false, allErrors: false, strict: false });
    hooks.setValidatorCompiler(({ schema }) => ajv.compile(schema));
    hooks.removeAllContentTypeParsers();
    const secureParse = hooks.getDefaultJsonParser('error', 'error');
    hooks.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
      request.rawBody = body as Buffer;
      if (request.rawBody.length === 0) return done(new VigilError('VIGIL_E_HOOK_PAYLOAD', 'the body is empty'), undefined);
      // The signature covers these exact bytes; the parsed value is a separate copy, so nothing can drift between them.
      secureParse(request, request.rawBody.toString('utf8'), (error: Error | null, value?: unknown) => {
        if (error) done(new VigilError('VIGIL_E_HOOK_PAYLOAD', `the body is not valid JSON: ${jsonProblem(body as Buffer)}`), undefined);
        else done(null, value);
      });
    });

    hooks.setErrorHandler((error: FastifyError, request, reply) => {
      if (error instanceof VigilError) return reply.code(STATUS_OF[error.code] ?? 400).send({ error: error.code, message: error.message });
      if (error.statusCode === 429) return reply.code(429).send(error);
      const kind = request.routeOptions.config.webhook ?? 'generic';
      if (error.validation) return reply.code(400).send({ error: 'VIGIL_E_HOOK_PAYLOAD', message: `the body is not ${FORMAT[kind]}: ${validationProblem(error)}` });
      if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
        return reply.code(415).send({ error: 'VIGIL_E_HOOK_PAYLOAD', message: `Unsupported Media Type ${request.headers['content-type'] ?? '(none)'}: webhooks must be Content-Type: application/json` });
      }
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        return reply.code(413).send({ error: 'VIGIL_E_HOOK_PAYLOAD', message: `the body is too large: this endpoint takes at most ${HOOK_BODY_LIMITS[kind] / 1024} KiB` });
      }
      if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return reply.code(400).send({ error: 'VIGIL_E_HOOK_PAYLOAD', message: 'the body is empty' });
      if (error.statusCode && error.statusCode < 500) return reply.code(error.statusCode).send({ error: 'VIGIL_E_HOOK_PAYLOAD', message: error.message });
      return reply.code(500).send({ error: 'VIGIL_E_INTERNAL', message: 'internal error' });
    });

    hooks.addHook('onRequest', async (request, reply) => {
      const kind = request.routeOptions.config.webhook;
      if (!kind) return;
      const name = kind === 'generic' ? `generic:${(request.params as { source?: string }).source ?? ''}` : kind;
      const source = byName.get(name);
      if (!source) return refuse(reply, 404, 'VIGIL_E_HOOK_UNKNOWN_SOURCE', `no webhook source "${name}" is configured on this server (identities file, webhooks: section)`);
      request.hookSource = source;
      if (source.auth.kind !== 'bearer') return;
      const verdict = verifyBearer(request.headers.authorization, source.auth.sha256);
      if (!verdict.ok) return refuse(reply, 401, 'VIGIL_E_HOOK_UNAUTHENTICATED', `${source.name}: ${verdict.reason}`);
    });

    hooks.addHook('preValidation', async (request, reply) => {
      const source = request.hookSource;
      if (!source || source.auth.kind !== 'hmac') return;
      // resolveWebhookSecrets refuses to start without it; fail closed all the same.
      if (!source.secret || source.kind === 'alertmanager') return refuse(reply, 401, 'VIGIL_E_HOOK_UNAUTHENTICATED', `${source.name}: this source has no signing secret on the server`);
      const verdict = verifySignature({
        kind: source.kind,
        secret: source.secret,
        rawBody: request.rawBody ?? Buffer.alloc(0),
        header: (name) => headerValue(request, name),
        signatureHeader: source.auth.signatureHeader,
        timestampHeader: source.auth.timestampHeader,
        occurredAt: () => occurredAt(request.body),
        nowMs: now(),
        replayWindowMs: source.replayWindowMs,
      });
      if (!verdict.ok) return refuse(reply, 401, 'VIGIL_E_HOOK_UNAUTHENTICATED', `${source.name}: ${verdict.reason}`);
    });

    // Keyed by source, counted after authentication: a flood of forged requests can't use up a real sender's budget.
    const rateLimit = {
      hook: 'preValidation',
      keyGenerator: (request: FastifyRequest) => `webhook:${request.hookSource?.name ?? '?'}`,
      max: (request: FastifyRequest) => request.hookSource?.rateLimit.max ?? 1,
      timeWindow: (request: FastifyRequest) => request.hookSource?.rateLimit.windowMs ?? 60_000,
    } as const;
    const route = (kind: SourceKind, body: object) => ({ bodyLimit: HOOK_BODY_LIMITS[kind], schema: { body }, config: { webhook: kind, rateLimit } });

    const respond = async (request: FastifyRequest, reply: FastifyReply, delivery: NormalisedDelivery) => {
      const source = request.hookSource as ResolvedWebhookSource;
      const principal = identities.principal(source.service);
      if (!principal) throw new Error(`webhook ${source.name}: service ${source.service} vanished from the identities`);
      const outcome = await dispatchAlerts(deps, principal, delivery.alerts);
      if (outcome.acted === 0 && outcome.invalid > 0) {
        const first = outcome.results.find((r) => r.outcome === 'skipped' && r.runbook);
        return reply.code(422).send({
          error: 'VIGIL_E_HOOK_MAPPING',
          message: `nothing started: ${outcome.invalid} matching runbook(s) could not use this alert; ${first?.runbook}: ${first?.reason}`,
          results: outcome.results,
        });
      }
      return reply.code(202).send({ results: outcome.results, ...(delivery.ignored ? { ignored: delivery.ignored } : {}) });
    };

    hooks.post<{ Body: AlertmanagerPayload }>('/v1/hooks/alertmanager', route('alertmanager', alertmanagerBodySchema), (request, reply) =>
      respond(request, reply, { alerts: normaliseAlertmanager(request.body) }),
    );
    hooks.post<{ Body: GrafanaPayload }>('/v1/hooks/grafana', route('grafana', grafanaBodySchema), (request, reply) =>
      respond(request, reply, { alerts: normaliseGrafana(request.body) }),
    );
    hooks.post<{ Body: PagerDutyPayload }>('/v1/hooks/pagerduty', route('pagerduty', pagerdutyBodySchema), (request, reply) =>
      respond(request, reply, normalisePagerDuty(request.body)),
    );
    hooks.post<{ Body: Record<string, unknown>; Params: { source: string } }>('/v1/hooks/generic/:source', route('generic', genericBodySchema), (request, reply) =>
      respond(request, reply, { alerts: [normaliseGeneric(request.params.source, request.body, headerValue(request, 'idempotency-key'))] }),
    );
  });
}

function refuse(reply: FastifyReply, status: number, error: ErrorCode, message: string): FastifyReply {
  return reply.code(status).send({ error, message });
}

/** One header's value; a header sent twice is ambiguous, so it counts as absent. */
function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function occurredAt(body: unknown): string | undefined {
  const event = (body as { event?: { occurred_at?: unknown } } | undefined)?.event;
  return typeof event?.occurred_at === 'string' ? event.occurred_at : undefined;
}

/** Where the JSON breaks, from the platform parser's message (the secure parser says only that it failed). */
function jsonProblem(body: Buffer): string {
  try {
    JSON.parse(body.toString('utf8'));
    return 'it uses __proto__ or constructor.prototype keys, which are refused';
  } catch (error) {
    return (error as Error).message.split('\n')[0] ?? 'unparseable';
  }
}

function validationProblem(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return error.message;
  const where = first.instancePath || '/';
  const params = first.params as Record<string, unknown>;
  const detail =
    params.additionalProperty !== undefined ? ` ("${String(params.additionalProperty)}")`
    : params.allowedValues !== undefined ? ` (${JSON.stringify(params.allowedValues)})`
    : params.allowedValue !== undefined ? ` (${JSON.stringify(params.allowedValue)})`
    : '';
  return `${where} ${first.message ?? first.keyword}${detail}`;
}
