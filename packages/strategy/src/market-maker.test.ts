import { hyperliquidPerpInstrument } from "@botmm/core";
import { describe, expect, it } from "vitest";
import { parseStrategyConfig, StrategyConfigError } from "./config.ts";
import { MarketMaker, type QuoteInput } from "./market-maker.ts";
import { createQuoteSet } from "./quote-set.ts";

const eth = hyperliquidPerpInstrument({ coin: "ETH", assetId: 1, szDecimals: 4, maxLeverage: 25 });
const input = (overrides: Partial<QuoteInput> = {}): QuoteInput => ({
  midPrice: 100,
  positionSize: 0,
  riskMode: "allow",
  marketBid: Number.NaN,
  marketAsk: Number.NaN,
  ...overrides,
});
function warmMaker(config = {}, bars = 40, price = 100) {
  const maker = new MarketMaker(parseStrategyConfig({ feeMarginBps: 0.25, ...config }), eth);
  for (let i = 0; i < bars; i++) maker.onBar(price);
  return maker;
}

describe("MarketMaker", () => {
  it("waits for the volatility warm-up before quoting", () => {
    const maker = warmMaker({}, 10);
    const quotes = createQuoteSet(1);
    expect(maker.computeQuotes(input(), quotes).status).toBe("warming-up");
    expect(quotes.bidSizes[0]).toBe(0);
  });

  it("quotes the basic model on the instrument's grid: 2 bps around 100 with zero volatility", () => {
    const quotes = createQuoteSet(1);
    const decision = warmMaker().computeQuotes(input(), quotes);
    expect(decision.status).toBe("quoting");
    expect(quotes.bidPrices[0]).toBeCloseTo(99.98, 10);
    expect(quotes.askPrices[0]).toBeCloseTo(100.02, 10);
    expect(quotes.bidSizes[0]).toBe(1); // $100 at 100
  });

  it("never quotes inside the fee floor, and says a rebate lowers it", () => {
    const quotes = createQuoteSet(1);
    const maker = warmMaker({ baseSpreadBps: 0.1, feeMarginBps: 0.5 });
    maker.computeQuotes(input(), quotes);
    // floor = (1.5 + 0.5) / (1 − 0.00015) ≈ 2.0003 bp → bid ≤ 99.97999…, snapped down to 99.97
    expect(maker.minHalfSpreadBps).toBeCloseTo(2.0003, 4);
    expect(quotes.bidPrices[0]).toBeCloseTo(99.97, 10);
    expect(quotes.askPrices[0]).toBeCloseTo(100.03, 10);
    const off = warmMaker({ baseSpreadBps: 0.1, feeAware: false });
    off.computeQuotes(input(), quotes);
    expect(off.minHalfSpreadBps).toBe(0);
    expect(quotes.askPrices[0]).toBeCloseTo(100.01, 10);
  });

  it("skews down when long and stops bidding at the position limit; reduce-only keeps only the reducing side", () => {
    const maker = warmMaker({ baseSpreadBps: 10 });
    const flat = createQuoteSet(1);
    const long = createQuoteSet(1);
    maker.computeQuotes(input(), flat);
    maker.computeQuotes(input({ positionSize: 2 }), long); // $200 of $500
    expect(long.bidPrices[0]!).toBeLessThan(flat.bidPrices[0]!);
    expect(long.askPrices[0]!).toBeLessThan(flat.askPrices[0]!);
    const full = createQuoteSet(1);
    maker.computeQuotes(input({ positionSize: 5 }), full); // at the $500 limit
    expect(full.bidSizes[0]).toBe(0);
    expect(full.askSizes[0]).toBe(1);
    const reduce = createQuoteSet(1);
    maker.computeQuotes(input({ positionSize: -0.5, riskMode: "reduce-only" }), reduce);
    expect(reduce.askSizes[0]).toBe(0);
    expect(reduce.bidSizes[0]).toBe(0.5); // a $100 order capped at the $50 short it reduces
  });

  it("caps reduce-only sizes at the position and halts on halt", () => {
    const maker = warmMaker({ baseSpreadBps: 10 });
    const quotes = createQuoteSet(1);
    maker.computeQuotes(input({ positionSize: -0.5, riskMode: "reduce-only" }), quotes);
    expect(quotes.bidSizes[0]).toBe(0.5);
    expect(maker.computeQuotes(input({ riskMode: "halt" }), quotes).status).toBe("halted");
    expect(quotes.bidSizes[0]).toBe(0);
  });

  it("gates levels so that all bids filling overshoot the limit by less than one order", () => {
    const maker = warmMaker({ levels: 3, baseSpreadBps: 10 });
    const quotes = createQuoteSet(3);
    maker.computeQuotes(input({ positionSize: 3.5 }), quotes); // $350: room for two more orders
    expect(Array.from(quotes.bidSizes)).toEqual([1, 1, 0]);
    expect(quotes.bidPrices[1]!).toBeLessThan(quotes.bidPrices[0]!);
  });

  it("never crosses a known book", () => {
    const maker = warmMaker({ baseSpreadBps: 0.5, feeAware: false });
    const quotes = createQuoteSet(1);
    maker.computeQuotes(input({ marketBid: 100.02, marketAsk: 100.03 }), quotes);
    expect(quotes.askPrices[0]!).toBeGreaterThan(100.02);
    maker.computeQuotes(input({ marketBid: 99.9, marketAsk: 99.95 }), quotes);
    expect(quotes.bidPrices[0]!).toBeLessThan(99.95);
  });

  it("runs the AS and GLFT models in bps of the mid", () => {
    for (const model of ["as", "glft"] as const) {
      const maker = warmMaker({ model });
      const flat = createQuoteSet(1);
      const long = createQuoteSet(1);
      maker.computeQuotes(input(), flat);
      maker.computeQuotes(input({ positionSize: 3 }), long);
      expect(flat.bidPrices[0]!).toBeLessThan(100);
      expect(flat.askPrices[0]!).toBeGreaterThan(100);
      expect(long.bidPrices[0]!).toBeLessThanOrEqual(flat.bidPrices[0]!);
    }
  });

  it("shifts the mid with the directional bias once it is warm", () => {
    const maker = new MarketMaker(parseStrategyConfig({ bias: true, biasStrength: 1 }), eth);
    for (let i = 0; i < 200; i++) maker.onBar(100 * (1 + i * 0.001) + (i % 2) * 0.05);
    const quotes = createQuoteSet(1);
    const decision = maker.computeQuotes(input({ midPrice: 120 }), quotes);
    expect(decision.bias).toBeGreaterThan(0);
    expect(decision.fairPrice).toBeGreaterThan(120);
  });

  it("widens the side whose fills were toxic", () => {
    const maker = warmMaker({ toxicityThresholdBps: 1, toxicityHorizonBars: 1, toxicityFills: 1 });
    const before = createQuoteSet(1);
    maker.computeQuotes(input(), before);
    maker.onOwnFill("buy", 100);
    maker.onBar(99.9); // bought at 100, marked at 99.9: −10 bp
    const after = createQuoteSet(1);
    maker.computeQuotes(input(), after);
    expect(maker.decision.bidHalfSpreadBps).toBeGreaterThan(maker.decision.askHalfSpreadBps);
    expect(after.bidPrices[0]!).toBeLessThan(before.bidPrices[0]!);
  });
});

