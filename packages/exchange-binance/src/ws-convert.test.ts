import { bookTopFromRows, l2BookFromRows } from "@botmm/core";
import { describe, expect, it } from "vitest";
import { fromWireClientId } from "./convert.ts";
import {
  type BinanceOrderUpdateJson,
  bookFromCcxt,
  fillFromOrderUpdate,
  fillFromUserTrade,
  fillKey,
  orderUpdateFromBinance,
  topFromCcxt,
  tradeFromBinance,
} from "./ws-convert.ts";

const core = (wire: string) => fromWireClientId("botmm", wire);

const update: BinanceOrderUpdateJson = {
  s: "BTCUSDT",
  c: "botmm-7",
  S: "SELL",
  x: "TRADE",
  X: "PARTIALLY_FILLED",
  i: 1_000_042,
  l: "0.002",
  L: "60000",
  n: "0.024",
  T: 1_700_000_000_123,
  t: 9,
  m: true,
};

describe("stream conversions", () => {
  it("keeps the old book names as core's row conversions", () => {
    expect(bookFromCcxt).toBe(l2BookFromRows);
    expect(topFromCcxt).toBe(bookTopFromRows);
  });

  it("reads the aggressor from m (buyer is maker → the taker sold)", () => {
    const base = { s: "BTCUSDT", t: 7, p: "60000", q: "0.01", T: 5 };
    expect(tradeFromBinance({ ...base, m: true }).side).toBe("sell");
    expect(tradeFromBinance({ ...base, m: false })).toEqual({
      coin: "BTCUSDT",
      time: 5,
      side: "buy",
      price: 60_000,
      size: 0.01,
      id: "7",
    });
  });

  it("maps ORDER_TRADE_UPDATE to an order update and a fill, foreign client ids to null", () => {
    expect(orderUpdateFromBinance(update, core)).toEqual({
      clientId: "7",
      venueOrderId: "1000042",
      coin: "BTCUSDT",
      status: "open",
      time: 1_700_000_000_123,
    });
    expect(orderUpdateFromBinance({ ...update, x: "EXPIRED", X: "EXPIRED" }, core)).toMatchObject({
      status: "cancelled",
      reason: "EXPIRED",
    });
    expect(orderUpdateFromBinance({ ...update, c: "x-xcKtGhcu1" }, core).clientId).toBeNull();
    expect(fillFromOrderUpdate(update, core)).toEqual({
      clientId: "7",
      venueOrderId: "1000042",
      tradeId: "9",
      coin: "BTCUSDT",
      side: "sell",
      price: 60_000,
      size: 0.002,
      fee: 0.024,
      liquidity: "maker",
      time: 1_700_000_000_123,
    });
  });

  it("gives a REST userTrades row the same dedupe key as the stream's fill of that trade", () => {
    const rest = fillFromUserTrade(
      {
        symbol: "BTCUSDT",
        id: 9,
        orderId: 1_000_042,
        side: "SELL",
        price: "60000",
        qty: "0.002",
        commission: "0.024",
        maker: true,
        time: 1_700_000_000_123,
      },
      "7",
    );
    expect(rest).toEqual(fillFromOrderUpdate(update, core));
    expect(fillKey(rest)).toBe("BTCUSDT:9:1000042");
    expect(fillKey(rest)).not.toBe(fillKey({ ...rest, venueOrderId: "1000043" }));
  });
});
