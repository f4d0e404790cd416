/**
 * PagerDuty v3 webhooks (one event per delivery) normalised to alerts. An incident's identity is its id, which
 * PagerDuty keeps for the incident's whole life: `incident.triggered` starts one run per matching runbook, every
 * retry or duplicate delivery of it joins that run, and `incident.resolved` signals it. `incident.reopened` is the
 * same incident and joins the same run rather than starting a second one. Other event types (acknowledged,
 * annotated, escalated, service.*, the `pagey.ping` test event) neither start nor resolve anything. Pure.
 *
 * Labels for trigger matchers: `alertname` (the incident title), `service`, `service_id`, `urgency`, `priority`
 * (e.g. P1), `incident_key`, and `severity`, which is the incident's urgency (`high` or `low`): PagerDuty incidents
 * have no severity of their own.
 */
import { VigilError } from '../shared/vigil-error.js';
import type { NormalisedDelivery } from './route-alert.js';

export interface PagerDutyPayload {
  readonly event: {
    readonly id: string;
    readonly event_type: string;
    readonly resource_type: string;
    readonly occurred_at: string;
    readonly agent?: Record<string, unknown> | null;
    readonly client?: Record<string, unknown> | null;
    readonly data: Record<string, unknown>;
  };
}

const reference = { type: ['object', 'null'] } as const;

/** The JSON Schema Fastify validates the body with: the v3 envelope exactly; `data` varies by event type. */
export const pagerdutyBodySchema = {
  type: 'object',
  required: ['event'],
  additionalProperties: false,
  properties: {
    event: {
      type: 'object',
      required: ['id', 'event_type', 'resource_type', 'occurred_at', 'data'],
      additionalProperties: false,
      properties: {
        id: { type: 'string', minLength: 1, maxLength: 128 },
        event_type: { type: 'string', pattern: '^[a-z_]+(\\.[a-z_]+)+$', maxLength: 128 },
        resource_type: { type: 'string', maxLength: 128 },
        occurred_at: { type: 'string', minLength: 1, maxLength: 64 },
        agent: reference,
        client: reference,
        data: { type: 'object' },
      },
    },
  },
} as const;

const STATUS: Record<string, 'firing' | 'resolved'> = {
  'incident.triggered': 'firing',
  'incident.reopened': 'firing',
  'incident.resolved': 'resolved',
};

export function normalisePagerDuty(payload: PagerDutyPayload): NormalisedDelivery {
  const { event } = payload;
  const status = STATUS[event.event_type];
  if (!status) return { alerts: [], ignored: `PagerDuty ${event.event_type} events neither start nor resolve runs` };
  const data = event.data;
  const id = text(data.id);
  if (data.type !== 'incident' || !/^[A-Za-z0-9]{1,64}$/.test(id)) {
    throw new VigilError('VIGIL_E_HOOK_PAYLOAD', `PagerDuty ${event.event_type}: event.data must be an incident with an id (letters and digits)`);
  }
  const service = record(data.service);
  const priority = record(data.priority);
  const urgency = text(data.urgency);
  const labels: Record<string, string> = {
    alertname: text(data.title),
    service: text(service.summary),
    service_id: text(service.id),
    urgency,
    severity: urgency,
    priority: text(priority.summary),
    incident_key: text(data.incident_key),
  };
  const annotations = { title: text(data.title), html_url: text(data.html_url) };
  const startsAt = text(data.created_at) || event.occurred_at;
  return {
    alerts: [
      {
        source: 'pagerduty',
        key: id,
        status,
        labels,
        annotations,
        startsAt,
        payload: {
          status,
          labels,
          annotations,
          startsAt,
          incident: { id, number: typeof data.number === 'number' ? data.number : null, status: text(data.status), title: text(data.title), html_url: text(data.html_url), urgency, priority: text(priority.summary), service: text(service.summary) },
          event: { id: event.id, type: event.event_type, occurred_at: event.occurred_at },
        },
      },
    ],
  };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
