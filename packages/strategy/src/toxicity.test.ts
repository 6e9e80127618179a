import { createRandom, hyperliquidPerpInstrument } from "@botmm/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_STRATEGY_CONFIG, parseStrategyConfig, StrategyConfigError } from "./config.ts";
import { MarketMaker, type QuoteInput } from "./market-maker.ts";
import { createQuoteSet } from "./quote-set.ts";
import { ToxicityGuard, type ToxicityGuardOptions } from "./toxicity.ts";

const SEED = 20250624;

function guard(overrides: Partial<ToxicityGuardOptions> = {}) {
  return new ToxicityGuard({ horizonBars: 2, fills: 1, thresholdBps: 2, recoveryBars: 100, ...overrides });
}

describe("ToxicityGuard", () => {
  it("marks fills out after the horizon and widens only the toxic side", () => {
    const g = guard();
    g.onFill("buy", 100);
    g.onFill("sell", 100);
    g.onBar(99.9);
    expect(g.markoutBps("buy")).toBe(0); // not due yet
    g.onBar(99.9);
    // buy: (99.9 − 100) / 100 = −10 bp; sell: +10 bp. EWMA over 1 fill = the last value; no fade yet.
    expect(g.markoutBps("buy")).toBeCloseTo(-10, 9);
    expect(g.markoutBps("sell")).toBeCloseTo(10, 9);
    expect(g.extraBps("buy")).toBeCloseTo(8, 9); // 10 − 2 threshold
    expect(g.extraBps("sell")).toBe(0);
  });

  it("drops the oldest fills rather than growing past its capacity", () => {
    const g = guard({ horizonBars: 1, fills: 3, thresholdBps: 0, capacity: 4 });
    for (let i = 0; i < 10; i++) g.onFill("buy", 100);
    g.onBar(101);
    expect(g.markoutBps("buy")).toBeGreaterThan(0);
  });

  it("fades a side that stops filling: to under half a quarter of the way in, exactly 0 at recoveryBars", () => {
    // Fill at bar 0, marked out at bar 5 (−10 bp), then faded over the 100 bars to bar 105.
    const g = guard({ horizonBars: 5, recoveryBars: 105 });
    g.onFill("buy", 100);
    const extra: number[] = [];
    for (let bar = 1; bar <= 120; bar++) {
      g.onBar(99.9);
      extra[bar] = g.extraBps("buy");
      if (bar === 104) expect(g.markoutBps("buy")).toBeLessThan(0);
    }
    expect(extra[5]).toBeCloseTo(8, 9);
    // A quarter of the fade (one half-life) after the mark-out: (2^−1 − 1/16) / (1 − 1/16) of −10 bp.
    expect(extra[30]! + 2).toBeCloseTo(((0.5 - 1 / 16) / (15 / 16)) * 10, 9);
    for (let bar = 6; bar <= 120; bar++) expect(extra[bar]).toBeLessThanOrEqual(extra[bar - 1]!);
    expect(extra[60]).toBe(0); // under the threshold well before the end
    expect(g.markoutBps("buy")).toBe(0); // and the estimate itself is exactly 0 from bar 105
  });

  it("a new toxic fill restarts the fade: the deadline is recoveryBars after the side's last fill", () => {
    const g = guard({ horizonBars: 5, recoveryBars: 20, thresholdBps: 0 });
    g.onFill("buy", 100); // bar 0: alone, it would be forgotten at bar 20
    for (let bar = 1; bar <= 3; bar++) g.onBar(99);
    g.onFill("buy", 99); // bar 3: deadline 23
    for (let bar = 4; bar < 23; bar++) {
      g.onBar(98);
      if (bar >= 5) expect(g.extraBps("buy"), `bar ${bar}`).toBeGreaterThan(0);
    }
    g.onBar(98); // bar 23
    expect(g.extraBps("buy")).toBe(0);
    expect(g.markoutBps("buy")).toBe(0);
  });

  it("does not keep a side widened more than recoveryBars in a row even if it keeps filling toxically", () => {
    const g = guard({ horizonBars: 1, fills: 3, recoveryBars: 30 });
    let price = 100;
    let wideRun = 0;
    let longestWideRun = 0;
    let reopenings = 0;
    for (let bar = 1; bar <= 300; bar++) {
      g.onFill("buy", price); // every bar, and the market keeps falling through the bid
      price *= 0.999;
      g.onBar(price);
      if (g.extraBps("buy") > 0) wideRun++;
      else {
        if (wideRun > 0) reopenings++;
        wideRun = 0;
      }
      longestWideRun = Math.max(longestWideRun, wideRun);
    }
    expect(longestWideRun).toBe(30);
    expect(reopenings).toBeGreaterThan(5); // forgotten, re-learned from new toxic fills, widened again
  });

  it("property: after a burst of toxic fills, extraBps falls monotonically to exactly 0 by recoveryBars after the last fill", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }), // horizonBars
        fc.integer({ min: 1, max: 400 }), // recoveryBars − horizonBars
        fc.integer({ min: 1, max: 5 }), // fills
        fc.double({ min: 0, max: 5, noNaN: true }), // thresholdBps
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 20 }), // bars between burst fills
        fc.double({ min: 20, max: 500, noNaN: true }), // adverse move per fill, bps
        (horizonBars, extraSpan, fills, thresholdBps, gaps, moveBps) => {
          const recoveryBars = horizonBars + extraSpan;
          const g = new ToxicityGuard({ horizonBars, fills, thresholdBps, recoveryBars });
          let price = 100;
          let bar = 0;
          let widened = false;
          for (const gap of gaps) {
            for (let i = 0; i < gap; i++, bar++) {
              g.onBar(price);
              widened ||= g.extraBps("sell") > 0;
            }
            g.onFill("sell", price); // sold, and the market keeps rising
            price *= 1 + moveBps / 10_000;
          }
          const lastFillBar = bar;
          let previous = Number.POSITIVE_INFINITY;
          for (bar++; bar <= lastFillBar + recoveryBars + 50; bar++) {
            g.onBar(price);
            const extra = g.extraBps("sell");
            widened ||= extra > 0;
            if (bar >= lastFillBar + horizonBars) {
              expect(extra).toBeLessThanOrEqual(previous); // no mark-out left to come: only fading
              previous = extra;
            }
            if (bar >= lastFillBar + recoveryBars) expect(extra).toBe(0);
            expect(g.extraBps("buy")).toBe(0);
          }
          expect(widened).toBe(true);
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("names the setting it rejects", () => {
    expect(() => guard({ recoveryBars: 2 })).toThrow("recoveryBars must be > horizonBars (2), got 2");
    expect(() => guard({ horizonBars: 0 })).toThrow(/horizonBars must be an integer ≥ 1/);
    expect(() => guard({ fills: 0 })).toThrow(/fills must be > 0/);
    expect(() => guard({ thresholdBps: -1 })).toThrow(/thresholdBps must be ≥ 0/);
  });
});

