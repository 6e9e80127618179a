import { type BybitEmulator, startBybitEmulator } from "@botmm/bybit-emulator";
import { type Fill, type L2Book, systemClock, type VenueEvent } from "@botmm/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { streamEventQueries } from "../../exchange-ccxt/test-support/stream-events.ts";
import { type BybitLogEntry, bybitUrls, bybitWsUrls } from "./options.ts";
import { BybitLinearVenue } from "./venue.ts";
import { BybitLinearClient } from "./ws-client.ts";

// Test-only credentials for the local emulator (not real keys).
const API_KEY = "bybit-stream-key-0123456789";
const SECRET = "bybit-stream-secret-DO-NOT-LEAK-7f6e5d";

let emulator: BybitEmulator;
let venue: BybitLinearVenue;
let events: VenueEvent[];
let logs: BybitLogEntry[];

const quote = { coin: "BTCUSDT", size: 0.002, timeInForce: "alo", reduceOnly: false } as const;

const { waitFor, fills, connection, orderUpdate, lastBook, bookMatches, wordsSeen } = streamEventQueries(
  () => events,
);

/** The emulator's house sends an IOC buy of `size` up to `price` (it takes our resting asks first by price). */
function liftAsks(price: string, size = 0.002): number {
  return emulator.sim.takeLiquidity("BTCUSDT", "buy", size, Date.now(), price).length;
}

/** The REST snapshot (`GET /v5/market/orderbook`), shaped like a core L2Book's levels. */
async function restLevels(levels = 20): Promise<Pick<L2Book, "bids" | "asks">> {
  const res = await fetch(
    `${emulator.url}/v5/market/orderbook?category=linear&symbol=BTCUSDT&limit=${levels}`,
  );
  const { result } = (await res.json()) as { result: { b: [string, string][]; a: [string, string][] } };
  const toLevels = (rows: [string, string][]) =>
    rows.map(([p, q]) => ({ price: Number(p), size: Number(q) }));
  return { bids: toLevels(result.b), asks: toLevels(result.a) };
}

const bookMatchesRest = () => bookMatches(restLevels);

beforeEach(async () => {
  events = [];
  logs = [];
  emulator = await startBybitEmulator({
    clock: systemClock(),
    accounts: [{ apiKey: API_KEY, secret: SECRET }],
  });
  venue = await BybitLinearVenue.connect({
    network: { baseUrl: emulator.url },
    apiKey: API_KEY,
    secret: SECRET,
    clock: systemClock(),
    requestTimeoutMs: 2_000,
    reconnectDelayMs: 50,
    onLog: (entry) => logs.push(entry),
  });
});

afterEach(async () => {
  await venue.close();
  await emulator.close();
});

