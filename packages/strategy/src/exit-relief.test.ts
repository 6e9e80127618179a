// toxicityEaseExit: the defences against adverse selection (the guard's widening, the pull, the imbalance
// skip) spare the side that reduces the position as the position nears the limit, so they never block the exit.
import { hyperliquidPerpInstrument } from "@botmm/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_STRATEGY_CONFIG, parseStrategyConfig, type StrategyConfigInput } from "./config.ts";
import { exitDefenceScale } from "./exit-relief.ts";
import { MarketMaker, type QuoteInput } from "./market-maker.ts";
import { createQuoteSet } from "./quote-set.ts";

const SEED = 20_261_206;
const MAX_USD = 500;
const eth = hyperliquidPerpInstrument({ coin: "ETH", assetId: 1, szDecimals: 4, maxLeverage: 25 });
const input = (positionFraction: number, overrides: Partial<QuoteInput> = {}): QuoteInput => ({
  midPrice: 100,
  positionSize: (positionFraction * MAX_USD) / 100,
  riskMode: "allow",
  marketBid: Number.NaN,
  marketAsk: Number.NaN,
  ...overrides,
});
function maker(config: StrategyConfigInput): MarketMaker {
  const m = new MarketMaker(
    parseStrategyConfig({
      baseSpreadBps: 5,
      volMultiplier: 0,
      maxPositionUsd: MAX_USD,
      volatilityWarmupBars: 5,
      toxicityHorizonBars: 1,
      ...config,
    }),
    eth,
  );
  for (let i = 0; i < 6; i++) m.onBar(100);
  return m;
}

