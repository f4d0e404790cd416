/**
 * The sign-in page: one field for the token the person also gives the CLI (VIGIL_TOKEN), or an ID token from the
 * organisation's OIDC provider when the identities configure one. Server-rendered only.
 */
import type { OidcSettings } from '../../governance/oidc.js';
import { Layout } from './layout.js';
import type { PageContext } from './render.js';

export interface SignInProps {
  readonly ctx: PageContext;
  readonly next: string;
  readonly oidc?: OidcSettings;
  readonly error?: string;
}

export function signInPage({ ctx, next, oidc, error }: SignInProps) {
  return (
    <Layout ctx={ctx} title="Sign in">
      <h1>Sign in</h1>
      <p>Sign in to see the approvals waiting for you, follow runs, and search the audit trail.</p>
      {error ? (
        <p class="notice bad" role="alert" id="signin-error">
          {error}
        </p>
      ) : null}
      <form method="post" action="/signin" class="stack">
        <input type="hidden" name="_csrf" value={ctx.csrf} />
        <input type="hidden" name="next" value={next} />
        <label for="token">{oidc ? 'Vigil token or OIDC ID token' : 'Vigil token'}</label>
        <p class="hint" id="token-hint">
          The token you give the command line as <code>VIGIL_TOKEN</code>
          {oidc ? <>, or an ID token (JWT) issued by <code>{oidc.issuer}</code> for <code>{oidc.audience}</code></> : null}. It stays on the server; your browser
          keeps only a session cookie.
        </p>
        <input
          id="token"
          name="token"
          type="password"
          required
          autoComplete="off"
          autoCapitalize="off"
          spellcheck={false}
          autoFocus
          aria-describedby={error ? 'token-hint signin-error' : 'token-hint'}
          aria-invalid={error ? 'true' : undefined}
        />
        <button type="submit" class="primary">Sign in</button>
      </form>
    </Layout>
  );
}
