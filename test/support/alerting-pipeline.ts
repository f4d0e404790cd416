/**
 * A real alerting pipeline for end-to-end tests: Prometheus and Alertmanager from Debian's packages, installed when
 * absent (apt-get, as root), each run on 127.0.0.1 with its config and data in a temp dir, plus a tiny metric endpoint
 * the test sets. Flags that matter (ENVIRONMENT.md): Prometheus `--rules.alert.resend-delay=1s`, or the first alert
 * waits about a minute; Alertmanager `--cluster.listen-address=` (no clustering); both `--web.external-url`.
 * Everything started here is stopped by its own handle, never by name.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/dev/ports.js';

export const PROMETHEUS = '/usr/bin/prometheus';
export const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';

export type Availability = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Installs both packages when either binary is missing; says why not when it can't. */
export function ensureAlertingPackages(log: (line: string) => void = (l) => console.log(l)): Availability {
  if (existsSync(PROMETHEUS) && existsSync(ALERTMANAGER)) return { ok: true };
  if (spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) return { ok: false, reason: 'apt-get is not available to install prometheus and prometheus-alertmanager' };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'installing prometheus and prometheus-alertmanager with apt-get needs root' };
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Another process on this machine may hold the dpkg lock: wait for it rather than fail.
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=600', 'prometheus', 'prometheus-alertmanager'], { env, encoding: 'utf8', timeout: 900_000 });
  log('Installing prometheus and prometheus-alertmanager from Debian (apt-get) for the end-to-end alerting test...');
  let result = install();
  if (result.status !== 0) {
    log('apt-get install failed; refreshing the package lists (apt-get update) and trying once more.');
    spawnSync('apt-get', ['update', '-o', 'DPkg::Lock::Timeout=600'], { env, encoding: 'utf8', timeout: 600_000 });
    result = install();
  }
  if (result.status !== 0 || !existsSync(PROMETHEUS) || !existsSync(ALERTMANAGER)) {
    const tail = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim().split('\n').slice(-3).join(' | ');
    return { ok: false, reason: `apt-get could not install prometheus and prometheus-alertmanager: ${tail || `exit ${result.status}`}` };
  }
  return { ok: true };
}

/** A gauge the test sets, served at /metrics for Prometheus to scrape. */
export interface MetricEndpoint {
  readonly target: string;
  set(value: number): void;
  close(): Promise<void>;
}

export async function startMetricEndpoint(name: string, labels: Record<string, string>): Promise<MetricEndpoint> {
  let value = 0;
  const labelText = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',');
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(`# TYPE ${name} gauge\n${name}{${labelText}} ${value}\n`);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    target: `127.0.0.1:${port}`,
    set: (v) => void (value = v),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface AlertingPipeline {
  readonly prometheusUrl: string;
  readonly alertmanagerUrl: string;
  /** A counter from Alertmanager's own /metrics, e.g. notifications sent to the webhook integration. */
  alertmanagerCounter(name: string, labels: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

export interface PipelineOptions {
  /** host:port Prometheus scrapes. */
  readonly scrapeTarget: string;
  /** Prometheus alerting rules (YAML text of one rules file). */
  readonly rules: string;
  /** Where Alertmanager posts, and the bearer token it presents. */
  readonly webhookUrl: string;
  readonly bearerToken: string;
  /** How often Alertmanager repeats a still-firing notification. */
  readonly repeatInterval: string;
}

export async function startAlertingPipeline(options: PipelineOptions): Promise<AlertingPipeline> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-alerting-'));
  const [promPort, amPort] = [await freePort(), await freePort()];
  const prometheusUrl = `http://127.0.0.1:${promPort}`;
  const alertmanagerUrl = `http://127.0.0.1:${amPort}`;
  writeFileSync(join(dir, 'rules.yml'), options.rules);
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [${JSON.stringify(join(dir, 'rules.yml'))}]
alerting:
  alertmanagers:
    - static_configs: [{ targets: ["127.0.0.1:${amPort}"] }]
scrape_configs:
  - job_name: vigil-e2e
    honor_labels: true
    static_configs: [{ targets: [${JSON.stringify(options.scrapeTarget)}] }]
`,
  );
  writeFileSync(
    join(dir, 'alertmanager.yml'),
    `route:
  receiver: vigil
  group_by: [alertname, instance]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: ${options.repeatInterval}
receivers:
  - name: vigil
    webhook_configs:
      - url: ${JSON.stringify(options.webhookUrl)}
        send_resolved: true
        http_config:
          authorization: { type: Bearer, credentials: ${JSON.stringify(options.bearerToken)} }
`,
  );
  const children: ChildProcess[] = [];
  const run = (binary: string, args: string[], logName: string) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const logFile = createWriteStream(join(dir, logName));
    child.stdout?.pipe(logFile);
    child.stderr?.pipe(logFile);
    children.push(child);
    return child;
  };
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    run(ALERTMANAGER, [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'alertmanager-data')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      `--web.external-url=${alertmanagerUrl}/`,
      '--cluster.listen-address=',
    ], 'alertmanager.log');
    run(PROMETHEUS, [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'prometheus-data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      `--web.external-url=${prometheusUrl}/`,
      '--rules.alert.resend-delay=1s',
    ], 'prometheus.log');
    await waitReady(`${alertmanagerUrl}/-/ready`, children, dir);
    await waitReady(`${prometheusUrl}/-/ready`, children, dir);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    prometheusUrl,
    alertmanagerUrl,
    async alertmanagerCounter(name, labels) {
      const text = await (await fetch(`${alertmanagerUrl}/metrics`)).text();
      const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
      let total = 0;
      for (const line of text.split('\n')) {
        if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
        if (wanted.every((w) => line.includes(w))) total += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
      return total;
    },
    stop,
  };
}

async function waitReady(url: string, children: readonly ChildProcess[], dir: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const exited = children.find((c) => c.exitCode !== null);
    if (exited) throw new Error(`${exited.spawnfile} exited with ${exited.exitCode} before ${url} was ready (logs in ${dir})`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} was not ready after 60 s`);
}
