import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { QuoterInputError } from "./errors.ts";
import { canPayRoundTrip, minHalfSpreadBps, minHalfSpreadPrice, spreadBps, widenToFeeFloor } from "./fees.ts";

// Hyperliquid tier-0 maker fee: +0.015% = 0.00015 = 1.5 bps, a COST.
const HL_MAKER = 0.00015;

describe("minHalfSpreadBps / minHalfSpreadPrice", () => {
  it("a maker cost plus margin, hand-computed", () => {
    // (0.00015 + 0.00005) / (1 − 0.00015) = 0.0002 / 0.99985 = 0.000200030004500675 → 2.00030004500675 bps
    expect(minHalfSpreadBps({ makerFeeFraction: HL_MAKER, marginBps: 0.5 })).toBeCloseTo(
      2.00030004500675,
      12,
    );
    // no margin: 0.00015 / 0.99985 = 1.500225033755063 bps
    expect(minHalfSpreadBps({ makerFeeFraction: HL_MAKER })).toBeCloseTo(1.500225033755063, 12);
  });

  it("at the floor, each side's fill keeps exactly its margin after its own fee (the ask side binds)", () => {
    // mid 100: h = 0.0200030004500675. Ask fill at 100.0200030: fee = 0.00015 × 100.0200030 = 0.0150030005
    // edge − fee = 0.0200030005 − 0.0150030005 = 0.005 = 0.5 bps of the mid. The bid side keeps a little more.
    const h = minHalfSpreadPrice({ midPrice: 100, makerFeeFraction: HL_MAKER, marginBps: 0.5 });
    expect(h).toBeCloseTo(0.0200030004500675, 14);
    expect(h - HL_MAKER * (100 + h)).toBeCloseTo(0.005, 14);
    expect(h - HL_MAKER * (100 - h)).toBeGreaterThan(0.005);
  });

  it("a rebate (negative fee) lowers the floor, never below 0; the bid side binds", () => {
    // −0.0001 + 0 < 0 → 0
    expect(minHalfSpreadBps({ makerFeeFraction: -0.0001 })).toBe(0);
    // (−0.0001 + 0.0002) / (1 − 0.0001) = 0.0001 / 0.9999 → 1.00010001 bps
    const bps = minHalfSpreadBps({ makerFeeFraction: -0.0001, marginBps: 2 });
    expect(bps).toBeCloseTo(1.000100010001, 10);
    // bid fill at 100 − h earns h plus the rebate 0.0001 × (100 − h) = 0.02 = 2 bps of the mid
    const h = bps / 100;
    expect(h + 0.0001 * (100 - h)).toBeCloseTo(0.02, 14);
  });

  it("never confuses the sign: a cost always needs more spread than a rebate of the same size", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-6, max: 0.005, noNaN: true }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        (fee, marginBps) => {
          expect(minHalfSpreadBps({ makerFeeFraction: fee, marginBps })).toBeGreaterThan(
            minHalfSpreadBps({ makerFeeFraction: -fee, marginBps }),
          );
          expect(minHalfSpreadBps({ makerFeeFraction: fee, marginBps })).toBeGreaterThanOrEqual(
            fee * 10_000 + marginBps,
          );
        },
      ),
      { seed: 1 },
    );
  });

  it("rejects fees given in bps or percent, NaN, and a negative margin", () => {
    expect(() => minHalfSpreadBps({ makerFeeFraction: 1.5 })).toThrow(
      "makerFeeFraction must be a finite fraction in (-0.01, 0.01), positive = cost, negative = rebate (0.00015 = 1.5 bps), got 1.5",
    );
    expect(() => minHalfSpreadBps({ makerFeeFraction: 0.015 })).toThrow(QuoterInputError); // 0.015% written as 0.015
    expect(() => minHalfSpreadBps({ makerFeeFraction: Number.NaN })).toThrow(/^makerFeeFraction/);
    expect(() => minHalfSpreadBps({ makerFeeFraction: HL_MAKER, marginBps: -1 })).toThrow(
      /^marginBps must be/,
    );
    expect(() => minHalfSpreadPrice({ midPrice: 0, makerFeeFraction: HL_MAKER })).toThrow(
      /^midPrice must be/,
    );
  });
});

