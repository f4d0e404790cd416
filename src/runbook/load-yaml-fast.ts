/**
 * The quick read of runbook YAML, for the common case: a plain document that compiles. js-yaml's event parser is
 * about ten times faster than the yaml package's positioned Document, which was most of the cost of a compile.
 * Pure: takes text, not a path.
 *
 * It must never give a runbook another meaning than loadYaml does, so it reads only the subset of YAML where the two
 * parsers agree, and returns undefined for anything else (the rules are the constants and checks below: any error,
 * anchors and aliases, tags, directives, several documents, null or collection keys, multi-line flow collections,
 * nesting near the depth limit, and a few characters). Plain scalars resolve as in the yaml package's YAML 1.2 core
 * schema. The caller then uses loadYaml, which reports every issue with its line and column.
 * test/runbook/load-yaml-fast.test.ts holds the tricky cases and the properties that found each rule.
 */
import {
  boolCoreTag,
  COLLECTION_STYLE,
  constructFromEvents,
  defineScalarTag,
  EVENT_ID,
  getScalarValue,
  mapTag,
  NOT_RESOLVED,
  nullCoreTag,
  parseEvents,
  SCALAR_STYLE,
  Schema,
  seqTag,
  strTag,
  type Event,
} from 'js-yaml';
import { LineCounter } from 'yaml';
import { MAX_RUNBOOK_BYTES, MAX_RUNBOOK_DEPTH, type LoadedYaml, type PathSegment } from './load-yaml.js';

// Numbers as in the yaml package's core schema: same patterns, same parse. (js-yaml's own core tags make a number
// too large for a double a string, where the yaml package makes it Infinity.)
const INT = /^[-+]?[0-9]+$/;
const OCT = /^0o[0-7]+$/;
const HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const INF_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;

const intTag = defineScalarTag('tag:yaml.org,2002:int', {
  implicit: true,
  implicitFirstChars: ['-', '+', ...'0123456789'],
  resolve: (s) => (INT.test(s) ? parseInt(s, 10) : OCT.test(s) ? parseInt(s.slice(2), 8) : HEX.test(s) ? parseInt(s.slice(2), 16) : NOT_RESOLVED),
  identify: () => false,
});

const floatTag = defineScalarTag('tag:yaml.org,2002:float', {
  implicit: true,
  implicitFirstChars: ['-', '+', '.', ...'0123456789'],
  resolve: (s) => (FLOAT.test(s) ? parseFloat(s) : !INF_NAN.test(s) ? NOT_RESOLVED : s.slice(-3).toLowerCase() === 'nan' ? NaN : s.startsWith('-') ? -Infinity : Infinity),
  identify: () => false,
});

const SCHEMA = new Schema([strTag, seqTag, mapTag, nullCoreTag, boolCoreTag, intTag, floatTag]);

// A null key is "" to the yaml package and "null" to js-yaml.
const NULL_KEYS = new Set(['', '~', 'null', 'Null', 'NULL']);
// The yaml package refuses an implicit key whose `:` is over 1024 characters from its start; js-yaml does not.
const MAX_KEY_SPAN = 1000;
// Text the two parsers read differently: `...` (they count the documents around it differently), a lone carriage
// return (a line break to js-yaml, content to the yaml package), tabs (the yaml package refuses more of them) and a
// byte-order mark past the first character.
const UNSURE_TEXT = /^\.\.\.(?:\s|$)|\r(?!\n)|\t|[^]\ufeff/m;
// A double-quoted line ending in `\` followed by blank lines: the two parsers keep different numbers of line breaks.
const ESCAPED_BREAK = /\\\r?\n/;

/** Where a collection starts, and the collections inside it by key or index. */
interface Spot {
  readonly offset: number;
  readonly children: Map<PathSegment, Spot>;
}

/** An open collection while walking the events: a mapping waits for a key, then its value. */
interface Frame {
  readonly spot: Spot;
  readonly mapping: boolean;
  key: PathSegment | undefined;
  index: number;
}

