import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hyperliquidPerpInstrument } from "./instrument.ts";
import { PriceGrid, priceStepAt, snapToStep } from "./price-step.ts";
import { isValidPrice, roundPrice } from "./rounding.ts";

const btc = hyperliquidPerpInstrument({ coin: "BTC", assetId: 0, szDecimals: 5, maxLeverage: 40 });
const eth = hyperliquidPerpInstrument({ coin: "ETH", assetId: 1, szDecimals: 4, maxLeverage: 25 });
const xrp = hyperliquidPerpInstrument({ coin: "XRP", assetId: 25, szDecimals: 0, maxLeverage: 20 });

describe("priceStepAt", () => {
  it("follows the significant-figure rule and never exceeds 1", () => {
    expect(priceStepAt(btc.priceRule, 43210)).toBe(1);
    expect(priceStepAt(btc.priceRule, 123456)).toBe(1);
    expect(priceStepAt(btc.priceRule, 999)).toBeCloseTo(0.1, 12);
    expect(priceStepAt(eth.priceRule, 3007.1)).toBeCloseTo(0.1, 12);
    expect(priceStepAt(xrp.priceRule, 0.5234)).toBeCloseTo(0.00001, 15);
    expect(priceStepAt({ type: "tick", tickSize: "0.1" }, 65000)).toBe(0.1);
  });

  it("agrees with the exact rounding on the same grid", () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 200_000, noNaN: true }), fc.boolean(), (price, isBid) => {
        const side = isBid ? "buy" : "sell";
        const fast = snapToStep(price, priceStepAt(btc.priceRule, price), side);
        const exact = Number(roundPrice(btc, price, side));
        expect(Math.abs(fast - exact)).toBeLessThan(1e-6 * price);
        expect(isValidPrice(btc, roundPrice(btc, fast, "nearest"))).toBe(true);
      }),
      { seed: 1 },
    );
  });
});

describe("snapToStep", () => {
  it("rounds bids down and asks up, leaving on-grid prices alone", () => {
    expect(snapToStep(43210.87, 1, "buy")).toBe(43210);
    expect(snapToStep(43210.87, 1, "sell")).toBe(43211);
    expect(snapToStep(0.3, 0.1, "sell")).toBeCloseTo(0.3, 12);
    expect(snapToStep(0.1 + 0.2, 0.1, "buy")).toBeCloseTo(0.3, 12);
  });
});

describe("priceStepAt at powers of ten", () => {
  it("steps up exactly at 1000, 10000 and 100000", () => {
    const rule = { type: "significant-figures", maxSignificantFigures: 5, maxDecimals: 6 } as const;
    expect(priceStepAt(rule, 999.99)).toBe(0.01);
    expect(priceStepAt(rule, 1000)).toBe(0.1);
    expect(priceStepAt(rule, 9999.9)).toBe(0.1);
    expect(priceStepAt(rule, 10000)).toBe(1);
    expect(priceStepAt(rule, 100000)).toBe(1);
    expect(priceStepAt(rule, 0.001234)).toBe(0.000001);
  });
});

describe("PriceGrid", () => {
  it("gives the same steps as priceStepAt across decades, in any order", () => {
    const grid = new PriceGrid(btc.priceRule);
    for (const price of [43210, 999.5, 1000, 100_000, 43210.5, 9.99, 10, 0.5, 120_000]) {
      expect(grid.stepAt(price)).toBe(priceStepAt(btc.priceRule, price));
    }
    expect(grid.snap(43210.87, "buy")).toBe(43210);
    const tick = new PriceGrid({ type: "tick", tickSize: "0.1" });
    expect(tick.stepAt(5)).toBe(0.1);
    expect(tick.stepAt(50_000)).toBe(0.1);
  });

  it("keeps the step of 1 across 100,000 and the decimals floor across small prices", () => {
    const grid = new PriceGrid(btc.priceRule);
    for (const price of [99_999.5, 100_000.5, 12_345, 1_000_000, 99_999]) expect(grid.stepAt(price)).toBe(1);
    expect(grid.stepAt(9_999.9)).toBe(0.1);
    const floored = new PriceGrid({ type: "significant-figures", maxSignificantFigures: 5, maxDecimals: 2 });
    for (const price of [0.5, 0.005, 9.99, 123.45]) expect(floored.stepAt(price)).toBe(0.01);
    expect(floored.stepAt(1234.5)).toBe(0.1);
    expect(floored.stepAt(0.5)).toBe(0.01);
  });

  it("gives priceStepAt's step for any rule and any sequence of prices (seeded)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 0, max: 8 }),
        fc.array(fc.double({ min: -4, max: 7, noNaN: true }), { minLength: 1, maxLength: 40 }),
        (maxSignificantFigures, maxDecimals, exponents) => {
          const rule = { type: "significant-figures" as const, maxSignificantFigures, maxDecimals };
          const grid = new PriceGrid(rule);
          for (const exponent of exponents) {
            const price = 10 ** exponent;
            expect(grid.stepAt(price)).toBe(priceStepAt(rule, price));
          }
        },
      ),
      { seed: 7 },
    );
  });
});
