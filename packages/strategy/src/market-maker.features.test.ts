// The quoting features of issue 13 on MarketMaker: the fair price from the book, trade flow and funding, the
// imbalance skip, size decay, the infinite-horizon AS model, online calibration and the seconds toxicity guard,
// and the properties every model keeps whatever the inputs (seeded).
import { createRandom, hyperliquidPerpInstrument, PriceGrid } from "@botmm/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseStrategyConfig, type StrategyConfigInput } from "./config.ts";
import { MarketMaker, type QuoteInput } from "./market-maker.ts";
import { createQuoteSet } from "./quote-set.ts";

const SEED = 20_261_210;
const eth = hyperliquidPerpInstrument({ coin: "ETH", assetId: 1, szDecimals: 4, maxLeverage: 25 });
const input = (overrides: Partial<QuoteInput> = {}): QuoteInput => ({
  midPrice: 100,
  positionSize: 0,
  riskMode: "allow",
  marketBid: Number.NaN,
  marketAsk: Number.NaN,
  ...overrides,
});
function warmMaker(config: StrategyConfigInput = {}, bars = 40, price = 100) {
  const maker = new MarketMaker(
    parseStrategyConfig({ feeMarginBps: 0.25, toxicityGuard: false, ...config }),
    eth,
  );
  for (let i = 0; i < bars; i++) maker.onBar(price);
  return maker;
}
const book = { marketBid: 99.99, marketAsk: 100.01 };

describe("fair price", () => {
  it("is the mid by default, whatever the book sizes say", () => {
    const decision = warmMaker().computeQuotes(input({ ...book, bidSize: 3, askSize: 1 }), createQuoteSet(1));
    expect(decision.fairPrice).toBe(100);
  });

  it("microprice: moves towards the thinner side by imbalance × half spread, and centres the quotes on it", () => {
    const quotes = createQuoteSet(1);
    const decision = warmMaker({ fairPrice: "microprice", baseSpreadBps: 5 }).computeQuotes(
      input({ ...book, bidSize: 3, askSize: 1, bidDepth: 1, askDepth: 9 }),
      quotes,
    );
    expect(decision.bookImbalance).toBe(0.5); // the top level, not the depth
    expect(decision.fairPrice).toBeCloseTo(100.005, 12);
    // 100.005 × (1 ∓ 5 bp) = 99.955 / 100.055, snapped outwards on ETH's 0.01 grid (the mid gives 99.95 / 100.05).
    expect(quotes.bidPrices[0]).toBeCloseTo(99.95, 10);
    expect(quotes.askPrices[0]).toBeCloseTo(100.06, 10);
  });

  it("imbalance: uses the top-N depth, and is the mid without sizes (candles)", () => {
    const maker = warmMaker({ fairPrice: "imbalance" });
    const decision = maker.computeQuotes(
      input({ ...book, bidSize: 3, askSize: 1, bidDepth: 1, askDepth: 9 }),
      createQuoteSet(1),
    );
    expect(decision.bookImbalance).toBeCloseTo(-0.8, 12);
    expect(decision.fairPrice).toBeCloseTo(100 - 0.8 * 0.01, 12);
    expect(maker.computeQuotes(input(), createQuoteSet(1)).fairPrice).toBe(100);
  });

  it("shifts with the trade flow and leans against the side that pays funding", () => {
    const flow = warmMaker({ tradeFlowShiftBps: 2 }).computeQuotes(
      input({ tradeFlow: 0.5 }),
      createQuoteSet(1),
    );
    expect(flow.fairPrice).toBeCloseTo(100.01, 12);
    const funding = warmMaker({ fundingSkewBps: 4 });
    // Longs pay 1 bp: fair −4 bp, so asks come closer and bids go further.
    expect(funding.computeQuotes(input({ fundingRate: 0.0001 }), createQuoteSet(1)).fairPrice).toBeCloseTo(
      99.96,
      12,
    );
    expect(funding.computeQuotes(input({ fundingRate: -0.0001 }), createQuoteSet(1)).fairPrice).toBeCloseTo(
      100.04,
      12,
    );
  });
});