describe("exitDefenceScale", () => {
  it("is 1 − |position| / limit: 1 flat, 0 at and past the limit, symmetric and monotone (seeded)", () => {
    expect(exitDefenceScale(0, MAX_USD)).toBe(1);
    expect(exitDefenceScale(250, MAX_USD)).toBe(0.5);
    expect(exitDefenceScale(-MAX_USD, MAX_USD)).toBe(0);
    expect(exitDefenceScale(Number.POSITIVE_INFINITY, MAX_USD)).toBe(0);
    expect(exitDefenceScale(Number.NEGATIVE_INFINITY, MAX_USD)).toBe(0);
    fc.assert(
      fc.property(
        fc.double({ min: -2_000, max: 2_000, noNaN: true }),
        fc.double({ min: 0, max: 2_000, noNaN: true }),
        (positionUsd, moreUsd) => {
          const scale = exitDefenceScale(positionUsd, MAX_USD);
          expect(scale).toBeGreaterThanOrEqual(0);
          expect(scale).toBeLessThanOrEqual(1);
          expect(exitDefenceScale(-positionUsd, MAX_USD)).toBe(scale);
          const further = positionUsd >= 0 ? positionUsd + moreUsd : positionUsd - moreUsd;
          expect(exitDefenceScale(further, MAX_USD)).toBeLessThanOrEqual(scale);
          if (Math.abs(positionUsd) >= MAX_USD) expect(scale).toBe(0);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("keeps the full defence (1) when the position or the limit is not a number, never NaN (seeded)", () => {
    expect(exitDefenceScale(Number.NaN, MAX_USD)).toBe(1);
    expect(exitDefenceScale(250, Number.NaN)).toBe(1);
    expect(exitDefenceScale(Number.NaN, Number.NaN)).toBe(1);
    fc.assert(
      fc.property(fc.double({ min: -2_000, max: 2_000, noNaN: true }), (positionUsd) => {
        expect(exitDefenceScale(Number.NaN, Math.abs(positionUsd) + 1)).toBe(1);
        expect(exitDefenceScale(positionUsd, Number.NaN)).toBe(1);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it("is on by default: the exit of a position at its limit is never blocked", () => {
    expect(DEFAULT_STRATEGY_CONFIG.toxicityEaseExit).toBe(true);
    expect(parseStrategyConfig({}).toxicityEaseExit).toBe(true);
    expect(parseStrategyConfig({ toxicityEaseExit: false }).toxicityEaseExit).toBe(false);
  });
});

describe("toxicityEaseExit on the bar guard", () => {
  it("scales the reducing side's widening by 1 − |q|/q_max and leaves the growing side's alone (seeded)", () => {
    fc.assert(
      fc.property(
        // Adverse moves after our buys and sells, bps: beyond the 2 bp threshold once in a 10-fill EWMA.
        fc.double({ min: 30, max: 150, noNaN: true }),
        fc.double({ min: 30, max: 150, noNaN: true }),
        fc.double({ min: -1.5, max: 1.5, noNaN: true }), // position, fraction of the limit
        (buyMoveBps, sellMoveBps, fraction) => {
          const guarded = maker({ toxicityGuard: true, toxicityEaseExit: false });
          const eased = maker({ toxicityGuard: true, toxicityEaseExit: true });
          const unguarded = maker({ toxicityGuard: false });
          for (const m of [guarded, eased]) {
            // Bought at 100, the next bar closes buyMoveBps lower; sold at 100, the next closes sellMoveBps higher.
            m.onOwnFill("buy", 100);
            m.onBar(100 * (1 - buyMoveBps / 1e4));
            m.onOwnFill("sell", 100);
            m.onBar(100 * (1 + sellMoveBps / 1e4));
          }
          const q = input(fraction);
          const plain = guarded.computeQuotes(q, createQuoteSet(1));
          const [plainBid, plainAsk] = [plain.bidHalfSpreadBps, plain.askHalfSpreadBps];
          const ease = eased.computeQuotes(q, createQuoteSet(1));
          const base = unguarded.computeQuotes(q, createQuoteSet(1));
          const extraBid = plainBid - base.bidHalfSpreadBps;
          const extraAsk = plainAsk - base.askHalfSpreadBps;
          expect(extraBid).toBeGreaterThan(0);
          expect(extraAsk).toBeGreaterThan(0);
          const keep = Math.max(0, 1 - Math.abs(fraction));
          // Long: the ask reduces the position; short: the bid.
          const expectedBid = fraction < 0 ? base.bidHalfSpreadBps + extraBid * keep : plainBid;
          const expectedAsk = fraction > 0 ? base.askHalfSpreadBps + extraAsk * keep : plainAsk;
          expect(ease.bidHalfSpreadBps).toBeCloseTo(expectedBid, 9);
          expect(ease.askHalfSpreadBps).toBeCloseTo(expectedAsk, 9);
          // At or past the limit the way out is quoted as if there were no guard.
          if (fraction >= 1) expect(ease.askHalfSpreadBps).toBeCloseTo(base.askHalfSpreadBps, 9);
          if (fraction <= -1) expect(ease.bidHalfSpreadBps).toBeCloseTo(base.bidHalfSpreadBps, 9);
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });
});

describe("toxicityEaseExit on the pull and the imbalance skip", () => {
  function pulledSells(config: StrategyConfigInput): MarketMaker {
    const m = maker({
      toxicityGuard: false,
      toxicityPull: true,
      toxicityPullFills: 2,
      toxicityHorizonMs: 1_000,
      toxicityPullCooldownMs: 10_000,
      ...config,
    });
    m.onMid(100, 0);
    m.onOwnFill("sell", 100, 0);
    m.onOwnFill("sell", 100, 0);
    m.onMid(100.1, 500); // +10 bps against both sells at 1 s: a burst; the asks are pulled from 1 000 to 11 000
    m.onMid(100.1, 1_000);
    return m;
  }

  it("shortens the reducing side's cool-down to (1 − |q|/q_max) of it, none at the limit", () => {
    const quotes = createQuoteSet(1);
    const plain = pulledSells({ toxicityEaseExit: false });
    expect(plain.computeQuotes(input(1, { timeMs: 1_000 }), quotes).askPulled).toBe(true);
    const eased = pulledSells({ toxicityEaseExit: true });
    // Long at the limit: the ask is the way out and stays in the book.
    const decision = eased.computeQuotes(input(1, { timeMs: 1_000 }), quotes);
    expect([decision.askPulled, quotes.askSizes[0]! > 0]).toEqual([false, true]);
    // Long half the limit: half the cool-down (1 000 → 6 000).
    expect(eased.computeQuotes(input(0.5, { timeMs: 5_999 }), quotes).askPulled).toBe(true);
    expect(eased.computeQuotes(input(0.5, { timeMs: 6_000 }), quotes).askPulled).toBe(false);
    // Flat or short the ask grows the position: the whole cool-down.
    expect(eased.computeQuotes(input(-0.5, { timeMs: 10_999 }), quotes).askPulled).toBe(true);
    expect(eased.computeQuotes(input(0, { timeMs: 11_000 }), quotes).askPulled).toBe(false);
  });

  it("asks a stronger imbalance to skip the reducing side (threshold ÷ (1 − |q|/q_max)), never at the limit", () => {
    const quotes = createQuoteSet(1);
    const book = { marketBid: 99.99, marketAsk: 100.01 };
    const skip = (config: StrategyConfigInput, fraction: number, imbalance: number) => {
      // imbalance = (bid − ask) / (bid + ask) with bid + ask = 2
      const decision = maker({ imbalanceSkipThreshold: 0.3, ...config }).computeQuotes(
        input(fraction, { ...book, bidDepth: 1 + imbalance, askDepth: 1 - imbalance }),
        quotes,
      );
      return [decision.bidPulled, decision.askPulled];
    };
    expect(skip({ toxicityEaseExit: false }, 0.5, 0.5)).toEqual([false, true]);
    expect(skip({ toxicityEaseExit: true }, 0.5, 0.5)).toEqual([false, false]); // needs 0.3 / 0.5 = 0.6
    expect(skip({ toxicityEaseExit: true }, 0.5, 0.7)).toEqual([false, true]);
    expect(skip({ toxicityEaseExit: true }, 1, 1)).toEqual([false, false]);
    expect(skip({ toxicityEaseExit: true }, 0.5, -0.3)).toEqual([true, false]); // the growing side: as before
    expect(skip({ toxicityEaseExit: true }, -0.9, -0.5)).toEqual([false, false]); // short: the bid reduces it
  });
});
