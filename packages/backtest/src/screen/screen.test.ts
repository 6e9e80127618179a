import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toCandleColumns } from "../candle-columns.ts";
import { screenCoin } from "./coin-screen.ts";
import { renderHourHeatmap } from "./heatmap.ts";
import { QuotedSpreadAccumulator, weightedQuantiles } from "./quoted-spread.ts";
import { rankScreen, screenScore } from "./rank.ts";
import {
  abdiRanaldoPairSquared,
  combinedSpreadBps,
  corwinSchultzPair,
  SpreadAccumulator,
} from "./spread-estimators.ts";
import { syntheticSpreadCandles } from "./synthetic-market.ts";

describe("Corwin–Schultz high-low estimator", () => {
  it("is exactly (A − B) / mid when each bar's range is the bid-ask bounce of a constant price", () => {
    // β = 2 ln(A/B)², γ = ln(A/B)²: α = ln(A/B)(2 − √2 − √(3 − 2√2)) / (3 − 2√2) = ln(A/B), since
    // √(3 − 2√2) = √2 − 1; then S = 2(A/B − 1)/(1 + A/B) = (A − B) / ((A + B)/2) = 0.1 / 100.
    expect(corwinSchultzPair(100.05, 99.95, 100, 100.05, 99.95)).toBeCloseTo(0.001, 12);
  });

  it("matches a pair computed by hand", () => {
    // β = ln(100.2/99.8)² + ln(100.25/99.85)² = 1.6000e-5 + 1.5984e-5 = 3.19841e-5
    // γ = ln(100.25/99.8)² = 2.02399e-5
    // α = (√(6.39682e-5) − √(3.19841e-5)) / 0.171573 − √(2.02399e-5 / 0.171573) = 0.0279289 − 0.0251367
    //   = 0.00279220;  S = 2(e^α − 1)/(1 + e^α) = 0.00279219
    expect(corwinSchultzPair(100.2, 99.8, 100, 100.25, 99.85)).toBeCloseTo(0.0027921945, 9);
  });

  it("shifts a bar that trades wholly above the previous close down by the gap", () => {
    // Close 100.0, next bar 100.3–100.5 → 100.0–100.2: β = ln(100.2/99.8)² + ln(100.2/100)², γ = ln(100.2/99.8)².
    const shifted = corwinSchultzPair(100.2, 99.8, 100, 100.5, 100.3);
    expect(shifted).toBeCloseTo(0.0011376799, 9);
    expect(shifted).toBeCloseTo(corwinSchultzPair(100.2, 99.8, 100, 100.2, 100), 12);
    // And wholly below: close 100.0, next bar 99.5–99.7 → 99.8–100.0.
    expect(corwinSchultzPair(100.2, 99.8, 100, 99.7, 99.5)).toBeCloseTo(
      corwinSchultzPair(100.2, 99.8, 100, 100, 99.8),
      12,
    );
  });

  it("can be negative for one pair, and the window mean floors each pair at 0", () => {
    // A trending pair: the two-bar range is large against the one-bar ranges.
    const negative = corwinSchultzPair(101, 99, 100, 102, 100);
    expect(negative).toBeCloseTo(-0.0041221085, 9);
    const window = new SpreadAccumulator();
    window.addPair(101, 99, 100, 102, 100);
    window.addPair(100.05, 99.95, 100, 100.05, 99.95);
    expect(window.estimate().csBps).toBeCloseTo((0 + 10) / 2, 8);
  });
});

describe("Abdi–Ranaldo close-high-low estimator", () => {
  it("is ln(A/B) for a constant price whose close sits at the ask", () => {
    // η_t = η_{t+1} = ln √(AB); c_t − η = ln(A/B)/2 for both: 4 · (ln(A/B)/2)² = ln(A/B)².
    const term = abdiRanaldoPairSquared(100.05, 100.05, 99.95, 100.05, 99.95);
    expect(term).toBeCloseTo(Math.log(100.05 / 99.95) ** 2, 15);
    const window = new SpreadAccumulator();
    window.addPair(100.05, 99.95, 100.05, 100.05, 99.95);
    window.addPair(100.05, 99.95, 99.95, 100.05, 99.95);
    expect(window.estimate().arBps).toBeCloseTo(Math.log(100.05 / 99.95) * 10_000, 9);
  });

  it("matches a pair computed by hand", () => {
    // c = ln 100.5 = 4.6101577; η_t = (ln 101 + ln 99)/2 = 4.6051202; η_{t+1} = (ln 101 + ln 99.5)/2 = 4.6076391
    // 4 (c − η_t)(c − η_{t+1}) = 4 · 0.00503754 · 0.00251865 = 5.07512e-5 → S = 0.0071240 (71.24 bps)
    expect(abdiRanaldoPairSquared(100.5, 101, 99, 101, 99.5)).toBeCloseTo(5.075118e-5, 11);
    const window = new SpreadAccumulator();
    window.addPair(101, 99, 100.5, 101, 99.5);
    expect(window.estimate().arBps).toBeCloseTo(71.23986, 4);
  });

  it("gives 0, not NaN, when the mean of the terms is negative", () => {
    const window = new SpreadAccumulator();
    window.addPair(101, 99, 100.5, 102, 100); // term −9.9e-5
    expect(window.estimate().arBps).toBe(0);
    expect(new SpreadAccumulator().estimate()).toEqual({ csBps: null, arBps: null, pairs: 0 });
  });
});

