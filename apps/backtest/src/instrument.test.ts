import { describe, expect, it } from "vitest";
import { backtestInstrument, knownSzDecimals } from "./instrument.ts";

describe("backtestInstrument", () => {
  it("uses Hyperliquid's grid of a built-in coin", () => {
    const btc = backtestInstrument("BTC", undefined, undefined);
    expect(btc.sizeRule).toEqual({ type: "decimals", decimals: 5 });
    expect(btc.priceRule).toEqual({ type: "significant-figures", maxSignificantFigures: 5, maxDecimals: 1 });
  });

  it("refuses to guess the grid of a coin it does not know", () => {
    expect(knownSzDecimals("NOPE")).toBeUndefined();
    expect(knownSzDecimals("toString")).toBeUndefined();
    expect(() => backtestInstrument("NOPE", undefined, "0.01")).toThrow(/--sz-decimals/);
  });

  it("trades an unknown coin on the size decimals and tick it is given", () => {
    const nope = backtestInstrument("NOPE", 2, "0.01");
    expect(nope.sizeRule).toEqual({ type: "decimals", decimals: 2 });
    expect(nope.priceRule).toEqual({ type: "tick", tickSize: "0.01" });
  });
});