describe("sides and sizes", () => {
  it("skips the side the book imbalance runs through", () => {
    const maker = warmMaker({ imbalanceSkipThreshold: 0.5 });
    const quotes = createQuoteSet(1);
    const decision = maker.computeQuotes(input({ ...book, bidDepth: 1, askDepth: 9 }), quotes);
    expect([quotes.bidSizes[0], quotes.askSizes[0]]).toEqual([0, 1]);
    expect(decision.bidPulled).toBe(true);
    maker.computeQuotes(input({ ...book, bidDepth: 9, askDepth: 1 }), quotes);
    expect([quotes.bidSizes[0], quotes.askSizes[0]]).toEqual([1, 0]);
    maker.computeQuotes(input({ ...book, bidDepth: 6, askDepth: 4 }), quotes);
    expect([quotes.bidSizes[0], quotes.askSizes[0]]).toEqual([1, 1]);
  });

  it("keeps a skipped side out until the imbalance falls below the exit level and the hold has run", () => {
    const maker = warmMaker({
      imbalanceSkipThreshold: 0.8,
      imbalanceSkipExit: 0.5,
      imbalanceSkipHoldMs: 1_000,
    });
    const quotes = createQuoteSet(1);
    const at = (timeMs: number, bidDepth: number, askDepth: number) => {
      maker.computeQuotes(input({ ...book, bidDepth, askDepth, timeMs }), quotes);
      return [quotes.bidSizes[0], quotes.askSizes[0]];
    };
    expect(at(0, 1, 19)).toEqual([0, 1]); // −0.9: the bid is out
    expect(at(500, 3, 7)).toEqual([0, 1]); // −0.4 is inside the exit level, but within the hold
    expect(at(1_200, 1, 4)).toEqual([0, 1]); // −0.6: beyond the exit level, out whatever the time
    expect(at(2_000, 4, 6)).toEqual([0, 1]); // −0.2, 0.8 s after the last −0.6
    expect(at(2_200, 4, 6)).toEqual([1, 1]); // the hold has run
    expect(at(2_300, 19, 1)).toEqual([1, 0]); // +0.9: the ask is out
  });

  it("decays the size of the side that grows the position as it grows", () => {
    const maker = warmMaker({ sizeDecay: 1 });
    const quotes = createQuoteSet(1);
    maker.computeQuotes(input({ positionSize: 2.5 }), quotes); // $250 long of $500
    expect(quotes.bidSizes[0]).toBeCloseTo(0.6065, 10); // 1 × e^(−0.5), on the 0.0001 lot
    expect(quotes.askSizes[0]).toBe(1);
    maker.computeQuotes(input({ positionSize: -2.5 }), quotes);
    expect([quotes.bidSizes[0], quotes.askSizes[0]]).toEqual([1, 0.6065]);
    warmMaker().computeQuotes(input({ positionSize: 2.5 }), quotes);
    expect(quotes.bidSizes[0]).toBe(1); // off by default
  });
});

describe("as-infinite", () => {
  it("quotes symmetrically when flat and refuses the growing side at q_max, past it too", () => {
    const maker = warmMaker({ model: "as-infinite" }, 40);
    for (let i = 0; i < 40; i++) maker.onBar(i % 2 === 0 ? 100.1 : 99.9);
    const quotes = createQuoteSet(1);
    const flat = maker.computeQuotes(input(), quotes);
    expect(flat.bidHalfSpreadBps).toBeCloseTo(flat.askHalfSpreadBps, 9);
    expect(quotes.bidSizes[0]).toBeGreaterThan(0);
    // q_max = $500 / $100 = 5 orders; a $700 long (7 orders) is past it.
    for (const positionSize of [5, 7]) {
      const decision = maker.computeQuotes(input({ positionSize }), quotes);
      expect(decision.modelInfeasible).toBe(false);
      expect(decision.bidPulled).toBe(true);
      expect(quotes.bidSizes[0]).toBe(0);
      expect(quotes.askSizes[0]).toBeGreaterThan(0);
    }
  });
});