describe("toxicityRecoveryBars setting", () => {
  it("defaults to 240 bars and must exceed toxicityHorizonBars", () => {
    expect(parseStrategyConfig().toxicityRecoveryBars).toBe(240);
    expect(() => parseStrategyConfig({ toxicityHorizonBars: 10, toxicityRecoveryBars: 10 })).toThrow(
      StrategyConfigError,
    );
    expect(() => parseStrategyConfig({ toxicityHorizonBars: 10, toxicityRecoveryBars: 10 })).toThrow(
      "toxicityRecoveryBars: toxicityRecoveryBars must be > toxicityHorizonBars (10), got 10",
    );
    expect(() => parseStrategyConfig({ toxicityRecoveryBars: 60.5 })).toThrow(/whole number of bars/);
  });
});

const btc = hyperliquidPerpInstrument({ coin: "BTC", assetId: 0, szDecimals: 5, maxLeverage: 40 });

interface TrendRun {
  /** Per side, the longest run of bars quoted further than its normal distance (or not at all) while the
   * side is not at the position limit. Bars at the limit neither count nor break a run. */
  longestOffNormal: { buy: number; sell: number };
  /** Bars (side × bar) the toxicity guard kept off the normal distance. */
  offNormalBars: number;
  fills: number;
  barsAtLimit: number;
}

/**
 * Drives a MarketMaker through seeded trending regimes (up, down, flat; 50–1,000 bars each) with fills forced on
 * the side the trend runs through — sells into a rally, buys into a sell-off, both sides when flat — so the
 * fills are toxic and the position is pushed to its limit, as in the BTC run of issue 11. A second MarketMaker
 * with the guard off, fed the same bars and position, gives each side's normal distance.
 */
