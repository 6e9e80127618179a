import { test } from "vitest";
import {
  EwmaCandleVolatility,
  garmanKlassVariance,
  parkinsonVariance,
  RollingCandleVolatility,
} from "./candle-volatility.ts";
import { EwmaVolatility } from "./ewma.ts";
import { FillIntensityEstimator } from "./fill-intensity.ts";

/** Updates per benchmark iteration: the reported time per iteration ÷ 1000 is the cost of one update. */
const N = 1000;
// A fixed, deterministic table of prices and candles, so the benchmark measures the update only.
const prices = Float64Array.from({ length: N }, (_, j) => 100_000 + 50 * Math.sin(j / 7) + (j % 13));
const candles = Array.from({ length: N }, (_, j) => {
  const open = prices[j]!;
  const close = prices[(j + 1) % N]!;
  return { open, high: Math.max(open, close) + 5, low: Math.min(open, close) - 5, close };
});
let sink = 0;
// Local bindings: reading an imported binding under vitest's module runner goes through a tracked getter.
const parkinson = parkinsonVariance;
const garmanKlass = garmanKlassVariance;

test("estimator updates", async ({ bench, expect }) => {
  const ewma = new EwmaVolatility({ halfLifeSamples: 60 });
  const rolling = new RollingCandleVolatility({ windowCandles: 100 });
  const ewmaCandles = new EwmaCandleVolatility({ halfLifeSamples: 30 });
  const intensity = new FillIntensityEstimator({ depthStepPrice: 0.5, minWindows: 100 });
  let nowMs = 0;
  await bench.compare(
    bench(`EwmaVolatility.update × ${N}`, () => {
      for (let j = 0; j < N; j++) ewma.update(prices[j]!);
    }),
    bench(`parkinsonVariance × ${N}`, () => {
      for (let j = 0; j < N; j++) sink += parkinson(candles[j]!);
    }),
    bench(`garmanKlassVariance × ${N}`, () => {
      for (let j = 0; j < N; j++) sink += garmanKlass(candles[j]!);
    }),
    bench(`RollingCandleVolatility.update (window 100) × ${N}`, () => {
      for (let j = 0; j < N; j++) rolling.update(candles[j]!);
    }),
    bench(`EwmaCandleVolatility.update × ${N}`, () => {
      for (let j = 0; j < N; j++) ewmaCandles.update(candles[j]!);
    }),
    bench(`FillIntensityEstimator onTrade/onMid (25 ms apart) × ${N}`, () => {
      for (let j = 0; j < N; j++) {
        nowMs += 25;
        if ((j & 7) === 0) intensity.onMid(prices[j]!, nowMs);
        else intensity.onTrade(prices[j]! + ((j % 9) - 4), (j & 1) === 0, nowMs);
      }
    }),
  );
  await bench("FillIntensityEstimator.estimate (70 buckets)", () => {
    const fit = intensity.estimate();
    sink += fit === null ? 0 : fit.k;
  }).run();
  expect(Number.isFinite(sink) && ewma.isReady && rolling.isReady && ewmaCandles.isReady).toBe(true);
});
