/**
 * The impact preview an approver sees: PostgreSQL's own estimate (EXPLAIN, never ANALYZE: nothing executes) of how many
 * rows the statement will touch, and the shape of its plan. Runs under the same guard as a read (read-only
 * transaction, statement timeout, principal stamped). A statement EXPLAIN can't plan (VACUUM, DO) gets no preview.
 */
import type pg from 'pg';
import type { Principal } from '../shared/principal.js';
import { executeGuarded } from './execute-guarded.js';

export interface ImpactPreview {
  /** The planner's estimate of rows affected (writes) or returned (reads). */
  readonly estimatedRows: number;
  /** The top of the plan, e.g. `Update on payment_jobs <- Seq Scan on payment_jobs`. */
  readonly plan: string;
}

interface PlanNode {
  'Node Type': string;
  'Plan Rows'?: number;
  Operation?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

function describe(node: PlanNode): string {
  const name = node['Node Type'] === 'ModifyTable' ? (node.Operation ?? 'Modify') : node['Node Type'];
  return node['Relation Name'] ? `${name} on ${node['Relation Name']}` : name;
}

export async function explainPreview(pool: pg.Pool, sql: string, params: readonly unknown[], principal: Principal, timeoutMs: number): Promise<ImpactPreview | undefined> {
  try {
    const result = await executeGuarded(pool, { sql: `EXPLAIN (FORMAT JSON) ${sql}`, params, statementClass: 'read', kind: 'ExplainStmt', principal, timeoutMs, stepId: 'preview' });
    const json = (result.rows[0] as Record<string, unknown> | undefined)?.['QUERY PLAN'];
    const top = ((typeof json === 'string' ? JSON.parse(json) : json) as { Plan: PlanNode }[])[0]?.Plan;
    if (!top) return undefined;
    // A write's top node (ModifyTable) estimates 0 rows; the rows it modifies are those its input produces.
    const source = top['Node Type'] === 'ModifyTable' ? (top.Plans?.[0] ?? top) : top;
    const chain = [top, ...(top.Plans?.[0] ? [top.Plans[0]] : [])].map(describe).join(' <- ');
    return { estimatedRows: Math.round(source['Plan Rows'] ?? 0), plan: chain };
  } catch {
    return undefined;
  }
}
