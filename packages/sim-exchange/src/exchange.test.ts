import { type Instrument, instrumentSchema } from "@botmm/core";
import { describe, expect, it } from "vitest";
import { type SimEvent, SimExchange, type SimMarketEvent, type SimOrder } from "./exchange.ts";

const btc = instrumentSchema.parse({
  venue: "test",
  coin: "BTCUSDT",
  assetId: 0,
  priceRule: { type: "tick", tickSize: "0.10" },
  sizeRule: { type: "step", stepSize: "0.001" },
  minNotionalUsd: 5,
  maxLeverage: 20,
}) as Instrument;
const sim = (postOnlyCross?: "reject" | "expire") =>
  new SimExchange([{ instrument: btc, midPrice: 60_000 }], {
    houseLevels: 3,
    houseSize: 1,
    ...(postOnlyCross ? { postOnlyCross } : {}),
  });
const base = { symbol: "BTCUSDT", quantity: "0.002", reduceOnly: false } as const;

describe("SimExchange", () => {
  it("rests house liquidity one tick either side of mid, printed to the tick's decimals", () => {
    const { bid, ask } = sim().top("BTCUSDT");
    expect([bid?.price, ask?.price]).toEqual(["59999.90", "60000.10"]);
    expect(sim().depth("BTCUSDT", 2).asks).toEqual([
      ["60000.10", 1],
      ["60000.20", 1],
    ]);
  });

  it("refuses a crossing post-only order, or records it as expired when the venue does that", () => {
    const crossing = { ...base, side: "buy", timeInForce: "alo", price: "60000.10", clientId: "x" } as const;
    expect(sim().place("a", crossing, 1)).toEqual({ reject: "post-only" });
    const s = sim("expire");
    const recorded = s.place("a", crossing, 1) as SimOrder;
    expect([recorded.status, recorded.endReason]).toEqual(["expired", "post-only"]);
    expect(s.find("a", { symbol: "BTCUSDT", clientId: "x" })?.status).toBe("expired");
    expect(s.openOrders("a")).toEqual([]);
  });

  it("refuses off-tick, off-lot and below-min-notional orders exactly", () => {
    const s = sim();
    const order = { ...base, side: "buy", timeInForce: "gtc", clientId: "r" } as const;
    expect(s.place("a", { ...order, price: "59990.05" }, 1)).toEqual({ reject: "bad-tick" });
    expect(s.place("a", { ...order, price: "59990", quantity: "0.0015" }, 1)).toEqual({ reject: "bad-lot" });
    expect(s.place("a", { ...order, price: "1000", quantity: "0.001" }, 1)).toEqual({
      reject: "min-notional",
    });
  });

  it("matches GTC across levels at the resting prices and tracks position and fees", () => {
    const s = sim();
    const placed = s.place(
      "a",
      { ...base, side: "buy", timeInForce: "gtc", price: "60000.20", quantity: "1.5", clientId: "t" },
      1,
    ) as SimOrder;
    expect(placed.status).toBe("filled");
    expect(s.position("a", "BTCUSDT").size).toBe(1.5);
    expect(s.position("a", "BTCUSDT").entryPrice).toBeCloseTo((60_000.1 + 0.5 * 60_000.2) / 1.5, 6);
    expect(s.fills("a").map((f) => [f.price, f.quantity, f.liquidity])).toEqual([
      [60_000.2, 0.5, "taker"],
      [60_000.1, 1, "taker"],
    ]);
    expect(s.feesPaid.get("a")).toBeCloseTo(placed.cumQuote * 0.0005, 9);
  });

  it("refuses a duplicate live client id; modify and cancel of a gone order answer not-open", () => {
    const s = sim();
    const rest = { ...base, side: "buy", timeInForce: "alo", price: "59990", clientId: "d" } as const;
    expect("orderId" in s.place("a", rest, 1)).toBe(true);
    expect(s.place("a", rest, 2)).toEqual({ reject: "duplicate-client-id" });
    expect(s.cancel("a", { symbol: "BTCUSDT", clientId: "d" }, 3)).toMatchObject({ status: "cancelled" });
    expect(s.cancel("a", { symbol: "BTCUSDT", clientId: "d" }, 4)).toEqual({ reject: "not-open" });
    expect(s.modify("a", { symbol: "BTCUSDT", clientId: "d" }, "59990", "0.002", 4)).toEqual({
      reject: "not-open",
    });
    expect(s.countByClientId("a", "d")).toBe(1);
    expect([s.knowsClientId("a", "d"), s.knowsClientId("a", "never"), s.knowsClientId("b", "d")]).toEqual([
      true,
      false,
      false,
    ]);
  });

  it("ends a post-only order whose modify would cross and says so", () => {
    const s = sim();
    s.place("a", { ...base, side: "sell", timeInForce: "alo", price: "60010", clientId: "m" }, 1);
    const moved = s.modify("a", { symbol: "BTCUSDT", clientId: "m" }, "59999.90", "0.002", 2);
    expect(moved).toMatchObject({
      reject: "post-only",
      order: { status: "expired", endReason: "post-only" },
    });
    expect(s.openOrders("a")).toEqual([]);
  });

  it("lets an emulator-driven taker fill a resting order and reports the maker fill as events", () => {
    const s = sim();
    const events: SimEvent[] = [];
    s.onEvent((e) => events.push(e));
    s.place("a", { ...base, side: "buy", timeInForce: "alo", price: "60000.00", clientId: "mk" }, 1);
    const fills = s.takeLiquidity("BTCUSDT", "sell", 0.003, 2);
    expect(fills).toMatchObject([{ clientId: "mk", price: 60_000, quantity: 0.002, liquidity: "maker" }]);
    expect(s.position("a", "BTCUSDT")).toEqual({ size: 0.002, entryPrice: 60_000 });
    expect(events.map((e) => (e.type === "order" ? e.order.status : "fill"))).toEqual([
      "open",
      "fill",
      "filled",
    ]);
    // The rest of the taker went to the house bid, which is never reported.
    expect(s.top("BTCUSDT").bid).toMatchObject({ price: "59999.90", executedQty: 0.001 });
  });

  it("keeps memory flat: ended orders and fills beyond the caps are dropped oldest first", () => {
    const s = new SimExchange([{ instrument: btc, midPrice: 60_000 }], {
      houseLevels: 1,
      houseSize: 1_000,
      maxEndedOrders: 3,
      maxFills: 2,
    });
    for (let i = 0; i < 5; i++) {
      s.place("a", { ...base, side: "buy", timeInForce: "ioc", price: "60000.10", clientId: `i${i}` }, i);
    }
    expect(s.endedOrders("a").map((o) => o.clientId)).toEqual(["i4", "i3", "i2"]);
    expect(s.fills("a")).toHaveLength(2);
    expect(s.find("a", { symbol: "BTCUSDT", clientId: "i0" })).toBeUndefined();
  });

  it("reports every trade, house against house included, and one book change per request", () => {
    const s = sim();
    const seen: SimMarketEvent[] = [];
    s.onMarketEvent((e) => seen.push(e));
    s.takeLiquidity("BTCUSDT", "buy", 1.5, 5);
    expect(seen.map((e) => (e.type === "trade" ? [e.price, e.quantity, e.takerSide] : e.type))).toEqual([
      [60000.1, 1, "buy"],
      [60000.2, 0.5, "buy"],
      "book",
    ]);
    seen.length = 0;
    s.place("a", { ...base, side: "buy", timeInForce: "alo", price: "59000", clientId: "p" }, 6);
    s.cancel("a", { symbol: "BTCUSDT", clientId: "p" }, 7);
    expect(seen).toEqual([
      { type: "book", symbol: "BTCUSDT", time: 6 },
      { type: "book", symbol: "BTCUSDT", time: 7 },
    ]);
  });
});
