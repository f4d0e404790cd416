/**
 * Checks a webhook's credential: a bearer token against the configured SHA-256 hashes, or an HMAC-SHA256 signature
 * over the raw body with a signed timestamp inside the replay window. Pure apart from node:crypto; the clock comes in
 * as an argument. Every comparison is constant-time (timingSafeEqual) and compares against every candidate, so the
 * time taken does not say which part matched. It fails closed: anything missing or malformed is a refusal with a
 * reason the sender's operator can act on, never an exception.
 *
 * Signature schemes, each as its sender documents it:
 * - grafana:   hex HMAC(secret, `${timestamp}:${body}`) in X-Grafana-Alerting-Signature, Unix seconds in the
 *              timestamp header configured on the contact point (Vigil requires one: no timestamp, no replay window).
 * - pagerduty: `v1=<hex HMAC(secret, body)>`, comma-separated while a secret rotates, in X-PagerDuty-Signature. PagerDuty
 *              signs no timestamp, so the window is checked against the signed body's `event.occurred_at`.
 * - generic:   `v1=<hex HMAC(secret, `${timestamp}.${body}`)>` in X-Vigil-Signature, Unix seconds in X-Vigil-Timestamp.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { SourceKind } from './webhook-sources.js';

export type Verdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const OK: Verdict = { ok: true };
const refuse = (reason: string): Verdict => ({ ok: false, reason });

/** `Authorization: Bearer <token>` whose SHA-256 is one of `sha256Hex`. */
export function verifyBearer(authorization: string | undefined, sha256Hex: readonly string[]): Verdict {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!m?.[1]) return refuse('an Authorization: Bearer <token> header with this source\'s token is required');
  const digest = createHash('sha256').update(m[1], 'utf8').digest();
  let found = false;
  for (const hex of sha256Hex) if (timingSafeEqual(Buffer.from(hex, 'hex'), digest)) found = true;
  return found ? OK : refuse("the bearer token is not this source's token");
}

export interface SignedRequest {
  readonly kind: Exclude<SourceKind, 'alertmanager'>;
  readonly secret: Buffer;
  readonly rawBody: Buffer;
  /** Header lookup, lower-case names. */
  readonly header: (name: string) => string | undefined;
  readonly signatureHeader: string;
  readonly timestampHeader?: string;
  /** PagerDuty only: the body's `event.occurred_at`, read after the signature verified. */
  readonly occurredAt?: () => string | undefined;
  readonly nowMs: number;
  readonly replayWindowMs: number;
}

export function verifySignature(request: SignedRequest): Verdict {
  const signatureValue = request.header(request.signatureHeader);
  if (!signatureValue) return refuse(`the ${request.signatureHeader} header is missing`);

  let timestamp: string | undefined;
  if (request.kind !== 'pagerduty') {
    const name = request.timestampHeader ?? '';
    timestamp = request.header(name);
    if (!timestamp) return refuse(`the ${name} header is missing: the timestamp is signed with the body and checked against the replay window`);
    if (!/^[0-9]{1,12}$/.test(timestamp)) return refuse(`the ${name} header must be Unix seconds`);
  }

  const hmac = createHmac('sha256', request.secret);
  if (request.kind === 'grafana') hmac.update(`${timestamp}:`, 'utf8');
  if (request.kind === 'generic') hmac.update(`${timestamp}.`, 'utf8');
  const expected = hmac.update(request.rawBody).digest();

  const offered = request.kind === 'grafana'
    ? [signatureValue.trim()]
    : signatureValue.split(',').map((s) => s.trim()).filter((s) => s.startsWith('v1=')).map((s) => s.slice(3));
  let matched = false;
  for (const hex of offered) {
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) continue;
    if (timingSafeEqual(Buffer.from(hex, 'hex'), expected)) matched = true;
  }
  if (!matched) return refuse(`the ${request.signatureHeader} signature does not match the body (wrong secret, or the body was changed on the way)`);

  // Only a verified signature makes the timestamp trustworthy, so the window is checked second.
  const atMs = request.kind === 'pagerduty' ? Date.parse(request.occurredAt?.() ?? '') : Number(timestamp) * 1000;
  if (!Number.isFinite(atMs)) return refuse('event.occurred_at is missing or not a date: the replay window cannot be checked');
  const skewS = Math.round(Math.abs(request.nowMs - atMs) / 1000);
  if (Math.abs(request.nowMs - atMs) > request.replayWindowMs) {
    return refuse(`the signed timestamp is ${skewS} s from the server's clock, outside the ${Math.round(request.replayWindowMs / 1000)} s replay window (a replay, or a clock out of sync)`);
  }
  return OK;
}
