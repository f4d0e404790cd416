/**
 * Sends a page: Preact's renderToString turns the component tree into HTML, escaping every text and attribute value,
 * so nothing a statement, a masked value or a query string holds can become markup. Server-side only; no component
 * is ever hydrated in the browser.
 */
import type { FastifyReply } from 'fastify';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { Principal } from '../../shared/principal.js';

/** What every page knows: who is signed in (for the header), the CSRF token of its forms, and where it is. */
export interface PageContext {
  readonly principal: Principal | undefined;
  readonly csrf: string;
  readonly path: string;
}

export function renderPage(page: VNode): string {
  return `<!doctype html>${renderToString(page)}`;
}

export function sendPage(reply: FastifyReply, page: VNode, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(renderPage(page));
}
