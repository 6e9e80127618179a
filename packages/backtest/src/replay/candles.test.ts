import { describe, expect, it } from "vitest";
import { aggregateToCandles } from "./candles.ts";
import { runReplayBacktest } from "./engine.ts";
import { book, gap, generateMarket, replayOptions, T0, trade } from "./test-support.ts";

describe("aggregateToCandles", () => {
  it("builds OHLC of the mid and volume of the trades per interval, skipping empty ones", async () => {
    const events = [
      book(0, [[99, 1]], [[101, 1]]), // mid 100
      trade(10_000, "A", 99, 0.5),
      book(20_000, [[101, 1]], [[103, 1]]), // 102
      book(30_000, [[97, 1]], [[99, 1]]), // 98
      { ...trade(31_000, "B", 99, 9), snapshot: true }, // skipped
      book(50_000, [[98, 1]], [[100, 1]]), // 99
      trade(65_000, "B", 100, 2), // next minute opens at the last mid
      gap(70_000, 200_000),
      book(200_000, [[104, 1]], [[106, 1]]), // 105, minute 3 (minute 2 empty)
      book(10_000, [[1, 1]], [[3, 1]], "BTC"), // another coin
    ];
    expect(await aggregateToCandles(events, 60_000)).toEqual([
      { openTime: T0, open: 100, high: 102, low: 98, close: 99, volume: 0.5 },
      { openTime: T0 + 60_000, open: 99, high: 99, low: 99, close: 99, volume: 2 },
      { openTime: T0 + 180_000, open: 105, high: 105, low: 105, close: 105, volume: 0 },
    ]);
  });

  it("gives the same bars the replay engine feeds the strategy", async () => {
    const events = [...generateMarket({ durationMs: 20 * 60_000, seed: 5 })];
    const candles = await aggregateToCandles(events, 60_000);
    const run = await runReplayBacktest(events, replayOptions());
    expect(candles.map((candle) => candle.close)).toEqual(Array.from(run.candles.close));
    expect(candles.map((candle) => candle.volume)).toEqual(Array.from(run.candles.volume));
    expect(candles.map((candle) => candle.openTime)).toEqual(Array.from(run.candles.openTime));
  });

  it("rejects a non-positive interval", async () => {
    await expect(aggregateToCandles([], 0)).rejects.toThrow(RangeError);
  });
});
