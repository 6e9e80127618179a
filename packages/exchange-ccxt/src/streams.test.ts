import type { Fill, OrderUpdate, Trade, VenueEvent } from "@botmm/core";
import ccxt from "ccxt";
import { describe, expect, it } from "vitest";
import {
  type CcxtStreamClient,
  CcxtStreams,
  type CcxtStreamsContext,
  ccxtStreamErrorKind,
  socketCarries,
} from "./streams.ts";

/** A ccxt pro client whose watch calls answer what a test feeds them, one value a call, and wait otherwise. */
class FakeClient implements CcxtStreamClient {
  hooks: CcxtStreamClient["hooks"] = null;
  readonly calls: string[] = [];
  readonly #feeds = new Map<string, unknown[]>();
  readonly #waiting = new Map<string, (value: unknown) => void>();

  feed(method: string, value: unknown): void {
    const waiting = this.#waiting.get(method);
    if (waiting) {
      this.#waiting.delete(method);
      waiting(value);
    } else this.#feeds.set(method, [...(this.#feeds.get(method) ?? []), value]);
  }

  #next(method: string, args: unknown[]): Promise<unknown> {
    this.calls.push(`${method}(${args.map((a) => JSON.stringify(a)).join(", ")})`);
    const queued = this.#feeds.get(method);
    if (queued && queued.length > 0) return Promise.resolve(queued.shift());
    return new Promise((resolve) => this.#waiting.set(method, resolve));
  }

  replacesPendingRun(): boolean {
    return false;
  }
  watchOrderBook(...args: unknown[]) {
    return this.#next("watchOrderBook", args);
  }
  unWatchOrderBook(...args: unknown[]) {
    this.calls.push(`unWatchOrderBook(${args.map((a) => JSON.stringify(a)).join(", ")})`);
    return Promise.resolve(true);
  }
  watchTrades(...args: unknown[]) {
    return this.#next("watchTrades", args);
  }
  unWatchTrades() {
    return Promise.resolve(true);
  }
  watchOrders() {
    return this.#next("watchOrders", []);
  }
  watchMyTrades() {
    return this.#next("watchMyTrades", []);
  }
  async close(): Promise<void> {}
}

function context(client: FakeClient, updates: OrderUpdate[]): CcxtStreamsContext {
  return {
    exchange: client,
    clock: { now: () => 1_000 },
    bookLevels: 2,
    reconnectDelayMs: 10,
    subscribeTimeoutMs: 2_000,
    symbolOf: (coin) => `${coin.replace("USDT", "")}/USDT:USDT`,
    describe: String,
    log: () => {},
    error: (code, message) => new Error(`${code}: ${message}`),
    recover: async () => ({ fills: [], updates: [] }),
    onOrderUpdate: (update) => updates.push(update),
    fillKey: (fill) => fill.tradeId,
    compareFills: (a, b) => a.time - b.time,
    socketKey: (url) => (url.includes("private") ? "user" : url),
    book: { limit: 50, unwatchParams: { limit: 50 } },
    live: { trades: () => false, orders: () => false, myTrades: () => false },
    convert: {
      trade: (info) => ({ ...(info as object), coin: "BTCUSDT" }) as unknown as Trade,
      orderUpdate: (info) => info as OrderUpdate,
      fill: (info) => ((info as { kind: string }).kind === "trade" ? (info as unknown as Fill) : null),
    },
  };
}