describe("spreadBps / canPayRoundTrip", () => {
  it("spread in bps of the mid", () => {
    // (100.01 − 99.99) / 100 × 10 000 = 2 bps
    expect(spreadBps(99.99, 100.01)).toBeCloseTo(2, 9);
    expect(spreadBps(100, 100)).toBe(0);
    expect(() => spreadBps(100.01, 99.99)).toThrow("askPrice must be >= bidPrice (100.01), got 99.99");
    expect(() => spreadBps(0, 1)).toThrow(/^bidPrice must be/);
  });

  it("a 2 bps market does not pay a 1.5 bps maker round trip (3 bps); 4 bps does", () => {
    expect(canPayRoundTrip({ bidPrice: 99.99, askPrice: 100.01, makerFeeFraction: HL_MAKER })).toBe(false);
    expect(canPayRoundTrip({ bidPrice: 99.98, askPrice: 100.02, makerFeeFraction: HL_MAKER })).toBe(true);
  });

  it("the margin is per round trip, in bps of the mid", () => {
    // 6 bps market: buy 99.97, sell 100.03 → 0.06 − 0.00015 × 200 = 0.03 = 3 bps of the mid after fees
    const market = { bidPrice: 99.97, askPrice: 100.03, makerFeeFraction: HL_MAKER };
    expect(canPayRoundTrip({ ...market, marginBps: 2.9 })).toBe(true);
    expect(canPayRoundTrip({ ...market, marginBps: 3.1 })).toBe(false);
  });

  it("a rebate pays even a zero spread", () => {
    expect(canPayRoundTrip({ bidPrice: 100, askPrice: 100, makerFeeFraction: -0.00002 })).toBe(true);
    expect(canPayRoundTrip({ bidPrice: 100, askPrice: 100, makerFeeFraction: 0.00002 })).toBe(false);
  });

  it("matches the round trip's PnL sign, for any market and fee", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 100_000, noNaN: true }),
        fc.double({ min: 0, max: 0.002, noNaN: true }),
        fc.double({ min: -0.0005, max: 0.0005, noNaN: true }),
        (mid, halfSpreadFraction, makerFeeFraction) => {
          const bidPrice = mid * (1 - halfSpreadFraction);
          const askPrice = mid * (1 + halfSpreadFraction);
          const pnl = askPrice - bidPrice - makerFeeFraction * (askPrice + bidPrice);
          fc.pre(Math.abs(pnl) > 1e-9 * mid);
          expect(canPayRoundTrip({ bidPrice, askPrice, makerFeeFraction })).toBe(pnl >= 0);
        },
      ),
      { seed: 2 },
    );
  });

  it("rejects a bad fee or margin", () => {
    expect(() => canPayRoundTrip({ bidPrice: 1, askPrice: 2, makerFeeFraction: -0.02 })).toThrow(
      /^makerFeeFraction/,
    );
    expect(() =>
      canPayRoundTrip({ bidPrice: 1, askPrice: 2, makerFeeFraction: 0, marginBps: Number.NaN }),
    ).toThrow(/^marginBps/);
  });
});

describe("widenToFeeFloor", () => {
  // floor at mid 100 with 1.5 bps cost: 100 × 1.500225033755063 / 10 000 = 0.01500225033755063
  const floor = 0.01500225033755063;

  it("moves only the side inside the floor", () => {
    const out = widenToFeeFloor({
      midPrice: 100,
      bidPrice: 99.98,
      askPrice: 100.01,
      makerFeeFraction: HL_MAKER,
    });
    expect(out.bidPrice).toBe(99.98);
    expect(out.askPrice).toBeCloseTo(100 + floor, 12);
    expect(out.widened).toBe(true);
  });

  it("moves both sides when both are inside", () => {
    const out = widenToFeeFloor({
      midPrice: 100,
      bidPrice: 99.995,
      askPrice: 100.005,
      makerFeeFraction: HL_MAKER,
    });
    expect(out.bidPrice).toBeCloseTo(100 - floor, 12);
    expect(out.askPrice).toBeCloseTo(100 + floor, 12);
  });

  it("leaves a wide enough pair untouched", () => {
    const out = widenToFeeFloor({
      midPrice: 100,
      bidPrice: 99.9,
      askPrice: 100.1,
      makerFeeFraction: HL_MAKER,
    });
    expect(out).toEqual({ bidPrice: 99.9, askPrice: 100.1, widened: false });
  });

  it("pushes a bid skewed above the mid back below it", () => {
    const out = widenToFeeFloor({
      midPrice: 100,
      bidPrice: 100.001,
      askPrice: 100.05,
      makerFeeFraction: HL_MAKER,
    });
    expect(out.bidPrice).toBeCloseTo(100 - floor, 12);
    expect(out.askPrice).toBe(100.05);
  });

  it("property: never narrows, never crosses, and every side ends at least the floor from the mid", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 100_000, noNaN: true }),
        fc.double({ min: -0.001, max: 0.001, noNaN: true }),
        fc.double({ min: 1e-6, max: 0.002, noNaN: true }),
        fc.double({ min: -0.0005, max: 0.0005, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (midPrice, skewFraction, halfFraction, makerFeeFraction, marginBps) => {
          const center = midPrice * (1 + skewFraction);
          const bidPrice = center * (1 - halfFraction);
          const askPrice = center * (1 + halfFraction);
          fc.pre(bidPrice < askPrice);
          const out = widenToFeeFloor({ midPrice, bidPrice, askPrice, makerFeeFraction, marginBps });
          const minHalf = minHalfSpreadPrice({ midPrice, makerFeeFraction, marginBps });
          expect(out.bidPrice).toBeLessThanOrEqual(bidPrice);
          expect(out.askPrice).toBeGreaterThanOrEqual(askPrice);
          expect(out.bidPrice).toBeLessThan(out.askPrice);
          expect(midPrice - out.bidPrice).toBeGreaterThanOrEqual(minHalf - 1e-9 * midPrice);
          expect(out.askPrice - midPrice).toBeGreaterThanOrEqual(minHalf - 1e-9 * midPrice);
        },
      ),
      { seed: 3 },
    );
  });

  it("rejects a crossed or invalid pair", () => {
    expect(() =>
      widenToFeeFloor({ midPrice: 100, bidPrice: 100.1, askPrice: 100, makerFeeFraction: HL_MAKER }),
    ).toThrow("bidPrice must be < askPrice (100), got 100.1");
    expect(() =>
      widenToFeeFloor({ midPrice: 100, bidPrice: -1, askPrice: 100, makerFeeFraction: HL_MAKER }),
    ).toThrow(/^bidPrice/);
    expect(() =>
      widenToFeeFloor({ midPrice: 100, bidPrice: 99, askPrice: Number.NaN, makerFeeFraction: HL_MAKER }),
    ).toThrow(/^askPrice/);
    expect(() =>
      widenToFeeFloor({ midPrice: 0, bidPrice: 99, askPrice: 101, makerFeeFraction: HL_MAKER }),
    ).toThrow(/^midPrice/);
  });
});
