import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RoundingError } from "./errors.ts";
import { hyperliquidPerpInstrument, type Instrument } from "./instrument.ts";
import {
  isValidPrice,
  isValidSize,
  meetsMinNotional,
  roundPrice,
  roundSize,
  toWireDecimal,
} from "./rounding.ts";

// szDecimals as Hyperliquid's meta gives them: BTC 5, ETH 4, SOL 2, XRP 0 → max price decimals 1, 2, 4, 6.
const btc = hyperliquidPerpInstrument({ coin: "BTC", assetId: 0, szDecimals: 5, maxLeverage: 40 });
const eth = hyperliquidPerpInstrument({ coin: "ETH", assetId: 1, szDecimals: 4, maxLeverage: 25 });
const sol = hyperliquidPerpInstrument({ coin: "SOL", assetId: 5, szDecimals: 2, maxLeverage: 20 });
const xrp = hyperliquidPerpInstrument({ coin: "XRP", assetId: 25, szDecimals: 0, maxLeverage: 20 });
const binanceBtc: Instrument = {
  venue: "binance",
  coin: "BTCUSDT",
  assetId: 0,
  priceRule: { type: "tick", tickSize: "0.1" },
  sizeRule: { type: "step", stepSize: "0.001" },
  minNotionalUsd: 100,
  maxLeverage: 125,
};

function expectRoundingError(run: () => unknown, code: string): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(RoundingError);
    expect((error as RoundingError).code).toBe(code);
    return;
  }
  throw new Error(`expected RoundingError ${code}, nothing was thrown`);
}

describe("roundPrice on Hyperliquid perps (≤ 5 significant figures, ≤ 6 − szDecimals decimals)", () => {
  it.each([
    // coin, price, bid (down), ask (up)
    [btc, 43210.87, "43210", "43211"], // 5 integer digits leave no decimals
    [btc, 999.95, "999.9", "1000"], // 3 integer digits: 2 decimals by sig figs, capped at 1 by szDecimals 5
    [eth, 3007.15, "3007.1", "3007.2"],
    [eth, 12.3456, "12.34", "12.35"], // capped at 2 decimals (6 − 4)
    [sol, 145.6789, "145.67", "145.68"],
    [sol, 0.123456, "0.1234", "0.1235"], // capped at 4 decimals
    [xrp, 0.523456, "0.52345", "0.52346"],
    [xrp, 0.0000123456, "0.000012", "0.000013"], // tiny: 6 decimals win over 5 significant figures
  ] as const)("%s.coin %d → bid %s, ask %s", (instrument, price, bid, ask) => {
    expect(roundPrice(instrument, price, "buy")).toBe(bid);
    expect(roundPrice(instrument, price, "sell")).toBe(ask);
    expect(roundPrice(instrument, price, "down")).toBe(bid);
    expect(roundPrice(instrument, price, "up")).toBe(ask);
  });

  it("keeps integers valid past 5 significant figures: 99999.5 vs 100000", () => {
    expect(roundPrice(btc, 99999.5, "buy")).toBe("99999");
    expect(roundPrice(btc, 99999.5, "sell")).toBe("100000");
    expect(roundPrice(btc, 100000.5, "buy")).toBe("100000");
    expect(roundPrice(btc, 100000.5, "sell")).toBe("100001");
    expect(roundPrice(btc, 123456.7, "nearest")).toBe("123457");
    expect(isValidPrice(btc, "100001")).toBe(true);
    expect(isValidPrice(btc, "99999.5")).toBe(false);
  });

  it("never turns float noise into a whole tick", () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(roundPrice(sol, 0.1 + 0.2, "sell")).toBe("0.3");
    expect(roundPrice(eth, 3007.1 * 3 - 6014.2, "sell")).toBe("3007.1");
  });

  it("writes wire strings without trailing zeros", () => {
    expect(roundPrice(btc, 50000.0, "buy")).toBe("50000");
    expect(roundPrice(eth, 3007.1, "sell")).toBe("3007.1");
    expect(roundPrice(eth, 3007.0, "nearest")).toBe("3007");
  });

  it("rounds half up in nearest mode", () => {
    expect(roundPrice(eth, 3007.15, "nearest")).toBe("3007.2");
    expect(roundPrice(eth, 3007.14, "nearest")).toBe("3007.1");
  });

  it("rejects NaN, infinities, zero and negative prices with a clear error", () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, 0, -1]) {
      expectRoundingError(() => roundPrice(btc, bad, "buy"), "INVALID_PRICE");
    }
    expect(() => roundPrice(btc, -1, "buy")).toThrow("price must be a finite number > 0, got -1");
  });

  it("refuses a bid that rounds to zero but lets the ask round up to the smallest price", () => {
    expectRoundingError(() => roundPrice(xrp, 0.0000001, "buy"), "PRICE_ROUNDS_TO_ZERO");
    expect(roundPrice(xrp, 0.0000001, "sell")).toBe("0.000001");
  });

  it("property: bid ≤ price ≤ ask, both valid, at most one step apart", () => {
    const instruments = [btc, eth, sol, xrp];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.double({ min: 1, max: 500_000, noNaN: true }),
        (index, price) => {
          const instrument = instruments[index]!;
          const bid = roundPrice(instrument, price, "buy");
          const ask = roundPrice(instrument, price, "sell");
          expect(isValidPrice(instrument, bid)).toBe(true);
          expect(isValidPrice(instrument, ask)).toBe(true);
          expect(Number(bid)).toBeLessThanOrEqual(Number(price.toPrecision(15)));
          expect(Number(ask)).toBeGreaterThanOrEqual(Number(price.toPrecision(15)));
          // Rounding moves at most one step of the coarser grid, so a bid and an ask bracket the price tightly.
          expect(Number(ask) - Number(bid)).toBeLessThanOrEqual(Math.max(1, price * 1e-4) + 1e-9);
        },
      ),
      { seed: 1 },
    );
  });
});