describe("online calibration", () => {
  it("feeds AS / GLFT the σ, A, k it fits and says so in the decision; constants until then", () => {
    const maker = warmMaker({ model: "glft", calibration: "online", orderSizeUsd: 100 });
    const quotes = createQuoteSet(1);
    const before = maker.computeQuotes(input(), quotes);
    expect([before.sigmaSource, before.intensitySource]).toEqual(["closes", "constants"]);
    expect(before.intensityScalePerBar).toBe(1);
    const random = createRandom(SEED);
    let mid = 100;
    for (let t = 0; t <= 1_200_000; t += 100) {
      if (random.next() < 0.1) {
        const buy = random.next() < 0.5;
        maker.onMarketTrade(
          buy ? "buy" : "sell",
          mid * (1 + ((buy ? 1 : -1) * random.nextExponential(0.5)) / 1e4),
          t,
        );
      }
      mid *= Math.exp((0.0001 / Math.sqrt(10)) * random.nextNormal());
      maker.onMid(mid, t);
      if (t % 60_000 === 0) maker.onBar(mid, null, t);
    }
    const after = maker.computeQuotes(input({ midPrice: mid }), quotes);
    expect([after.sigmaSource, after.intensitySource]).toEqual(["mids", "fitted"]);
    expect(after.sigmaBps).toBeGreaterThan(5); // ≈ 1 bp/√s × √60
    expect(after.sigmaBps).toBeLessThan(11);
    expect(after.intensityDecayPerBps).toBeGreaterThan(0.35);
    expect(after.intensityDecayPerBps).toBeLessThan(0.65);
    expect(after.intensityScalePerBar).toBeGreaterThan(30); // ≈ 1/s × 60 s
    expect(after.intensityScalePerBar).toBeLessThan(90);
    expect(quotes.bidSizes[0]).toBeGreaterThan(0);
  });
});

describe("seconds toxicity guard", () => {
  it("widens on mark-outs seconds after a fill with toxicityClock seconds", () => {
    const maker = warmMaker({ toxicityGuard: true, toxicityClock: "seconds", toxicityHorizonMs: 1_000 });
    maker.onMid(100, 0);
    maker.onOwnFill("buy", 100, 0);
    maker.onMid(99.8, 500);
    maker.onMid(99.8, 1_000);
    const decision = maker.computeQuotes(input({ midPrice: 99.8, timeMs: 1_000 }), createQuoteSet(1));
    expect(decision.bidHalfSpreadBps - decision.askHalfSpreadBps).toBeCloseTo((2 / 11) * 20 - 2, 9);
  });

  it("pulls the bid after a burst of toxic buys and quotes it again after the cool-down", () => {
    const maker = warmMaker({
      toxicityPull: true,
      toxicityPullFills: 2,
      toxicityHorizonMs: 1_000,
      toxicityPullCooldownMs: 10_000,
    });
    const quotes = createQuoteSet(1);
    maker.onMid(100, 0);
    maker.onOwnFill("buy", 100, 0);
    maker.onOwnFill("buy", 100, 200);
    maker.onMid(99.9, 500); // −10 bps for both at 1 s: worse than −3
    maker.onMid(99.9, 1_500);
    let decision = maker.computeQuotes(input({ midPrice: 99.9, timeMs: 1_500 }), quotes);
    expect([decision.bidPulled, quotes.bidSizes[0]]).toEqual([true, 0]);
    expect(quotes.askSizes[0]).toBeGreaterThan(0);
    expect(decision.bidHalfSpreadBps).toBe(decision.askHalfSpreadBps); // pull only: no widening with bars off
    decision = maker.computeQuotes(input({ midPrice: 99.9, timeMs: 11_199 }), quotes);
    expect(quotes.bidSizes[0]).toBe(0);
    decision = maker.computeQuotes(input({ midPrice: 99.9, timeMs: 11_200 }), quotes);
    expect(decision.bidPulled).toBe(false);
    expect(quotes.bidSizes[0]).toBeGreaterThan(0);
  });
});

