import { type BybitEmulator, signBybit, startBybitEmulator } from "@botmm/bybit-emulator";
import { type Clock, systemClock } from "@botmm/core";
import ccxt from "ccxt";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { bybitUrls } from "./options.ts";
import { BybitLinearVenue } from "./venue.ts";

// Test-only credentials for the local emulator (not real keys).
const API_KEY = "test-bybit-key-0123456789";
const SECRET = "test-bybit-secret-DO-NOT-LEAK-1a2b3c";

let emulator: BybitEmulator;
let venue: BybitLinearVenue;
/** The emulator's clock runs `offsetMs` ahead of the wall clock ccxt signs with. */
let offsetMs = 0;
const emulatorClock: Clock = { now: () => Date.now() + offsetMs };

const quote = { coin: "BTCUSDT", size: 0.002, timeInForce: "alo", reduceOnly: false } as const;

beforeEach(async () => {
  offsetMs = 0;
  emulator = await startBybitEmulator({
    clock: emulatorClock,
    accounts: [{ apiKey: API_KEY, secret: SECRET }],
  });
  venue = await BybitLinearVenue.connect({
    network: { baseUrl: emulator.url },
    apiKey: API_KEY,
    secret: SECRET,
    clock: systemClock(),
    requestTimeoutMs: 10_000, // generous: only the timeout test below waits for a timeout
  });
});

afterEach(async () => {
  await venue.close();
  await emulator.close();
});