describe("both estimators on a market with a known spread", () => {
  it("recover the spread within 25% when it dominates the volatility", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.double({ min: 4, max: 40, noNaN: true }),
        (seed, spreadBps) => {
          const candles = syntheticSpreadCandles({
            bars: 1_500,
            spreadBps,
            stepVolBps: 0.05,
            tradesPerBar: 30,
            seed,
          });
          const screen = screenCoin(candles, { coin: "X", intervalMs: 60_000, roundTripFeeBps: 3 });
          expect(Math.abs(screen.csBps! / spreadBps - 1)).toBeLessThan(0.25);
          expect(Math.abs(screen.arBps! / spreadBps - 1)).toBeLessThan(0.25);
        },
      ),
      { seed: 1412, numRuns: 25 },
    );
  });

  it("tell a wide-spread market from a tight one of the same volatility", () => {
    const tight = syntheticSpreadCandles({
      bars: 3_000,
      spreadBps: 1,
      stepVolBps: 0.3,
      tradesPerBar: 30,
      seed: 5,
    });
    const wide = syntheticSpreadCandles({
      bars: 3_000,
      spreadBps: 12,
      stepVolBps: 0.3,
      tradesPerBar: 30,
      seed: 5,
    });
    const options = { coin: "X", intervalMs: 60_000, roundTripFeeBps: 3 };
    expect(screenCoin(wide, options).spreadBps!).toBeGreaterThan(screenCoin(tight, options).spreadBps! + 8);
  });
});

describe("screenCoin", () => {
  const HOUR = 3_600_000;
  const start = Date.UTC(2025, 6, 21);

  it("splits the estimates by hour of day and counts the clock hours that pay the fee", () => {
    // Two days; hours 0–11 UTC quote 10 bps, hours 12–23 quote 1 bps; a 3 bps round trip pays in half the hours.
    const candles = syntheticSpreadCandles({
      bars: 2 * 24 * 60,
      spreadBps: (hour) => (hour < 12 ? 10 : 1),
      stepVolBps: 0.02,
      tradesPerBar: 30,
      startMs: start,
      seed: 3,
    });
    const screen = screenCoin(candles, { coin: "X", intervalMs: 60_000, roundTripFeeBps: 3 });
    expect(screen.byHour).toHaveLength(24);
    expect(screen.byHour[3]!.spreadBps!).toBeGreaterThan(8);
    expect(screen.byHour[15]!.spreadBps!).toBeLessThan(2);
    expect(screen.byHour[3]!.pairs).toBe(2 * 60);
    expect(screen.hoursCounted).toBe(48);
    expect(screen.payingHoursShare).toBe(0.5);
    expect(screen.days).toBe(2);
    expect(screen.edgeBps).toBeCloseTo(screen.spreadBps! - 3, 12);
  });

  it("skips pairs across a gap, and measures volume, volatility and funding over the candles' span", () => {
    const candles = toCandleColumns([
      { openTime: start, open: 100, high: 101, low: 99, close: 100, volume: 2 },
      { openTime: start + 60_000, open: 100, high: 101, low: 99, close: 101, volume: 3 },
      // a two-bar gap: the pair (bar 1, bar 2) is not an estimate
      { openTime: start + 4 * 60_000, open: 100, high: 101, low: 99, close: 100, volume: 1 },
    ]);
    const screen = screenCoin(candles, {
      coin: "X",
      intervalMs: 60_000,
      roundTripFeeBps: 3,
      funding: {
        timeMs: [start - HOUR, start, start + 60_000, start + HOUR],
        ratePerHour: [1, 0.00001, 0.00003, 1],
      },
    });
    expect(screen.pairs).toBe(1);
    expect(screen.volumeUsdPerDay).toBeCloseTo((2 * 100 + 3 * 101 + 1 * 100) / (5 / 1440), 6);
    expect(screen.fundingPoints).toBe(2);
    expect(screen.fundingMeanPerHour).toBeCloseTo(0.00002, 15);
    expect(screen.fundingAnnualisedPct).toBeCloseTo(0.00002 * 24 * 365 * 100, 10);
    // One return, ln(101/100): no standard deviation from a single value.
    expect(screen.volatilityDailyPct).toBeNull();
  });

  it("scales the standard deviation of bar returns to a day", () => {
    const closes = [100, 101, 100, 101, 100];
    const candles = toCandleColumns(
      closes.map((close, i) => ({
        openTime: start + i * 60_000,
        open: close,
        high: close + 0.5,
        low: close - 0.5,
        close,
        volume: 1,
      })),
    );
    const r = Math.log(1.01);
    // returns ±r alternating: mean 0, sample variance 4r²/3
    const expected = Math.sqrt(((4 * r * r) / 3) * 1440) * 100;
    expect(
      screenCoin(candles, { coin: "X", intervalMs: 60_000, roundTripFeeBps: 3 }).volatilityDailyPct,
    ).toBeCloseTo(expected, 9);
  });
});

