/** Webhook credentials: bearer hashes and each sender's signature scheme, with the replay window, refusing anything off. */
import { describe, expect, it } from 'vitest';
import { verifyBearer, verifySignature, type SignedRequest } from '../../src/triggers/verify-credential.js';
import { genericSignature, grafanaSignature, pagerdutySignature, sha256Hex } from '../support/webhook-signing.js';

const NOW = Date.parse('2026-11-24T02:00:00Z');
const body = '{"event":{"occurred_at":"2026-11-24T01:59:30Z"}}';

const request = (kind: SignedRequest['kind'], headers: Record<string, string>, overrides: Partial<SignedRequest> = {}): SignedRequest => ({
  kind,
  secret: Buffer.from('s3cret'),
  rawBody: Buffer.from(body),
  header: (name) => headers[name],
  signatureHeader: { grafana: 'x-grafana-alerting-signature', pagerduty: 'x-pagerduty-signature', generic: 'x-vigil-signature' }[kind],
  timestampHeader: { grafana: 'x-grafana-alerting-timestamp', pagerduty: undefined, generic: 'x-vigil-timestamp' }[kind],
  occurredAt: () => '2026-11-24T01:59:30Z',
  nowMs: NOW,
  replayWindowMs: 300_000,
  ...overrides,
});

describe('verifyBearer', () => {
  const hashes = [sha256Hex('old-token'), sha256Hex('new-token')];
  it.each([
    ['Bearer new-token', true],
    ['bearer old-token', true],
    ['Bearer nope', false],
    ['Basic bmV3LXRva2Vu', false],
    ['Bearer ', false],
    [undefined, false],
  ])('%s -> %s', (header, ok) => {
    expect(verifyBearer(header, hashes).ok).toBe(ok);
  });
});

describe('verifySignature', () => {
  const ts = NOW / 1000 - 30;

  it('accepts each scheme signed as its sender documents it', () => {
    expect(verifySignature(request('pagerduty', pagerdutySignature(['s3cret'], body)))).toEqual({ ok: true });
    expect(verifySignature(request('grafana', grafanaSignature('s3cret', body, ts)))).toEqual({ ok: true });
    expect(verifySignature(request('generic', genericSignature('s3cret', body, ts)))).toEqual({ ok: true });
  });

  it('accepts PagerDuty during a secret rotation, when one of several signatures matches', () => {
    expect(verifySignature(request('pagerduty', pagerdutySignature(['previous', 's3cret'], body))).ok).toBe(true);
  });

  it.each([
    ['pagerduty', 'a wrong secret', () => pagerdutySignature(['other'], body), /does not match/],
    ['pagerduty', 'a changed body', () => pagerdutySignature(['s3cret'], `${body} `), /does not match/],
    ['pagerduty', 'no header', () => ({}), /x-pagerduty-signature header is missing/],
    ['pagerduty', 'a v0 signature', () => ({ 'x-pagerduty-signature': pagerdutySignature(['s3cret'], body)['x-pagerduty-signature']!.replace('v1=', 'v0=') }), /does not match/],
    ['grafana', 'no timestamp header', () => ({ 'x-grafana-alerting-signature': grafanaSignature('s3cret', body, ts)['x-grafana-alerting-signature']! }), /timestamp header is missing/],
    ['grafana', 'a timestamp that is not the signed one', () => ({ ...grafanaSignature('s3cret', body, ts), 'x-grafana-alerting-timestamp': String(ts + 1) }), /does not match/],
    ['grafana', 'a stale signed timestamp', () => grafanaSignature('s3cret', body, ts - 600), /outside the 300 s replay window/],
    ['generic', 'a timestamp in the future', () => genericSignature('s3cret', body, ts + 900), /outside the 300 s replay window/],
    ['generic', 'a timestamp that is not a number', () => ({ ...genericSignature('s3cret', body, ts), 'x-vigil-timestamp': 'yesterday' }), /Unix seconds/],
    ['generic', 'a signature of the wrong length', () => ({ ...genericSignature('s3cret', body, ts), 'x-vigil-signature': 'v1=abcd' }), /does not match/],
    ['generic', "Grafana's format on the generic scheme", () => ({ 'x-vigil-signature': `v1=${grafanaSignature('s3cret', body, ts)['x-grafana-alerting-signature']}`, 'x-vigil-timestamp': String(ts) }), /does not match/],
  ] as const)('refuses %s with %s', (kind, _what, headers, reason) => {
    const verdict = verifySignature(request(kind, headers()));
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? '' : verdict.reason).toMatch(reason);
  });

  it("checks PagerDuty's window against the signed event.occurred_at, since PagerDuty signs no timestamp", () => {
    const headers = pagerdutySignature(['s3cret'], body);
    expect(verifySignature(request('pagerduty', headers, { nowMs: NOW + 3_600_000 }))).toMatchObject({ ok: false, reason: expect.stringMatching(/replay window/) });
    expect(verifySignature(request('pagerduty', headers, { occurredAt: () => undefined }))).toMatchObject({ ok: false, reason: expect.stringMatching(/occurred_at/) });
  });
});