describe("BybitLinearVenue against the emulator (ccxt bybit unchanged)", () => {
  it("loads instruments with the exact tick, step and min-notional filters, only from the emulator", async () => {
    const btc = (await venue.instruments()).find((i) => i.coin === "BTCUSDT");
    expect(btc).toMatchObject({
      venue: "bybit-linear",
      priceRule: { type: "tick", tickSize: "0.1" },
      sizeRule: { type: "step", stepSize: "0.001" },
      minNotionalUsd: 5,
      maxLeverage: 100,
    });
    expect(emulator.requests.length).toBeGreaterThan(0);
    expect(emulator.requests.every((r) => r.path.startsWith("/v5/market/"))).toBe(true);
  });

  it("places PostOnly with the orderLinkId, rounding bids down and asks up exactly", async () => {
    // House book: best bid 59,999.9, best ask 60,000.1.
    const results = await venue.placeOrders([
      { ...quote, clientId: "1", side: "buy", price: 59_990.07, size: 0.0029 },
      { ...quote, clientId: "2", side: "sell", price: 60_010.01 },
    ]);
    expect(results.map((r) => r.status)).toEqual(["open", "open"]);
    const byId = new Map((await venue.openOrders("BTCUSDT")).map((o) => [o.clientId, o]));
    expect(byId.get("1")).toMatchObject({ price: 59_990, size: 0.002, side: "buy", timeInForce: "alo" });
    expect(byId.get("2")).toMatchObject({ price: 60_010.1, side: "sell" });
    const wire = emulator.sim.openOrders(API_KEY, "BTCUSDT").map((o) => [o.clientId, o.price, o.timeInForce]);
    expect(wire.sort()).toEqual([
      ["botmm-1", "59990", "alo"],
      ["botmm-2", "60010.1", "alo"],
    ]);
  });

  it("answers Bybit's post-only cancel (EC_PostOnlyWillTakeLiquidity) as rejected / post-only", async () => {
    const [result] = await venue.placeOrders([{ ...quote, clientId: "3", side: "buy", price: 60_000.1 }]);
    expect(result).toMatchObject({ status: "rejected", rejection: "post-only" });
    expect(result!.reason).toContain("EC_PostOnlyWillTakeLiquidity");
    expect(await venue.openOrders("BTCUSDT")).toEqual([]);
  });

  it("refuses below minNotionalValue locally, sending nothing", async () => {
    const before = emulator.requests.length;
    const [result] = await venue.placeOrders([
      { ...quote, clientId: "4", side: "buy", price: 2_000, size: 0.001 },
    ]);
    expect(result).toMatchObject({ status: "rejected", rejection: "other" });
    expect(result!.reason).toMatch(/minNotionalValue 5 USDT/);
    expect(emulator.requests.length).toBe(before);
  });

  it("amends with /v5/order/amend (same venue order id) and keeps answering to the new client id", async () => {
    const [placed] = await venue.placeOrders([{ ...quote, clientId: "5", side: "buy", price: 59_900 }]);
    const [moved] = await venue.modifyOrders([
      { ...quote, clientId: "5", newClientId: "6", side: "buy", price: 59_950.05, size: 0.003 },
    ]);
    expect(moved).toMatchObject({ clientId: "6", status: "open", venueOrderId: placed!.venueOrderId });
    expect(emulator.requests.some((r) => r.method === "POST" && r.path === "/v5/order/amend")).toBe(true);
    const [order] = await venue.openOrders("BTCUSDT");
    expect(order).toMatchObject({ clientId: "6", price: 59_950, size: 0.003 });
    const [cancelled] = await venue.cancelOrders([{ clientId: "6", coin: "BTCUSDT" }]);
    expect(cancelled!.status).toBe("cancelled");
  });

  it("maps a crossing amend to post-only and an amend of a gone order to order-gone (110001)", async () => {
    await venue.placeOrders([{ ...quote, clientId: "7", side: "buy", price: 59_900 }]);
    const [crossing] = await venue.modifyOrders([{ ...quote, clientId: "7", side: "buy", price: 60_000.1 }]);
    expect(crossing).toMatchObject({ status: "rejected", rejection: "post-only" });
    const [gone] = await venue.modifyOrders([{ ...quote, clientId: "7", side: "buy", price: 59_800 }]);
    expect(gone).toMatchObject({ status: "rejected", rejection: "order-gone" });
    expect(gone!.reason).toContain("110001");
  });

  it("cancels by client id; a second cancel answers 110001 rejected; cancelAll clears the rest", async () => {
    await venue.placeOrders([
      { ...quote, clientId: "8", side: "sell", price: 60_100 },
      { ...quote, clientId: "8b", side: "sell", price: 60_200 },
    ]);
    const [first] = await venue.cancelOrders([{ clientId: "8", coin: "BTCUSDT" }]);
    const [second] = await venue.cancelOrders([{ clientId: "8", coin: "BTCUSDT" }]);
    expect(first!.status).toBe("cancelled");
    expect(second).toMatchObject({ status: "rejected" });
    expect(second!.reason).toContain("110001");
    expect(await venue.cancelAll("BTCUSDT")).toBe(1);
    expect(await venue.openOrders()).toEqual([]);
  });

  it("a dropped answer gives unknown; reconcile finds the order by client id and a resend makes no duplicate", async () => {
    emulator.injectHttpFault({ kind: "drop", when: "after", mode: "reset" });
    const [lost] = await venue.placeOrders([{ ...quote, clientId: "9", side: "buy", price: 59_800 }]);
    expect(lost!.status).toBe("unknown");
    const [state] = await venue.reconcile([{ clientId: "9", coin: "BTCUSDT" }]);
    expect(state).toMatchObject({ status: "open" });
    expect(emulator.sim.countByClientId(API_KEY, "botmm-9")).toBe(1);
    // Bybit refuses a reused orderLinkId (110072): never a second order.
    const [again] = await venue.placeOrders([{ ...quote, clientId: "9", side: "buy", price: 59_800 }]);
    expect(again).toMatchObject({ status: "rejected" });
    expect(again!.reason).toContain("110072");
    expect((await venue.openOrders("BTCUSDT")).map((o) => o.clientId)).toEqual(["9"]);
    expect(await venue.position("BTCUSDT")).toEqual({ coin: "BTCUSDT", size: 0, entryPrice: 0 });
  });

  it("a request dropped before execution reconciles as notFound", async () => {
    emulator.injectHttpFault({ kind: "drop", when: "before", mode: "reset" });
    const [lost] = await venue.placeOrders([{ ...quote, clientId: "10", side: "buy", price: 59_800 }]);
    expect(lost!.status).toBe("unknown");
    const [state] = await venue.reconcile([{ clientId: "10", coin: "BTCUSDT" }]);
    expect(state!.status).toBe("notFound");
    expect(emulator.sim.countByClientId(API_KEY, "botmm-10")).toBe(0);
  });

  it("a request whose answer never comes times out as unknown and reconciles as open", async () => {
    // Connected before the fault, retried so a slow connect on a loaded machine cannot fail the test.
    let impatient: BybitLinearVenue | undefined;
    for (let attempt = 0; attempt < 5 && !impatient; attempt++) {
      impatient = await BybitLinearVenue.connect({
        network: { baseUrl: emulator.url },
        apiKey: API_KEY,
        secret: SECRET,
        clock: systemClock(),
        requestTimeoutMs: 1_000,
      }).catch(() => undefined);
    }
    emulator.injectHttpFault({ kind: "drop", when: "after", mode: "hang" });
    const [lost] = await impatient!.placeOrders([{ ...quote, clientId: "9h", side: "buy", price: 59_800 }]);
    expect(lost).toMatchObject({ status: "unknown" });
    expect(lost!.reason).toMatch(/RequestTimeout/);
    const [state] = await venue.reconcile([{ clientId: "9h", coin: "BTCUSDT" }]);
    expect(state!.status).toBe("open");
  });

  it("maps 5xx to unknown, retCode 10006 and the 403 ban to rate-limit", async () => {
    emulator.injectHttpFault({ kind: "status", status: 503 });
    const [five] = await venue.placeOrders([{ ...quote, clientId: "11", side: "buy", price: 59_800 }]);
    expect(five!.status).toBe("unknown");
    emulator.injectHttpFault({ kind: "rate-limit", as: "10006" });
    const [limited] = await venue.placeOrders([{ ...quote, clientId: "12", side: "buy", price: 59_800 }]);
    expect(limited).toMatchObject({ status: "rejected", rejection: "rate-limit" });
    expect(limited!.reason).toContain("10006");
    emulator.injectHttpFault({ kind: "rate-limit", as: "403" });
    const [banned] = await venue.placeOrders([{ ...quote, clientId: "13", side: "buy", price: 59_800 }]);
    expect(banned).toMatchObject({ status: "rejected", rejection: "rate-limit" });
  });

  it("sends several orders of one coin as one create-batch and answers per order", async () => {
    await venue.placeOrders([{ ...quote, clientId: "b0", side: "buy", price: 59_700 }]);
    const count = (path: string) => emulator.requests.filter((r) => r.path === path).length;
    const [batches, singles] = [count("/v5/order/create-batch"), count("/v5/order/create")];
    const results = await venue.placeOrders([
      { ...quote, clientId: "b1", side: "buy", price: 59_800 },
      { ...quote, clientId: "b0", side: "buy", price: 59_600 }, // a reused orderLinkId: 110072
      { ...quote, clientId: "b2", side: "sell", price: 59_999.9 }, // crosses the bid: Bybit cancels it
      { ...quote, coin: "ETHUSDT", clientId: "e1", side: "buy", price: 2_990, size: 0.01 },
    ]);
    expect(results.map((r) => [r.clientId, r.status, r.rejection])).toEqual([
      ["b1", "open", undefined],
      ["b0", "rejected", "other"],
      ["b2", "rejected", "post-only"],
      ["e1", "open", undefined],
    ]);
    expect(results[1]!.reason).toContain("110072");
    expect([count("/v5/order/create-batch") - batches, count("/v5/order/create") - singles]).toEqual([1, 1]);
  });

  it("cancels several orders of one coin with one cancel-batch, answering per order", async () => {
    await venue.placeOrders([
      { ...quote, clientId: "x1", side: "buy", price: 59_800 },
      { ...quote, clientId: "x2", side: "sell", price: 60_200 },
    ]);
    const before = emulator.requests.filter((r) => r.path === "/v5/order/cancel-batch").length;
    const results = await venue.cancelOrders([
      { clientId: "x1", coin: "BTCUSDT" },
      { clientId: "never-placed", coin: "BTCUSDT" },
      { clientId: "x2", coin: "BTCUSDT" },
    ]);
    expect(results.map((r) => [r.clientId, r.status])).toEqual([
      ["x1", "cancelled"],
      ["never-placed", "rejected"],
      ["x2", "cancelled"],
    ]);
    expect(results[1]!.reason).toContain("110001");
    expect(emulator.requests.filter((r) => r.path === "/v5/order/cancel-batch").length - before).toBe(1);
    expect(await venue.openOrders("BTCUSDT")).toEqual([]);
  });

  it("refuses locally once its request budget is spent", async () => {
    const tight = await BybitLinearVenue.connect({
      network: { baseUrl: emulator.url },
      apiKey: API_KEY,
      secret: SECRET,
      clock: systemClock(),
      requestBudget: { createPerSecond: 1 },
      batchOrders: false,
    });
    const results = await tight.placeOrders([
      { ...quote, clientId: "14", side: "buy", price: 59_800 },
      { ...quote, clientId: "15", side: "buy", price: 59_700 },
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(["open", "rejected"]);
    expect(results.find((r) => r.status === "rejected")!.rejection).toBe("rate-limit");
  });

  it("sees a fill by an emulator-driven taker through REST: recentFills, ccxt fetchMyTrades / fetchOrder, position", async () => {
    // 60,000.0 sits inside the house spread, so a market sell hits this bid first.
    const [placed] = await venue.placeOrders([{ ...quote, clientId: "16", side: "buy", price: 60_000 }]);
    expect(placed!.status).toBe("open");
    const makerFills = emulator.sim.takeLiquidity("BTCUSDT", "sell", 0.002, emulatorClock.now());
    expect(makerFills).toHaveLength(1);
    const [fill] = await venue.recentFills("BTCUSDT");
    expect(fill).toMatchObject({
      clientId: "16",
      venueOrderId: placed!.venueOrderId,
      side: "buy",
      price: 60_000,
      size: 0.002,
      liquidity: "maker",
    });
    expect(fill!.fee).toBeCloseTo(60_000 * 0.002 * 0.0002, 9);
    expect(await venue.position("BTCUSDT")).toEqual({ coin: "BTCUSDT", size: 0.002, entryPrice: 60_000 });
    expect(await venue.openOrders("BTCUSDT")).toEqual([]);
    const [state] = await venue.reconcile([{ clientId: "16", coin: "BTCUSDT" }]);
    expect(state).toMatchObject({ status: "filled", order: { filledSize: 0.002 } });

    const exchange = new ccxt.bybit({
      apiKey: API_KEY,
      secret: SECRET,
      enableRateLimit: false,
      urls: { api: bybitUrls(emulator.url) },
      options: {
        enableUnifiedMargin: false,
        enableUnifiedAccount: true,
        fetchMarkets: { types: ["linear"] },
      },
    });
    (exchange.has as Record<string, unknown>).fetchCurrencies = false;
    const trades = await exchange.fetchMyTrades("BTC/USDT:USDT");
    expect(trades.map((t) => [t.side, t.price, t.amount, t.takerOrMaker])).toEqual([
      ["buy", 60_000, 0.002, "maker"],
    ]);
    const order = await exchange.fetchOrder(placed!.venueOrderId!, "BTC/USDT:USDT", { acknowledged: true });
    expect([order.status, order.filled, order.clientOrderId]).toEqual(["closed", 0.002, "botmm-16"]);
  });

  it("arms disconnection protection; the emulator cancels after the window once the private stream drops", async () => {
    await expect(venue.setDisconnectProtection(2)).rejects.toThrow(/\[3, 300\]/);
    await venue.setDisconnectProtection(10);
    await venue.placeOrders([{ ...quote, clientId: "17", side: "sell", price: 60_100 }]);
    emulator.dropPrivateStream(API_KEY);
    offsetMs = 10_000; // the emulator's clock jumps 10 s; ccxt still signs with the wall clock
    const late = await BybitLinearVenue.connect({
      network: { baseUrl: emulator.url },
      apiKey: API_KEY,
      secret: SECRET,
      clock: systemClock(),
      recvWindowMs: 20_000,
    });
    expect(await late.openOrders("BTCUSDT")).toEqual([]);
  });

  it("never puts the secret (or the key) in any error message or console output", async () => {
    const printed: string[] = [];
    for (const method of ["log", "warn", "error", "info", "debug"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        printed.push(args.map(String).join(" "));
      });
    }
    try {
      const wrong = await BybitLinearVenue.connect({
        network: { baseUrl: emulator.url },
        apiKey: API_KEY,
        secret: `${SECRET}-tampered`,
        clock: systemClock(),
      });
      const messages: string[] = [];
      const [rejected] = await wrong.placeOrders([{ ...quote, clientId: "18", side: "buy", price: 59_800 }]);
      messages.push(rejected!.reason ?? "");
      expect(rejected!.reason).toContain("10004");
      emulator.injectHttpFault({ kind: "drop", when: "before", mode: "reset" });
      const [lost] = await venue.cancelOrders([{ clientId: "18", coin: "BTCUSDT" }]);
      messages.push(lost!.reason ?? "");
      await wrong.openOrders("BTCUSDT").catch((error: Error) => messages.push(error.message));
      await expect(
        BybitLinearVenue.connect({ network: "mainnet", apiKey: API_KEY, secret: "", clock: systemClock() }),
      ).rejects.toThrow(/secret/);
      expect(messages).toHaveLength(3);
      for (const text of [...messages, ...printed]) {
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain(API_KEY);
      }
    } finally {
      vi.restoreAllMocks();
    }
  });
});

describe("emulator signature checks", () => {
  it("accepts a correctly signed request and answers 10004 to a tampered signature", async () => {
    const payload = "category=linear&symbol=BTCUSDT";
    const timestamp = Date.now();
    const sign = signBybit({ timestamp, apiKey: API_KEY, recvWindow: 5000, payload }, SECRET);
    const get = (signature: string) =>
      fetch(`${emulator.url}/v5/order/realtime?${payload}`, {
        headers: {
          "X-BAPI-API-KEY": API_KEY,
          "X-BAPI-TIMESTAMP": String(timestamp),
          "X-BAPI-RECV-WINDOW": "5000",
          "X-BAPI-SIGN": signature,
        },
      }).then((r) => r.json() as Promise<{ retCode: number; retMsg: string }>);
    expect((await get(sign)).retCode).toBe(0);
    const tampered = sign.replace(/^./, (c) => (c === "0" ? "1" : "0"));
    expect(await get(tampered)).toMatchObject({
      retCode: 10004,
      retMsg: "Error sign, please check your signature generation algorithm.",
    });
  });
});
