/**
 * The load generator of bench/webhooks.bench.ts, in its own process so it does not share an event loop with the
 * server it measures. It posts Alertmanager version 4 deliveries, each with a new alert (a fresh hex fingerprint,
 * also sent as X-Bench-Fingerprint so the server can stamp when it received it), in one of two modes:
 * - `flood`: autocannon, as fast as the server answers on `connections` keep-alive connections;
 * - `paced`: one delivery every 1/rate s, evenly spaced, not waiting for answers (an open loop, like alerts arriving).
 *   Not autocannon's own rate limit: that sends each second's quota in one burst at the top of the second, which
 *   would measure the burst's queue rather than the path.
 * Reads its options as JSON from argv[2] and prints a summary as JSON on stdout. Not a bench itself (no .bench.ts).
 */
import autocannon from 'autocannon';

interface LoadOptions {
  readonly mode: 'flood' | 'paced';
  readonly url: string;
  readonly token: string;
  /** Hex prefix that keeps this run's fingerprints apart from other runs'. */
  readonly tag: string;
  /** flood: connections and seconds. */
  readonly connections?: number;
  readonly duration?: number;
  /** paced: how many, how many per second, and when to send the first (epoch ms), to interleave with another sender. */
  readonly amount?: number;
  readonly rate?: number;
  readonly startAt?: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as LoadOptions;
let counter = 0;

/** Each request a new alert: a fingerprint nobody sent before, so each one starts a run. */
function nextAlert(): { fingerprint: string; body: string } {
  const fingerprint = `${options.tag}${(counter++).toString(16).padStart(8, '0')}`;
  const body = JSON.stringify({
    version: '4',
    status: 'firing',
    receiver: 'vigil',
    groupKey: `{}:{alertname="BenchAlert", instance="${fingerprint}"}`,
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'BenchAlert', instance: `db-${fingerprint}`, severity: 'critical' },
        annotations: { summary: 'bench' },
        startsAt: '2026-11-24T02:00:00Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://127.0.0.1:9090/graph',
        fingerprint,
      },
    ],
  });
  return { fingerprint, body };
}

const headers = { 'content-type': 'application/json', authorization: `Bearer ${options.token}` };

async function flood() {
  const result = await autocannon({
    url: options.url,
    method: 'POST',
    connections: options.connections ?? 32,
    duration: options.duration ?? 10,
    headers,
    requests: [
      {
        setupRequest: (request) => {
          const { fingerprint, body } = nextAlert();
          return { ...request, body, headers: { ...request.headers, 'x-bench-fingerprint': fingerprint } };
        },
      },
    ],
  });
  return {
    accepted: result['2xx'],
    refused: result.non2xx,
    errors: result.errors + result.timeouts,
    durationS: result.duration,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
  };
}

async function paced() {
  const amount = options.amount ?? 100;
  const interval = 1000 / (options.rate ?? 10);
  const started = performance.now() + Math.max(0, (options.startAt ?? 0) - Date.now());
  let accepted = 0;
  let refused = 0;
  let errors = 0;
  const answers: number[] = [];
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < amount; i++) {
    const wait = started + i * interval - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const { fingerprint, body } = nextAlert();
    const sent = performance.now();
    inFlight.push(
      fetch(options.url, { method: 'POST', headers: { ...headers, 'x-bench-fingerprint': fingerprint }, body })
        .then(async (res) => {
          await res.arrayBuffer();
          answers.push(performance.now() - sent);
          if (res.status === 202) accepted++;
          else refused++;
        })
        .catch(() => void errors++),
    );
  }
  await Promise.all(inFlight);
  answers.sort((a, b) => a - b);
  const at = (q: number) => answers[Math.min(answers.length - 1, Math.floor(q * answers.length))] ?? NaN;
  return { accepted, refused, errors, durationS: (performance.now() - started) / 1000, latencyMs: { p50: at(0.5), p99: at(0.99) } };
}

process.stdout.write(JSON.stringify(options.mode === 'paced' ? await paced() : await flood()));
