/**
 * The error page (a code from the registry and one line; never a stack) and the one-hop page that carries a
 * cross-site arrival (a chat link) back onto this site so that the SameSite=Strict session cookie is sent.
 * Server-rendered only.
 */
import type { ServerError } from '../describe-error.js';
import { safeNext } from './format.js';
import { Layout } from './layout.js';
import type { PageContext } from './render.js';
import { assetUrl } from './static-assets.js';

const TITLES: Record<number, string> = { 400: 'That request is not valid', 401: 'Sign in first', 403: 'Not allowed', 404: 'Not found', 429: 'Too many requests', 500: 'Something went wrong' };

export function errorPage(ctx: PageContext, error: ServerError, url: string) {
  const title = TITLES[error.status] ?? 'Not available';
  return (
    <Layout ctx={ctx} title={title}>
      <h1>{title}</h1>
      <p class="notice bad" role="alert">
        <code>{error.code}</code> {error.message}
      </p>
      <p>
        <a href={safeNext(url)}>Try again</a> · <a href="/approvals">Approvals</a>
      </p>
    </Layout>
  );
}

export function bouncePage(url: string) {
  const target = safeNext(url);
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta http-equiv="refresh" content={`0;url=${target}`} />
        <title>Opening Vigil…</title>
        <link rel="icon" type="image/svg+xml" href={assetUrl('favicon.svg')} />
        <link rel="stylesheet" href={assetUrl('vigil.css')} />
      </head>
      <body>
        <main id="main">
          <p>
            Opening Vigil… <a href={target}>Continue</a>
          </p>
        </main>
      </body>
    </html>
  );
}
