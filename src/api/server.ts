/**
 * `vigil serve`'s HTTP server: the approval API used by the CLI (and, later, the web UI and chat links), and the alert
 * webhooks. Built by a function and not started here, so tests drive it with inject(). Every API route but /healthz
 * needs a bearer token from the identities file; webhooks need their source's credential instead (hooks.ts); every
 * error is JSON `{ error: CODE, message }`, never a stack trace.
 */
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Identities } from '../governance/identity.js';
import { createOidcVerifier } from '../governance/oidc.js';
import type { Principal } from '../shared/principal.js';
import { ApprovalError, type ApprovalService } from './approval-service.js';
import { registerHooks, type HookDeps } from './hooks.js';

export interface ServerDeps {
  readonly identities: Identities;
  readonly approvals: ApprovalService;
  /** Alerting webhooks; absent means the server exposes none. */
  readonly hooks?: HookDeps;
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

export function buildServer(deps: ServerDeps): FastifyInstance {
  // Unknown fields are errors, not silently dropped: removeAdditional off.
  const app = Fastify({ logger: false, bodyLimit: 256 * 1024, ajv: { customOptions: { removeAdditional: false, allErrors: false } } });
  void app.register(helmet);
  // Per caller (its token's principal), so one noisy source can't starve the others.
  void app.register(rateLimit, {
    global: false,
    keyGenerator: (request) => request.principal?.id ?? request.ip,
    errorResponseBuilder: (_request, context) => ({ statusCode: 429, error: 'VIGIL_E_RATE_LIMITED', message: `too many requests: at most ${context.max} per ${context.after}` }),
  });

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof ApprovalError) return reply.code(error.statusCode).send({ error: 'VIGIL_E_APPROVAL_REFUSED', message: error.message });
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 429) return reply.code(429).send(error);
    if (status && status < 500) return reply.code(status).send({ error: 'VIGIL_E_BAD_REQUEST', message: (error as Error).message });
    return reply.code(500).send({ error: 'VIGIL_E_INTERNAL', message: 'internal error' });
  });

  const verifyOidc = deps.identities.oidc ? createOidcVerifier(deps.identities.oidc) : undefined;
  app.addHook('onRequest', async (request: FastifyRequest, reply) => {
    if (request.url === '/healthz') return;
    // Webhooks authenticate per source (src/api/hooks.ts): a user's token must not open them, nor theirs the API.
    if (request.routeOptions.config.webhook) return;
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
    let principal = token ? deps.identities.authenticate(token) : undefined;
    if (!principal && token && verifyOidc && token.split('.').length === 3) {
      const result = await verifyOidc(token);
      if (result.ok) principal = result.principal;
    }
    if (!principal) return reply.code(401).send({ error: 'VIGIL_E_UNAUTHENTICATED', message: 'a valid bearer token is required (VIGIL_TOKEN)' });
    request.principal = principal;
  });

  app.get('/healthz', async () => ({ ok: true }));

  app.get('/v1/whoami', async (request) => request.principal);

  app.get<{ Querystring: { mine?: string } }>('/v1/approvals', async (request) => ({
    approvals: await deps.approvals.list(request.principal as Principal, request.query.mine === 'true'),
  }));

  app.get<{ Params: { workflowId: string; gateId: string } }>('/v1/runs/:workflowId/gates/:gateId', async (request) =>
    deps.approvals.get(request.params.workflowId, request.params.gateId),
  );

  for (const decision of ['approve', 'deny'] as const) {
    const handler = async (request: FastifyRequest<{ Params: { workflowId: string; gateId?: string }; Body: { comment?: string; reason?: string } }>) => {
      const body = request.body ?? {};
      return deps.approvals.decide(request.principal as Principal, request.params.workflowId, request.params.gateId, decision, body.comment ?? body.reason);
    };
    app.post(`/v1/runs/:workflowId/gates/:gateId/${decision}`, { schema: { body: decisionBody } }, handler);
    app.post(`/v1/runs/:workflowId/${decision}`, { schema: { body: decisionBody } }, handler);
  }
  if (deps.hooks) registerHooks(app, deps.hooks, deps.identities);
  return app;
}
