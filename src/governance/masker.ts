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

export interface Masker {
  /**
   * `columnsReferenced`: every column name the statement mentions (Classification.columnsReferenced), so that
   * computed columns derived from sensitive ones are masked too.
   */
  maskRows(
    columns: readonly ResultColumn[],
    rows: readonly Record<string, unknown>[],
    columnsReferenced?: readonly string[],
    /** Result columns a masking exemption leaves in the clear (see masking/exemptions.ts). */
    exempt?: ReadonlySet<string>,
  ): MaskedRows;
  maskText(text: string): string;
  maskValue(value: unknown): unknown;
}