describe("CcxtStreams", () => {
  it("turns ccxt's books, trades, orders and trades of the account into venue events", async () => {
    const client = new FakeClient();
    const updates: OrderUpdate[] = [];
    const streams = new CcxtStreams(context(client, updates));
    const events: VenueEvent[] = [];
    client.feed("watchOrderBook", {
      bids: [
        [99, 1],
        [98, 2],
        [97, 3],
      ],
      asks: [[101, 1]],
      timestamp: 900,
    });
    client.feed("watchTrades", [{ info: { price: 100 } }]);
    client.feed("watchOrders", [{ info: { clientId: "7", status: "open" } }]);
    client.feed("watchMyTrades", [
      { info: { kind: "funding", tradeId: "f" } },
      { info: { kind: "trade", tradeId: "t1", coin: "BTCUSDT", time: 950 } },
    ]);
    const stop = await streams.subscribe(
      { coins: ["BTCUSDT"], book: "l2", trades: true, account: true },
      (event) => events.push(event),
    );
    expect(client.calls).toContain('watchOrderBook("BTC/USDT:USDT", 50)');
    const book = events.find((e) => e.type === "book");
    expect(book).toMatchObject({ book: { coin: "BTCUSDT" }, receivedAt: 1_000 });
    expect(book?.type === "book" && book.book.bids.length).toBe(2); // bookLevels
    expect(events.find((e) => e.type === "trades")).toMatchObject({ trades: [{ price: 100 }] });
    expect(events.find((e) => e.type === "order")).toMatchObject({ update: { clientId: "7" } });
    expect(updates).toEqual([{ clientId: "7", status: "open" }]);
    // The funding row is no fill; the trade is delivered once.
    expect(events.filter((e) => e.type === "fill").map((e) => e.type === "fill" && e.fill.tradeId)).toEqual([
      "t1",
    ]);
    await stop();
    expect(client.calls).toContain('unWatchOrderBook("BTC/USDT:USDT", {"limit":50})');
    await streams.close();
  });

  it("reports a dropped user socket once, and says reconnected after it is open again", async () => {
    const client = new FakeClient();
    const streams = new CcxtStreams(context(client, []));
    const events: VenueEvent[] = [];
    client.feed("watchOrders", []);
    client.feed("watchMyTrades", []);
    await streams.subscribe({ coins: [], book: "none", trades: false, account: true }, (e) => events.push(e));
    client.hooks?.opened("ws://venue/private");
    client.hooks?.closed("ws://venue/private", "WebSocket closed (code 1006)");
    client.hooks?.closed("ws://venue/private", "WebSocket closed (code 1006)");
    client.hooks?.opened("ws://venue/private");
    const states = () => events.flatMap((e) => (e.type === "connection" ? [e.state] : []));
    for (let i = 0; i < 100 && !states().includes("reconnected"); i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(states()).toEqual(["disconnected", "reconnected"]);
    await streams.close();
    client.hooks?.closed("ws://venue/private", "late"); // after close: ignored
    expect(states()).toEqual(["disconnected", "reconnected"]);
  });
});

describe("ccxtStreamErrorKind", () => {
  it.each([
    [new ccxt.AuthenticationError("bad key"), [], "refused"],
    [new ccxt.PermissionDenied("no"), [], "refused"],
    [new ccxt.BadSymbol("no such"), [], "refused"],
    [new ccxt.BadRequest("topic"), [], "other"],
    [new ccxt.BadRequest("topic"), [ccxt.BadRequest], "refused"],
    [new ccxt.NetworkError("hang up"), [], "network"],
    [new ccxt.RequestTimeout("pong"), [], "network"],
    [new Error("boom"), [], "other"],
  ] as const)("%s (also refused: %j) → %s", (error, refused, kind) => {
    expect(ccxtStreamErrorKind(error, refused)).toBe(kind);
  });
});

describe("socketCarries", () => {
  it("tests only connected sockets", () => {
    const exchange = {
      clients: {
        a: { url: "ws://a/listenKey=x", isConnected: false },
        b: { url: "ws://b", isConnected: true, subscriptions: { "trade::BTC": {} } },
      },
    };
    expect(socketCarries(exchange, (s) => s.url.includes("listenKey="))).toBe(false);
    expect(socketCarries(exchange, (s) => s.subscriptions?.["trade::BTC"] !== undefined)).toBe(true);
    expect(socketCarries({}, () => true)).toBe(false);
  });
});
