/**
 * `vigil approvals [--mine]`, `vigil approve RUN [GATE] --comment`, `vigil deny RUN [GATE] --reason`:
 * the approver's side, through the Vigil server, which authenticates the token and signs the decision.
 */
import type { DecisionOutcome, PendingGate } from '../../api/approval-service.js';
import { callApi } from '../api-client.js';

function age(openedAt: string): string {
  const minutes = Math.max(0, Math.round((Date.now() - Date.parse(openedAt)) / 60_000));
  return minutes < 60 ? `${minutes}m` : `${Math.floor(minutes / 60)}h${minutes % 60}m`;
}

export async function approvalsCommand(options: { mine?: boolean; json?: boolean }, env: NodeJS.ProcessEnv): Promise<number> {
  const { approvals } = await callApi<{ approvals: PendingGate[] }>(env, 'GET', `/v1/approvals${options.mine ? '?mine=true' : ''}`);
  if (options.json) {
    console.log(JSON.stringify(approvals, null, 2));
    return 0;
  }
  if (approvals.length === 0) {
    console.log(options.mine ? 'Nothing waits for you.' : 'No gates are waiting.');
    return 0;
  }
  for (const g of approvals) {
    console.log(`${g.workflowId}  ${g.gateId}  (${g.runbook}, open ${age(g.openedAt)}, requested by ${g.requester})`);
    console.log(`  ${g.message}`);
    if (g.subject) console.log(`  ${g.subject.statement.replace(/\s+/g, ' ').trim()}\n  ${g.subject.summary}`);
    if (g.subject?.preview) console.log(`  impact: about ${g.subject.preview.estimatedRows} row(s), ${g.subject.preview.plan} (EXPLAIN estimate)`);
    console.log(`  needs: ${g.needs}${g.eligible ? '' : `  — you can't decide: ${g.ineligibleReason}`}`);
  }
  return 0;
}

export async function decideCommand(decision: 'approve' | 'deny', run: string, gate: string | undefined, text: string | undefined, env: NodeJS.ProcessEnv): Promise<number> {
  const path = `/v1/runs/${encodeURIComponent(run)}${gate ? `/gates/${encodeURIComponent(gate)}` : ''}/${decision}`;
  const outcome = await callApi<DecisionOutcome>(env, 'POST', path, decision === 'approve' ? { comment: text } : { reason: text });
  const said: Record<DecisionOutcome['status'], string> = {
    counted: 'Approval counted; the gate still waits for others.',
    quorum_reached: 'Approved: quorum reached, the run continues.',
    denied: 'Denied: the step fails with your reason.',
    rejected: 'Rejected by the run',
  };
  console.log(outcome.status === 'rejected' ? `${said.rejected}: ${outcome.reason}` : said[outcome.status]);
  if (outcome.gate && outcome.status === 'counted') {
    console.log(`  still needs: ${outcome.gate.required.map((r) => `${r.count} ${r.group}`).join(', ')}; so far ${outcome.gate.decisions.map((d) => d.approver).join(', ')}`);
  }
  return outcome.status === 'rejected' ? 1 : 0;
}
