/**
 * `vigil serve`'s HTTP server: the JSON API under /v1 (used by the CLI and agents), the alert webhooks under
 * /v1/hooks (hooks.ts), and the web UI (src/api/ui), the API and the UI rendered from the same service functions, so
 * the two can't disagree. Built by a function and not started here, so tests drive it with inject() or listen().
 * - /v1 needs a bearer token (identities file or OIDC); every error is JSON `{ error: CODE, message }`.
 * - Webhooks need their source's credential instead: a user's token doesn't open them, nor theirs the API.
 * - The UI needs a session (HttpOnly, SameSite=Strict cookie) and answers errors with an HTML page.
 * - None ever shows a stack trace; security headers (CSP without inline scripts) are on every answer.
 */
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Identities } from '../governance/identity.js';
import type { Principal } from '../shared/principal.js';
import type { ApprovalService } from './approval-service.js';
import { auditQuery, auditSearch } from './audit-filter.js';
import { createAuditService, type AuditService } from './audit-service.js';
import { createAuthenticator } from './authenticate.js';
import { describeError, type ServerError } from './describe-error.js';
import { registerHooks, type HookDeps } from './hooks.js';
import type { RunService } from './run-service.js';
import { registerUi, type UiOptions } from './ui/register-ui.js';

export interface ServerDeps {
  readonly identities: Identities;
  readonly approvals: ApprovalService;
  /** Runs list and timelines; absent means the server offers neither (API 404, UI says so). */
  readonly runs?: RunService;
  /** The audit store; absent (or without a pool) means audit search and export answer VIGIL_E_AUDIT_UNAVAILABLE. */
  readonly audit?: AuditService;
  /** Alerting webhooks; absent means the server exposes none. */
  readonly hooks?: HookDeps;
  readonly ui?: UiOptions;
  /** Fastify's trustProxy: which proxies' X-Forwarded-* headers to believe (an https proxy in front of the server). */
  readonly trustProxy?: boolean | string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

const decisionBody = {
  type: 'object',
  additionalProperties: false,
  properties: { comment: { type: 'string', maxLength: 2000 }, reason: { type: 'string', maxLength: 2000 } },
} as const;

function sendJsonError(reply: FastifyReply, error: ServerError): FastifyReply {
  return reply.code(error.status).send({ error: error.code, message: error.message });
}

export function buildServer(deps: ServerDeps): FastifyInstance {
  // Unknown fields are errors, not silently dropped: removeAdditional off.
  const app = Fastify({
    logger: false,
    bodyLimit: 256 * 1024,
    ajv: { customOptions: { removeAdditional: false, allErrors: false } },
    ...(deps.trustProxy !== undefined ? { trustProxy: deps.trustProxy } : {}),
  });
  const secure = deps.ui?.secureCookies === true;
  void app.register(helmet, {
    // Scripts and styles come only from /static: no inline script or style can run, whatever a page contains.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        ...(secure ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // Workflow ids and filters are in URLs: don't hand them to the Temporal UI or a trace viewer in a Referer.
    referrerPolicy: { policy: 'no-referrer' },
    // Over plain http (loopback in development) an HSTS header is meaningless; behind https it pins https.
    strictTransportSecurity: secure ? { maxAge: 31_536_000, includeSubDomains: false } : false,
  });
  // Per caller (its token's principal), so one noisy source can't starve the others.
  void app.register(rateLimit, {
    global: false,
    keyGenerator: (request) => request.principal?.id ?? request.ip,
    errorResponseBuilder: (_request, context) => ({ statusCode: 429, error: 'VIGIL_E_RATE_LIMITED', message: `too many requests: at most ${context.max} per ${context.after}` }),
  });

  app.setErrorHandler((error, request, reply) => {
    const described = describeError(error);
    // The operator's console gets what the caller must not see: a bug's stack.
    if (described.code === 'VIGIL_E_INTERNAL') console.error('vigil serve: unexpected error on', request.method, request.url, error);
    return sendJsonError(reply, described);
  });

  const authenticate = createAuthenticator(deps.identities);
  const audit = deps.audit ?? createAuditService({});

  app.get('/healthz', async () => ({ ok: true }));

  // The API: bearer tokens only. A browser's session cookie is not accepted here, so the API needs no CSRF defence.
  void app.register(async (api) => {
    api.addHook('onRequest', async (request: FastifyRequest, reply) => {
      const header = request.headers.authorization ?? '';
      const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
      const principal = await authenticate(token);
      if (!principal) return reply.code(401).send({ error: 'VIGIL_E_UNAUTHENTICATED', message: 'a valid bearer token is required (VIGIL_TOKEN)' });
      request.principal = principal;
    });

    api.get('/v1/whoami', async (request) => request.principal);

    api.get<{ Querystring: { mine?: string } }>('/v1/approvals', async (request) => ({
      approvals: await deps.approvals.list(request.principal as Principal, request.query.mine === 'true'),
    }));

    api.get<{ Params: { workflowId: string; gateId: string } }>('/v1/runs/:workflowId/gates/:gateId', async (request) =>
      deps.approvals.view(request.principal as Principal, request.params.workflowId, request.params.gateId),
    );

    for (const decision of ['approve', 'deny'] as const) {
      const handler = async (request: FastifyRequest<{ Params: { workflowId: string; gateId?: string }; Body: { comment?: string; reason?: string } }>) => {
        const body = request.body ?? {};
        return deps.approvals.decide(request.principal as Principal, request.params.workflowId, request.params.gateId, decision, body.comment ?? body.reason);
      };
      api.post(`/v1/runs/:workflowId/gates/:gateId/${decision}`, { schema: { body: decisionBody } }, handler);
      api.post(`/v1/runs/:workflowId/${decision}`, { schema: { body: decisionBody } }, handler);
    }

    const runs = deps.runs;
    if (runs) {
      api.get<{ Querystring: Record<string, string | undefined> }>('/v1/runs', async (request) => {
        const q = request.query;
        return { runs: await runs.list({ status: q.status, runbook: q.runbook, principal: q.principal, trigger: q.trigger, limit: q.limit ? Number(q.limit) : undefined }) };
      });
      api.get<{ Params: { workflowId: string } }>('/v1/runs/:workflowId', async (request) => runs.get(request.params.workflowId));
    }

    api.get<{ Querystring: Record<string, unknown> }>('/v1/audit', async (request) => ({ records: await audit.search(auditSearch(auditQuery(request.query))) }));

    api.get<{ Querystring: Record<string, unknown> }>('/v1/audit/export', async (request, reply) => {
      const q = auditQuery(request.query);
      const download = await audit.exportEvidence({ from: q.from, to: q.to });
      return reply.type('application/gzip').header('content-disposition', `attachment; filename="${download.filename}"`).send(download.stream);
    });
  });

  // Outside the API's bearer check: each webhook source authenticates with its own credential.
  if (deps.hooks) registerHooks(app, deps.hooks, deps.identities);

  const ui = registerUi(app, { ...deps, audit, authenticate, options: deps.ui ?? {} });

  app.setNotFoundHandler((request, reply) => {
    const error: ServerError = { status: 404, code: 'VIGIL_E_NOT_FOUND', message: `no such page: ${request.method} ${request.url.split('?')[0]}` };
    if (request.url.startsWith('/v1/')) return sendJsonError(reply, error);
    return ui.sendError(reply, error);
  });
  return app;
}
