import type { Candle } from "@botmm/core";

/** Candles stored column by column in typed arrays: what the engine's hot loop reads. */
export interface CandleColumns {
  readonly length: number;
  readonly openTime: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/**
 * Copies candles into {@link CandleColumns}.
 *
 * @example
 * ```ts
 * const columns = toCandleColumns([{ openTime: 0, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 }]);
 * columns.close[0]; // 1.5
 * ```
 */
export function toCandleColumns(candles: readonly Candle[]): CandleColumns {
  const length = candles.length;
  const columns = {
    length,
    openTime: new Float64Array(length),
    open: new Float64Array(length),
    high: new Float64Array(length),
    low: new Float64Array(length),
    close: new Float64Array(length),
    volume: new Float64Array(length),
  };
  for (let i = 0; i < length; i++) {
    const candle = candles[i]!;
    columns.openTime[i] = candle.openTime;
    columns.open[i] = candle.open;
    columns.high[i] = candle.high;
    columns.low[i] = candle.low;
    columns.close[i] = candle.close;
    columns.volume[i] = candle.volume;
  }
  return columns;
}
