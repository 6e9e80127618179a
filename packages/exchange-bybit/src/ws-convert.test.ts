import { systemClock } from "@botmm/core";
import { describe, expect, it } from "vitest";
import type { BybitOrderJson } from "./convert.ts";
import { bybitWsUrls, resolveBybitOptions } from "./options.ts";
import { orderUpdateFromBybit, tradeFromBybit } from "./ws-convert.ts";

const row = (over: Partial<BybitOrderJson>): BybitOrderJson => ({
  orderId: "o-1",
  orderLinkId: "botmm-7",
  symbol: "BTCUSDT",
  side: "Sell",
  price: "60000",
  qty: "0.002",
  cumExecQty: "0",
  orderStatus: "New",
  timeInForce: "PostOnly",
  createdTime: "5",
  updatedTime: "6",
  ...over,
});
const clientIdOf = (wire: string) => (wire.startsWith("botmm-") ? wire.slice(6) : null);

describe("Bybit stream rows", () => {
  it("reads a publicTrade row with the taker's side", () => {
    expect(tradeFromBybit({ T: "9", s: "BTCUSDT", S: "Sell", v: "0.01", p: "59999.9", i: "t-1" })).toEqual({
      coin: "BTCUSDT",
      time: 9,
      side: "sell",
      price: 59_999.9,
      size: 0.01,
      id: "t-1",
    });
  });

  it("reads order rows; a PostOnly Bybit cancelled for crossing is rejected with its reason", () => {
    expect(orderUpdateFromBybit(row({}), clientIdOf)).toEqual({
      clientId: "7",
      venueOrderId: "o-1",
      coin: "BTCUSDT",
      status: "open",
      time: 6,
    });
    const crossed = row({ orderStatus: "Cancelled", rejectReason: "EC_PostOnlyWillTakeLiquidity" });
    expect(orderUpdateFromBybit(crossed, clientIdOf)).toMatchObject({
      status: "rejected",
      reason: "EC_PostOnlyWillTakeLiquidity",
    });
    const cancelled = row({ orderStatus: "Cancelled", rejectReason: "EC_NoError", orderLinkId: "manual" });
    expect(orderUpdateFromBybit(cancelled, clientIdOf)).toEqual({
      clientId: null,
      venueOrderId: "o-1",
      coin: "BTCUSDT",
      status: "cancelled",
      time: 6,
    });
  });

  it("points ccxt's WebSockets at one root: Bybit's for mainnet and testnet, the emulator's host otherwise", () => {
    expect(bybitWsUrls("ws://127.0.0.1:4000/")).toEqual({
      public: { linear: "ws://127.0.0.1:4000/v5/public/linear" },
      private: { contract: "ws://127.0.0.1:4000/v5/private" },
    });
    const keys = { apiKey: "k", secret: "s", clock: systemClock() };
    expect(resolveBybitOptions({ network: "mainnet", ...keys }).wsUrls.private.contract).toBe(
      "wss://stream.bybit.com/v5/private",
    );
    expect(resolveBybitOptions({ network: "testnet", ...keys }).wsUrls.public.linear).toBe(
      "wss://stream-testnet.bybit.com/v5/public/linear",
    );
    expect(
      resolveBybitOptions({ network: { baseUrl: "http://127.0.0.1:5000" }, ...keys }).wsUrls.public.linear,
    ).toBe("ws://127.0.0.1:5000/v5/public/linear");
    expect(() =>
      resolveBybitOptions({ network: { baseUrl: "http://127.0.0.1:5000", wsUrl: "ftp://x" }, ...keys }),
    ).toThrow(/network/);
  });
});