function runTrends(seed: number, recoveryBars: number, bars: number): TrendRun {
  const random = createRandom(seed);
  const config = parseStrategyConfig({ toxicityRecoveryBars: recoveryBars });
  const maker = new MarketMaker(config, btc);
  const reference = new MarketMaker({ ...config, toxicityGuard: false }, btc);
  const quotes = createQuoteSet(1);
  const normal = createQuoteSet(1);
  const input: QuoteInput = {
    midPrice: 0,
    positionSize: 0,
    riskMode: "allow",
    marketBid: Number.NaN,
    marketAsk: Number.NaN,
  };
  const run: TrendRun = { longestOffNormal: { buy: 0, sell: 0 }, offNormalBars: 0, fills: 0, barsAtLimit: 0 };
  const current = { buy: 0, sell: 0 };
  let price = 100_000;
  let position = 0;
  let driftBps = 0;
  let regimeLeft = 0;
  for (let bar = 0; bar < bars; bar++) {
    if (regimeLeft-- <= 0) {
      regimeLeft = 50 + random.nextInt(951);
      driftBps = [-2, 0, 2][random.nextInt(3)]!;
    }
    // The bar: open → close with drift and 3 bp noise; extremes a little beyond.
    const open = price;
    price = open * (1 + (driftBps + 3 * random.nextNormal()) / 10_000);
    const high = Math.max(open, price) * (1 + (2 * Math.abs(random.nextNormal())) / 10_000);
    const low = Math.min(open, price) * (1 - (2 * Math.abs(random.nextNormal())) / 10_000);
    // Fills on the quotes decided at the previous close, only on the side the trend runs through.
    if (bar > 0) {
      if (driftBps <= 0 && quotes.bidSizes[0]! > 0 && low < quotes.bidPrices[0]!) {
        position += quotes.bidSizes[0]!;
        maker.onOwnFill("buy", quotes.bidPrices[0]!);
        run.fills++;
      }
      if (driftBps >= 0 && quotes.askSizes[0]! > 0 && high > quotes.askPrices[0]!) {
        position -= quotes.askSizes[0]!;
        maker.onOwnFill("sell", quotes.askPrices[0]!);
        run.fills++;
      }
    }
    maker.onBar(price);
    reference.onBar(price);
    input.midPrice = price;
    input.positionSize = position;
    maker.computeQuotes(input, quotes);
    if (reference.computeQuotes(input, normal).status !== "quoting") continue;
    for (const side of ["buy", "sell"] as const) {
      const normalSize = side === "buy" ? normal.bidSizes[0]! : normal.askSizes[0]!;
      if (normalSize === 0) {
        run.barsAtLimit++;
        continue;
      }
      const size = side === "buy" ? quotes.bidSizes[0]! : quotes.askSizes[0]!;
      const offNormal =
        size === 0 ||
        (side === "buy"
          ? quotes.bidPrices[0]! < normal.bidPrices[0]!
          : quotes.askPrices[0]! > normal.askPrices[0]!);
      if (!offNormal) {
        current[side] = 0;
        continue;
      }
      run.offNormalBars++;
      current[side]++;
      run.longestOffNormal[side] = Math.max(run.longestOffNormal[side], current[side]);
    }
  }
  return run;
}

describe("MarketMaker with the toxicity guard through trends at the position limit", () => {
  const horizon = DEFAULT_STRATEGY_CONFIG.toxicityRecoveryBars;

  it("never leaves a side off its normal distance for more than toxicityRecoveryBars while not at the limit", () => {
    for (const seed of [SEED, SEED + 1, SEED + 2]) {
      const run = runTrends(seed, horizon, 20_000);
      const context = `seed ${seed}: ${JSON.stringify(run)}`;
      expect(run.fills, context).toBeGreaterThan(200);
      expect(run.barsAtLimit, context).toBeGreaterThan(1_000); // the trends did pin the position
      expect(run.offNormalBars, context).toBeGreaterThan(1_000); // and the guard did widen
      expect(run.longestOffNormal.buy, context).toBeLessThanOrEqual(horizon);
      expect(run.longestOffNormal.sell, context).toBeLessThanOrEqual(horizon);
    }
  });

  it("the same trends lock a side far longer than the horizon when the guard never forgets", () => {
    const run = runTrends(SEED, 1_000_000, 20_000);
    expect(Math.max(run.longestOffNormal.buy, run.longestOffNormal.sell)).toBeGreaterThan(10 * horizon);
  });
});
