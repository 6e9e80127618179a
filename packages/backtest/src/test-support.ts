// Shared by this package's tests only (not exported): small, seeded candle series and default options.
import { type Candle, createRandom, hyperliquidPerpInstrument, type Instrument } from "@botmm/core";
import { parseStrategyConfig, type StrategyConfigInput } from "@botmm/strategy";
import type { BacktestOptions } from "./engine.ts";

export const ETH: Instrument = hyperliquidPerpInstrument({
  coin: "ETH",
  assetId: 1,
  szDecimals: 4,
  maxLeverage: 25,
});

/** A seeded random walk of 1m candles with volume, starting at 2024-01-01 00:00 UTC. */
export function randomWalkCandles(
  count: number,
  seed: number,
  startPrice = 3000,
  barVolatility = 0.0008,
): Candle[] {
  const random = createRandom(seed);
  const candles: Candle[] = [];
  let price = startPrice;
  const start = Date.UTC(2024, 0, 1);
  for (let i = 0; i < count; i++) {
    const open = price;
    let high = open;
    let low = open;
    for (let step = 0; step < 4; step++) {
      price *= Math.exp(random.nextNormal() * barVolatility * 0.5);
      high = Math.max(high, price);
      low = Math.min(low, price);
    }
    const round = (value: number) => Math.round(value * 100) / 100;
    candles.push({
      openTime: start + i * 60_000,
      open: round(open),
      high: round(high),
      low: round(low),
      close: round(price),
      volume: 50 + random.next() * 100,
    });
  }
  // Rounding can put open/close outside [low, high] by a cent: widen.
  for (const candle of candles) {
    candle.high = Math.max(candle.high, candle.open, candle.close);
    candle.low = Math.min(candle.low, candle.open, candle.close);
  }
  return candles;
}

/** {@link randomWalkCandles} with a steady upward drift of `driftPerBar` (a fraction) per bar. */
export function trendingCandles(count: number, seed: number, driftPerBar: number): Candle[] {
  return randomWalkCandles(count, seed).map((candle, i) => {
    const drift = 1 + i * driftPerBar;
    return {
      ...candle,
      open: candle.open * drift,
      high: candle.high * drift,
      low: candle.low * drift,
      close: candle.close * drift,
    };
  });
}

/** `count` flat candles at `price` (zero volatility), then the given ones. */
export function flatThen(price: number, count: number, rest: Omit<Candle, "openTime">[]): Candle[] {
  const start = Date.UTC(2024, 0, 1);
  const bars = [
    ...Array.from({ length: count }, () => ({
      open: price,
      high: price,
      low: price,
      close: price,
      volume: 1000,
    })),
    ...rest,
  ];
  return bars.map((bar, i) => ({ ...bar, openTime: start + i * 60_000 }));
}

export function testOptions(
  overrides: Partial<BacktestOptions> = {},
  strategy: StrategyConfigInput = {},
): BacktestOptions {
  return {
    instrument: ETH,
    // A fee margin of 0.25 bp keeps the fee floor (≈ 1.75 bp) under the 2 bp base spread, so hand-made tests
    // can read quotes straight off the base spread.
    strategy: parseStrategyConfig({ feeMarginBps: 0.25, ...strategy }),
    intervalMs: 60_000,
    fillModel: { type: "cross", throughTicks: 1 },
    barPath: "nearest",
    maxVolumeShare: 0.1,
    latencyMs: 200,
    funding: { type: "constant", ratePerHour: 0 },
    takerSlippageBps: 1,
    seed: 1,
    ...overrides,
  };
}
