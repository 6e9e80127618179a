import { PriceGrid } from "@botmm/core";
import { CoinKernel } from "@botmm/strategy";
import { describe, expect, it } from "vitest";
import { toCandleColumns } from "./candle-columns.ts";
import { CandleRunRecorder } from "./candle-run-recorder.ts";
import { SlotVenue } from "./slot-venue.ts";
import { ETH, flatThen, testOptions } from "./test-support.ts";

const HOUR_MS = 3_600_000;

function setup(bars: number, ratePerHour: number) {
  const options = testOptions({ funding: { type: "constant", ratePerHour } });
  const candles = toCandleColumns(flatThen(3000, bars, []));
  const kernel = new CoinKernel(options.strategy, options.instrument);
  const venue = new SlotVenue(options.strategy.levels, kernel.orders, new PriceGrid(ETH.priceRule), {
    spreadTicks: 0,
    throughTicks: 1,
    throughFraction: 0,
  });
  return { candles, kernel, recorder: new CandleRunRecorder(candles, options, kernel, venue) };
}

describe("CandleRunRecorder", () => {
  it("is due funding at the first hour after the first bar and charges an hour skipped by a gap once", () => {
    const { candles, kernel, recorder } = setup(2, 0.0001);
    const start = candles.openTime[0]!;
    expect(recorder.nextFundingTime).toBe(start + HOUR_MS);
    kernel.mark(3000);
    recorder.bar = 0;
    recorder.recordExit("buy", 3000, 1, start, 3000);
    // Three hours later (a gap in the data): one charge, and the next is due at the hour after.
    recorder.chargeFunding(start + 3 * HOUR_MS + 60_000, 3000);
    expect(recorder.nextFundingTime).toBe(start + 4 * HOUR_MS);
    const run = recorder.result(0);
    expect(run.fundingHoursApplied).toBe(1);
    expect(run.pnl.fundingUsd).toBeCloseTo(-0.3, 9);
    expect(run.takerExits).toBe(1);
    expect(run.fills).toHaveLength(1);
    expect(run.fills[0]).toMatchObject({ barIndex: 0, side: "buy", liquidity: "taker", positionAfter: 1 });
  });

  it("counts a missing funding rate instead of charging it", () => {
    const { candles, recorder } = setup(1, Number.NaN);
    recorder.chargeFunding(candles.openTime[0]! + HOUR_MS, 3000);
    expect(recorder.result(0)).toMatchObject({ fundingHoursMissing: 1, fundingHoursApplied: 0 });
  });

  it("records a bar's series at its close and the decision's quotes and counts at its end", () => {
    const { candles, kernel, recorder } = setup(3, 0);
    const progress: number[] = [];
    for (let i = 0; i < 3; i++) {
      kernel.mark(3000);
      const closeTime = recorder.closeBar(i, candles.openTime[i]!, 3000);
      expect(closeTime).toBe(candles.openTime[i]! + 60_000);
      recorder.endBar(i, { placed: 2, modified: 1, cancelled: 0 }, "allow", (done) => progress.push(done));
    }
    const run = recorder.result(5);
    expect(run.orders).toEqual({ placed: 6, modified: 3, cancelled: 0, rejectedPostOnly: 0 });
    expect(run.quotedSideBars).toBe(5);
    expect(Array.from(run.equityUsd)).toEqual([0, 0, 0]);
    expect(Number.isNaN(run.restingBid[0]!)).toBe(true);
    expect(progress).toEqual([1, 2, 3]);
  });
});
