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
  switch (outcome.status) {
    case 'counted':
      console.log(`Approval counted (${outcome.needs}); ${outcome.gate.state === 'pending' ? 'the gate still waits for others.' : `the gate has since closed, ${outcome.gate.state}${outcome.gate.reason ? `: ${outcome.gate.reason}` : ''}.`}`);
      return 0;
    case 'quorum_reached':
      console.log('Approved: quorum reached, the run continues.');
      return 0;
    case 'denied':
      console.log('Denied: the step fails with your reason.');
      return 0;
    case 'rejected':
      console.log(`Rejected by the run: ${outcome.reason}`);
      return 1;
    case 'sent':
      // Not a success a script may build on: nobody has seen the run take the decision yet.
      console.log(`Sent; the outcome is not known yet: ${outcome.reason}.`);
      return 1;
  }
}
