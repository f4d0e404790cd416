/**
 * One text, two statements: with `standard_conforming_strings` off (a per-database or per-role setting), a backslash
 * in a plain '...' literal escapes the next character, so `SELECT 'x\'<newline>'; DROP TABLE t; --'` is one harmless
 * literal to the parser here and two statements on such a server. This module re-reads the text the other way and
 * reports when the two readings differ in structure. Pure, after libpg-query has loaded; costs nothing unless the text
 * holds a backslash.
 */
import { parseSync, scanSync } from 'libpg-query';

/** Enough rewrites for any real statement; more means something pathological, which is refused. */
const MAX_REWRITES = 64;

/**
 * Undefined when both readings agree (or there is nothing to read differently); otherwise why they don't.
 * Offsets from the scanner are UTF-8 byte offsets, hence the Buffer.
 */
export function escapeAmbiguity(sql: string): string | undefined {
  if (!sql.includes('\\')) return undefined;
  let text = Buffer.from(sql, 'utf8');
  let rewrites = 0;
  for (;;) {
    let tokens: readonly { start: number; tokenName: string; text: string }[];
    try {
      tokens = scanSync(text.toString('utf8')).tokens;
    } catch {
      return 'with standard_conforming_strings off, the text does not scan';
    }
    // The first plain literal with a backslash, as the other reading sees the text so far: make it an E'' literal,
    // which is what a plain literal is when standard_conforming_strings is off, then scan again from scratch.
    const literal = tokens.find((t) => t.tokenName === 'SCONST' && t.text.startsWith("'") && t.text.includes('\\'));
    if (!literal) break;
    if (++rewrites > MAX_REWRITES) return 'too many string literals with backslashes to compare both readings';
    text = Buffer.concat([text.subarray(0, literal.start), Buffer.from(' E'), text.subarray(literal.start)]);
  }
  if (rewrites === 0) return undefined;
  let other: string;
  try {
    other = structure(text.toString('utf8'));
  } catch {
    return 'with standard_conforming_strings off, the text does not parse';
  }
  return other === structure(sql) ? undefined : 'with standard_conforming_strings off, the text parses into different statements';
}

/** The parse tree without positions or literal values: what the statement does, not what it says. */
function structure(sql: string): string {
  return JSON.stringify(parseSync(sql), (key, value: unknown) => {
    if (key === 'location' || key === 'stmt_location' || key === 'stmt_len') return undefined;
    if (value && typeof value === 'object' && 'A_Const' in value) return { A_Const: true };
    return value;
  });
}
