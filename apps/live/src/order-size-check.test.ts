import { describe, expect, it } from "vitest";
import { orderBelowMinimumNotional } from "./order-size-check.ts";
import { BINANCE_BTC } from "./test-support.ts";

describe("orderBelowMinimumNotional", () => {
  it("gives the rounded order's notional when it is under the venue's minimum", () => {
    // $100 at 97,000 is 0.00103 BTC: one lot of 0.001, $97.
    expect(orderBelowMinimumNotional(BINANCE_BTC, 100, 97_000)).toBeCloseTo(97, 9);
    expect(orderBelowMinimumNotional(BINANCE_BTC, 90, 97_000)).toBe(0);
  });

  it("is null when the rounded order meets the minimum, or the price is unknown", () => {
    expect(orderBelowMinimumNotional(BINANCE_BTC, 200, 97_000)).toBeNull();
    expect(orderBelowMinimumNotional(BINANCE_BTC, 100, 100_000)).toBeNull();
    expect(orderBelowMinimumNotional(BINANCE_BTC, 100, Number.NaN)).toBeNull();
  });

  it("is null on a venue without a minimum", () => {
    expect(orderBelowMinimumNotional({ ...BINANCE_BTC, minNotionalUsd: 0 }, 1, 97_000)).toBeNull();
  });
});
