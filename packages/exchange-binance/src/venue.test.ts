import { type BinanceEmulator, signQuery, startBinanceEmulator } from "@botmm/binance-emulator";
import { systemClock } from "@botmm/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BinanceUsdmVenue } from "./venue.ts";

// Test-only credentials for the local emulator (not real keys).
const API_KEY = "test-api-key-0123456789";
const SECRET = "test-secret-DO-NOT-LEAK-9f8e7d6c";

let emulator: BinanceEmulator;
let venue: BinanceUsdmVenue;

const quote = { coin: "BTCUSDT", size: 0.002, timeInForce: "alo", reduceOnly: false } as const;

beforeEach(async () => {
  emulator = await startBinanceEmulator({
    clock: systemClock(),
    accounts: [{ apiKey: API_KEY, secret: SECRET }],
  });
  venue = await BinanceUsdmVenue.connect({
    network: { baseUrl: emulator.url },
    apiKey: API_KEY,
    secret: SECRET,
    clock: systemClock(),
    requestTimeoutMs: 1_500,
  });
});

afterEach(async () => {
  await venue.close();
  await emulator.close();
});

describe("BinanceUsdmVenue against the emulator (ccxt binanceusdm unchanged)", () => {
  it("loads instruments with the exact tick, lot and min-notional filters", async () => {
    const btc = (await venue.instruments()).find((i) => i.coin === "BTCUSDT");
    expect(btc).toMatchObject({
      venue: "binance-usdm",
      priceRule: { type: "tick", tickSize: "0.1" },
      sizeRule: { type: "step", stepSize: "0.001" },
      minNotionalUsd: 100,
    });
    expect(emulator.requests.every((r) => r.path.startsWith("/fapi/"))).toBe(true);
  });

  it("places post-only with the client id, rounding bids down and asks up exactly", async () => {
    // House book: best bid 59,999.9, best ask 60,000.1.
    const results = await venue.placeOrders([
      { ...quote, clientId: "1", side: "buy", price: 59_990.07, size: 0.0029 },
      { ...quote, clientId: "2", side: "sell", price: 60_010.01 },
    ]);
    expect(results.map((r) => r.status)).toEqual(["open", "open"]);
    const open = await venue.openOrders("BTCUSDT");
    const byId = new Map(open.map((o) => [o.clientId, o]));
    expect(byId.get("1")).toMatchObject({ price: 59_990, size: 0.002, side: "buy", timeInForce: "alo" });
    expect(byId.get("2")).toMatchObject({ price: 60_010.1, side: "sell" });
    expect(
      emulator.engine
        .openOrders(API_KEY, "BTCUSDT")
        .map((o) => o.clientOrderId)
        .sort(),
    ).toEqual(["botmm-1", "botmm-2"]);
  });

  it("answers −5022 as rejection post-only when a GTX order would cross", async () => {
    const [result] = await venue.placeOrders([{ ...quote, clientId: "3", side: "buy", price: 60_000.1 }]);
    expect(result).toMatchObject({ status: "rejected", rejection: "post-only" });
    expect(result!.reason).toContain("-5022");
    expect(await venue.openOrders("BTCUSDT")).toEqual([]);
  });

  it("refuses below min notional locally, sending nothing", async () => {
    const before = emulator.requests.length;
    const [result] = await venue.placeOrders([
      { ...quote, clientId: "4", side: "buy", price: 50_000, size: 0.001 },
    ]);
    expect(result).toMatchObject({ status: "rejected", rejection: "other" });
    expect(result!.reason).toMatch(/notional must be no smaller than 100/);
    expect(emulator.requests.length).toBe(before);
  });

  it("modifies with PUT (same venue order id) and keeps answering to the new client id", async () => {
    const [placed] = await venue.placeOrders([{ ...quote, clientId: "5", side: "buy", price: 59_900 }]);
    const [moved] = await venue.modifyOrders([
      { ...quote, clientId: "5", newClientId: "6", side: "buy", price: 59_950.05, size: 0.003 },
    ]);
    expect(moved).toMatchObject({ clientId: "6", status: "open", venueOrderId: placed!.venueOrderId });
    expect(emulator.requests.some((r) => r.method === "PUT" && r.path === "/fapi/v1/order")).toBe(true);
    const [order] = await venue.openOrders("BTCUSDT");
    expect(order).toMatchObject({ clientId: "6", price: 59_950, size: 0.003 });
    const [cancelled] = await venue.cancelOrders([{ clientId: "6", coin: "BTCUSDT" }]);
    expect(cancelled!.status).toBe("cancelled");
  });

  it("maps a modify of a gone order to order-gone and a crossing modify to post-only", async () => {
    await venue.placeOrders([{ ...quote, clientId: "7", side: "buy", price: 59_900 }]);
    const [crossing] = await venue.modifyOrders([{ ...quote, clientId: "7", side: "buy", price: 60_000.1 }]);
    expect(crossing).toMatchObject({ status: "rejected", rejection: "post-only" });
    // Binance cancels a GTX order whose modify would take liquidity (Modify Order docs): nothing rests.
    expect((await venue.openOrders("BTCUSDT")).map((o) => o.clientId)).not.toContain("7");
    const [gone] = await venue.modifyOrders([{ ...quote, clientId: "7", side: "buy", price: 59_800 }]);
    expect(gone).toMatchObject({ status: "rejected", rejection: "order-gone" });
    expect(gone!.reason).toContain("-2013");
  });

  it("paces on the local budget only: ccxt's wall-clock throttle never holds a request back", async () => {
    // ccxt would sleep ~2 s (weight 40 × 50 ms) after each all-symbol openOrders: 8 s for these four calls.
    const started = performance.now();
    for (let i = 0; i < 4; i++) await venue.openOrders();
    await venue.position("BTCUSDT");
    expect(performance.now() - started).toBeLessThan(6_000);
    expect(venue.requestStats().weight1m).toBeGreaterThanOrEqual(4 * 40 + 5);
  }, 20_000);

  it("cancels by client id; a second cancel answers −2011 rejected", async () => {
    await venue.placeOrders([{ ...quote, clientId: "8", side: "sell", price: 60_100 }]);
    const [first] = await venue.cancelOrders([{ clientId: "8", coin: "BTCUSDT" }]);
    const [second] = await venue.cancelOrders([{ clientId: "8", coin: "BTCUSDT" }]);
    expect(first!.status).toBe("cancelled");
    expect(second).toMatchObject({ status: "rejected" });
    expect(second!.reason).toContain("-2011");
    expect(await venue.openOrders()).toEqual([]);
  });

  it("a dropped answer gives unknown; reconcile finds the order by client id and there is no duplicate", async () => {
    emulator.injectHttpFault({ kind: "drop", when: "after" });
    const [lost] = await venue.placeOrders([{ ...quote, clientId: "9", side: "buy", price: 59_800 }]);
    expect(lost!.status).toBe("unknown");
    const [state] = await venue.reconcile([{ clientId: "9", coin: "BTCUSDT" }]);
    expect(state).toMatchObject({ status: "open" });
    expect(emulator.engine.countByClientId(API_KEY, "botmm-9")).toBe(1);
    // A resend with the same client id is refused by the venue, never a second order.
    const [again] = await venue.placeOrders([{ ...quote, clientId: "9", side: "buy", price: 59_800 }]);
    expect(again!.status).toBe("rejected");
    expect(emulator.engine.openOrders(API_KEY, "BTCUSDT")).toHaveLength(1);
  });

  it("a request dropped before execution reconciles as notFound", async () => {
    emulator.injectHttpFault({ kind: "drop", when: "before" });
    const [lost] = await venue.placeOrders([{ ...quote, clientId: "10", side: "buy", price: 59_800 }]);
    expect(lost!.status).toBe("unknown");
    const [state] = await venue.reconcile([{ clientId: "10", coin: "BTCUSDT" }]);
    expect(state!.status).toBe("notFound");
  });

  it("maps 5xx to unknown and 429 to rate-limit", async () => {
    emulator.injectHttpFault({ kind: "status", status: 503 });
    const [five] = await venue.placeOrders([{ ...quote, clientId: "11", side: "buy", price: 59_800 }]);
    expect(five!.status).toBe("unknown");
    emulator.injectHttpFault({ kind: "rate-limit", status: 429, retryAfterSeconds: 1 });
    const [limited] = await venue.placeOrders([{ ...quote, clientId: "12", side: "buy", price: 59_800 }]);
    expect(limited).toMatchObject({ status: "rejected", rejection: "rate-limit" });
  });

  it("refuses locally once its request budget is spent", async () => {
    const tight = await BinanceUsdmVenue.connect({
      network: { baseUrl: emulator.url },
      apiKey: API_KEY,
      secret: SECRET,
      clock: systemClock(),
      requestBudget: { ordersPer10s: 1 },
    });
    const results = await tight.placeOrders([
      { ...quote, clientId: "13", side: "buy", price: 59_800 },
      { ...quote, clientId: "14", side: "buy", price: 59_700 },
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(["open", "rejected"]);
    expect(results.find((r) => r.status === "rejected")!.rejection).toBe("rate-limit");
  });

  it("reads the position after a crossing GTC order fills", async () => {
    const [filled] = await venue.placeOrders([
      { ...quote, clientId: "15", side: "buy", price: 60_000.1, timeInForce: "gtc" },
    ]);
    expect(filled).toMatchObject({ status: "filled", filledSize: 0.002 });
    expect(await venue.position("BTCUSDT")).toEqual({ coin: "BTCUSDT", size: 0.002, entryPrice: 60_000.1 });
  });

  it("places a batch in one POST /fapi/v1/batchOrders, answering per order", async () => {
    const results = await venue.placeOrdersBatch([
      { ...quote, clientId: "b1", side: "buy", price: 59_900 },
      { ...quote, clientId: "b2", side: "buy", price: 60_000.1 }, // crosses: −5022 inside the batch
      { ...quote, clientId: "b3", side: "buy", price: 50_000, size: 0.001 }, // below min notional: local
      { ...quote, clientId: "b4", side: "sell", price: 60_100 },
    ]);
    expect(results.map((r) => [r.clientId, r.status, r.rejection])).toEqual([
      ["b1", "open", undefined],
      ["b2", "rejected", "post-only"],
      ["b3", "rejected", "other"],
      ["b4", "open", undefined],
    ]);
    expect(emulator.requests.filter((r) => r.path === "/fapi/v1/batchOrders")).toHaveLength(1);
    expect(emulator.requests.some((r) => r.method === "POST" && r.path === "/fapi/v1/order")).toBe(false);
    expect((await venue.openOrders("BTCUSDT")).map((o) => o.clientId).sort()).toEqual(["b1", "b4"]);
    const [lost] = await (async () => {
      emulator.injectHttpFault({ kind: "drop", when: "after" });
      return venue.placeOrdersBatch([{ ...quote, clientId: "b5", side: "buy", price: 59_800 }]);
    })();
    expect(lost!.status).toBe("unknown");
    expect((await venue.reconcile([{ clientId: "b5", coin: "BTCUSDT" }]))[0]!.status).toBe("open");
  });

  it("never puts the secret (or the key) in any error message", async () => {
    const wrong = await BinanceUsdmVenue.connect({
      network: { baseUrl: emulator.url },
      apiKey: API_KEY,
      secret: `${SECRET}-tampered`,
      clock: systemClock(),
      requestTimeoutMs: 500,
    });
    const messages: string[] = [];
    const [rejected] = await wrong.placeOrders([{ ...quote, clientId: "16", side: "buy", price: 59_800 }]);
    messages.push(rejected!.reason ?? "");
    expect(rejected!.reason).toContain("-1022");
    emulator.injectHttpFault({ kind: "drop", when: "before" });
    const [lost] = await venue.cancelOrders([{ clientId: "16", coin: "BTCUSDT" }]);
    messages.push(lost!.reason ?? "");
    await wrong.openOrders("BTCUSDT").catch((error: Error) => messages.push(error.message));
    await expect(
      BinanceUsdmVenue.connect({ network: "mainnet", apiKey: API_KEY, secret: "", clock: systemClock() }),
    ).rejects.toThrow(/secret/);
    expect(messages).toHaveLength(3);
    for (const message of messages) {
      expect(message).not.toContain(SECRET);
      expect(message).not.toContain(API_KEY);
    }
  });
});

describe("emulator signature checks", () => {
  it("accepts a correctly signed request and answers −1022 to a tampered signature", async () => {
    const query = `symbol=BTCUSDT&timestamp=${Date.now()}&recvWindow=5000`;
    const good = await fetch(
      `${emulator.url}/fapi/v1/openOrders?${query}&signature=${signQuery(query, SECRET)}`,
      {
        headers: { "X-MBX-APIKEY": API_KEY },
      },
    );
    expect(good.status).toBe(200);
    const tampered = signQuery(query, SECRET).replace(/^./, (c) => (c === "0" ? "1" : "0"));
    const bad = await fetch(`${emulator.url}/fapi/v1/openOrders?${query}&signature=${tampered}`, {
      headers: { "X-MBX-APIKEY": API_KEY },
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ code: -1022, msg: "Signature for this request is not valid." });
  });

  it("answers −1021 outside the recvWindow", async () => {
    const query = `symbol=BTCUSDT&timestamp=${Date.now() - 60_000}&recvWindow=5000`;
    const stale = await fetch(
      `${emulator.url}/fapi/v1/openOrders?${query}&signature=${signQuery(query, SECRET)}`,
      {
        headers: { "X-MBX-APIKEY": API_KEY },
      },
    );
    expect(((await stale.json()) as { code: number }).code).toBe(-1021);
  });
});
