/**
 * The name a person knows an alert by, from a trigger's payload: Alertmanager's and Grafana's `alertname` label, or a
 * PagerDuty incident's title. Pure: the workflow puts it on spans and audit records.
 */
export function alertName(payload: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const labels = payload?.labels as Record<string, unknown> | undefined;
  if (typeof labels?.alertname === 'string' && labels.alertname) return labels.alertname;
  const incident = payload?.incident as Record<string, unknown> | undefined;
  if (typeof incident?.title === 'string' && incident.title) return incident.title;
  return undefined;
}
