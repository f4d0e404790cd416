/**
 * Alertmanager's webhook (payload version 4) normalised to alerts. The alert's identity is its fingerprint plus
 * `startsAt`: Alertmanager's repeat notifications keep both, a new firing after a resolve gets a new `startsAt`.
 */
import type { NormalisedAlert } from './route-alert.js';

export interface AlertmanagerPayload {
  readonly version: string;
  readonly status: string;
  readonly receiver?: string;
  readonly groupKey?: string;
  readonly alerts: readonly {
    readonly status: 'firing' | 'resolved';
    readonly labels: Record<string, string>;
    readonly annotations?: Record<string, string>;
    readonly startsAt: string;
    readonly endsAt?: string;
    readonly generatorURL?: string;
    readonly fingerprint: string;
  }[];
}

/** The JSON Schema Fastify validates the body with, before any of this code runs. */
export const alertmanagerBodySchema = {
  type: 'object',
  required: ['version', 'status', 'alerts'],
  properties: {
    version: { const: '4' },
    status: { enum: ['firing', 'resolved'] },
    receiver: { type: 'string' },
    groupKey: { type: 'string' },
    truncatedAlerts: { type: 'integer' },
    groupLabels: { type: 'object' },
    commonLabels: { type: 'object' },
    commonAnnotations: { type: 'object' },
    externalURL: { type: 'string' },
    alerts: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['status', 'labels', 'startsAt', 'fingerprint'],
        additionalProperties: false,
        properties: {
          status: { enum: ['firing', 'resolved'] },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          annotations: { type: 'object', additionalProperties: { type: 'string' } },
          startsAt: { type: 'string', minLength: 1 },
          endsAt: { type: 'string' },
          generatorURL: { type: 'string' },
          fingerprint: { type: 'string', pattern: '^[0-9a-f]{1,64}$' },
        },
      },
    },
  },
  additionalProperties: false,
} as const;

/**
 * One firing of an alert: its fingerprint and when it started. A repeat notification keeps both (it joins the run);
 * a new firing after a resolve starts again (a new run). Grafana's alerting sends the same pair.
 */
export function firingKey(fingerprint: string, startsAt: string): string {
  return `${fingerprint}-${Date.parse(startsAt) || startsAt}`;
}

export function normaliseAlertmanager(payload: AlertmanagerPayload): NormalisedAlert[] {
  return payload.alerts.map((a) => ({
    source: 'alertmanager',
    key: firingKey(a.fingerprint, a.startsAt),
    status: a.status,
    labels: a.labels,
    annotations: a.annotations ?? {},
    startsAt: a.startsAt,
    payload: { status: a.status, labels: a.labels, annotations: a.annotations ?? {}, startsAt: a.startsAt, endsAt: a.endsAt ?? '', fingerprint: a.fingerprint, receiver: payload.receiver ?? '' },
  }));
}
