/**
 * Audit search and the evidence download, from the audit service: the same functions behind GET /v1/audit and
 * GET /v1/audit/export (and the same search as `vigil audit search`). A bad filter is said beside the form.
 */
import type { FastifyInstance } from 'fastify';
import type { AuditRow } from '../../audit/types.js';
import { VigilError } from '../../shared/vigil-error.js';
import { auditQuery, auditSearch } from '../audit-filter.js';
import type { AuditService } from '../audit-service.js';
import { auditPage } from './audit-view.js';
import type { ContextOf } from './register-ui.js';
import { sendPage } from './render.js';

export interface AuditPagesDeps {
  readonly audit: AuditService;
  readonly context: ContextOf;
}

const FILTER_ERRORS = new Set(['VIGIL_E_BAD_REQUEST', 'VIGIL_E_USAGE']);

export function registerAuditPages(ui: FastifyInstance, deps: AuditPagesDeps): void {
  ui.get<{ Querystring: Record<string, unknown> }>('/audit', async (request, reply) => {
    const query = auditQuery(request.query);
    let rows: AuditRow[] | undefined;
    let error: string | undefined;
    if (deps.audit.available()) {
      try {
        rows = await deps.audit.search(auditSearch(query));
      } catch (e) {
        if (!(e instanceof VigilError) || !FILTER_ERRORS.has(e.code)) throw e;
        error = `${e.code}: ${e.message}`;
      }
    }
    return sendPage(reply, auditPage({ ctx: deps.context(reply), query, rows, error, available: deps.audit.available() }), error ? 400 : 200);
  });

  ui.get<{ Querystring: Record<string, unknown> }>('/audit/export', async (request, reply) => {
    const q = auditQuery(request.query);
    const download = await deps.audit.exportEvidence({ from: q.from, to: q.to });
    return reply.type('application/gzip').header('content-disposition', `attachment; filename="${download.filename}"`).send(download.stream);
  });
}