describe("roundPrice with a tick size (Binance-style)", () => {
  it("rounds to multiples of the tick, side-aware", () => {
    expect(roundPrice(binanceBtc, 100.05, "buy")).toBe("100");
    expect(roundPrice(binanceBtc, 100.05, "sell")).toBe("100.1");
    expect(roundPrice(binanceBtc, 65432.1, "sell")).toBe("65432.1");
    expect(isValidPrice(binanceBtc, "65432.15")).toBe(false);
    expect(isValidPrice(binanceBtc, "65432.1")).toBe(true);
  });
});

describe("roundSize", () => {
  it.each([
    [btc, 0.123456, "0.12345"],
    [eth, 1.23456, "1.2345"],
    [sol, 1.239, "1.23"],
    [xrp, 12.7, "12"],
  ] as const)("%s.coin %d rounds down to %s", (instrument, size, expected) => {
    expect(roundSize(instrument, size)).toBe(expected);
    expect(isValidSize(instrument, expected)).toBe(true);
  });

  it("rounds up or to nearest when asked", () => {
    expect(roundSize(sol, 1.231, "up")).toBe("1.24");
    expect(roundSize(sol, 1.235, "nearest")).toBe("1.24");
    expect(roundSize(binanceBtc, 0.0125)).toBe("0.012");
    expect(roundSize(binanceBtc, 0.0125, "up")).toBe("0.013");
  });

  it("refuses sizes below one lot and invalid sizes", () => {
    expectRoundingError(() => roundSize(xrp, 0.4), "SIZE_ROUNDS_TO_ZERO");
    expectRoundingError(() => roundSize(btc, Number.NaN), "INVALID_SIZE");
    expectRoundingError(() => roundSize(btc, -0.1), "INVALID_SIZE");
    expect(() => roundSize(xrp, 0.4)).toThrow("XRP's 0 size decimals");
  });
});

describe("validity checks and wire helpers", () => {
  it("checks sizes and prices given as strings", () => {
    expect(isValidSize(sol, "1.234")).toBe(false);
    expect(isValidSize(sol, "0")).toBe(false);
    expect(isValidSize(sol, "abc")).toBe(false);
    expect(isValidSize(binanceBtc, "0.002")).toBe(true);
    expect(isValidSize(binanceBtc, "0.0025")).toBe(false);
    expect(isValidPrice(eth, "-3007")).toBe(false);
    expect(isValidPrice(eth, "")).toBe(false);
  });

  it("normalises decimals for signing", () => {
    expect(toWireDecimal("50000.0")).toBe("50000");
    expect(toWireDecimal("0.000100")).toBe("0.0001");
    expect(toWireDecimal(0.0001)).toBe("0.0001");
    expect(toWireDecimal(1e-7)).toBe("0.0000001");
    expect(() => toWireDecimal("1,5")).toThrow("expected a finite decimal, got 1,5");
    expect(() => toWireDecimal(Number.NaN)).toThrow(RoundingError);
  });

  it("checks the minimum order value exactly", () => {
    expect(meetsMinNotional(btc, "43210", "0.0002")).toBe(false); // $8.642
    expect(meetsMinNotional(btc, "43210", "0.00024")).toBe(true); // $10.3704
    expect(meetsMinNotional(btc, "50000", "0.0002")).toBe(true); // exactly $10
    expect(meetsMinNotional(btc, "x", "0.0002")).toBe(false);
  });
});
