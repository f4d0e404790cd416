/**
 * What the governance layer needs from masking: rows, free text (error messages, notifications, logs) and
 * parameters, each masked before it leaves the layer. The implementation lives in ./masking/.
 */
import type { ResultColumn } from './result-columns.js';

export interface MaskedRows {
  readonly rows: Record<string, unknown>[];
  /** Result columns that were masked, at least in part. Never the values. */
  readonly masked: string[];
}

/** What the statement says about where its result comes from. */
export interface MaskRowsContext {
  /** Every column name the statement mentions (Classification.columnsReferenced): computed columns derived from sensitive ones are masked too. */
  readonly columnsReferenced?: readonly string[];
  /** The tables it reads (`schema.table` or `table`): a mentioned name is matched against the rules of these tables. */
  readonly tablesRead?: readonly string[];
  /** Result columns a masking exemption leaves in the clear (see masking/exemptions.ts). */
  readonly exempt?: ReadonlySet<string>;
}

export interface Masker {
  maskRows(columns: readonly ResultColumn[], rows: readonly Record<string, unknown>[], context?: MaskRowsContext): MaskedRows;
  maskText(text: string): string;
  maskValue(value: unknown): unknown;
}