describe("parseStrategyConfig", () => {
  it("fills in the defaults: Hyperliquid tier-0 fees as costs", () => {
    const config = parseStrategyConfig();
    expect(config).toMatchObject({
      model: "basic",
      baseSpreadBps: 2,
      volMultiplier: 1.5,
      inventorySkewFactor: 0.5,
      maxPositionUsd: 500,
      orderSizeUsd: 100,
      makerFee: 0.00015,
      takerFee: 0.00045,
    });
  });

  it("names each bad field", () => {
    expect(() => parseStrategyConfig({ baseSpreadBps: -1 })).toThrow(StrategyConfigError);
    expect(() => parseStrategyConfig({ baseSpreadBps: -1 })).toThrow(
      "baseSpreadBps: baseSpreadBps must be > 0",
    );
    expect(() => parseStrategyConfig({ makerFee: 1.5 })).toThrow(/makerFee must be a fraction of notional/);
    expect(() => parseStrategyConfig({ model: "magic" } as never)).toThrow(/model/);
    expect(() => parseStrategyConfig({ nope: 1 } as never)).toThrow(/nope/);
  });
});

describe("MarketMaker.hardLimitExitSize", () => {
  it("cuts a position beyond the hard limit back to the soft limit, and nothing inside it", () => {
    const maker = new MarketMaker(parseStrategyConfig({ maxPositionUsd: 500, hardLimitMultiple: 1.5 }), eth);
    expect(maker.hardLimitExitSize(7, 100)).toBe(0); // $700 ≤ $750
    expect(maker.hardLimitExitSize(8, 100)).toBeCloseTo(-3, 12); // $800 long → sell 3 to $500
    expect(maker.hardLimitExitSize(-8, 100)).toBeCloseTo(3, 12); // short → buy back
    expect(maker.hardLimitExitSize(8, Number.NaN)).toBe(0);
  });
});
