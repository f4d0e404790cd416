/**
 * The masker behind the `Masker` contract of ../masker.ts, which the SQL activities, the workers and the governance
 * bench use: a thin adapter over mask-rows.ts that reports masked columns by name only. New callers should use
 * mask-rows.ts directly (it also reports why each column was masked, and how many cells).
 */
import type { Masker, MaskedRows, MaskRowsContext } from '../masker.js';
import type { ResultColumn } from '../result-columns.js';
import { DETECTOR_TYPES, type DetectorType } from './detectors.js';
import { createMasker as createResultMasker, type MaskingConfig } from './mask-rows.js';
import type { SemanticType } from './semantic-types.js';
import type { Strategy } from './strategies.js';

export type { ColumnRule } from './column-rules.js';

/**
 * As MaskingConfig, with the policy's rules optional (none means the defaults alone), plus `strategies`: one strategy
 * for a kind of data (the policy's `masking.type_strategies`), applied both to the columns of that type and to every
 * value a detector of the same name finds in free text. Explicit column rules that name a strategy still win.
 */
export type MaskingOptions = Omit<MaskingConfig, 'rules'> & {
  readonly rules?: MaskingConfig['rules'];
  readonly strategies?: Partial<Readonly<Record<SemanticType, Strategy>>>;
};

export function createMasker(options: MaskingOptions): Masker {
  const { strategies, ...config } = options;
  const detectorStrategies = Object.fromEntries(
    Object.entries(strategies ?? {}).filter(([type]) => DETECTOR_TYPES.includes(type as DetectorType)),
  ) as Partial<Record<DetectorType, Strategy>>;
  const masker = createResultMasker({
    ...config,
    rules: config.rules ?? [],
    typeStrategies: { ...strategies, ...config.typeStrategies },
    detectorStrategies: { ...detectorStrategies, ...config.detectorStrategies },
  });
  return {
    maskRows(columns: readonly ResultColumn[], rows: readonly Record<string, unknown>[], context: MaskRowsContext = {}): MaskedRows {
      const result = masker.maskRows(columns, rows, context);
      return { rows: result.rows, masked: result.masked.map((m) => m.column) };
    },
    maskText: (text) => masker.maskText(text),
    maskValue: (value) => masker.maskValue(value),
  };
}
