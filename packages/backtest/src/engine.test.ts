import type { StrategyConfigInput } from "@botmm/strategy";
import { describe, expect, it } from "vitest";
import { toCandleColumns } from "./candle-columns.ts";
import { createRunSeries } from "./candle-run-recorder.ts";
import { type BacktestOptions, runCandleBacktest } from "./engine.ts";
import { subbarFillModel } from "./fill-model.ts";
import { ETH, flatThen, randomWalkCandles, testOptions, trendingCandles } from "./test-support.ts";

const bar = (open: number, high: number, low: number, close: number, volume = 1000) => ({
  open,
  high,
  low,
  close,
  volume,
});

describe("fill models on a hand-made bar", () => {
  // 40 flat bars at 100 → volatility 0 → half spread 2 bps: bid 99.98, ask 100.02 (ETH's step is 0.01 here).
  const touchingBar = flatThen(100, 40, [bar(100, 100, 99.98, 100)]);
  const crossingBar = flatThen(100, 40, [bar(100, 100, 99.97, 100)]);

  it("quotes 2 bps around a flat 100", () => {
    const run = runCandleBacktest(toCandleColumns(touchingBar), testOptions());
    expect(run.restingBid[40]).toBeCloseTo(99.98, 10);
    expect(run.restingAsk[40]).toBeCloseTo(100.02, 10);
  });

  it("touch fills when the low reaches the bid; cross needs one tick through", () => {
    const touch = runCandleBacktest(
      toCandleColumns(touchingBar),
      testOptions({ fillModel: { type: "touch" } }),
    );
    expect(touch.fills).toHaveLength(1);
    expect(touch.fills[0]).toMatchObject({
      side: "buy",
      price: 99.98,
      size: 1,
      liquidity: "maker",
      barIndex: 40,
    });
    const cross = runCandleBacktest(toCandleColumns(touchingBar), testOptions());
    expect(cross.fills).toHaveLength(0);
    const through = runCandleBacktest(toCandleColumns(crossingBar), testOptions());
    expect(through.fills).toHaveLength(1);
    expect(through.fills[0]!.price).toBe(99.98); // at the limit, never better
  });

  it("charges the maker fee as a cost at the fill price", () => {
    const run = runCandleBacktest(toCandleColumns(crossingBar), testOptions());
    expect(run.fills[0]!.feeUsd).toBeCloseTo(0.00015 * 99.98, 12);
    expect(run.pnl.feesUsd).toBeCloseTo(0.00015 * 99.98, 12);
  });

  it("caps fills at the bar's volume share and leaves the rest resting", () => {
    const thin = flatThen(100, 40, [bar(100, 100, 99.9, 100, 4), bar(100, 100, 99.9, 100, 4)]);
    const run = runCandleBacktest(toCandleColumns(thin), testOptions());
    expect(run.fills.map((fill) => fill.size)).toEqual([0.4, 0.4]); // 10% of 4 per bar
  });

  it("fills both sides of a wide bar in the order the path reaches them", () => {
    const wide = flatThen(100, 40, [bar(100, 100.1, 99.9, 100)]);
    const nearestLowFirst = flatThen(100, 40, [bar(99.99, 100.1, 99.9, 100)]);
    const ohlc = runCandleBacktest(toCandleColumns(wide), testOptions({ barPath: "ohlc" }));
    expect(ohlc.fills.map((fill) => fill.side)).toEqual(["sell", "buy"]);
    const nearest = runCandleBacktest(toCandleColumns(nearestLowFirst), testOptions({ barPath: "nearest" }));
    expect(nearest.fills.map((fill) => fill.side)).toEqual(["buy", "sell"]);
    expect(nearest.fills[0]!.timeMs).toBeLessThan(nearest.fills[1]!.timeMs);
  });

  it("lets new instructions arrive only after the latency", () => {
    // Bar 40 lifts the market to 101, so the quotes decided at its close move up (bid ≈ 100.7). Bar 41 dips to
    // 100.5 in its first third (the low is the nearer extreme): with 30 s latency the new bid arrives after the
    // dip and the old bid (99.98) is not reached; with no latency the new bid is hit.
    const early = flatThen(100, 40, [bar(100, 101, 100, 101), bar(101, 101.6, 100.5, 101)]);
    const buysInBar41 = (fills: { side: string; barIndex: number }[]) =>
      fills.filter((fill) => fill.side === "buy" && fill.barIndex === 41).length;
    const slow = runCandleBacktest(toCandleColumns(early), testOptions({ latencyMs: 30_000 }));
    expect(slow.decidedBid[40]).toBeGreaterThan(100.5);
    expect(buysInBar41(slow.fills)).toBe(0);
    const fast = runCandleBacktest(toCandleColumns(early), testOptions({ latencyMs: 0 }));
    expect(buysInBar41(fast.fills)).toBe(1);
  });

  it("rejects a post-only order that would cross on arrival", () => {
    // Bar 40 closes at 101 (quotes move up: ask ≈ 101.25). Bar 41 opens with a gap to 102: the new ask would
    // take liquidity on arrival, so the venue rejects it and nothing rests on the ask side.
    const gap = flatThen(100, 40, [bar(100, 101, 100, 101), bar(102, 102.5, 101.9, 102.2)]);
    const run = runCandleBacktest(toCandleColumns(gap), testOptions({ latencyMs: 0 }));
    expect(run.orders.rejectedPostOnly).toBe(1);
    expect(run.restingAsk[41]).toBeNaN();
    expect(run.fills.filter((fill) => fill.barIndex === 41 && fill.side === "sell")).toHaveLength(0);
  });
});

