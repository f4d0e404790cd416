/**
 * How the UI words times, durations, progress and values. Pure. Times are shown in UTC and say so: an approver at
 * night and an auditor by day, in different zones, read the same time as the audit record holds.
 */
import type { GateProgress, PendingGate } from '../approval-service.js';

/** `2026-11-24 23:40:05 UTC`. */
export function utc(iso: string | undefined): string {
  if (!iso) return '';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** How long ago, in the largest two units that matter: `just now`, `12 min`, `3 h 5 min`, `2 d 4 h`. */
export function age(iso: string, now: Date): string {
  const minutes = Math.floor(Math.max(0, now.getTime() - Date.parse(iso)) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** `just now`, `12 min ago`. */
export function ago(iso: string, now: Date): string {
  const a = age(iso, now);
  return a === 'just now' ? a : `${a} ago`;
}

/** `180 ms`, `2.3 s`, `4 min 10 s`. */
export function duration(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return '';
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const s = Math.round(ms / 1_000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** `1 of 2 dba approvals, 0 of 1 service-owners approval`: what a gate still waits for. */
export function progressText(progress: readonly GateProgress[]): string {
  return progress.map((p) => `${p.have} of ${p.count} ${p.group} approval${p.count === 1 ? '' : 's'}`).join(', ');
}

/** A cell of a masked result or a parameter: strings as they are, everything else as JSON. */
export function cell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The last part of a workflow id is a UUID nobody reads: the first 8 characters of it tell runs apart. */
export function shortRunId(workflowId: string): string {
  const m = /^(.*)-([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.exec(workflowId);
  return m ? `${m[1]}-${m[2]}…` : workflowId;
}

/** A `next` after sign-in must stay on this site: a path, not `//evil.example` or `/\evil.example`. */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !/^\/(?![/\\])[^\s]*$/.test(next) || next.startsWith('/signin')) return '/approvals';
  return next;
}

/**
 * A policy gate's message is `<intent>: <the policy's summary>`; the summary is shown under Classification, so
 * "What is asked" shows the intent alone.
 */
export function askedOf(gate: Pick<PendingGate, 'message' | 'subject'>): string {
  const suffix = gate.subject ? `: ${gate.subject.summary}` : '';
  return suffix && gate.message.endsWith(suffix) ? gate.message.slice(0, -suffix.length) : gate.message;
}

