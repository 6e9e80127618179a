import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { basicQuote, DEFAULT_BASIC_QUOTE_PARAMS } from "./basic.ts";
import { QuoterInputError } from "./errors.ts";

describe("basicQuote: hand-computed values", () => {
  it("defaults, long inventory inside the limit", () => {
    // half = 2 + 1.5 × 4 = 8 bps → 100 × 8 / 10 000 = 0.08
    // skew = 0.5 × clamp(250 / 500) = 0.25 → r = 100 − 0.25 × 0.08 = 99.98
    // bid = 99.98 − 0.08 = 99.90, ask = 99.98 + 0.08 = 100.06
    const quote = basicQuote({ midPrice: 100, volatilityBps: 4, inventoryUsd: 250 });
    expect(quote.halfSpreadBps).toBe(8);
    expect(quote.reservationPrice).toBeCloseTo(99.98, 12);
    expect(quote.bidPrice).toBeCloseTo(99.9, 12);
    expect(quote.askPrice).toBeCloseTo(100.06, 12);
  });

  it("the skew saturates at ±maxPositionUsd", () => {
    // half = 2 + 1.5 × 2 = 5 bps → 50 000 × 0.0005 = 25
    // 10 000 / 500 = 20 → clamp 1 → skew 0.5 → r = 50 000 − 0.5 × 25 = 49 987.5
    const quote = basicQuote({ midPrice: 50_000, volatilityBps: 2, inventoryUsd: 10_000 });
    expect(quote.halfSpreadBps).toBe(5);
    expect(quote.reservationPrice).toBeCloseTo(49_987.5, 9);
    expect(quote.bidPrice).toBeCloseTo(49_962.5, 9);
    expect(quote.askPrice).toBeCloseTo(50_012.5, 9);
  });

  it("a short inventory moves both quotes up", () => {
    // half = 5 bps = 25; skew = 0.5 × clamp(−500 / 500) = −0.5 → r = 50 000 + 12.5
    const quote = basicQuote({ midPrice: 50_000, volatilityBps: 2, inventoryUsd: -500 });
    expect(quote.reservationPrice).toBeCloseTo(50_012.5, 9);
    expect(quote.bidPrice).toBeCloseTo(49_987.5, 9);
    expect(quote.askPrice).toBeCloseTo(50_037.5, 9);
  });

  it("flat inventory quotes symmetrically around the mid", () => {
    // half = 2 + 1.5 × 0 = 2 bps → 3 000 × 0.0002 = 0.6
    const quote = basicQuote({ midPrice: 3_000, volatilityBps: 0, inventoryUsd: 0 });
    expect(quote.reservationPrice).toBe(3_000);
    expect(quote.bidPrice).toBeCloseTo(2_999.4, 9);
    expect(quote.askPrice).toBeCloseTo(3_000.6, 9);
  });

  it("partial params fall back to DEFAULT_BASIC_QUOTE_PARAMS field by field", () => {
    // base 5 + 1.5 × 2 = 8 bps; skew 0.5 × 100/1000 = 0.05 → r = 1000 − 0.05 × 0.8 = 999.96
    const quote = basicQuote(
      { midPrice: 1_000, volatilityBps: 2, inventoryUsd: 100 },
      { baseSpreadBps: 5, maxPositionUsd: 1_000 },
    );
    expect(quote.halfSpreadBps).toBe(8);
    expect(quote.reservationPrice).toBeCloseTo(999.96, 10);
    expect(DEFAULT_BASIC_QUOTE_PARAMS).toEqual({
      baseSpreadBps: 2,
      volMultiplier: 1.5,
      inventorySkewFactor: 0.5,
      maxPositionUsd: 500,
    });
    expect(Object.isFrozen(DEFAULT_BASIC_QUOTE_PARAMS)).toBe(true);
  });
});

describe("basicQuote: errors", () => {
  it("names the field and what was expected", () => {
    expect(() => basicQuote({ midPrice: 0, volatilityBps: 1, inventoryUsd: 0 })).toThrow(
      "midPrice must be a finite number > 0, got 0",
    );
    expect(() => basicQuote({ midPrice: 1, volatilityBps: Number.NaN, inventoryUsd: 0 })).toThrow(
      "volatilityBps must be a finite number >= 0, got NaN",
    );
    expect(() =>
      basicQuote({ midPrice: 1, volatilityBps: 1, inventoryUsd: Number.POSITIVE_INFINITY }),
    ).toThrow("inventoryUsd must be a finite number, got Infinity");
    for (const [field, value] of [
      ["baseSpreadBps", 0],
      ["volMultiplier", -1],
      ["inventorySkewFactor", -0.1],
      ["maxPositionUsd", 0],
    ] as const) {
      expect(() =>
        basicQuote({ midPrice: 1, volatilityBps: 1, inventoryUsd: 0 }, { [field]: value }),
      ).toThrow(expect.objectContaining({ code: "INVALID_INPUT", field }));
    }
  });

  it("a spread wider than the price is INFEASIBLE, not a negative bid", () => {
    expect(() =>
      basicQuote({ midPrice: 100, volatilityBps: 0, inventoryUsd: 500 }, { baseSpreadBps: 8_000 }),
    ).toThrow(expect.objectContaining({ code: "INFEASIBLE" }));
  });
});

