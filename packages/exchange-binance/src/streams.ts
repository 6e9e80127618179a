import type { Clock, Fill, OrderUpdate, SubscriptionRequest, Unsubscribe, VenueEvent } from "@botmm/core";
import ccxt from "ccxt";
import { BinanceVenueError } from "./errors.ts";
import type { BinanceLogEntry } from "./options.ts";
import type { BinanceUsdmClient } from "./ws-client.ts";
import {
  type BinanceOrderUpdateJson,
  bookFromCcxt,
  type CcxtBookLike,
  fillFromOrderUpdate,
  fillKey,
  orderUpdateFromBinance,
  topFromCcxt,
  tradeFromBinance,
} from "./ws-convert.ts";

/** What the stream manager needs from the venue. */
export interface BinanceStreamContext {
  exchange: BinanceUsdmClient;
  clock: Clock;
  bookLevels: number;
  reconnectDelayMs: number;
  /** How long {@link BinanceStreams.subscribe} waits for its streams before failing. */
  subscribeTimeoutMs: number;
  /** ccxt's unified symbol of a listed coin. */
  symbolOf(coin: string): string;
  /** The core client id of a wire client id (null: another bot's or a manual order). */
  clientIdOf(wire: string): string | null;
  /** An error's words with keys, signatures and listen keys removed. */
  describe(error: unknown): string;
  log(level: BinanceLogEntry["level"], message: string, fields?: Record<string, unknown>): void;
  /** After the user stream was down: the fills made since `since` (REST) and where tracked orders now stand. */
  recover(since: number, coins: readonly string[]): Promise<{ fills: Fill[]; updates: OrderUpdate[] }>;
  /** Every own order update the stream delivers (the venue keeps its live-order table with it). */
  onOrderUpdate(update: OrderUpdate): void;
}

interface Stream {
  listener: (event: VenueEvent) => void;
  request: SubscriptionRequest;
  loops: Loop[];
  closed: boolean;
}

interface Loop {
  key: string;
  kind: "market" | "user";
  watch: () => Promise<unknown>;
  unwatch: (() => Promise<unknown>) | null;
  dispatch: (value: unknown) => void;
  /** Whether ccxt has a connected socket carrying this loop's subscription (before any data came). */
  live: () => boolean;
  streams: Set<Stream>;
  stopped: boolean;
  ready: boolean;
  /** Refused for a reason retrying cannot fix (bad key, unknown symbol): a pending subscribe fails now. */
  refused: boolean;
  failures: number;
  lastError: string;
}

/** Fills are deduplicated over this many recent keys. */
const SEEN_FILLS_CAPACITY = 20_000;
/** Recovery asks REST for fills from this long before the drop was noticed (the drop is seen late). */
const RECOVERY_MARGIN_MS = 60_000;
const MAX_RETRY_DELAY_MS = 5_000;

/**
 * The Binance adapter's streams over ccxt's pro API: per coin `watchOrderBook` (diff depth synced to the REST
 * snapshot by ccxt) and `watchTrades`; for the account `watchOrders` and `watchMyTrades` on the listen-key user
 * stream. Each watcher runs in its own loop shared by every subscription that wants it. When a socket drops,
 * every listener gets `connection: disconnected`; the loops dial again with backoff and ccxt resubscribes and
 * fetches a fresh depth snapshot; a dropped user stream gets a fresh listen key; once every socket is back the
 * fills made meanwhile are fetched over REST (`userTrades`), tracked orders are reconciled by client id, and
 * only then `connection: reconnected`. Fills are delivered once, whichever way they came.
 *
 * @example
 * ```ts
 * const streams = new BinanceStreams(context);
 * const stop = await streams.subscribe({ coins: ["BTCUSDT"], book: "l2", trades: true, account: true }, onEvent);
 * await stop();
 * await streams.close();
 * ```
 */
export class BinanceStreams {
  readonly #c: BinanceStreamContext;
  readonly #loops = new Map<string, Loop>();
  readonly #streams = new Set<Stream>();
  readonly #opened = new Set<string>();
  readonly #down = new Set<string>();
  readonly #seen = new Set<string>();
  readonly #seenOrder: string[] = [];
  #outage: { since: number; user: boolean } | null = null;
  #recovering = false;
  #closed = false;

