import { ManualClock } from "@botmm/core";
import { describe, expect, it } from "vitest";
import { BybitRequestBudget } from "./budget.ts";
import {
  bybitOrderStatus,
  bybitRejectionKind,
  bybitRetCode,
  fromBybitLinkId,
  instrumentFromBybitMarket,
  orderFromBybit,
  prepareBybitOrder,
  toBybitLinkId,
} from "./convert.ts";
import { resolveBybitOptions } from "./options.ts";

const market = {
  id: "BTCUSDT",
  symbol: "BTC/USDT:USDT",
  linear: true,
  swap: true,
  info: {
    priceFilter: { tickSize: "0.10" },
    lotSizeFilter: { qtyStep: "0.001", minNotionalValue: "5" },
    leverageFilter: { maxLeverage: "100.00" },
  },
};

describe("convert", () => {
  it("reads the exact filters from instruments-info", () => {
    expect(instrumentFromBybitMarket(market, 0)).toMatchObject({
      priceRule: { tickSize: "0.1" },
      sizeRule: { stepSize: "0.001" },
      minNotionalUsd: 5,
      maxLeverage: 100,
    });
    expect(instrumentFromBybitMarket({ ...market, info: {} }, 0)).toMatch(/lacks priceFilter.tickSize/);
  });

  it("rounds bids down, asks up, sizes down, and checks minNotionalValue after rounding", () => {
    const btc = instrumentFromBybitMarket(market, 0);
    if (typeof btc === "string") throw new Error(btc);
    expect(prepareBybitOrder(btc, "buy", 60_000.19, 0.0029)).toEqual({
      ok: true,
      price: "60000.1",
      size: "0.002",
    });
    expect(prepareBybitOrder(btc, "sell", 60_000.11, 0.002)).toEqual({
      ok: true,
      price: "60000.2",
      size: "0.002",
    });
    expect(prepareBybitOrder(btc, "sell", 0.1 + 0.2 + 59_999.7, 0.002)).toMatchObject({ price: "60000" });
    expect(prepareBybitOrder(btc, "buy", 4_000, 0.001)).toMatchObject({ ok: false });
  });

  it("classifies Bybit retCodes into the kernel's rejection kinds", () => {
    const code = bybitRetCode('bybit {"retCode":110001,"retMsg":"order not exists or too late to cancel"}');
    expect(code).toBe(110001);
    expect(bybitRejectionKind(code)).toBe("order-gone");
    expect(bybitRejectionKind(170213)).toBe("order-gone");
    expect(bybitRejectionKind(170218)).toBe("post-only");
    expect(bybitRejectionKind(110007)).toBe("margin");
    expect(bybitRejectionKind(10006)).toBe("rate-limit");
    expect(bybitRejectionKind(null, "RateLimitExceeded")).toBe("rate-limit");
    expect(bybitRejectionKind(110094)).toBe("other");
  });

  it("round-trips orderLinkIds and ignores foreign ones", () => {
    expect(toBybitLinkId("botmm", "42")).toBe("botmm-42");
    expect(fromBybitLinkId("botmm", "botmm-42")).toBe("42");
    expect(fromBybitLinkId("botmm", "")).toBeNull();
    expect(toBybitLinkId("botmm", "x".repeat(40))).toBeNull();
    expect(toBybitLinkId("botmm", "a.b")).toBeNull();
  });

  it("maps order statuses and PostOnly time in force", () => {
    expect(
      ["New", "PartiallyFilled", "Filled", "Cancelled", "Rejected", "Untriggered"].map(bybitOrderStatus),
    ).toEqual(["open", "open", "filled", "cancelled", "rejected", "open"]);
    const row = {
      orderId: "u",
      orderLinkId: "botmm-7",
      symbol: "BTCUSDT",
      side: "Sell",
      price: "60010",
      qty: "0.003",
      cumExecQty: "0.001",
      orderStatus: "PartiallyFilled",
      timeInForce: "PostOnly",
      createdTime: "5",
      updatedTime: "6",
    };
    expect(orderFromBybit("7", row)).toMatchObject({
      side: "sell",
      size: 0.003,
      filledSize: 0.001,
      status: "open",
      timeInForce: "alo",
      createdAt: 5,
      updatedAt: 6,
    });
  });
});

describe("options and budget", () => {
  it("needs mainnet by name, names the bad field and never echoes the key", () => {
    const clock = new ManualClock(0);
    expect(resolveBybitOptions({ network: "testnet", apiKey: "k", secret: "s", clock }).urls.private).toBe(
      "https://api-testnet.bybit.com",
    );
    expect(() =>
      resolveBybitOptions({ network: "main" as "mainnet", apiKey: "k-secret-key", secret: "s", clock }),
    ).toThrow(/network/);
    let message = "";
    try {
      resolveBybitOptions({
        network: "mainnet",
        apiKey: "k-secret-key",
        secret: "s",
        clock,
        recvWindowMs: -1,
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/recvWindowMs/);
    expect(message).not.toContain("k-secret-key");
  });

  it("tracks Bybit's per-second endpoint windows and the 5 s IP window", () => {
    const clock = new ManualClock(0);
    const budget = new BybitRequestBudget(clock, {
      createPerSecond: 2,
      amendPerSecond: 10,
      cancelPerSecond: 10,
      queryPerSecond: 50,
      dcpPerSecond: 5,
      ipPer5s: 3,
    });
    budget.record("create", 2);
    expect(budget.canSend("create")).toBe(false);
    expect(budget.canSend("amend")).toBe(true);
    clock.advance(1_000);
    expect(budget.canSend("create")).toBe(true);
    budget.record("query");
    budget.record("query");
    expect(budget.used()).toMatchObject({ create1s: 0, query1s: 2, ip5s: 3 });
    expect(budget.canSend("amend")).toBe(false); // the IP window is full
    clock.advance(4_000);
    expect(budget.canSend("amend")).toBe(true);
  });
});
