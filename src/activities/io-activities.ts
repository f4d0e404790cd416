/**
 * HTTP and chat-notification activities. I/O lives here, built by a factory from injected dependencies,
 * so tests can point them at a local server and the worker at real endpoints.
 * Notification text arrives already rendered from masked step outputs; it is masked once more before it leaves.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { GateAnnouncement, HttpOutput, HttpRequest, IoActivities, NotifyRequest } from './types.js';
import { redactUrl } from '../shared/redact-url.js';

export interface IoActivityDeps {
  /** Chat target name to a Slack-compatible incoming-webhook URL. */
  readonly notifyTargets: Readonly<Record<string, string>>;
  /** Masks secrets and PII in outgoing text (the governance masker's text function). */
  readonly maskText: (text: string) => string;
  /** Largest response body kept, in bytes: outputs go into workflow history. */
  readonly maxBodyBytes?: number;
  /** The chat target (a key of notifyTargets) told when a gate opens, and where approvers click. */
  readonly approvals?: { readonly target?: string; readonly publicUrl?: string };
}

export function createIoActivities(deps: IoActivityDeps): IoActivities {
  const maxBody = deps.maxBodyBytes ?? 64 * 1024;

  async function notify(request: NotifyRequest): Promise<{ delivered: boolean }> {
    const url = deps.notifyTargets[request.target];
    if (!url) {
      throw ApplicationFailure.create({ type: 'VIGIL_E_NOTIFY_TARGET', message: `no chat target named "${request.target}" is configured`, nonRetryable: true });
    }
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: deps.maskText(request.text) }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`chat target "${request.target}" answered ${response.status}`);
    return { delivered: true };
  }

  return {
    async httpRequest(request: HttpRequest): Promise<HttpOutput> {
      const hasBody = request.body !== undefined && request.method !== 'GET' && request.method !== 'HEAD';
      const headers = { ...request.headers };
      if (hasBody && typeof request.body !== 'string' && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
        headers['content-type'] = 'application/json';
      }
      let response: Response;
      try {
        response = await fetch(request.url, {
          method: request.method,
          headers,
          body: hasBody ? (typeof request.body === 'string' ? request.body : JSON.stringify(request.body)) : undefined,
          signal: AbortSignal.timeout(request.timeoutMs),
        });
      } catch (error) {
        // Network errors are retryable: Temporal's retry policy decides.
        throw new Error(`HTTP ${request.method} ${redactUrl(request.url, { dropQuery: true })} failed: ${(error as Error).message}`);
      }
      const text = (await response.text()).slice(0, maxBody);
      const ok = request.expectStatus.length > 0 ? request.expectStatus.includes(response.status) : response.ok;
      if (!ok) {
        throw ApplicationFailure.create({
          type: 'VIGIL_E_HTTP_STATUS',
          message: `HTTP ${request.method} ${redactUrl(request.url, { dropQuery: true })} answered ${response.status}`,
          nonRetryable: response.status < 500,
        });
      }
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Not JSON: keep the text.
      }
      return { status: response.status, body };
    },

    async announceGate(a: GateAnnouncement): Promise<{ delivered: boolean }> {
      const target = deps.approvals?.target;
      if (!target || !deps.notifyTargets[target]) return { delivered: false };
      const link = deps.approvals?.publicUrl ? `\n${deps.approvals.publicUrl.replace(/\/$/, '')}/approvals/${encodeURIComponent(a.workflowId)}/${encodeURIComponent(a.gateId)}` : '';
      const lines = [
        `Approval needed: ${a.runbook} / ${a.gateId}, requested by ${a.requester}`,
        a.message,
        ...(a.statement ? [`Statement: ${a.statement.replace(/\s+/g, ' ').trim()}`] : []),
        ...(a.decision ? [`Policy: ${a.decision}`] : []),
        ...(a.impact ? [`Impact: ${a.impact}`] : []),
        `Needs: ${a.required.map((r) => `${r.count} from ${r.group}`).join(', ')}`,
        `Approve: vigil approve ${a.workflowId} ${a.gateId} --comment "..."   Deny: vigil deny ${a.workflowId} ${a.gateId} --reason "..."${link}`,
      ];
      return notify({ target, text: lines.join('\n') });
    },

    notify,
  };
}
