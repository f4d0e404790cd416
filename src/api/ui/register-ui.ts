/**
 * The web UI of `vigil serve`: server-rendered HTML pages over the same service functions as the JSON API, plus one
 * small script and one stylesheet from /static. Runs in the server process. What it guarantees:
 * - a page needs a session; the session cookie holds only a random id (HttpOnly, SameSite=Strict, Secure and
 *   `__Host-` prefixed behind https); the token it stands for stays in this process and is checked on every request,
 *   so an expired or revoked token ends the session;
 * - every form carries a CSRF token bound to the session (@fastify/csrf-protection), checked before anything is done;
 * - every value is escaped by the renderer (Preact's renderToString): a statement or masked value holding markup is
 *   shown as text; no page has inline script or style, so the CSP allows none;
 * - pages are never cached (`Cache-Control: no-store`): a shared phone keeps no statements or audit records;
 * - errors become a page with a code and one line, never a stack trace.
 */
import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifySession from '@fastify/session';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Identities } from '../../governance/identity.js';
import type { ApprovalService, DecisionOutcome } from '../approval-service.js';
import type { AuditService } from '../audit-service.js';
import type { Authenticator } from '../authenticate.js';
import type { RunService } from '../run-service.js';
import { describeError, type ServerError } from '../describe-error.js';
import { registerApprovalPages } from './approval-pages.js';
import { registerAuditPages } from './audit-pages.js';
import { bouncePage, errorPage } from './error-view.js';
import { sendPage, type PageContext } from './render.js';
import { registerRunPages } from './run-pages.js';
import { MemorySessionStore } from './session-store.js';
import { registerSignInPages } from './sign-in-pages.js';
import { STATIC_DIR } from './static-assets.js';

export interface UiOptions {
  /** The server is reached over https (a proxy in front): Secure cookies with the `__Host-` prefix, HSTS, upgrades. */
  readonly secureCookies?: boolean;
  /** A session ends after this long without a request. Default 8 hours: one night on call. */
  readonly sessionIdleMs?: number;
  readonly sessionStore?: MemorySessionStore;
}

export interface UiDeps {
  readonly identities: Identities;
  readonly approvals: ApprovalService;
  readonly runs?: RunService;
  readonly audit: AuditService;
  readonly authenticate: Authenticator;
  readonly options: UiOptions;
}

/** What a decision did, carried across the redirect that follows the form (post/redirect/get). */
export type DecisionFlash =
  | { readonly gate: string; readonly decision: 'approve' | 'deny'; readonly outcome: { readonly status: DecisionOutcome['status']; readonly reason?: string } }
  | { readonly gate: string; readonly decision: 'approve' | 'deny'; readonly refused: ServerError };

declare module 'fastify' {
  interface Session {
    /** The credential the person signed in with; never sent to the browser. */
    token?: string;
    flash?: DecisionFlash;
    _csrf?: string;
  }
  interface FastifyContextConfig {
    /** Reachable without a session (sign-in). */
    public?: boolean;
  }
}

export const DEFAULT_SESSION_IDLE_MS = 8 * 3_600_000;

/** Where "try again" leads after an error: the page a failed form was on, not the form's action. */
function retryUrl(method: string, url: string): string {
  if (method === 'GET') return url;
  if (url.startsWith('/signout')) return '/approvals';
  return url.split('?')[0]?.replace(/\/(approve|deny)$/, '') ?? '/approvals';
}

export function registerUi(app: FastifyInstance, deps: UiDeps): { sendError(reply: FastifyReply, error: ServerError): FastifyReply } {
  const secure = deps.options.secureCookies === true;
  const store = deps.options.sessionStore ?? new MemorySessionStore();
  app.addHook('onClose', async () => store.close());

  // Static assets need no session: their own context, long-cached (their URLs carry a content hash).
  void app.register(fastifyStatic, { root: STATIC_DIR, prefix: '/static/', maxAge: '365d', immutable: true, index: false, wildcard: false, decorateReply: false });

  void app.register(async (ui) => {
    await ui.register(fastifyCookie);
    await ui.register(fastifySession, {
      // Signs the session id; sessions live in this process only, so a fresh secret per start loses nothing.
      secret: randomBytes(32).toString('hex'),
      cookieName: secure ? '__Host-vigil_session' : 'vigil_session',
      cookie: { httpOnly: true, sameSite: 'strict', secure, path: '/', maxAge: deps.options.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS },
      saveUninitialized: false,
      store,
    });
    await ui.register(fastifyFormbody, { bodyLimit: 16 * 1024 });
    await ui.register(fastifyCsrf, { sessionPlugin: '@fastify/session' });

    ui.addHook('preHandler', async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const token = request.session.get('token');
      if (token) {
        const principal = await deps.authenticate(token);
        if (principal) request.principal = principal;
        // Expired or revoked since sign-in: the session ends with it.
        else await request.session.regenerate();
      }
      if (request.principal || request.routeOptions.config.public) return;
      if (request.method === 'GET' && request.headers['sec-fetch-site'] === 'cross-site') {
        // A link from chat is a cross-site navigation, on which browsers withhold SameSite=Strict cookies. Navigate
        // once more from this site, which sends them: a signed-in approver lands on the gate, not on the sign-in page.
        return sendPage(reply, bouncePage(request.url));
      }
      return reply.redirect(`/signin?next=${encodeURIComponent(request.url)}`, 303);
    });

    const context = (reply: FastifyReply): PageContext => ({
      principal: reply.request.principal,
      // No session (it failed to load, or was just destroyed): no form on that page can be trusted anyway.
      csrf: reply.request.session ? reply.generateCsrf() : '',
      path: reply.request.url.split('?')[0] ?? '/',
    });

    ui.setErrorHandler((error, request, reply) => {
      const described = describeError(error);
      // The operator's console gets what the person must not see: a bug's stack.
      if (described.code === 'VIGIL_E_INTERNAL') console.error('vigil serve: unexpected error on', request.method, request.url, error);
      // A form that failed its CSRF check gets a fresh page and token, not a dead end.
      return sendPage(reply, errorPage(context(reply), described, retryUrl(request.method, request.url)), described.status);
    });

    ui.get('/', async (_request, reply) => reply.redirect('/approvals', 303));
    registerSignInPages(ui, { identities: deps.identities, authenticate: deps.authenticate, context });
    registerApprovalPages(ui, { approvals: deps.approvals, context });
    registerRunPages(ui, { runs: deps.runs, context });
    registerAuditPages(ui, { audit: deps.audit, context });
  });

  return {
    sendError: (reply, error) => sendPage(reply, errorPage({ principal: undefined, csrf: '', path: '' }, error, reply.request.url), error.status),
  };
}

/** Builds what every page needs (who is signed in, a CSRF token, the path), for the page modules. */
export type ContextOf = (reply: FastifyReply) => PageContext;
