/**
 * Signing webhook deliveries the way each sender documents it, written from those documents and independently of
 * src/triggers/verify-credential.ts, so a test signs like Grafana, PagerDuty or a generic sender would.
 */
import { createHash, createHmac } from 'node:crypto';

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
/** HMAC-SHA256 over a prefix and the body's exact bytes (a string body is its UTF-8). */
const hmacHex = (secret: string, prefix: string, body: string | Buffer): string => createHmac('sha256', secret).update(prefix, 'utf8').update(body).digest('hex');

/** PagerDuty v3: `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>]`, one per active secret, over the body alone. */
export function pagerdutySignature(secrets: readonly string[], body: string | Buffer): Record<string, string> {
  return { 'x-pagerduty-signature': secrets.map((s) => `v1=${hmacHex(s, '', body)}`).join(',') };
}

/** Grafana's HMAC option with a timestamp header: hex HMAC over `${unixSeconds}:${body}`. */
export function grafanaSignature(secret: string, body: string | Buffer, unixSeconds: number): Record<string, string> {
  return { 'x-grafana-alerting-signature': hmacHex(secret, `${unixSeconds}:`, body), 'x-grafana-alerting-timestamp': String(unixSeconds) };
}

/** Vigil's generic scheme: `X-Vigil-Signature: v1=<hex HMAC over `${unixSeconds}.${body}`>`, `X-Vigil-Timestamp`. */
export function genericSignature(secret: string, body: string | Buffer, unixSeconds: number): Record<string, string> {
  return { 'x-vigil-signature': `v1=${hmacHex(secret, `${unixSeconds}.`, body)}`, 'x-vigil-timestamp': String(unixSeconds) };
}