// Valid domain for the properties: midPrice in [1e-3, 1e6], volatilityBps in [0, 500], inventoryUsd in
// [−2 000, 2 000], default params except inventorySkewFactor in [0.01, 1]. Then half ≤ 752 bps and
// |skew| ≤ 1, so the bid stays ≥ 85% of the mid.
const mid = fc.double({ min: 1e-3, max: 1e6, noNaN: true });
const vol = fc.double({ min: 0, max: 500, noNaN: true });
const inventory = fc.double({ min: -2_000, max: 2_000, noNaN: true });
const skewFactor = fc.double({ min: 0.01, max: 1, noNaN: true });

describe("basicQuote: properties", () => {
  it("quotes never cross and the bid stays positive", () => {
    fc.assert(
      fc.property(
        mid,
        vol,
        inventory,
        skewFactor,
        (midPrice, volatilityBps, inventoryUsd, inventorySkewFactor) => {
          const q = basicQuote({ midPrice, volatilityBps, inventoryUsd }, { inventorySkewFactor });
          expect(q.bidPrice).toBeGreaterThan(0);
          expect(q.bidPrice).toBeLessThan(q.askPrice);
          expect(q.bidPrice).toBeLessThan(q.reservationPrice);
          expect(q.reservationPrice).toBeLessThan(q.askPrice);
        },
      ),
      { seed: 1 },
    );
  });

  it("more long inventory → lower (or equal, once clamped) reservation price and bid; strictly lower inside the limit", () => {
    fc.assert(
      fc.property(
        mid,
        vol,
        inventory,
        inventory,
        skewFactor,
        (midPrice, volatilityBps, a, b, inventorySkewFactor) => {
          const lo = Math.min(a, b);
          const hi = Math.max(a, b);
          const qLo = basicQuote({ midPrice, volatilityBps, inventoryUsd: lo }, { inventorySkewFactor });
          const qHi = basicQuote({ midPrice, volatilityBps, inventoryUsd: hi }, { inventorySkewFactor });
          expect(qHi.reservationPrice).toBeLessThanOrEqual(qLo.reservationPrice);
          expect(qHi.bidPrice).toBeLessThanOrEqual(qLo.bidPrice);
          expect(qHi.askPrice).toBeLessThanOrEqual(qLo.askPrice);
          if (hi - lo >= 1 && lo >= -500 && hi <= 500) {
            expect(qHi.reservationPrice).toBeLessThan(qLo.reservationPrice);
            expect(qHi.bidPrice).toBeLessThan(qLo.bidPrice);
          }
        },
      ),
      { seed: 2 },
    );
  });

  it("more volatility → a wider half spread", () => {
    fc.assert(
      fc.property(mid, vol, vol, inventory, (midPrice, a, b, inventoryUsd) => {
        fc.pre(Math.abs(a - b) > 1e-9);
        const qLo = basicQuote({ midPrice, volatilityBps: Math.min(a, b), inventoryUsd });
        const qHi = basicQuote({ midPrice, volatilityBps: Math.max(a, b), inventoryUsd });
        expect(qHi.halfSpreadBps).toBeGreaterThan(qLo.halfSpreadBps);
        expect(qHi.askPrice - qHi.bidPrice).toBeGreaterThanOrEqual(qLo.askPrice - qLo.bidPrice);
      }),
      { seed: 3 },
    );
  });

  it("any non-finite or out-of-domain field throws a QuoterInputError naming it", () => {
    const bad = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, 0);
    fc.assert(
      fc.property(bad, fc.constantFrom("midPrice", "volatilityBps", "inventoryUsd"), (value, field) => {
        fc.pre(!(field === "inventoryUsd" && Number.isFinite(value)));
        fc.pre(!(field === "volatilityBps" && value === 0));
        const input = { midPrice: 100, volatilityBps: 3, inventoryUsd: 10, [field]: value };
        expect(() => basicQuote(input)).toThrow(QuoterInputError);
        expect(() => basicQuote(input)).toThrow(new RegExp(`^${field} must be`));
      }),
      { seed: 4 },
    );
  });
});

describe("basicQuote into a reused result", () => {
  it("overwrites and returns the given object with the same numbers", () => {
    const reused = { reservationPrice: 0, halfSpreadBps: 0, bidPrice: 0, askPrice: 0 };
    const input = { midPrice: 100, volatilityBps: 4, inventoryUsd: 250 };
    expect(basicQuote(input, {}, reused)).toBe(reused);
    expect(reused).toEqual(basicQuote(input));
  });
});
