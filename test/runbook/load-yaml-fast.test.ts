/**
 * The quick loader (js-yaml) against the positioned one (the yaml package): wherever the quick one reads a document,
 * it must give the same data and the same place for every collection; wherever the positioned one refuses a document,
 * the quick one must step aside so the error is reported with its line and column. Table of the tricky cases first,
 * then properties over mutated runbooks and random scalars, then whole plans.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileLoaded, compileRunbook } from '../../src/runbook/compile.js';
import { loadYaml, type LoadedYaml, type PathSegment } from '../../src/runbook/load-yaml.js';
import { loadYamlFast } from '../../src/runbook/load-yaml-fast.js';

function positioned(text: string): LoadedYaml {
  const loaded = loadYaml(text, 't.yaml');
  if (!loaded.ok) throw new Error(loaded.issues.map((i) => i.message).join('\n'));
  return loaded.yaml;
}

// YAML 1.2 core schema: each of these reads the same through both loaders.
const same: [string, string, unknown][] = [
  ['YAML 1.1 booleans are strings', 'a: [yes, no, on, off, y, n, Yes, ON]', { a: ['yes', 'no', 'on', 'off', 'y', 'n', 'Yes', 'ON'] }],
  ['core booleans', 'a: [true, True, TRUE, false, False, FALSE, tRUE]', { a: [true, true, true, false, false, false, 'tRUE'] }],
  ['nulls', 'a: [null, Null, NULL, ~, nULL]\nb:\nc: ""', { a: [null, null, null, null, 'nULL'], b: null, c: '' }],
  ['integers: 0o is octal, a leading 0 is decimal', 'a: [0o17, 017, 0x1F, +12, -3, 0]', { a: [15, 17, 31, 12, -3, 0] }],
  ['not integers in 1.2', 'a: [0b11, 1_000, -0o7, -0x1F, 1:30, 0o8]', { a: ['0b11', '1_000', '-0o7', '-0x1F', '1:30', '0o8'] }],
  ['floats', 'a: [1.5, 1e3, .5, 1., -.inf, .Inf, 2.5E-1]', { a: [1.5, 1000, 0.5, 1, -Infinity, Infinity, 0.25] }],
  ['not a number', 'a: .NaN', { a: NaN }],
  ['a number too large for a double is Infinity', 'a: [1e400, -1e400]', { a: [Infinity, -Infinity] }],
  ['integers beyond 2^53 lose precision alike', 'a: 12345678901234567890123', { a: 12345678901234567890123 }],
  ['no timestamps in the core schema', 'a: [2024-01-01, 2024-01-01T10:00:00Z]', { a: ['2024-01-01', '2024-01-01T10:00:00Z'] }],
  ['quoted scalars stay strings', `a: ["yes", '0x1F', "null", '1e3']`, { a: ['yes', '0x1F', 'null', '1e3'] }],
  ['no merge keys in 1.2: << is a plain key', 'a:\n  <<: { b: 1 }\n  c: 2', { a: { '<<': { b: 1 }, c: 2 } }],
  ['keys that are numbers or booleans become their text', '1: a\ntrue: b\n0x10: c\n1.50: d', { 1: 'a', true: 'b', 16: 'c', '1.5': 'd' }],
  ['__proto__ is an own key, not the prototype', '__proto__: { polluted: true }\nconstructor: x', JSON.parse('{"__proto__": {"polluted": true}, "constructor": "x"}')],
  ['literal and folded block scalars', 'a: |\n  x\n   y\n\nb: |-\n  x\nc: >\n  x\n  y\n\n  z\nd: >+\n  x\n\ne: |2\n    x\n', { a: 'x\n y\n', b: 'x', c: 'x y\nz\n', d: 'x\n\n', e: '  x\n' }],
  ['double-quoted escapes', String.raw`a: "\x41\u263A\U0001F600\N\_\t\"\\ \/"`, { a: 'A\u263A\u{1F600}\u0085\u00a0\t"\\ /' }],
  ['multi-line plain and quoted scalars fold', 'a: one\n  two\n\n  three\nb: "x\n  y"\nc: \'p\n\n  q\'', { a: 'one two\nthree', b: 'x y', c: 'p\nq' }],
  ['comments and an explicit document start', '# head\n--- # start\na: 1 # one\n# between\nb: [1, 2] # two\n', { a: 1, b: [1, 2] }],
  ['CRLF line endings', 'a: 1\r\nb: |\r\n  x\r\n  y\r\n', { a: 1, b: 'x\ny\n' }],
  ['a byte-order mark at the start', '\ufeffa: 1', { a: 1 }],
  ['flow collections on one line', 'a: { b: [1, "}", { c: d }], e: [] }', { a: { b: [1, '}', { c: 'd' }], e: [] } }],
  ['explicit keys', '? a\n: 1', { a: 1 }],
];

// Outside the subset the quick loader reads: it steps aside, and the positioned loader's answer stands.
const aside: [string, string][] = [
  ['duplicate keys (an error)', 'a: 1\na: 2'],
  ['keys that only collide once written as text', '1: a\n"1": b'],
  ['anchors and aliases', 'a: &x { b: 1 }\nc: *x'],
  ['a merge key with an alias', 'base: &b { x: 1 }\nm:\n  <<: *b'],
  ['tags', 'a: !!str 1\nb: !!binary aGk='],
  ['a custom tag', 'a: !shell rm -rf /'],
  ['%YAML 1.1 (yes would be true)', '%YAML 1.1\n---\na: yes'],
  ['two documents', 'a: 1\n---\nb: 2'],
  ['a document end marker', '# c\n...\na: 1'],
  ['a null key', '~: 1\nb: 2'],
  ['an empty key', 'a: 1\n: 2'],
  ['a collection as a key', '[a, b]: 1'],
  ['a tab', 'a:\t1'],
  ['a lone carriage return', 'a: x\ry'],
  ['a byte-order mark inside', 'a: 1\n\ufeffb: 2'],
  ['a flow collection over several lines', 'a: { b: 1\n#\n }'],
  ['a key over 1024 characters', `${'k'.repeat(1100)}: 1`],
  ['an escaped line break before a blank line', 'a: "x\\\n\n  y"'],
  ['nesting 64 levels deep', `a: ${'['.repeat(64)}1${']'.repeat(64)}`],
  ['a syntax error', 'a: [1, 2'],
  ['a scalar document', '42'],
];

describe('loadYamlFast', () => {
  it.each(same)('%s: same data from both loaders', (_name, text, data) => {
    expect(positioned(text).data).toEqual(data);
    expect(loadYamlFast(text)?.data).toEqual(data);
  });

  it.each(aside)('%s: steps aside', (_name, text) => {
    expect(loadYamlFast(text)).toBeUndefined();
  });

  it('keeps -0 as -0, like the yaml package', () => {
    expect(Object.is((loadYamlFast('a: [-0, -0.0]')?.data as { a: number[] }).a[0], -0)).toBe(true);
    expect(loadYamlFast('a: [-0, -0.0]')?.data).toEqual(positioned('a: [-0, -0.0]').data);
  });

  it('points at the same place for every collection', () => {
    const text = 'a: 1\nsteps:\n  - id: x\n    wait: 1s\n  -   # c\n    id: y\n  - { id: z, n: [1, { m: 2 }] }\n  - [1, 2]\n';
    const quick = loadYamlFast(text);
    expect(quick).toBeDefined();
    expect(collectionPlaces(quick as LoadedYaml, positioned(text))).toEqual([]);
    expect(quick?.locate(['steps', 1])).toEqual({ line: 6, col: 5 });
  });

  // Mutations in the style of invalid-fixtures.test.ts, with more of YAML's sharp edges.
  const runbooks = [
    ...readdirSync('runbooks').map((f) => readFileSync(`runbooks/${f}`, 'utf8')),
    ...readdirSync('test/fixtures/runbooks/invalid')
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => readFileSync(`test/fixtures/runbooks/invalid/${f}`, 'utf8')),
  ];
  const edit = fc.constantFrom('', ':', ': ', '- ', '\t', '\n', '\n  ', '\r\n', '\r', '"', "'", '{', '}', '[', ']', ',', '#', ' #', '? ', '|', '>-', '~', 'yes', '0o17', '1e400', '.NaN', '&a ', '*a', '!!str ', '<<: ', '---\n', '\n...\n', '%YAML 1.1\n', '\ufeff', 'x'.repeat(1100));
  const mutated = fc
    .tuple(fc.constantFrom(...runbooks), fc.array(fc.tuple(fc.nat(), edit, fc.nat({ max: 6 })), { minLength: 1, maxLength: 2 }))
    .map(([text, edits]) => edits.reduce((t, [at, s, del]) => t.slice(0, at % (t.length + 1)) + s + t.slice((at % (t.length + 1)) + del), text));

  it('reads mutated runbooks as the positioned loader does, or steps aside', () => {
    fc.assert(fc.property(mutated, agrees), { numRuns: 300 });
  });

  const scalar = fc.array(fc.constantFrom(...' -:#\'"\\{}[],&*!|>%@`?~.+_019eExobnulNaIfty', '\n', '\n  ', '\r\n', '\t', '\u0085', '\u2028', '\u00a0', '\ufeff', '---', '...', '\\x41', '\\N'), { maxLength: 10 }).map((a) => a.join(''));
  const shapes = fc.tuple(scalar, scalar, fc.nat({ max: 6 })).map(([a, b, shape]) =>
    [`k: ${a}\nj: ${b}\n`, `k: [${a}, ${b}]\n`, `k: {${a}: ${b}}\n`, `- ${a}\n- ${b}: 1\n`, `k: |\n  ${a}\n  ${b}\nl: 1\n`, `k: >\n  ${a}\n\n   ${b}\n`, `k: "${a}\n  ${b}"\n`][shape] as string,
  );

  it('reads random scalars as the positioned loader does, or steps aside', () => {
    fc.assert(fc.property(shapes, agrees), { numRuns: 1000 });
  });
});

describe('compiling through either loader', () => {
  const examples = readdirSync('runbooks').sort();

  it.each(examples)('%s: the quick read gives the same plan, step positions included', (file) => {
    const text = readFileSync(`runbooks/${file}`, 'utf8');
    // Our own runbooks are plain YAML: if this fails, the quick path no longer covers them (an anchor, a tag...).
    const quick = loadYamlFast(text);
    expect(quick).toBeDefined();
    expect(compileLoaded(quick as LoadedYaml, text, file)).toEqual(compileLoaded(positioned(text), text, file));
  });

  it('reports issues with the positioned places even when the quick read succeeds', () => {
    const text = 'apiVersion: vigil/v1\nkind: Runbook\nmetadata: { name: t }\nspec:\n  steps:\n    - id: a\n      wait: 1s\n      when: ${{ steps.b.ok }}\n';
    expect(loadYamlFast(text)).toBeDefined();
    const result = compileRunbook(text, 't.yaml');
    expect(result.ok ? [] : result.issues.map((i) => [i.code, i.line, i.col])).toEqual([['VIGIL_E_RUNBOOK_REFERENCE', 8, 13]]);
  });
});

/** The property both tests check: the quick loader steps aside, or agrees on data and collection places. */
function agrees(text: string): void {
  const quick = loadYamlFast(text);
  if (!quick) return;
  const slow = loadYaml(text, 't.yaml');
  expect(slow.ok ? [] : slow.issues.map((i) => i.message)).toEqual([]);
  if (!slow.ok) return;
  expect(quick.data).toEqual(slow.yaml.data);
  expect(collectionPlaces(quick, slow.yaml)).toEqual([]);
}

/** Every collection whose place differs between the two loaders. */
function collectionPlaces(quick: LoadedYaml, slow: LoadedYaml): string[] {
  const differ: string[] = [];
  const walk = (value: unknown, path: PathSegment[]) => {
    if (value === null || typeof value !== 'object') return;
    const [a, b] = [quick.locate(path), slow.locate(path)];
    if (a.line !== b.line || a.col !== b.col) differ.push(`${JSON.stringify(path)}: quick ${a.line}:${a.col}, positioned ${b.line}:${b.col}`);
    for (const [k, v] of Object.entries(value)) walk(v, [...path, Array.isArray(value) ? Number(k) : k]);
  };
  walk(slow.data, []);
  return differ;
}
