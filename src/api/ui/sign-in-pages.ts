/**
 * Sign-in and sign-out. Signing in checks the token exactly as the API checks a bearer token, then starts a fresh
 * session (a new id, so a session id planted before sign-in is worth nothing) holding that token server-side.
 * Both forms carry CSRF tokens; sign-in is rate-limited per address, so tokens can't be guessed quickly.
 */
import type { FastifyInstance } from 'fastify';
import type { Identities } from '../../governance/identity.js';
import type { Authenticator } from '../authenticate.js';
import { safeNext } from './format.js';
import type { ContextOf } from './register-ui.js';
import { sendPage } from './render.js';
import { signInPage } from './sign-in-view.js';

export interface SignInDeps {
  readonly identities: Identities;
  readonly authenticate: Authenticator;
  readonly context: ContextOf;
}

const signInBody = {
  type: 'object',
  required: ['token'],
  properties: { _csrf: { type: 'string' }, token: { type: 'string', maxLength: 8192 }, next: { type: 'string', maxLength: 2048 } },
} as const;

export function registerSignInPages(ui: FastifyInstance, deps: SignInDeps): void {
  ui.get<{ Querystring: { next?: string } }>('/signin', { config: { public: true } }, async (request, reply) => {
    const next = safeNext(request.query.next);
    if (request.principal) return reply.redirect(next, 303);
    return sendPage(reply, signInPage({ ctx: deps.context(reply), next, oidc: deps.identities.oidc }));
  });

  ui.post<{ Body: { token: string; next?: string } }>(
    '/signin',
    { config: { public: true, rateLimit: { max: 30, timeWindow: '1 minute' } }, schema: { body: signInBody }, preHandler: ui.csrfProtection },
    async (request, reply) => {
      const token = request.body.token.trim();
      const next = safeNext(request.body.next);
      const principal = await deps.authenticate(token);
      if (!principal) {
        const error = 'VIGIL_E_UNAUTHENTICATED: that token is not valid, or it has expired.';
        return sendPage(reply, signInPage({ ctx: deps.context(reply), next, oidc: deps.identities.oidc, error }), 401);
      }
      await request.session.regenerate();
      request.session.set('token', token);
      return reply.redirect(next, 303);
    },
  );

  ui.post('/signout', { preHandler: ui.csrfProtection }, async (request, reply) => {
    await request.session.destroy();
    return reply.redirect('/signin', 303);
  });
}
