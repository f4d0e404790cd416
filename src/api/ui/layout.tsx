/**
 * The frame of every page: who you are, the three places (approvals, runs, audit), and a main region that the
 * script may update in place. Rendered on the server only. No inline script or style: the CSP allows none.
 */
import type { ComponentChildren } from 'preact';
import { principalChain } from '../../shared/principal.js';
import type { PageContext } from './render.js';
import { assetUrl } from './static-assets.js';

const PLACES = [
  { href: '/approvals', label: 'Approvals' },
  { href: '/runs', label: 'Runs' },
  { href: '/audit', label: 'Audit' },
] as const;

export interface LayoutProps {
  readonly ctx: PageContext;
  readonly title: string;
  /** While set, the script re-reads the page every this many ms and updates it in place (a run that is running). */
  readonly refreshMs?: number;
  /** Pages of wide tables (the audit) may use the whole width of a desk's screen. */
  readonly wide?: boolean;
  readonly children: ComponentChildren;
}

function Who({ ctx }: { ctx: PageContext }) {
  const p = ctx.principal;
  if (!p) return null;
  return (
    <div class="who">
      <span>
        Signed in as <strong>{p.id}</strong> <span class="muted">({[p.kind, ...p.groups].join(' · ')}{p.onBehalfOf ? `, for ${principalChain(p.onBehalfOf)}` : ''})</span>
      </span>
      <form method="post" action="/signout" class="inline">
        <input type="hidden" name="_csrf" value={ctx.csrf} />
        <button type="submit" class="link">Sign out</button>
      </form>
    </div>
  );
}

export function Layout({ ctx, title, refreshMs, wide, children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{`${title} · Vigil`}</title>
        <link rel="icon" type="image/svg+xml" href={assetUrl('favicon.svg')} />
        <link rel="stylesheet" href={assetUrl('vigil.css')} />
        <script src={assetUrl('vigil.js')} defer />
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <div class="bar">
            <a class="brand" href="/approvals">Vigil</a>
            {ctx.principal ? (
              <nav aria-label="Main">
                {PLACES.map((p) => (
                  <a href={p.href} aria-current={ctx.path.startsWith(p.href) ? 'page' : undefined}>
                    {p.label}
                  </a>
                ))}
              </nav>
            ) : null}
          </div>
          <Who ctx={ctx} />
        </header>
        <main id="main" tabIndex={-1} class={wide ? 'wide' : undefined} data-refresh={refreshMs ? String(refreshMs) : undefined}>
          {children}
        </main>
      </body>
    </html>
  );
}
