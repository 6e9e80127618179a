import { type Instrument, instrumentSchema } from "@botmm/core";
import { describe, expect, it } from "vitest";
import { orderBelowMinimumNotional } from "./order-size-check.ts";

const binanceBtc = instrumentSchema.parse({
  venue: "binance",
  coin: "BTCUSDT",
  assetId: 0,
  priceRule: { type: "tick", tickSize: "0.10" },
  sizeRule: { type: "step", stepSize: "0.001" },
  minNotionalUsd: 100,
  maxLeverage: 20,
}) as Instrument;

describe("orderBelowMinimumNotional", () => {
  it("gives the rounded order's notional when it is under the venue's minimum", () => {
    // $100 at 97,000 is 0.00103 BTC: one lot of 0.001, $97.
    expect(orderBelowMinimumNotional(binanceBtc, 100, 97_000)).toBeCloseTo(97, 9);
    expect(orderBelowMinimumNotional(binanceBtc, 90, 97_000)).toBe(0);
  });

  it("is null when the rounded order meets the minimum, or the price is unknown", () => {
    expect(orderBelowMinimumNotional(binanceBtc, 200, 97_000)).toBeNull();
    expect(orderBelowMinimumNotional(binanceBtc, 100, 100_000)).toBeNull();
    expect(orderBelowMinimumNotional(binanceBtc, 100, Number.NaN)).toBeNull();
  });

  it("is null on a venue without a minimum", () => {
    expect(orderBelowMinimumNotional({ ...binanceBtc, minNotionalUsd: 0 }, 1, 97_000)).toBeNull();
  });
});