describe("rankScreen", () => {
  const row = (coin: string, edgeBps: number | null, pnl: number | null, share: number | null) => ({
    coin,
    edgeBps,
    backtestPnlUsdPerDay: pnl,
    payingHoursShare: share,
  });

  it("puts the best first, missing values last, and breaks ties by the other scores then the coin", () => {
    const rows = [
      row("C", 1, 5, 0.2),
      row("A", null, 9, 0.9),
      row("B", 4, -1, 0.5),
      row("D", 1, 5, 0.2),
      row("E", 1, 6, 0),
    ];
    expect(rankScreen(rows, "edge").map((r) => r.coin)).toEqual(["B", "E", "C", "D", "A"]);
    expect(rankScreen(rows, "pnl").map((r) => r.coin)).toEqual(["A", "E", "C", "D", "B"]);
    expect(rankScreen(rows, "paying-hours").map((r) => r.coin)).toEqual(["A", "B", "C", "D", "E"]);
    expect(screenScore(row("X", Number.NaN, 1, 1), "edge")).toBeNull();
  });

  it("does not depend on the input order", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({
            coin: fc.string({ minLength: 1, maxLength: 4 }),
            edgeBps: fc.option(fc.integer({ min: -5, max: 5 })),
            backtestPnlUsdPerDay: fc.option(fc.integer({ min: -5, max: 5 })),
            payingHoursShare: fc.option(fc.integer({ min: 0, max: 4 }).map((k) => k / 4)),
          }),
          { selector: (r) => r.coin, maxLength: 12 },
        ),
        (rows) => {
          const once = rankScreen(rows, "edge").map((r) => r.coin);
          expect(rankScreen([...rows].reverse(), "edge").map((r) => r.coin)).toEqual(once);
        },
      ),
      { seed: 77 },
    );
  });
});

describe("QuotedSpreadAccumulator", () => {
  it("weights each book by the time it held, capped at a gap", () => {
    const stats = new QuotedSpreadAccumulator(3, 5_000);
    // 4 bps for 1 s, 2 bps for 3 s, 6 bps held 60 s but capped at 5 s, then the last book (no end).
    stats.add({ timeMs: 0, bidPx: 99.98, bidSz: 10, askPx: 100.02, askSz: 10 });
    stats.add({ timeMs: 1_000, bidPx: 99.99, bidSz: 1, askPx: 100.01, askSz: 1 });
    stats.add({ timeMs: 4_000, bidPx: 99.97, bidSz: 2, askPx: 100.03, askSz: 4 });
    stats.add({ timeMs: 64_000, bidPx: 99.9, bidSz: 2, askPx: 100.1, askSz: 4 });
    stats.add({ timeMs: 64_100, bidPx: 100.1, bidSz: 2, askPx: 100.0, askSz: 4 }); // crossed: skipped
    const summary = stats.summary()!;
    expect(summary.books).toBe(4);
    expect(summary.seconds).toBe(9);
    expect(summary.payingShare).toBeCloseTo(6 / 9, 12);
    // Sorted: 2 bps (3 s), 4 bps (1 s), 6 bps (5 s): the median second is in the 6 bps book.
    expect(summary.spreadBps.p10).toBeCloseTo(2, 9);
    expect(summary.spreadBps.p50).toBeCloseTo(6, 9);
    expect(summary.spreadBps.mean).toBeCloseTo((4 * 1 + 2 * 3 + 6 * 5) / 9, 9);
    // Touch depth, the mean of the two sides' notionals: 1000 (1 s), 100 (3 s), 299.53 (5 s)
    expect(summary.touchDepthUsd.p50).toBeCloseTo((99.97 * 2 + 100.03 * 4) / 2, 9);
    expect(new QuotedSpreadAccumulator(3).summary()).toBeNull();
  });

  it("takes weighted quantiles as the smallest value reaching the level", () => {
    expect(weightedQuantiles([3, 1, 2], [2, 1, 1])).toEqual({ p10: 1, p50: 2, p90: 3, mean: 9 / 4 });
  });
});

describe("renderHourHeatmap", () => {
  it("draws a cell per coin and hour, escaped labels, grey where there is no data", () => {
    const svg = renderHourHeatmap({
      title: "spread <bps>",
      pivot: 3,
      unit: "bps",
      rows: [
        { label: "A&B", values: Array.from({ length: 24 }, (_, h) => h) },
        { label: "C", values: Array.from({ length: 24 }, () => null) },
      ],
    });
    expect(svg.match(/<rect /g)).toHaveLength(48);
    expect(svg).toContain("A&amp;B");
    expect(svg).toContain("spread &lt;bps&gt;");
    expect(svg).toContain('fill="#e5e7eb"');
    expect(svg).toContain("A&amp;B 03:00 UTC: 3.00 bps");
    expect(combinedSpreadBps({ csBps: null, arBps: 2, pairs: 1 })).toBe(2);
  });
});
