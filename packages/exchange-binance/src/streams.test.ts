import { type BinanceEmulator, startBinanceEmulator } from "@botmm/binance-emulator";
import { type Fill, type L2Book, systemClock, type VenueEvent } from "@botmm/core";
import ccxt from "ccxt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { streamEventQueries } from "../../exchange-ccxt/test-support/stream-events.ts";
import { type BinanceLogEntry, binanceUsdmUrls } from "./options.ts";
import { BinanceUsdmVenue } from "./venue.ts";

// Test-only credentials for the local emulator (not real keys).
const API_KEY = "stream-test-api-key-0123456789";
const SECRET = "stream-test-secret-DO-NOT-LEAK-5e4d3c";
const TAKER = { apiKey: "taker-key-9876", secret: "taker-secret-9876" };

let emulator: BinanceEmulator;
let venue: BinanceUsdmVenue;
let taker: BinanceUsdmVenue;
let events: VenueEvent[];
let logs: BinanceLogEntry[];

const quote = { coin: "BTCUSDT", size: 0.002, timeInForce: "alo", reduceOnly: false } as const;

const { waitFor, fills, connection, lastBook, bookMatches, wordsSeen } = streamEventQueries(() => events);

/** Lifts `size` at `price` from the account `taker` (an IOC buy that takes our resting ask). */
async function takeAsk(clientId: string, price: number, size = 0.002): Promise<void> {
  const [r] = await taker.placeOrders([
    { clientId, coin: "BTCUSDT", side: "buy", price, size, timeInForce: "ioc", reduceOnly: false },
  ]);
  expect(r).toMatchObject({ status: "filled" });
}

/** The REST snapshot (`GET /fapi/v1/depth`), shaped like a core L2Book's levels. */
async function restLevels(levels = 20): Promise<Pick<L2Book, "bids" | "asks">> {
  const res = await fetch(`${emulator.url}/fapi/v1/depth?symbol=BTCUSDT&limit=${levels}`);
  const { bids, asks } = (await res.json()) as { bids: [string, string][]; asks: [string, string][] };
  const toLevels = (rows: [string, string][]) =>
    rows.map(([p, q]) => ({ price: Number(p), size: Number(q) }));
  return { bids: toLevels(bids), asks: toLevels(asks) };
}

const bookMatchesRest = () => bookMatches(restLevels);

beforeEach(async () => {
  events = [];
  logs = [];
  emulator = await startBinanceEmulator({
    clock: systemClock(),
    accounts: [{ apiKey: API_KEY, secret: SECRET }, TAKER],
  });
  venue = await BinanceUsdmVenue.connect({
    network: { baseUrl: emulator.url },
    apiKey: API_KEY,
    secret: SECRET,
    clock: systemClock(),
    requestTimeoutMs: 2_000,
    reconnectDelayMs: 50,
    onLog: (entry) => logs.push(entry),
  });
  taker = await BinanceUsdmVenue.connect({
    network: { baseUrl: emulator.url },
    ...TAKER,
    clientIdPrefix: "taker",
    clock: systemClock(),
  });
});

afterEach(async () => {
  await venue.close();
  await taker.close();
  await emulator.close();
});

