import { describe, expect, it } from "vitest";
import { BotmmError, RoundingError } from "./errors.ts";
import { hyperliquidPerpInstrument, instrumentSchema, lotStepOf } from "./instrument.ts";

describe("hyperliquidPerpInstrument", () => {
  it("derives the price rule from szDecimals", () => {
    const btc = hyperliquidPerpInstrument({ coin: "BTC", assetId: 0, szDecimals: 5, maxLeverage: 40 });
    expect(btc.priceRule).toEqual({ type: "significant-figures", maxSignificantFigures: 5, maxDecimals: 1 });
    expect(btc.sizeRule).toEqual({ type: "decimals", decimals: 5 });
    expect(btc.minNotionalUsd).toBe(10);
    const xrp = hyperliquidPerpInstrument({ coin: "XRP", assetId: 25, szDecimals: 0, maxLeverage: 20 });
    expect(xrp.priceRule).toMatchObject({ maxDecimals: 6 });
  });

  it("rejects a malformed instrument naming the field", () => {
    expect(() =>
      hyperliquidPerpInstrument({ coin: "BTC", assetId: -1, szDecimals: 5, maxLeverage: 40 }),
    ).toThrow(/assetId/);
    const parsed = instrumentSchema.safeParse({
      venue: "x",
      coin: "Y",
      assetId: 0,
      priceRule: { type: "tick", tickSize: "0,1" },
    });
    expect(parsed.success).toBe(false);
  });
});

describe("errors", () => {
  it("carry a stable code and their class name", () => {
    const error = new RoundingError("INVALID_PRICE", "price must be > 0");
    expect(error).toBeInstanceOf(BotmmError);
    expect(error.name).toBe("RoundingError");
    expect(error.code).toBe("INVALID_PRICE");
  });
});

describe("lotStepOf", () => {
  it("reads the size step of both rule kinds", () => {
    expect(lotStepOf({ sizeRule: { type: "decimals", decimals: 5 } })).toBeCloseTo(0.00001, 15);
    expect(lotStepOf({ sizeRule: { type: "decimals", decimals: 0 } })).toBe(1);
    expect(lotStepOf({ sizeRule: { type: "step", stepSize: "0.001" } })).toBe(0.001);
  });
});
