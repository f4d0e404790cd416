/**
 * The masker behind the `Masker` contract of ../masker.ts, which the SQL activities, the workers and the governance
 * bench use today: a thin adapter over mask-rows.ts that reports masked columns by name only. New callers should use
 * mask-rows.ts directly (it also reports why each column was masked, and how many cells).
 */
import type { Masker, MaskedRows } from '../masker.js';
import type { ResultColumn } from '../result-columns.js';
import { createMasker as createResultMasker, type MaskingConfig } from './mask-rows.js';

export type { ColumnRule } from './column-rules.js';

/** As MaskingConfig, with the policy's rules optional (none means the defaults alone). */
export type MaskingOptions = Omit<MaskingConfig, 'rules'> & { readonly rules?: MaskingConfig['rules'] };

export function createMasker(options: MaskingOptions): Masker {
  const masker = createResultMasker({ ...options, rules: options.rules ?? [] });
  return {
    maskRows(columns: readonly ResultColumn[], rows: readonly Record<string, unknown>[], columnsReferenced?: readonly string[]): MaskedRows {
      const result = masker.maskRows(columns, rows, { columnsReferenced });
      return { rows: result.rows, masked: result.masked.map((m) => m.column) };
    },
    maskText: (text) => masker.maskText(text),
    maskValue: (value) => masker.maskValue(value),
  };
}
