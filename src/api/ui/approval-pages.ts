/**
 * The approver's pages: the inbox, one gate, and the approve/deny forms. Every answer comes from the approval
 * service, the same functions behind GET /v1/approvals, GET /v1/runs/:run/gates/:gate and POST .../approve|deny.
 * A decision is posted, its outcome kept in the session for one read, and the browser sent back to the gate
 * (post/redirect/get): a reload never decides twice, and the script can show the result in place.
 */
import type { FastifyInstance } from 'fastify';
import type { Principal } from '../../shared/principal.js';
import { ApprovalError, type ApprovalService } from '../approval-service.js';
import { describeError } from '../describe-error.js';
import { inboxPage } from './approvals-view.js';
import { gateHref } from './links.js';
import { gatePage } from './gate-view.js';
import type { ContextOf } from './register-ui.js';
import { sendPage } from './render.js';

export interface ApprovalPagesDeps {
  readonly approvals: ApprovalService;
  readonly context: ContextOf;
  readonly now?: () => Date;
}

const decisionBody = {
  type: 'object',
  properties: { _csrf: { type: 'string' }, comment: { type: 'string', maxLength: 2000 } },
} as const;

type GateParams = { workflowId: string; gateId: string };

export function registerApprovalPages(ui: FastifyInstance, deps: ApprovalPagesDeps): void {
  const now = deps.now ?? (() => new Date());

  ui.get('/approvals', async (request, reply) => {
    const gates = await deps.approvals.list(request.principal as Principal, false);
    return sendPage(reply, inboxPage({ ctx: deps.context(reply), gates, now: now() }));
  });

  ui.get<{ Params: GateParams }>('/approvals/:workflowId/:gateId', async (request, reply) => {
    const { workflowId, gateId } = request.params;
    const gate = await deps.approvals.view(request.principal as Principal, workflowId, gateId);
    const flash = request.session.get('flash');
    const key = `${workflowId}/${gateId}`;
    if (flash?.gate === key) request.session.set('flash', undefined);
    return sendPage(reply, gatePage({ ctx: deps.context(reply), gate, flash: flash?.gate === key ? flash : undefined, now: now() }));
  });

  for (const decision of ['approve', 'deny'] as const) {
    ui.post<{ Params: GateParams; Body: { comment?: string } }>(
      `/approvals/:workflowId/:gateId/${decision}`,
      { schema: { body: decisionBody }, preHandler: ui.csrfProtection },
      async (request, reply) => {
        const { workflowId, gateId } = request.params;
        const comment = request.body?.comment?.trim() || undefined;
        const gate = `${workflowId}/${gateId}`;
        try {
          const outcome = await deps.approvals.decide(request.principal as Principal, workflowId, gateId, decision, comment);
          request.session.set('flash', { gate, decision, outcome: { status: outcome.status, ...('reason' in outcome ? { reason: outcome.reason } : {}) } });
        } catch (error) {
          // Refusals are answers for the approver (not eligible, already decided, expired), shown on the gate.
          if (!(error instanceof ApprovalError)) throw error;
          request.session.set('flash', { gate, decision, refused: describeError(error) });
        }
        return reply.redirect(gateHref({ workflowId, gateId }), 303);
      },
    );
  }
}