describe("quote properties, every model and option (seeded)", () => {
  it("no NaN, no quote inside the fee floor, never crossed (with each other or the book)", () => {
    let quotedRuns = 0;
    let runs = 0;
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 2_000_000_000 }),
          model: fc.constantFrom("basic", "as", "as-infinite", "glft"),
          calibration: fc.constantFrom("constants", "online"),
          fairPrice: fc.constantFrom("mid", "microprice", "imbalance"),
          riskAversion: fc.double({ min: 0.001, max: 2, noNaN: true }),
          sizeDecay: fc.double({ min: 0, max: 5, noNaN: true }),
          fundingSkewBps: fc.double({ min: -20, max: 20, noNaN: true }),
          tradeFlowShiftBps: fc.double({ min: 0, max: 10, noNaN: true }),
          levels: fc.integer({ min: 1, max: 3 }),
          volatilityBpsPerBar: fc.double({ min: 0, max: 200, noNaN: true }),
          spreadBps: fc.double({ min: 0.1, max: 100, noNaN: true }),
          positionFraction: fc.double({ min: -1.6, max: 1.6, noNaN: true }),
        }),
        (p) => {
          const random = createRandom(p.seed);
          const config = parseStrategyConfig({
            model: p.model,
            calibration: p.calibration,
            fairPrice: p.fairPrice,
            riskAversion: p.riskAversion,
            sizeDecay: p.sizeDecay,
            fundingSkewBps: p.fundingSkewBps,
            tradeFlowShiftBps: p.tradeFlowShiftBps,
            levels: p.levels,
            feeAware: true,
            volatilityWarmupBars: 5,
            toxicityPull: true,
          });
          const maker = new MarketMaker(config, eth);
          let mid = 2_000;
          const stepSigma = p.volatilityBpsPerBar / 1e4 / Math.sqrt(60);
          for (let t = 0; t <= 600_000; t += 1_000) {
            mid *= Math.exp(stepSigma * random.nextNormal());
            maker.onMid(mid, t);
            const buy = random.next() < 0.5;
            maker.onMarketTrade(
              buy ? "buy" : "sell",
              mid * (1 + ((buy ? 1 : -1) * random.nextExponential(0.3)) / 1e4),
              t,
            );
            if (random.next() < 0.05) maker.onOwnFill(buy ? "sell" : "buy", mid, t);
            if (t % 60_000 === 0)
              maker.onBar(mid, { open: mid, high: mid * 1.001, low: mid * 0.999, close: mid }, t);
          }
          const halfSpread = (mid * p.spreadBps) / 2e4;
          const marketBid = mid - halfSpread;
          const marketAsk = mid + halfSpread;
          const quotes = createQuoteSet(p.levels);
          const decision = maker.computeQuotes(
            {
              midPrice: mid,
              positionSize: (p.positionFraction * config.maxPositionUsd) / mid,
              riskMode: "allow",
              marketBid,
              marketAsk,
              timeMs: 600_000,
              bidSize: random.next() * 10,
              askSize: random.next() * 10,
              bidDepth: random.next() * 50,
              askDepth: random.next() * 50,
              tradeFlow: random.next() * 2 - 1,
              fundingRate: (random.next() - 0.5) * 0.001,
            },
            quotes,
          );
          const context = JSON.stringify({ p, decision });
          runs++;
          for (const value of [
            decision.fairPrice,
            decision.sigmaBps,
            decision.intensityScalePerBar,
            decision.intensityDecayPerBps,
          ])
            expect(Number.isFinite(value), context).toBe(true);
          if (decision.status !== "quoting" || decision.modelInfeasible) return;
          const floor = maker.minHalfSpreadBps;
          const fair = decision.fairPrice;
          const tolerance = 1e-9 * fair;
          const grid = new PriceGrid(eth.priceRule);
          let bestBid = 0;
          let bestAsk = Number.POSITIVE_INFINITY;
          for (let level = 0; level < p.levels; level++) {
            for (const [price, size, side] of [
              [quotes.bidPrices[level]!, quotes.bidSizes[level]!, "bid"],
              [quotes.askPrices[level]!, quotes.askSizes[level]!, "ask"],
            ] as const) {
              expect(Number.isFinite(size) && size >= 0, context).toBe(true);
              if (size === 0) continue;
              expect(Number.isFinite(price) && price > 0, context).toBe(true);
              expect(grid.snap(price, side === "bid" ? "buy" : "sell"), context).toBe(price);
              if (side === "bid") {
                expect(price, `bid inside the fee floor: ${context}`).toBeLessThanOrEqual(
                  fair * (1 - floor / 1e4) + tolerance,
                );
                expect(price, `bid crosses the book: ${context}`).toBeLessThan(marketAsk);
                bestBid = Math.max(bestBid, price);
              } else {
                expect(price, `ask inside the fee floor: ${context}`).toBeGreaterThanOrEqual(
                  fair * (1 + floor / 1e4) - tolerance,
                );
                expect(price, `ask crosses the book: ${context}`).toBeGreaterThan(marketBid);
                bestAsk = Math.min(bestAsk, price);
              }
            }
          }
          expect(bestBid, `crossed quotes: ${context}`).toBeLessThan(bestAsk);
          if (bestBid > 0 || bestAsk < Number.POSITIVE_INFINITY) quotedRuns++;
        },
      ),
      { seed: SEED, numRuns: 150 },
    );
    expect(quotedRuns / runs).toBeGreaterThan(0.8); // the properties were checked on real quotes
  });
});
