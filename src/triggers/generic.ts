/**
 * A generic JSON webhook (`POST /v1/hooks/generic/<name>`) normalised to one alert of source `generic:<name>`. Pure.
 *
 * The body is the alert: templates see it whole as `trigger` (`${{ trigger.flag }}`), and its top-level string
 * fields are the labels that trigger matchers and `severity` test. Its identity is, in this order: the runbook
 * trigger's `key` template (see route-alert.ts), else the sender's `Idempotency-Key` header, else none, in which case
 * nothing starts. It resolves when the trigger's `resolved` condition holds, else when the body's `status` is
 * `resolved`, so a sender's "all clear" never starts a run by being mistaken for a firing.
 */
import { VigilError } from '../shared/vigil-error.js';
import type { NormalisedAlert } from './route-alert.js';

/** Any JSON object; the schema only rules out arrays and scalars, which no template could read fields from. */
export const genericBodySchema = { type: 'object' } as const;

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export function normaliseGeneric(name: string, body: Record<string, unknown>, idempotencyKey: string | undefined): NormalisedAlert {
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
    throw new VigilError('VIGIL_E_HOOK_PAYLOAD', 'the Idempotency-Key header must be 1 to 255 visible ASCII characters');
  }
  const labels: Record<string, string> = {};
  for (const [field, value] of Object.entries(body)) if (typeof value === 'string') labels[field] = value;
  return {
    source: `generic:${name}`,
    ...(idempotencyKey ? { key: idempotencyKey } : {}),
    status: typeof body.status === 'string' && body.status.toLowerCase() === 'resolved' ? 'resolved' : 'firing',
    labels,
    annotations: {},
    payload: body,
  };
}