// The sub-bar model requotes every second, so only a quote near the mid fills often on these smooth walks.
const lookAheadModels: [string, BacktestOptions["fillModel"], StrategyConfigInput][] = [
  ["probabilistic", { type: "probabilistic", touchProbability: 0.3, fullFillPenetrationBps: 5 }, {}],
  ["subbar", subbarFillModel(), { baseSpreadBps: 1, volMultiplier: 0, feeAware: false }],
];

describe.each(lookAheadModels)("no look-ahead (%s)", (_name, fillModel, strategy) => {
  it("changing bars after t never changes decisions or fills at t", () => {
    const base = randomWalkCandles(3_000, 7);
    const t = 1_500;
    const altered = base.map((candle, i) =>
      i <= t
        ? candle
        : {
            ...candle,
            open: candle.open * 1.05,
            high: candle.high * 1.07,
            low: candle.low * 1.03,
            close: candle.close * 1.05,
          },
    );
    const options = testOptions({ fillModel }, strategy);
    const a = runCandleBacktest(toCandleColumns(base), options);
    const b = runCandleBacktest(toCandleColumns(altered), options);
    // Quotes decided at every close up to t's, and the quotes resting in every bar up to t: identical. (What
    // rests in bar t+1 may differ: the venue may reject a decided quote that bar t+1's gap would cross.)
    const same = (x: Float64Array, y: Float64Array) =>
      expect(Array.from(y.subarray(0, t + 1))).toEqual(Array.from(x.subarray(0, t + 1)));
    same(a.decidedBid, b.decidedBid);
    same(a.decidedAsk, b.decidedAsk);
    same(a.restingBid, b.restingBid);
    same(a.restingAsk, b.restingAsk);
    same(a.equityUsd, b.equityUsd);
    expect(a.decidedBid.subarray(0, t + 1).some((price) => price > 0)).toBe(true);
    const upToT = (fills: typeof a.fills) => fills.filter((fill) => fill.barIndex <= t);
    expect(upToT(b.fills)).toEqual(upToT(a.fills));
    expect(upToT(a.fills).length).toBeGreaterThan(10);
    // …and the runs do differ afterwards, so the comparison above is not vacuous.
    expect(b.fills.length === a.fills.length && b.pnl.totalUsd === a.pnl.totalUsd).toBe(false);
  });
});