describe("BinanceUsdmVenue streams against the emulator (ccxt pro binanceusdm unchanged)", () => {
  it("counts the streams' own REST calls (listen key, depth snapshot of 100 levels) in the local budget", async () => {
    const before = venue.requestStats().weight1m;
    const seen = emulator.requests.length;
    await venue.subscribe({ coins: ["BTCUSDT"], book: "l2", trades: false, account: true }, (e) =>
      events.push(e),
    );
    await waitFor(() => lastBook() !== undefined, "the first book");
    const made = emulator.requests.slice(seen).map((r) => `${r.method} ${r.path}`);
    const depth = made.filter((r) => r === "GET /fapi/v1/depth").length;
    const listenKey = made.filter((r) => r.endsWith(" /fapi/v1/listenKey")).length;
    expect(depth).toBeGreaterThanOrEqual(1);
    expect(listenKey).toBeGreaterThanOrEqual(1);
    // Nothing else went over REST, so the budget grew by exactly these: 5 per 100-level snapshot, 1 per listen key.
    expect(made).toHaveLength(depth + listenKey);
    expect(venue.requestStats().weight1m - before).toBe(5 * depth + listenKey);
  });

  it("keeps the depth stream consistent with the REST snapshot as orders rest and trade", async () => {
    const stop = await venue.subscribe(
      { coins: ["BTCUSDT"], book: "l2", trades: true, account: false },
      (e) => events.push(e),
    );
    await waitFor(bookMatchesRest, "the first book equal to REST depth");
    await venue.placeOrders([{ ...quote, clientId: "b1", side: "buy", price: 59_999.5, size: 0.004 }]);
    await waitFor(
      () => lastBook()?.bids.some((l) => l.price === 59_999.5 && l.size === 5.004),
      "our bid in the book",
    );
    expect(await bookMatchesRest()).toBe(true);
    await takeAsk("t1", 60_000.3, 7); // sweeps the 60,000.1 house ask (5) and 2 of the 60,000.2 one
    await waitFor(bookMatchesRest, "the book after a sweep equal to REST depth");
    expect(lastBook()!.asks[0]).toEqual({ price: 60_000.2, size: 3 });
    const trades = await waitFor(() => {
      const buys = events
        .flatMap((e) => (e.type === "trades" ? e.trades : []))
        .filter((t) => t.side === "buy");
      return buys.length >= 2 && buys;
    }, "the public trade");
    // One print per maker matched, as Binance's trade stream: 5 at the first ask, 2 at the next.
    expect(trades.map((t) => [t.coin, t.price, t.size])).toEqual([
      ["BTCUSDT", 60_000.1, 5],
      ["BTCUSDT", 60_000.2, 2],
    ]);
    expect(emulator.requests.some((r) => r.path === "/fapi/v1/depth")).toBe(true);
    await stop();
  });

  it("a second subscription on open sockets comes up; stopping one leaves the other streaming", async () => {
    const first: VenueEvent[] = [];
    const stopFirst = await venue.subscribe(
      { coins: ["BTCUSDT"], book: "top", trades: true, account: true },
      (e) => first.push(e),
    );
    const stopSecond = await venue.subscribe(
      { coins: ["ETHUSDT", "BTCUSDT"], book: "none", trades: true, account: true },
      (e) => events.push(e),
    );
    expect(first.some((e) => e.type === "bookTop" && e.top.coin === "BTCUSDT")).toBe(true);
    await stopFirst();
    await venue.placeOrders([{ ...quote, clientId: "s1", side: "sell", price: 60_000 }]);
    await takeAsk("t0", 60_000);
    await waitFor(() => fills("s1").length === 1, "the fill on the remaining subscription");
    await waitFor(
      () => events.some((e) => e.type === "trades" && e.trades.some((t) => t.coin === "BTCUSDT")),
      "the public trade on the remaining subscription",
    );
    expect(first.some((e) => e.type === "fill")).toBe(false);
    await stopSecond();
  });

  it("delivers an order update and the fill on the user stream", async () => {
    await venue.subscribe({ coins: ["BTCUSDT"], book: "none", trades: false, account: true }, (e) =>
      events.push(e),
    );
    const [placed] = await venue.placeOrders([{ ...quote, clientId: "f1", side: "sell", price: 60_000 }]);
    expect(placed!.status).toBe("open");
    await waitFor(
      () =>
        events.some((e) => e.type === "order" && e.update.clientId === "f1" && e.update.status === "open"),
      "the NEW order update",
    );
    await takeAsk("t2", 60_000);
    const [fill] = await waitFor(() => fills("f1").length > 0 && fills("f1"), "the fill");
    expect(fill).toMatchObject({
      clientId: "f1",
      venueOrderId: placed!.venueOrderId,
      coin: "BTCUSDT",
      side: "sell",
      price: 60_000,
      size: 0.002,
      liquidity: "maker",
    } satisfies Partial<Fill>);
    expect(fill!.fee).toBeCloseTo(60_000 * 0.002 * 0.0002, 9);
    await waitFor(
      () =>
        events.some((e) => e.type === "order" && e.update.clientId === "f1" && e.update.status === "filled"),
      "the FILLED order update",
    );
    expect(emulator.requests.some((r) => r.method === "POST" && r.path === "/fapi/v1/listenKey")).toBe(true);
  });

  it("a WebSocket drop: reconnects, resubscribes, recovers the fill made meanwhile once, no duplicate order", async () => {
    await venue.subscribe({ coins: ["BTCUSDT"], book: "l2", trades: false, account: true }, (e) =>
      events.push(e),
    );
    await venue.placeOrders([
      { ...quote, clientId: "d1", side: "sell", price: 60_000 },
      { ...quote, clientId: "d2", side: "sell", price: 60_050 },
    ]);
    await waitFor(bookMatchesRest, "the book with our asks");
    const acceptedBefore = emulator.webSocketStats().accepted;
    // An order whose answer is lost: unknown, then it must not be placed twice.
    emulator.injectHttpFault({ kind: "drop", when: "after" });
    const [lost] = await venue.placeOrders([{ ...quote, clientId: "d3", side: "buy", price: 59_900 }]);
    expect(lost!.status).toBe("unknown");

    emulator.injectWsFault({ kind: "refuse-connections", refuse: true });
    expect(emulator.injectWsFault({ kind: "drop", target: "all" })).toBeGreaterThanOrEqual(2);
    await waitFor(() => connection("disconnected") === 1, "disconnected");
    // While the streams are down: d1 fills, d2 is cancelled by someone else's hand (countdown, UI…).
    await takeAsk("t3", 60_000);
    emulator.engine.cancel(API_KEY, { symbol: "BTCUSDT", origClientOrderId: "botmm-d2" }, Date.now());
    expect(fills("d1")).toEqual([]);

    emulator.injectWsFault({ kind: "refuse-connections", refuse: false });
    await waitFor(() => connection("reconnected") === 1, "reconnected");
    // The fill made during the drop came back over REST, exactly once, before `reconnected`.
    expect(fills("d1")).toHaveLength(1);
    const reconnectedAt = events.findIndex((e) => e.type === "connection" && e.state === "reconnected");
    expect(events.findIndex((e) => e.type === "fill")).toBeLessThan(reconnectedAt);
    expect(emulator.requests.some((r) => r.path === "/fapi/v1/userTrades")).toBe(true);
    expect(
      events.some((e) => e.type === "order" && e.update.clientId === "d2" && e.update.status === "cancelled"),
    ).toBe(true);
    expect(emulator.webSocketStats().accepted).toBeGreaterThan(acceptedBefore);

    // Reconcile the unknown by client id: it is there once; resending is refused, never a second order.
    const [state] = await venue.reconcile([{ clientId: "d3", coin: "BTCUSDT" }]);
    expect(state!.status).toBe("open");
    const [again] = await venue.placeOrders([{ ...quote, clientId: "d3", side: "buy", price: 59_900 }]);
    expect(again!.status).toBe("rejected");
    expect(emulator.engine.countByClientId(API_KEY, "botmm-d3")).toBe(1);

    // Resubscribed and resynced: the book follows REST again and a new fill streams in, once.
    await waitFor(bookMatchesRest, "the book after the reconnect equal to REST depth");
    await venue.placeOrders([{ ...quote, clientId: "d4", side: "sell", price: 60_000 }]);
    await waitFor(bookMatchesRest, "the book with d4");
    await takeAsk("t4", 60_000);
    await waitFor(() => fills("d4").length === 1, "the fill after the reconnect");
    await new Promise((resolve) => setTimeout(resolve, 300)); // a late duplicate would land here
    expect(fills("d1")).toHaveLength(1);
    expect(fills("d4")).toHaveLength(1);
  });

  it("countdownCancelAll (dead-man's switch) cancels and the user stream reports it", async () => {
    await venue.subscribe({ coins: ["BTCUSDT"], book: "none", trades: false, account: true }, (e) =>
      events.push(e),
    );
    await venue.placeOrders([{ ...quote, clientId: "c1", side: "buy", price: 59_900 }]);
    await venue.cancelAllAfter("BTCUSDT", 200);
    const update = await waitFor(
      () =>
        events.find(
          (e) => e.type === "order" && e.update.clientId === "c1" && e.update.status === "cancelled",
        ),
      "the cancellation on the stream",
    );
    expect(update).toMatchObject({ update: { coin: "BTCUSDT", reason: "CANCELED" } });
    expect(await venue.openOrders("BTCUSDT")).toEqual([]);
  });

  it("serves ccxt's watchPositions from ACCOUNT_UPDATE", async () => {
    const client = new ccxt.pro.binanceusdm({
      apiKey: API_KEY,
      secret: SECRET,
      urls: { api: { ...binanceUsdmUrls(emulator.url), ws: { future: emulator.wsUrl } } },
      options: { fetchCurrencies: false },
    });
    await client.loadHttpProxyAgent();
    try {
      await client.loadMarkets();
      const positions = client.watchPositions(["BTC/USDT:USDT"]);
      const first = await positions; // the REST snapshot (no position yet)
      expect(first).toEqual([]);
      const next = client.watchPositions(["BTC/USDT:USDT"]);
      // The user socket opens after the listen key: fill only once it is up.
      await waitFor(() => emulator.webSocketStats().user === 1, "ccxt's user socket");
      await venue.placeOrders([{ ...quote, clientId: "p1", side: "sell", price: 60_000 }]);
      await takeAsk("t6", 60_000);
      const [position] = await next;
      expect(position).toMatchObject({ symbol: "BTC/USDT:USDT", contracts: 0.002, side: "short" });
    } finally {
      await client.close();
    }
  });

  it("gets a new listen key after listenKeyExpired and keeps streaming fills", async () => {
    await venue.subscribe({ coins: ["BTCUSDT"], book: "none", trades: false, account: true }, (e) =>
      events.push(e),
    );
    const posts = () =>
      emulator.requests.filter((r) => r.method === "POST" && r.path === "/fapi/v1/listenKey").length;
    const before = posts();
    emulator.injectWsFault({ kind: "expire-listen-keys" });
    await waitFor(() => connection("reconnected") === 1, "reconnected with a new listen key");
    expect(posts()).toBeGreaterThan(before);
    await venue.placeOrders([{ ...quote, clientId: "k1", side: "sell", price: 60_000 }]);
    await takeAsk("t5", 60_000);
    await waitFor(() => fills("k1").length === 1, "a fill on the new listen key's stream");
  });

  it("never puts the key, the secret or a listen key in logs, errors or connection reasons", async () => {
    const wrong = await BinanceUsdmVenue.connect({
      network: { baseUrl: emulator.url },
      apiKey: `${API_KEY}-unknown`,
      secret: SECRET,
      clock: systemClock(),
      requestTimeoutMs: 500,
      onLog: (entry) => logs.push(entry),
    });
    const messages: string[] = [];
    // A key the emulator does not know: the listen key request fails; the error says so without the key.
    await wrong
      .subscribe({ coins: ["BTCUSDT"], book: "none", trades: false, account: true }, (e) => events.push(e))
      .catch((error: Error) => messages.push(error.message));
    await wrong.close();
    expect(messages[0]).toMatch(/-2015|Invalid API-key/);
    await venue.subscribe({ coins: ["BTCUSDT"], book: "top", trades: false, account: true }, (e) =>
      events.push(e),
    );
    emulator.injectWsFault({ kind: "expire-listen-keys" });
    await waitFor(() => connection("reconnected") === 1, "reconnected");
    emulator.injectWsFault({ kind: "drop", target: "all" });
    await waitFor(() => connection("reconnected") === 2, "reconnected again");
    messages.push(...wordsSeen(logs));
    expect(logs.length).toBeGreaterThan(0);
    for (const message of messages) {
      expect(message).not.toContain(SECRET);
      expect(message).not.toContain(API_KEY);
      expect(message).not.toMatch(/[0-9a-f]{64}/); // the emulator's listen keys are 64 hex characters
    }
  });
});
