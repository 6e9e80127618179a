import { describe, expect, it } from "vitest";
import {
  binanceErrorCode,
  fromWireClientId,
  instrumentFromMarket,
  orderStatusOf,
  prepareOrder,
  rejectionKindOf,
  toWireClientId,
} from "./convert.ts";

const market = {
  id: "BTCUSDT",
  symbol: "BTC/USDT:USDT",
  linear: true,
  swap: true,
  info: {
    filters: [
      { filterType: "PRICE_FILTER", tickSize: "0.10" },
      { filterType: "LOT_SIZE", stepSize: "0.001" },
      { filterType: "MIN_NOTIONAL", notional: "100" },
    ],
  },
};

describe("convert", () => {
  it("reads exact filters from exchangeInfo", () => {
    const btc = instrumentFromMarket(market, 0, 20);
    expect(btc).toMatchObject({
      priceRule: { tickSize: "0.1" },
      sizeRule: { stepSize: "0.001" },
      minNotionalUsd: 100,
    });
    expect(instrumentFromMarket({ ...market, info: {} }, 0, 20)).toMatch(/lacks PRICE_FILTER/);
  });

  it("rounds bids down, asks up, sizes down, and checks min notional after rounding", () => {
    const btc = instrumentFromMarket(market, 0, 20);
    if (typeof btc === "string") throw new Error(btc);
    expect(prepareOrder(btc, "buy", 60_000.19, 0.0029)).toEqual({
      ok: true,
      price: "60000.1",
      size: "0.002",
    });
    expect(prepareOrder(btc, "sell", 60_000.11, 0.002)).toEqual({
      ok: true,
      price: "60000.2",
      size: "0.002",
    });
    // 0.1 + 0.2 float noise must not round an ask up a whole tick.
    expect(prepareOrder(btc, "sell", 0.1 + 0.2 + 59_999.7, 0.002)).toMatchObject({ price: "60000" });
    expect(prepareOrder(btc, "buy", 60_000, 0.0019)).toMatchObject({ ok: false });
  });

  it("classifies Binance codes", () => {
    const code = binanceErrorCode(
      'binanceusdm {"code":-5022,"msg":"Due to the order could not be executed as maker"}',
    );
    expect(code).toBe(-5022);
    expect(rejectionKindOf(code)).toBe("post-only");
    expect(rejectionKindOf(-2011)).toBe("order-gone");
    expect(rejectionKindOf(-2013)).toBe("order-gone");
    expect(rejectionKindOf(-2019)).toBe("margin");
    expect(rejectionKindOf(null, "RateLimitExceeded")).toBe("rate-limit");
    expect(rejectionKindOf(-4164)).toBe("other");
  });

  it("round-trips client ids and ignores foreign ones", () => {
    expect(toWireClientId("botmm", "42")).toBe("botmm-42");
    expect(fromWireClientId("botmm", "botmm-42")).toBe("42");
    expect(fromWireClientId("botmm", "x-xcKtGhcu1")).toBeNull();
    expect(toWireClientId("botmm", "x".repeat(40))).toBeNull();
    expect(toWireClientId("botmm", "a b")).toBeNull();
  });

  it("maps order statuses", () => {
    expect(["NEW", "PARTIALLY_FILLED", "FILLED", "CANCELED", "EXPIRED"].map(orderStatusOf)).toEqual([
      "open",
      "open",
      "filled",
      "cancelled",
      "cancelled",
    ]);
  });
});