describe.each(lookAheadModels)("determinism (%s)", (_name, fillModel, strategy) => {
  it("gives identical results for the same input and seed, and different ones for another seed", () => {
    const candles = toCandleColumns(randomWalkCandles(2_000, 3));
    const options = testOptions({ fillModel }, strategy);
    const a = runCandleBacktest(candles, options);
    const b = runCandleBacktest(candles, options);
    expect(b).toEqual(a);
    expect(a.fills.length).toBeGreaterThan(10);
    const c = runCandleBacktest(candles, { ...options, seed: 2 });
    expect(c.fills).not.toEqual(a.fills);
  });
});

describe("fee sign", () => {
  it("raising the maker fee by x lowers total PnL by exactly x × maker volume (fee-aware gate off)", () => {
    const candles = toCandleColumns(randomWalkCandles(3_000, 11));
    const x = 0.0001;
    const low = runCandleBacktest(candles, testOptions({}, { feeAware: false, makerFee: 0.00015 }));
    const high = runCandleBacktest(candles, testOptions({}, { feeAware: false, makerFee: 0.00015 + x }));
    const makerVolume = low.fills
      .filter((fill) => fill.liquidity === "maker")
      .reduce((sum, fill) => sum + fill.price * fill.size, 0);
    expect(makerVolume).toBeGreaterThan(1_000);
    expect(high.fills.length).toBe(low.fills.length);
    expect(low.pnl.totalUsd - high.pnl.totalUsd).toBeCloseTo(x * makerVolume, 8);
    // A rebate (negative fee) raises PnL by the same rule.
    const rebate = runCandleBacktest(candles, testOptions({}, { feeAware: false, makerFee: -0.00015 }));
    expect(rebate.pnl.totalUsd - low.pnl.totalUsd).toBeCloseTo(0.0003 * makerVolume, 8);
  });
});

describe("PnL identity", () => {
  it("spread + inventory − fees + funding equals the ledger's total to the cent, with funding and taker exits", () => {
    // A steady uptrend drags a short position past the hard limit, forcing taker exits.
    const trending = trendingCandles(6_000, 5, 0.00004);
    const run = runCandleBacktest(
      toCandleColumns(trending),
      testOptions(
        { funding: { type: "constant", ratePerHour: 0.0001 } },
        { inventorySkewFactor: 0, maxPositionUsd: 300 },
      ),
    );
    const { spreadUsd, inventoryUsd, feesUsd, fundingUsd, totalUsd } = run.pnl;
    expect(run.fills.length).toBeGreaterThan(50);
    expect(fundingUsd).not.toBe(0);
    expect(Math.abs(spreadUsd + inventoryUsd - feesUsd + fundingUsd - run.ledgerTotalUsd)).toBeLessThan(
      0.005,
    );
    expect(Math.abs(totalUsd - run.ledgerTotalUsd)).toBeLessThan(0.005);
    expect(run.equityUsd[run.bars - 1]).toBeCloseTo(run.ledgerTotalUsd, 6);
  });
});

describe("inventory limits", () => {
  it("never exceeds max_position_usd by more than one order at any fill", () => {
    for (const levels of [1, 3]) {
      const run = runCandleBacktest(
        toCandleColumns(randomWalkCandles(8_000, 21, 3000, 0.003)),
        testOptions(
          { fillModel: { type: "touch" } },
          { levels, inventorySkewFactor: 0, volMultiplier: 0.2, maxPositionUsd: 500, orderSizeUsd: 100 },
        ),
      );
      expect(run.fills.length).toBeGreaterThan(100);
      let before = 0;
      let increasing = 0;
      for (const fill of run.fills) {
        // Price drift can carry a held position past the limit; what must never happen is a fill that grows
        // the position beyond the limit plus one order, valued at the mid the order was sized from (at the fill
        // price a quote the toxicity guard widened by tens of bps would read up to that much more).
        if (Math.abs(fill.positionAfter) > Math.abs(before)) {
          increasing++;
          expect(Math.abs(fill.positionAfter * fill.referenceMid)).toBeLessThanOrEqual((500 + 100) * 1.001);
        }
        before = fill.positionAfter;
      }
      expect(increasing).toBeGreaterThan(50);
    }
  });

  it("cuts a position beyond the hard limit with a taker order at the next open", () => {
    const trending = trendingCandles(4_000, 5, 0.0001);
    const run = runCandleBacktest(
      toCandleColumns(trending),
      testOptions({}, { inventorySkewFactor: 0, hardLimitMultiple: 1.1 }),
    );
    const exits = run.fills.filter((fill) => fill.liquidity === "taker");
    expect(run.takerExits).toBeGreaterThan(0);
    expect(exits.length).toBe(run.takerExits);
    expect(exits[0]!.feeUsd).toBeCloseTo(0.00045 * exits[0]!.price * exits[0]!.size, 12);
  });
});

