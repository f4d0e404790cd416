/**
 * Grafana unified alerting's webhook contact point (payload `version: "1"`) normalised to alerts. Its alerts share
 * Alertmanager's model, so the identity is the same: the fingerprint plus `startsAt`. A repeated notification keeps
 * both; the alert firing again after it resolved gets a new `startsAt`, hence a new run. Pure.
 *
 * The schema lists every field Grafana documents and sends (through Grafana 12), and refuses others: an unknown field
 * most likely means a custom payload template, which belongs on a generic source. A contact point with a custom
 * payload should post to /v1/hooks/generic/<name> instead.
 */
import type { NormalisedAlert } from './route-alert.js';
import { firingKey } from './alertmanager.js';

export interface GrafanaAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Record<string, string>;
  readonly annotations?: Record<string, string> | null;
  readonly startsAt: string;
  readonly endsAt?: string;
  readonly generatorURL?: string;
  readonly fingerprint: string;
  readonly silenceURL?: string;
  readonly dashboardURL?: string;
  readonly panelURL?: string;
  readonly ruleUID?: string;
  readonly values?: Record<string, number> | null;
  readonly valueString?: string;
  readonly imageURL?: string;
  readonly orgId?: number;
}

export interface GrafanaPayload {
  readonly receiver?: string;
  readonly status: 'firing' | 'resolved';
  readonly orgId?: number;
  readonly alerts: readonly GrafanaAlert[];
  readonly externalURL?: string;
  readonly groupKey?: string;
  readonly title?: string;
  readonly state?: string;
  readonly message?: string;
}

const stringMap = { type: ['object', 'null'], additionalProperties: { type: 'string' } } as const;

/** The JSON Schema Fastify validates the body with, before any of this code runs. */
export const grafanaBodySchema = {
  type: 'object',
  required: ['status', 'alerts'],
  additionalProperties: false,
  properties: {
    receiver: { type: 'string' },
    status: { enum: ['firing', 'resolved'] },
    orgId: { type: 'integer' },
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
          annotations: stringMap,
          startsAt: { type: 'string', minLength: 1, maxLength: 64 },
          endsAt: { type: 'string', maxLength: 64 },
          generatorURL: { type: 'string' },
          fingerprint: { type: 'string', pattern: '^[0-9a-f]{1,64}$' },
          silenceURL: { type: 'string' },
          dashboardURL: { type: 'string' },
          panelURL: { type: 'string' },
          ruleUID: { type: 'string' },
          values: { type: ['object', 'null'], additionalProperties: { type: 'number' } },
          valueString: { type: 'string' },
          imageURL: { type: 'string' },
          embeddedImage: { type: 'string' },
          orgId: { type: 'integer' },
          enrichments: {},
        },
      },
    },
    groupLabels: stringMap,
    commonLabels: stringMap,
    commonAnnotations: stringMap,
    externalURL: { type: 'string' },
    appVersion: { type: 'string' },
    version: { const: '1' },
    groupKey: { type: 'string' },
    truncatedAlerts: { type: 'integer' },
    title: { type: 'string' },
    state: { type: 'string' },
    message: { type: 'string' },
  },
} as const;

export function normaliseGrafana(payload: GrafanaPayload): NormalisedAlert[] {
  return payload.alerts.map((a) => {
    const annotations = a.annotations ?? {};
    return {
      source: 'grafana',
      key: firingKey(a.fingerprint, a.startsAt),
      status: a.status,
      labels: a.labels,
      annotations,
      startsAt: a.startsAt,
      // Only what a runbook plausibly maps, bounded: no embedded images or free-form enrichments in run history.
      payload: {
        status: a.status,
        labels: a.labels,
        annotations,
        startsAt: a.startsAt,
        endsAt: a.endsAt ?? '',
        fingerprint: a.fingerprint,
        values: a.values ?? {},
        generatorURL: a.generatorURL ?? '',
        dashboardURL: a.dashboardURL ?? '',
        panelURL: a.panelURL ?? '',
        ruleUID: a.ruleUID ?? '',
        receiver: payload.receiver ?? '',
      },
    };
  });
}