  constructor(context: BinanceStreamContext) {
    this.#c = context;
    context.exchange.hooks = {
      opened: (url) => this.#onOpened(url),
      closed: (url, reason) => this.#onClosed(url, reason),
      listenKeyExpired: (url) => {
        this.#c.log("warn", "the user data stream's listen key expired; getting a new one");
        this.#c.exchange.forgetListenKey();
        const client = (this.#c.exchange.clients as Record<string, { close(): unknown }> | undefined)?.[url];
        void Promise.resolve(client?.close()).catch(() => {});
      },
    };
  }

  /**
   * Opens the streams a request asks for; resolves once each has delivered or its socket is open.
   *
   * @throws BinanceVenueError `CLOSED`, `REQUEST_FAILED` (a stream did not come up in time).
   * @example
   * ```ts
   * const stop = await streams.subscribe({ coins: ["BTCUSDT"], book: "top", trades: false, account: false }, console.log);
   * ```
   */
  async subscribe(request: SubscriptionRequest, listener: (event: VenueEvent) => void): Promise<Unsubscribe> {
    if (this.#closed) throw new BinanceVenueError("CLOSED", "subscribe: the venue is closed");
    const stream: Stream = { listener, request, loops: [], closed: false };
    const ex = this.#c.exchange;
    for (const coin of new Set(request.coins)) {
      const symbol = this.#c.symbolOf(coin);
      if (request.book !== "none") {
        stream.loops.push(
          this.#loop(
            `book:${coin}`,
            "market",
            () => ex.watchOrderBook(symbol, 100),
            () => ex.unWatchOrderBook(symbol),
            (value) => this.#onBook(coin, value as CcxtBookLike),
          ),
        );
      }
      if (request.trades) {
        stream.loops.push(
          this.#loop(
            `trades:${coin}`,
            "market",
            () => ex.watchTrades(symbol),
            () => ex.unWatchTrades(symbol),
            (value) => this.#onTrades(coin, value as { info: unknown }[]),
            () => this.#socketCarries((c) => c.subscriptions?.[`trade::${symbol}`] !== undefined),
          ),
        );
      }
    }
    if (request.account) {
      stream.loops.push(
        this.#loop(
          "orders",
          "user",
          () => ex.watchOrders(),
          null,
          (value) => this.#onOrders(value as { info: unknown }[]),
          () => this.#socketCarries((c) => c.url.includes("listenKey=")),
        ),
        this.#loop(
          "myTrades",
          "user",
          () => ex.watchMyTrades(),
          null,
          (value) => this.#onMyTrades(value as { info: unknown }[]),
          () => this.#socketCarries((c) => c.url.includes("listenKey=")),
        ),
      );
    }
    this.#streams.add(stream);
    for (const loop of stream.loops) {
      const fresh = loop.streams.size === 0;
      loop.streams.add(stream);
      if (fresh) void this.#run(loop);
    }
    const deadline = this.#c.subscribeTimeoutMs;
    let waited = 0;
    const up = () => stream.loops.every((l) => l.ready || l.live());
    while (!up() && !stream.loops.some((l) => l.refused && !l.ready) && waited < deadline && !this.#closed) {
      await sleep(20);
      waited += 20;
    }
    const missing = up() ? [] : stream.loops.filter((l) => !l.ready && !l.live());
    if (missing.length > 0) {
      await this.#remove(stream);
      throw new BinanceVenueError(
        this.#closed ? "CLOSED" : "REQUEST_FAILED",
        `subscribe: no data within ${deadline} ms or refused: ${missing
          .map((l) => `${l.key}${l.lastError ? ` (${l.lastError})` : ""}`)
          .join(", ")}`,
      );
    }
    return () => this.#remove(stream);
  }

  /**
   * Stops every stream and closes ccxt's sockets.
   *
   * @example
   * ```ts
   * await streams.close();
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const stream of this.#streams) stream.closed = true;
    this.#streams.clear();
    for (const loop of this.#loops.values()) loop.stopped = true;
    this.#loops.clear();
    await this.#c.exchange.close().catch(() => {});
  }

  #loop(
    key: string,
    kind: Loop["kind"],
    watch: Loop["watch"],
    unwatch: Loop["unwatch"],
    dispatch: Loop["dispatch"],
    live: Loop["live"] = () => false,
  ): Loop {
    let loop = this.#loops.get(key);
    if (!loop) {
      loop = {
        key,
        kind,
        watch,
        unwatch,
        dispatch,
        live,
        streams: new Set(),
        stopped: false,
        ready: false,
        refused: false,
        failures: 0,
        lastError: "",
      };
      this.#loops.set(key, loop);
    }
    return loop;
  }

  async #run(loop: Loop): Promise<void> {
    while (!loop.stopped && !this.#closed) {
      try {
        const value = await loop.watch();
        if (loop.stopped || this.#closed) return;
        loop.failures = 0;
        loop.ready = true;
        loop.dispatch(value);
      } catch (error) {
        if (loop.stopped || this.#closed) return;
        loop.failures++;
        loop.lastError = this.#c.describe(error);
        loop.refused =
          error instanceof ccxt.AuthenticationError ||
          error instanceof ccxt.PermissionDenied ||
          error instanceof ccxt.BadSymbol;
        // A dropped socket is reported once as `disconnected`; anything else (a refused subscription, a
        // failed listen key, a book gap ccxt resyncs) is an `error` event for the streams of this loop.
        if (!(error instanceof ccxt.NetworkError)) {
          this.#c.log("error", `stream ${loop.key} failed, retrying: ${loop.lastError}`, {
            stream: loop.key,
          });
          const wrapped = new BinanceVenueError(
            "REQUEST_FAILED",
            `stream ${loop.key} failed, retrying: ${loop.lastError}`,
          );
          for (const stream of loop.streams)
            this.#emit(stream, { type: "error", error: wrapped, receivedAt: this.#c.clock.now() });
        }
        await sleep(Math.min(MAX_RETRY_DELAY_MS, this.#c.reconnectDelayMs * 2 ** (loop.failures - 1)));
      }
    }
  }

  async #remove(stream: Stream): Promise<void> {
    if (stream.closed) return;
    stream.closed = true;
    this.#streams.delete(stream);
    const unwatches: Promise<unknown>[] = [];
    for (const loop of stream.loops) {
      loop.streams.delete(stream);
      if (loop.streams.size > 0) continue;
      loop.stopped = true;
      this.#loops.delete(loop.key);
      if (loop.unwatch && !this.#closed) unwatches.push(loop.unwatch().catch(() => {}));
    }
    if (this.#streams.size === 0) {
      // Nothing is listening: no outage to finish.
      this.#outage = null;
      this.#down.clear();
    }
    await Promise.all(unwatches);
  }

  /** Whether one of ccxt's open sockets satisfies `test`. */
  #socketCarries(
    test: (client: { url: string; subscriptions?: Record<string, unknown> }) => boolean,
  ): boolean {
    const clients = (this.#c.exchange.clients ?? {}) as Record<
      string,
      { url: string; isConnected?: boolean; subscriptions?: Record<string, unknown> }
    >;
    return Object.values(clients).some((c) => c.isConnected === true && test(c));
  }

  /** The user stream's URL carries the listen key, which changes: every user socket is one "user" socket. */
  #socketKey(url: string): string {
    return url.includes("listenKey=") || url.includes("/private/") ? "user" : url;
  }

  #onOpened(url: string): void {
    if (this.#closed) return;
    const key = this.#socketKey(url);
    this.#opened.add(key);
    this.#down.delete(key);
    if (this.#outage && this.#down.size === 0) void this.#finishOutage();
  }

  #onClosed(url: string, reason: string): void {
    if (this.#closed) return;
    const key = this.#socketKey(url);
    if (key === "user") this.#c.exchange.forgetListenKey();
    // A dial that never opened is the subscribe's (or the reconnect's) business, not a new drop.
    if (!this.#opened.has(key) || this.#down.has(key)) return;
    this.#down.add(key);
    const words = this.#c.describe(reason);
    if (this.#outage) {
      this.#outage.user ||= key === "user";
      return;
    }
    this.#outage = { since: this.#c.clock.now(), user: key === "user" };
    this.#c.log("warn", `${words}; reconnecting`, { socket: key === "user" ? "user" : "market" });
    const now = this.#c.clock.now();
    for (const stream of this.#streams)
      this.#emit(stream, { type: "connection", state: "disconnected", reason: words, receivedAt: now });
  }

  async #finishOutage(): Promise<void> {
    if (this.#recovering || !this.#outage) return;
    this.#recovering = true;
    const outage = this.#outage;
    try {
      const accountStreams = [...this.#streams].filter((s) => s.request.account);
      if (outage.user && accountStreams.length > 0) {
        const coins = [...new Set(accountStreams.flatMap((s) => s.request.coins))];
        const { fills, updates } = await this.#c.recover(outage.since - RECOVERY_MARGIN_MS, coins);
        const now = this.#c.clock.now();
        for (const update of updates) this.#emitAccount({ type: "order", update, receivedAt: now });
        let recovered = 0;
        for (const fill of fills.sort((a, b) => a.time - b.time || Number(a.tradeId) - Number(b.tradeId))) {
          if (this.#deliverFill(fill, now)) recovered++;
        }
        this.#c.log("info", `user stream back: ${recovered} missed fill(s) recovered over REST`, {
          recovered,
          reconciled: updates.length,
        });
      }
    } catch (error) {
      const words = this.#c.describe(error);
      this.#c.log("error", `recovery after the reconnect failed: ${words}`);
      const wrapped = new BinanceVenueError(
        "REQUEST_FAILED",
        `recovery after the reconnect failed (reconcile openOrders and fills yourself): ${words}`,
        { cause: error },
      );
      for (const stream of this.#streams)
        this.#emit(stream, { type: "error", error: wrapped, receivedAt: this.#c.clock.now() });
    } finally {
      this.#recovering = false;
    }
    if (this.#closed || this.#outage !== outage) return;
    if (this.#down.size > 0) return; // dropped again meanwhile: the next open finishes it
    this.#outage = null;
    this.#c.log("info", "streams reconnected");
    const now = this.#c.clock.now();
    for (const stream of this.#streams)
      this.#emit(stream, { type: "connection", state: "reconnected", receivedAt: now });
  }

  #onBook(coin: string, book: CcxtBookLike): void {
    const loop = this.#loops.get(`book:${coin}`);
    if (!loop) return;
    const now = this.#c.clock.now();
    let l2: VenueEvent | null = null;
    let top: VenueEvent | null = null;
    for (const stream of loop.streams) {
      if (stream.request.book === "l2") {
        l2 ??= { type: "book", book: bookFromCcxt(coin, book, this.#c.bookLevels), receivedAt: now };
        this.#emit(stream, l2);
      } else if (stream.request.book === "top") {
        top ??= { type: "bookTop", top: topFromCcxt(coin, book), receivedAt: now };
        this.#emit(stream, top);
      }
    }
  }

  #onTrades(coin: string, trades: { info: unknown }[]): void {
    const loop = this.#loops.get(`trades:${coin}`);
    if (!loop || trades.length === 0) return;
    const event: VenueEvent = {
      type: "trades",
      trades: trades.map((t) => tradeFromBinance(t.info as Parameters<typeof tradeFromBinance>[0])),
      receivedAt: this.#c.clock.now(),
    };
    for (const stream of loop.streams) this.#emit(stream, event);
  }

  #onOrders(orders: { info: unknown }[]): void {
    const now = this.#c.clock.now();
    for (const order of orders) {
      const update = orderUpdateFromBinance(order.info as BinanceOrderUpdateJson, (w) =>
        this.#c.clientIdOf(w),
      );
      this.#c.onOrderUpdate(update);
      this.#emitAccount({ type: "order", update, receivedAt: now });
    }
  }

  #onMyTrades(trades: { info: unknown }[]): void {
    const now = this.#c.clock.now();
    for (const trade of trades) {
      this.#deliverFill(
        fillFromOrderUpdate(trade.info as BinanceOrderUpdateJson, (w) => this.#c.clientIdOf(w)),
        now,
      );
    }
  }

  /** Delivers a fill unless it was delivered before; true when delivered. */
  #deliverFill(fill: Fill, now: number): boolean {
    const key = fillKey(fill);
    if (this.#seen.has(key)) return false;
    this.#seen.add(key);
    this.#seenOrder.push(key);
    if (this.#seenOrder.length > SEEN_FILLS_CAPACITY) {
      for (const old of this.#seenOrder.splice(0, SEEN_FILLS_CAPACITY / 2)) this.#seen.delete(old);
    }
    this.#emitAccount({ type: "fill", fill, receivedAt: now });
    return true;
  }

  #emitAccount(event: VenueEvent): void {
    for (const stream of this.#streams) if (stream.request.account) this.#emit(stream, event);
  }

  #emit(stream: Stream, event: VenueEvent): void {
    if (stream.closed) return;
    try {
      stream.listener(event);
    } catch (error) {
      this.#c.log("error", `a venue event listener threw: ${this.#c.describe(error)}`, { event: event.type });
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref?.();
  });
}
