import { describe, expect, it } from "vitest";
import { binanceSpecInstrument, DEFAULT_BINANCE_SYMBOLS } from "./emulator.ts";
import { BINANCE_ERRORS, type EmulatedOrder, MatchingEngine } from "./engine.ts";

const btc = binanceSpecInstrument(DEFAULT_BINANCE_SYMBOLS[0]!, 0);
const engine = () =>
  new MatchingEngine([{ instrument: btc, midPrice: 60_000 }], { houseLevels: 3, houseSize: 1 });
const order = { symbol: "BTCUSDT", quantity: "0.002", reduceOnly: false } as const;

describe("MatchingEngine", () => {
  it("rests house liquidity one tick either side of mid", () => {
    const { bid, ask } = engine().top("BTCUSDT");
    expect([bid?.price, ask?.price]).toEqual(["59999.90", "60000.10"]); // padded to pricePrecision, as Binance prints;
  });

  it("refuses a crossing GTX with −5022 and off-tick prices with −4014", () => {
    const e = engine();
    expect(
      e.place("a", { ...order, side: "BUY", timeInForce: "GTX", price: "60000.1", clientOrderId: "x" }, 1),
    ).toBe(BINANCE_ERRORS.postOnlyRejected);
    expect(
      e.place("a", { ...order, side: "BUY", timeInForce: "GTX", price: "60000.05", clientOrderId: "y" }, 1),
    ).toBe(BINANCE_ERRORS.badTick);
    expect(e.openOrders("a")).toEqual([]);
  });

  it("matches GTC at the resting price, partial across levels, and tracks the position", () => {
    const e = engine();
    const placed = e.place(
      "a",
      { ...order, side: "BUY", timeInForce: "GTC", price: "60000.2", quantity: "1.5", clientOrderId: "t" },
      1,
    ) as EmulatedOrder;
    expect(placed.status).toBe("FILLED");
    expect(e.position("a", "BTCUSDT").size).toBe(1.5);
    expect(e.position("a", "BTCUSDT").entryPrice).toBeCloseTo((60_000.1 + 0.5 * 60_000.2) / 1.5, 6);
  });

  it("refuses a duplicate live client id (−4116) and answers −2011 / −2013 for unknown orders", () => {
    const e = engine();
    const rest = { ...order, side: "BUY", timeInForce: "GTX", price: "59990", clientOrderId: "d" } as const;
    expect("orderId" in e.place("a", rest, 1)).toBe(true);
    expect(e.place("a", rest, 2)).toBe(BINANCE_ERRORS.duplicateClientId);
    expect(e.cancel("a", { symbol: "BTCUSDT", origClientOrderId: "nope" }, 3)).toBe(
      BINANCE_ERRORS.unknownOrder,
    );
    expect(e.modify("a", { symbol: "BTCUSDT", origClientOrderId: "nope" }, "59990", "0.002", 3)).toBe(
      BINANCE_ERRORS.orderDoesNotExist,
    );
  });

  it("cancels a post-only order whose modify would cross", () => {
    const e = engine();
    e.place("a", { ...order, side: "SELL", timeInForce: "GTX", price: "60010", clientOrderId: "m" }, 1);
    expect(e.modify("a", { symbol: "BTCUSDT", origClientOrderId: "m" }, "59999.9", "0.002", 2)).toBe(
      BINANCE_ERRORS.postOnlyRejected,
    );
    expect(e.openOrders("a")).toEqual([]);
  });
});