describe("BybitLinearVenue streams against the emulator (ccxt pro bybit unchanged)", () => {
  it("keeps the orderbook.50 stream consistent with the REST snapshot as orders rest and trade", async () => {
    const stop = await venue.subscribe(
      { coins: ["BTCUSDT"], book: "l2", trades: true, account: false },
      (e) => events.push(e),
    );
    await waitFor(bookMatchesRest, "the first book equal to REST depth");
    await venue.placeOrders([{ ...quote, clientId: "b1", side: "buy", price: 59_999.5, size: 0.004 }]);
    await waitFor(() => lastBook()?.bids.some((l) => l.price === 59_999.5 && l.size === 5.004), "our bid");
    expect(await bookMatchesRest()).toBe(true);
    liftAsks("60000.30", 7); // sweeps the 60,000.1 house ask (5) and 2 of the 60,000.2 one
    await waitFor(bookMatchesRest, "the book after a sweep equal to REST depth");
    expect(lastBook()!.asks[0]).toEqual({ price: 60_000.2, size: 3 });
    const trades = await waitFor(() => {
      const buys = events
        .flatMap((e) => (e.type === "trades" ? e.trades : []))
        .filter((t) => t.side === "buy");
      return buys.length >= 2 && buys;
    }, "the public trades");
    expect(trades.map((t) => [t.price, t.size])).toEqual([
      [60_000.1, 5],
      [60_000.2, 2],
    ]);
    await stop();
  });

  it("delivers order updates and the fill on the private stream; ccxt's watchPositions follows", async () => {
    await venue.subscribe({ coins: ["BTCUSDT"], book: "none", trades: false, account: true }, (e) =>
      events.push(e),
    );
    const [placed] = await venue.placeOrders([{ ...quote, clientId: "f1", side: "sell", price: 60_000 }]);
    expect(placed!.status).toBe("open");
    await waitFor(() => orderUpdate("f1", "open"), "the New order update");
    expect(liftAsks("60000")).toBe(1);
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
    await waitFor(() => orderUpdate("f1", "filled"), "the Filled order update");

    // ccxt's pro bybit (the subclass only adds socket hooks and subscription acks).
    const client = new BybitLinearClient({
      apiKey: API_KEY,
      secret: SECRET,
      urls: { api: { ...bybitUrls(emulator.url), ws: bybitWsUrls(emulator.wsUrl) } },
      options: {
        enableUnifiedAccount: true,
        enableUnifiedMargin: false,
        fetchMarkets: { types: ["linear"] },
        watchPositions: { fetchPositionsSnapshot: false, awaitPositionsSnapshot: false },
      },
    });
    (client.has as Record<string, unknown>).fetchCurrencies = false;
    await client.loadHttpProxyAgent();
    try {
      await client.loadMarkets();
      const next = client.watchPositions(["BTC/USDT:USDT"]);
      // Fill only once the emulator confirmed the `position` topic (an earlier fill would not be streamed).
      await waitFor(() => client.isAcked("/v5/private", "positions::BTC/USDT:USDT"), "the position topic");
      await venue.placeOrders([{ ...quote, clientId: "p1", side: "sell", price: 60_000 }]);
      liftAsks("60000");
      const [position] = await next;
      expect(position).toMatchObject({ symbol: "BTC/USDT:USDT", contracts: 0.004, side: "short" });
    } finally {
      await client.close();
    }
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
    // An order whose answer is lost: unknown, then it must not be placed twice.
    emulator.injectHttpFault({ kind: "drop", when: "after", mode: "reset" });
    const [lost] = await venue.placeOrders([{ ...quote, clientId: "d3", side: "buy", price: 59_900 }]);
    expect(lost!.status).toBe("unknown");

    emulator.refuseStreamConnections(true);
    expect(emulator.dropStreams("all")).toBeGreaterThanOrEqual(2);
    await waitFor(() => connection("disconnected") === 1, "disconnected");
    // While the streams are down: d1 fills, d2 is cancelled by another hand.
    expect(liftAsks("60000")).toBe(1);
    emulator.sim.cancel(API_KEY, { symbol: "BTCUSDT", clientId: "botmm-d2" }, Date.now());
    expect(fills("d1")).toEqual([]);

    emulator.refuseStreamConnections(false);
    await waitFor(() => connection("reconnected") === 1, "reconnected");
    // The fill made during the drop came back over REST, exactly once, before `reconnected`.
    expect(fills("d1")).toHaveLength(1);
    const reconnectedAt = events.findIndex((e) => e.type === "connection" && e.state === "reconnected");
    expect(events.findIndex((e) => e.type === "fill")).toBeLessThan(reconnectedAt);
    expect(emulator.requests.some((r) => r.path === "/v5/execution/list")).toBe(true);
    expect(orderUpdate("d2", "cancelled")).toBe(true);

    // Reconcile the unknown by client id: it is there once; resending is refused, never a second order.
    const [state] = await venue.reconcile([{ clientId: "d3", coin: "BTCUSDT" }]);
    expect(state!.status).toBe("open");
    const [again] = await venue.placeOrders([{ ...quote, clientId: "d3", side: "buy", price: 59_900 }]);
    expect(again!.status).toBe("rejected");
    expect(emulator.sim.countByClientId(API_KEY, "botmm-d3")).toBe(1);

    // Resubscribed and resynced: the book follows REST again and a new fill streams in, once.
    await waitFor(bookMatchesRest, "the book after the reconnect equal to REST depth");
    await venue.placeOrders([{ ...quote, clientId: "d4", side: "sell", price: 60_000 }]);
    await waitFor(bookMatchesRest, "the book with d4");
    liftAsks("60000");
    await waitFor(() => fills("d4").length === 1, "the fill after the reconnect");
    await new Promise((resolve) => setTimeout(resolve, 300)); // a late duplicate would land here
    expect(fills("d1")).toHaveLength(1);
    expect(fills("d4")).toHaveLength(1);
  });

  it("disconnect-cancel-all fires when the private stream stays down for the window", async () => {
    await venue.setDisconnectProtection(3);
    await venue.subscribe({ coins: ["BTCUSDT"], book: "none", trades: false, account: true }, (e) =>
      events.push(e),
    );
    await venue.placeOrders([{ ...quote, clientId: "c1", side: "buy", price: 59_900 }]);
    await waitFor(() => orderUpdate("c1", "open"), "the order on the stream");
    emulator.refuseStreamConnections(true);
    emulator.dropStreams("private");
    await waitFor(() => connection("disconnected") === 1, "disconnected");
    // Nothing is cancelled by the drop itself: only once the 3 s window has passed with the stream down.
    await waitFor(() => emulator.sim.openOrders(API_KEY).length === 0, "the disconnect-cancel-all");
    emulator.refuseStreamConnections(false);
    await waitFor(() => connection("reconnected") === 1, "reconnected");
    expect(orderUpdate("c1", "cancelled")).toBe(true);
    expect(await venue.openOrders("BTCUSDT")).toEqual([]);
  });

  it("never puts the key, the secret or a signature in logs, errors or connection reasons", async () => {
    const wrong = await BybitLinearVenue.connect({
      network: { baseUrl: emulator.url },
      apiKey: `${API_KEY}-unknown`,
      secret: SECRET,
      clock: systemClock(),
      requestTimeoutMs: 500,
      onLog: (entry) => logs.push(entry),
    });
    const messages: string[] = [];
    // A key the emulator does not know: the private stream's auth fails; the error says so without the key.
    await wrong
      .subscribe({ coins: ["BTCUSDT"], book: "none", trades: false, account: true }, (e) => events.push(e))
      .catch((error: Error) => messages.push(error.message));
    await wrong.close();
    expect(messages[0]).toMatch(/auth|USVC1111/i);
    await venue.subscribe({ coins: ["BTCUSDT"], book: "top", trades: true, account: true }, (e) =>
      events.push(e),
    );
    emulator.dropStreams("all");
    await waitFor(() => connection("reconnected") === 1, "reconnected");
    messages.push(...wordsSeen(logs));
    expect(logs.length).toBeGreaterThan(0);
    for (const message of messages) {
      expect(message).not.toContain(SECRET);
      expect(message).not.toContain(API_KEY);
      expect(message).not.toMatch(/[0-9a-f]{64}/); // an HMAC-SHA256 signature
    }
  });
});