describe("funding", () => {
  it("charges longs and pays shorts at each hour's open, and counts hours with no rate", () => {
    const candles = toCandleColumns(randomWalkCandles(600, 9));
    const run = runCandleBacktest(
      candles,
      testOptions({ funding: { type: "constant", ratePerHour: 0.001 } }),
    );
    expect(run.fundingHoursApplied).toBe(9); // hours 1..9 of a 10-hour run
    const none = runCandleBacktest(
      candles,
      testOptions({
        funding: { type: "series", timesMs: new Float64Array([0]), rates: new Float64Array([0.001]) },
      }),
    );
    expect(none.fundingHoursMissing).toBeGreaterThan(0);
    expect(ETH.coin).toBe("ETH");
  });
});

describe("series written into the caller's arrays (createRunSeries)", () => {
  const series = ["equityUsd", "positionUsd", "spreadUsdByBar", "feesUsdByBar", "fundingUsdByBar"] as const;
  const quotes = ["restingBid", "restingAsk", "decidedBid", "decidedAsk"] as const;

  it.each([
    ["candle", {}],
    ["subbar", { fillModel: subbarFillModel() }],
  ] as const)("%s: runs reusing one set of arrays report what fresh runs report", (_name, overrides) => {
    const longer = toCandleColumns(randomWalkCandles(1_200, 11));
    const shorter = toCandleColumns(randomWalkCandles(900, 12));
    const reused = createRunSeries(1_200);
    const options = testOptions(overrides);
    for (const columns of [longer, shorter, longer]) {
      const fresh = runCandleBacktest(columns, options);
      const run = runCandleBacktest(columns, { ...options, series: reused });
      expect(run.fills).toEqual(fresh.fills);
      expect(run.pnl).toEqual(fresh.pnl);
      for (const name of [...series, ...quotes]) {
        expect(run[name]).toHaveLength(columns.length);
        expect(Array.from(run[name]), name).toEqual(Array.from(fresh[name]));
      }
      // Bars without a quote read NaN also after a run that quoted there (the shorter run follows the longer).
      expect(quotes.some((name) => run[name].some(Number.isNaN))).toBe(true);
    }
  });

  it.each([
    ["candle", {}],
    ["subbar", { fillModel: subbarFillModel() }],
  ] as const)(
    "%s: quoteSeries false leaves the four quote series empty and changes nothing else",
    (_name, overrides) => {
      const columns = toCandleColumns(randomWalkCandles(1_200, 13));
      const options = testOptions(overrides);
      const full = runCandleBacktest(columns, options);
      for (const reuse of [undefined, createRunSeries(1_200)]) {
        const run = runCandleBacktest(columns, {
          ...options,
          quoteSeries: false,
          ...(reuse === undefined ? {} : { series: reuse }),
        });
        for (const name of quotes) expect(run[name], name).toHaveLength(0);
        for (const name of series) expect(Array.from(run[name]), name).toEqual(Array.from(full[name]));
        const { restingBid: _e, restingAsk: _f, decidedBid: _g, decidedAsk: _h, ...rest } = run;
        const { restingBid: _a, restingAsk: _b, decidedBid: _c, decidedAsk: _d, ...fullRest } = full;
        expect(rest).toEqual(fullRest);
        expect(full.decidedBid.some((price) => price > 0)).toBe(true);
      }
    },
  );

  it("refuses arrays shorter than the run, naming the series", () => {
    const columns = toCandleColumns(randomWalkCandles(100, 3));
    expect(() => runCandleBacktest(columns, { ...testOptions(), series: createRunSeries(99) })).toThrow(
      "series.equityUsd holds 99 bars, the run needs 100",
    );
  });
});
