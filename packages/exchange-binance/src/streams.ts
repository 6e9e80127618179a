import {
  bookTopFromRows,
  type Clock,
  type Fill,
  l2BookFromRows,
  type OrderUpdate,
  type StreamLoopSpec,
  type StreamOutput,
  type SubscriptionRequest,
  type Unsubscribe,
  type VenueEvent,
  VenueStreams,
} from "@botmm/core";
import ccxt from "ccxt";
import { BinanceVenueError } from "./errors.ts";
import type { BinanceLogEntry } from "./options.ts";
import type { BinanceUsdmClient } from "./ws-client.ts";
import {
  type BinanceOrderUpdateJson,
  type CcxtBookLike,
  fillFromOrderUpdate,
  fillKey,
  orderUpdateFromBinance,
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

const MAX_RETRY_DELAY_MS = 5_000;

/**
 * The Binance adapter's streams over ccxt's pro API: per coin `watchOrderBook` (diff depth synced to the REST
 * snapshot by ccxt) and `watchTrades`; for the account `watchOrders` and `watchMyTrades` on the listen-key user
 * stream. The loops, backoff, outage tracking, REST recovery and fill de-duplication are core's
 * {@link VenueStreams}; this class adds Binance's loops and converters and its listen key: a dropped user
 * stream gets a fresh listen key; once every socket is back the fills made meanwhile are fetched over REST
 * (`userTrades`), tracked orders are reconciled by client id, and only then `connection: reconnected`.
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
  readonly #core: VenueStreams;

  constructor(context: BinanceStreamContext) {
    this.#c = context;
    this.#core = new VenueStreams({
      clock: context.clock,
      reconnectDelayMs: context.reconnectDelayMs,
      maxRetryDelayMs: MAX_RETRY_DELAY_MS,
      subscribeTimeoutMs: context.subscribeTimeoutMs,
      loopsFor: (request) => this.#loopsFor(request),
      classify: (error) =>
        error instanceof ccxt.AuthenticationError ||
        error instanceof ccxt.PermissionDenied ||
        error instanceof ccxt.BadSymbol
          ? "refused"
          : error instanceof ccxt.NetworkError
            ? "network"
            : "other",
      describe: (error) => context.describe(error),
      log: (level, message, fields) => context.log(level, message, fields),
      error: (code, message, cause) =>
        new BinanceVenueError(code, message, cause === undefined ? undefined : { cause }),
      recover: (since, coins) => context.recover(since, coins),
      fillKey,
      compareFills: (a, b) => a.time - b.time || Number(a.tradeId) - Number(b.tradeId),
      closeTransport: () => context.exchange.close(),
    });
    context.exchange.hooks = {
      opened: (url) => this.#core.socketOpened(socketKey(url)),
      closed: (url, reason) => {
        if (this.#core.closed) return;
        const key = socketKey(url);
        if (key === "user") this.#c.exchange.forgetListenKey();
        this.#core.socketClosed(key, key === "user", reason);
      },
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
  subscribe(request: SubscriptionRequest, listener: (event: VenueEvent) => void): Promise<Unsubscribe> {
    return this.#core.subscribe(request, listener);
  }

  /**
   * Stops every stream and closes ccxt's sockets.
   *
   * @example
   * ```ts
   * await streams.close();
   * ```
   */
  close(): Promise<void> {
    return this.#core.close();
  }

  #loopsFor(request: SubscriptionRequest): StreamLoopSpec[] {
    const ex = this.#c.exchange;
    const loops: StreamLoopSpec[] = [];
    for (const coin of new Set(request.coins)) {
      const symbol = this.#c.symbolOf(coin);
      if (request.book !== "none") {
        loops.push({
          key: `book:${coin}`,
          kind: "market",
          watch: () => ex.watchOrderBook(symbol, 100),
          unwatch: () => ex.unWatchOrderBook(symbol),
          dispatch: (value, out) => this.#onBook(coin, value as CcxtBookLike, out),
        });
      }
      if (request.trades) {
        loops.push({
          key: `trades:${coin}`,
          kind: "market",
          watch: () => ex.watchTrades(symbol),
          unwatch: () => ex.unWatchTrades(symbol),
          dispatch: (value, out) => this.#onTrades(value as { info: unknown }[], out),
          live: () => this.#socketCarries((c) => c.subscriptions?.[`trade::${symbol}`] !== undefined),
        });
      }
    }
    if (request.account) {
      const userLive = () => this.#socketCarries((c) => c.url.includes("listenKey="));
      loops.push(
        {
          key: "orders",
          kind: "user",
          watch: () => ex.watchOrders(),
          unwatch: null,
          dispatch: (value, out) => this.#onOrders(value as { info: unknown }[], out),
          live: userLive,
        },
        {
          key: "myTrades",
          kind: "user",
          watch: () => ex.watchMyTrades(),
          unwatch: null,
          dispatch: (value, out) => {
            for (const trade of value as { info: unknown }[])
              out.deliverFill(
                fillFromOrderUpdate(trade.info as BinanceOrderUpdateJson, (w) => this.#c.clientIdOf(w)),
              );
          },
          live: userLive,
        },
      );
    }
    return loops;
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

  #onBook(coin: string, book: CcxtBookLike, out: StreamOutput): void {
    const now = this.#c.clock.now();
    let l2: VenueEvent | null = null;
    let top: VenueEvent | null = null;
    for (const target of out.targets) {
      if (target.request.book === "l2") {
        l2 ??= { type: "book", book: l2BookFromRows(coin, book, this.#c.bookLevels), receivedAt: now };
        out.emit(target, l2);
      } else if (target.request.book === "top") {
        top ??= { type: "bookTop", top: bookTopFromRows(coin, book), receivedAt: now };
        out.emit(target, top);
      }
    }
  }

  #onTrades(trades: { info: unknown }[], out: StreamOutput): void {
    if (trades.length === 0) return;
    const event: VenueEvent = {
      type: "trades",
      trades: trades.map((t) => tradeFromBinance(t.info as Parameters<typeof tradeFromBinance>[0])),
      receivedAt: this.#c.clock.now(),
    };
    for (const target of out.targets) out.emit(target, event);
  }

  #onOrders(orders: { info: unknown }[], out: StreamOutput): void {
    const now = this.#c.clock.now();
    for (const order of orders) {
      const update = orderUpdateFromBinance(order.info as BinanceOrderUpdateJson, (w) =>
        this.#c.clientIdOf(w),
      );
      this.#c.onOrderUpdate(update);
      out.emitAccount({ type: "order", update, receivedAt: now });
    }
  }
}

/** The user stream's URL carries the listen key, which changes: every user socket is one "user" socket. */
function socketKey(url: string): string {
  return url.includes("listenKey=") || url.includes("/private/") ? "user" : url;
}
