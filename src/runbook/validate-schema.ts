/**
 * Checks a parsed runbook against schemas/runbook.schema.json (JSON Schema 2020-12, ajv),
 * and turns ajv's errors into issues a tired person can read: the place in words, not a JSON pointer.
 */
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import runbookSchema from '../../schemas/runbook.schema.json' with { type: 'json' };
import type { RunbookIssue } from './issues.js';
import type { LoadedYaml, PathSegment } from './load-yaml.js';

const ajv = new Ajv2020({ allErrors: true, strict: false });
const validate = ajv.compile(runbookSchema);

export function validateSchema(yaml: LoadedYaml, file: string): RunbookIssue[] {
  if (validate(yaml.data)) return [];
  const errors = pruneNoise(validate.errors ?? []);
  return errors.map((e) => {
    const path = pointerToPath(e.instancePath);
    const unknownField = e.keyword === 'additionalProperties';
    const target = unknownField ? [...path, String(e.params.additionalProperty)] : path;
    const { line, col } = yaml.locate(target, unknownField ? 'key' : 'value');
    return { file, line, col, code: 'VIGIL_E_RUNBOOK_SCHEMA', message: `${describePath(yaml.data, path)}: ${explain(e)}` };
  });
}

/** `oneOf`/`anyOf` produce one error per branch; when a more specific error exists at the same place, drop the summary. */
function pruneNoise(errors: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  const out: ErrorObject[] = [];
  for (const e of errors) {
    if (e.keyword === 'oneOf' || e.keyword === 'anyOf' || e.keyword === 'if' || e.keyword === 'propertyNames') continue;
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out.length > 0 ? out : errors.slice(0, 1);
}

function explain(e: ErrorObject): string {
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown field "${String(e.params.additionalProperty)}"`;
    case 'required':
      return `missing required field "${String(e.params.missingProperty)}"`;
    case 'type':
      return `must be ${String(e.params.type)}`;
    case 'enum':
      return `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(e.params.allowedValue)}`;
    case 'pattern':
      return e.propertyName !== undefined
        ? `name "${e.propertyName}" does not match the expected form ${String(e.params.pattern)}`
        : `does not match the expected form ${String(e.params.pattern)}`;
    case 'minItems':
      return `needs at least ${String(e.params.limit)} item(s)`;
    default:
      return e.message ?? e.keyword;
  }
}

export function pointerToPath(pointer: string): PathSegment[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** `spec.steps[2].sql` becomes `step "bump" (3rd step) > sql`. */
export function describePath(data: unknown, path: readonly PathSegment[]): string {
  const words: string[] = [];
  let node: unknown = data;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i] as PathSegment;
    const parentKey = path[i - 1];
    const child = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[segment] : undefined;
    if (typeof segment === 'number' && (parentKey === 'steps' || parentKey === 'parallel' || parentKey === 'compensate')) {
      const id = child !== null && typeof child === 'object' ? (child as { id?: unknown }).id : undefined;
      words.push(typeof id === 'string' ? `step "${id}"` : `step #${segment + 1}`);
    } else if (segment === 'spec' || (segment === 'steps' && typeof path[i + 1] === 'number')) {
      // implied by the words around them
    } else if (parentKey === 'inputs' && path[i - 2] === 'spec') {
      words.push(`input "${segment}"`);
    } else if (typeof segment === 'number') {
      words.push(`item #${segment + 1}`);
    } else {
      words.push(segment);
    }
    node = child;
  }
  return words.length > 0 ? words.join(' > ') : 'document';
}