export function loadYamlFast(text: string): LoadedYaml | undefined {
  if (Buffer.byteLength(text, 'utf8') > MAX_RUNBOOK_BYTES || UNSURE_TEXT.test(text)) return undefined;
  let events: Event[];
  let data: unknown[];
  try {
    events = parseEvents(text, {});
    data = constructFromEvents(events, { source: text, schema: SCHEMA, maxAliases: 0 });
  } catch {
    return undefined;
  }
  const root = data.length === 1 ? collections(text, events) : undefined;
  if (!root) return undefined;
  const lines = lineCounter(text);
  return {
    data: data[0],
    /**
     * The start of the innermost collection on `path`: exact for a step or any collection reached through keys as
     * written, coarse for a scalar. Good for a plan's step positions; issues are never reported from it.
     */
    locate(path) {
      let spot = root;
      for (const segment of path) {
        const next = spot.children.get(segment);
        if (!next) break;
        spot = next;
      }
      return lines.linePos(spot.offset);
    },
  };
}

/** The positions of every collection, or undefined when the document is outside the subset this loader reads. */
function collections(text: string, events: Event[]): Spot | undefined {
  const open: Frame[] = [];
  let root: Spot | undefined;
  // The outermost open flow collection (`{...}`, `[...]`), with the quoted scalars in it.
  let flow: { frame: Frame; quoted: [number, number][] } | undefined;
  for (const e of events) {
    if (e.type === EVENT_ID.DOCUMENT) {
      if (e.directives.length > 0) return undefined; // `%YAML 1.1` would change the yaml package's schema
      continue;
    }
    if (e.type === EVENT_ID.ALIAS) return undefined;
    if (e.type === EVENT_ID.POP) {
      const closed = open.pop();
      if (flow && closed === flow.frame) {
        if (!closesOnItsLine(text, closed.spot.offset, flow.quoted)) return undefined;
        flow = undefined;
      }
      continue;
    }
    if (e.anchorStart !== -1 || e.tagStart !== -1) return undefined;
    // Near the depth limit, loadYaml decides (with its own message and place).
    if (open.length >= MAX_RUNBOOK_DEPTH) return undefined;
    const parent = open.at(-1);
    const isKey = parent?.mapping === true && parent.key === undefined;
    if (e.type === EVENT_ID.SCALAR) {
      if (e.style === SCALAR_STYLE.SINGLE_QUOTED || e.style === SCALAR_STYLE.DOUBLE_QUOTED) {
        if (e.style === SCALAR_STYLE.DOUBLE_QUOTED && ESCAPED_BREAK.test(text.slice(e.valueStart, e.valueEnd))) return undefined;
        flow?.quoted.push([e.valueStart - 1, e.valueEnd + 1]);
      }
      if (isKey) {
        const key = getScalarValue(text, e);
        const colon = text.indexOf(':', e.valueEnd);
        if ((e.style === SCALAR_STYLE.PLAIN && NULL_KEYS.has(key)) || colon === -1 || colon - e.valueStart > MAX_KEY_SPAN) return undefined;
        (parent as Frame).key = key;
      } else if (parent) {
        nextSegment(parent);
      }
      continue;
    }
    if (isKey) return undefined; // a collection as a key
    const frame: Frame = { spot: { offset: e.start, children: new Map() }, mapping: e.type === EVENT_ID.MAPPING, key: undefined, index: 0 };
    if (parent) parent.spot.children.set(nextSegment(parent), frame.spot);
    else root = frame.spot;
    open.push(frame);
    if (!flow && e.style === COLLECTION_STYLE.FLOW) flow = { frame, quoted: [] };
  }
  return root;
}

/** The key or index of the value that comes next in `frame`, and moves on past it. */
function nextSegment(frame: Frame): PathSegment {
  if (!frame.mapping) return frame.index++;
  const key = frame.key as PathSegment;
  frame.key = undefined;
  return key;
}

/**
 * Whether the flow collection at `start` closes on the line it opens. The parsers differ on comments and
 * indentation inside one that spans lines, so only one-line flow collections are read here.
 * (Plain scalars in flow cannot hold brackets; quoted ones are skipped.)
 */
function closesOnItsLine(text: string, start: number, quoted: readonly [number, number][]): boolean {
  let depth = 0;
  let q = 0;
  for (let i = start; i < text.length; i++) {
    const range = quoted[q];
    if (range && i === range[0]) {
      if (text.slice(range[0], range[1]).includes('\n')) return false;
      i = range[1] - 1;
      q++;
      continue;
    }
    const c = text[i];
    if (c === '\n' || (c === '#' && /\s/.test(text[i - 1] ?? ''))) return false;
    if (c === '[' || c === '{') depth++;
    else if ((c === ']' || c === '}') && --depth === 0) return true;
  }
  return false;
}

function lineCounter(text: string): LineCounter {
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
  return lines;
}
