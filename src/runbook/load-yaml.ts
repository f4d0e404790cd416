/**
 * Parses runbook YAML while keeping the line and column of every node, so each later problem
 * can point at the exact place in the file. Pure: takes text, not a path.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { RunbookIssue } from './issues.js';

export const MAX_RUNBOOK_BYTES = 1024 * 1024;
export const MAX_RUNBOOK_DEPTH = 64;

export type PathSegment = string | number;

export interface LoadedYaml {
  readonly data: unknown;
  /**
   * Line and column (1-based) of the node at `path`, or of its closest existing parent.
   * `key` points at the last segment's key instead of its value (for "unknown field" and the like).
   */
  locate(path: readonly PathSegment[], at?: 'value' | 'key'): { line: number; col: number };
}

export type LoadResult = { ok: true; yaml: LoadedYaml } | { ok: false; issues: RunbookIssue[] };

export function loadYaml(text: string, file: string): LoadResult {
  if (Buffer.byteLength(text, 'utf8') > MAX_RUNBOOK_BYTES) {
    return fail(file, 1, 1, 'VIGIL_E_RUNBOOK_TOO_LARGE', `runbook is larger than ${MAX_RUNBOOK_BYTES} bytes`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return { file, line: pos.line, col: pos.col, code: 'VIGIL_E_RUNBOOK_YAML', message: yamlMessage(e.message) };
      }),
    };
  }
  const tooDeep = findTooDeep(doc.contents, 0);
  if (tooDeep) {
    const pos = lines.linePos(tooDeep.range?.[0] ?? 0);
    return fail(file, pos.line, pos.col, 'VIGIL_E_RUNBOOK_TOO_LARGE', `nesting deeper than ${MAX_RUNBOOK_DEPTH} levels`);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return fail(file, 1, 1, 'VIGIL_E_RUNBOOK_YAML', (error as Error).message);
  }
  return {
    ok: true,
    yaml: {
      data,
      locate(path, at = 'value') {
        let node: unknown = doc.contents;
        let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
        for (const [i, segment] of path.entries()) {
          const next = childOf(node, segment);
          if (!next) break;
          node = next.value ?? next.key;
          const preferKey = at === 'key' && i === path.length - 1;
          const first = preferKey ? next.key : next.value;
          const second = preferKey ? next.value : next.key;
          offset = (first as Node | null)?.range?.[0] ?? (second as Node | null)?.range?.[0] ?? offset;
        }
        return lines.linePos(offset);
      },
    },
  };
}

function childOf(node: unknown, segment: PathSegment): { key: unknown; value: unknown } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === segment);
    return pair ? { key: pair.key, value: pair.value } : undefined;
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    return item === undefined ? undefined : { key: undefined, value: item };
  }
  return undefined;
}

function findTooDeep(node: unknown, depth: number): Node | undefined {
  if (depth > MAX_RUNBOOK_DEPTH) return node as Node;
  if (isMap(node)) {
    for (const p of node.items) {
      const hit = findTooDeep(p.value, depth + 1);
      if (hit) return hit;
    }
  } else if (isSeq(node)) {
    for (const item of node.items) {
      const hit = findTooDeep(item, depth + 1);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** The yaml library's messages end with a code frame; keep the first line. */
function yamlMessage(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

function fail(file: string, line: number, col: number, code: RunbookIssue['code'], message: string): LoadResult {
  return { ok: false, issues: [{ file, line, col, code, message }] };
}
