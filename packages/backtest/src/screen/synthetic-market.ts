// Candles of a market whose true spread is known: an efficient price on a random walk, every trade at the
// efficient price ± half the spread on a random side, bars built from the trades. What the estimators are
// tested against, and the planted edge of the screen's tests.
import { createRandom } from "@botmm/core";
import type { CandleColumns } from "../candle-columns.ts";

/** What {@link syntheticSpreadCandles} generates. */
export interface SyntheticSpreadMarket {
  bars: number;
  /** The spread every trade pays, bps of the efficient price; a function of the bar's hour of day (UTC) to vary it. */
  spreadBps: number | ((hourOfDay: number) => number);
  /** Standard deviation of the efficient log price per trade, bps. */
  stepVolBps: number;
  tradesPerBar: number;
  startPrice?: number;
  startMs?: number;
  intervalMs?: number;
  /** Base units traded per trade. */
  tradeSize?: number;
  seed: number;
}

/**
 * Bars of a market with a known spread (see the file comment), as candle columns.
 *
 * @example
 * ```ts
 * const candles = syntheticSpreadCandles({ bars: 1_000, spreadBps: 10, stepVolBps: 0.2, tradesPerBar: 40, seed: 1 });
 * ```
 */
export function syntheticSpreadCandles(market: SyntheticSpreadMarket): CandleColumns {
  const random = createRandom(market.seed);
  const intervalMs = market.intervalMs ?? 60_000;
  const startMs = market.startMs ?? Date.UTC(2025, 0, 1);
  const n = market.bars;
  const columns = {
    length: n,
    openTime: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  let logPrice = Math.log(market.startPrice ?? 100);
  for (let i = 0; i < n; i++) {
    const openTime = startMs + i * intervalMs;
    const hour = Math.floor(openTime / 3_600_000) % 24;
    const spread =
      (typeof market.spreadBps === "number" ? market.spreadBps : market.spreadBps(hour)) / 10_000;
    let high = Number.NEGATIVE_INFINITY;
    let low = Number.POSITIVE_INFINITY;
    let open = Number.NaN;
    let close = Number.NaN;
    for (let k = 0; k < market.tradesPerBar; k++) {
      logPrice += (market.stepVolBps / 10_000) * random.nextNormal();
      const side = random.next() < 0.5 ? -1 : 1;
      const price = Math.exp(logPrice) * (1 + (side * spread) / 2);
      if (k === 0) open = price;
      close = price;
      if (price > high) high = price;
      if (price < low) low = price;
    }
    columns.openTime[i] = openTime;
    columns.open[i] = open;
    columns.high[i] = high;
    columns.low[i] = low;
    columns.close[i] = close;
    columns.volume[i] = market.tradesPerBar * (market.tradeSize ?? 1);
  }
  return columns;
}
