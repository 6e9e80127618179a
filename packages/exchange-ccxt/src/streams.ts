import {
  type BookRowsLike,
  bookTopFromRows,
  type Clock,
  type Fill,
  l2BookFromRows,
  type OrderUpdate,
  type StreamLoopSpec,
  type StreamOutput,
  type SubscriptionRequest,
  type Trade,
  type Unsubscribe,
  type VenueEvent,
  VenueStreams,
} from "@botmm/core";
import ccxt from "ccxt";
import type { SocketHooked } from "./socket-client.ts";

/** The ccxt pro calls {@link CcxtStreams} makes (any `withSocketHooks` client of a ccxt pro exchange has them). */
export interface CcxtStreamClient extends SocketHooked {
  watchOrderBook(symbol: string, limit?: number): Promise<unknown>;
  unWatchOrderBook(symbol: string, params?: Record<string, unknown>): Promise<unknown>;
  watchTrades(symbol: string): Promise<unknown>;
  unWatchTrades(symbol: string): Promise<unknown>;
  watchOrders(): Promise<unknown>;
  watchMyTrades(): Promise<unknown>;
  close(): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: ccxt's error classes take whatever their constructors take.
type ErrorClass = new (...args: any[]) => Error;

/** What {@link CcxtStreams} needs from its venue adapter: the transport, the venue's converters and hooks. */
export interface CcxtStreamsContext {
  exchange: CcxtStreamClient;
  clock: Clock;
  /** Levels a side in `book` events. */
  bookLevels: number;
  reconnectDelayMs: number;
  /** How long `subscribe` waits for its streams before failing. */
  subscribeTimeoutMs: number;
  /** ccxt's unified symbol of a listed coin. */
  symbolOf(coin: string): string;
  /** An error's words with keys, signatures and listen keys removed. */
  describe(error: unknown): string;
  log(level: "debug" | "info" | "warn" | "error", message: string, fields?: Record<string, unknown>): void;
  /** The venue's typed error. */
  error(code: "CLOSED" | "REQUEST_FAILED", message: string, cause?: unknown): Error;
  /** After the user stream was down: the fills made since `since` (REST) and where tracked orders now stand. */
  recover(since: number, coins: readonly string[]): Promise<{ fills: Fill[]; updates: OrderUpdate[] }>;
  /** Every own order update the stream delivers (the venue keeps its live-order table with it). */
  onOrderUpdate(update: OrderUpdate): void;
  /** How fills are told apart (the same key whether a fill came by stream or by REST). */
  fillKey(fill: Fill): string;
  /** How recovered fills are ordered. */
  compareFills(a: Fill, b: Fill): number;
  /** ccxt errors besides `AuthenticationError`, `PermissionDenied` and `BadSymbol` that retrying cannot fix. */
  refusedErrors?: readonly ErrorClass[];
  /** `"user"` for the account's socket(s); any other key tells market sockets apart (their URL). */
  socketKey(url: string): string;
  /** The user socket closed (Binance forgets its listen key so the next watch asks for one). */
  onUserSocketClosed?(): void;
  /** The depth ccxt subscribes to, and the parameters its `unWatchOrderBook` needs to find that subscription. */
  book: { limit: number; unwatchParams?: Record<string, unknown> };
  /** Whether a connected socket carries each loop (before any data came): trades per symbol, then the account's. */
  live: {
    trades(symbol: string): boolean;
    orders(): boolean;
    myTrades(): boolean;
  };
  /** The venue's rows (ccxt's `info`) as core types; `fill` answers null for rows that are no trade (funding). */
  convert: {
    trade(info: unknown): Trade;
    orderUpdate(info: unknown): OrderUpdate;
    fill(info: unknown): Fill | null;
  };
}

/**
 * What a ccxt adapter hands its streams class (which adds the venue's converters and live checks to make a
 * {@link CcxtStreamsContext}).
 */
export type CcxtAdapterStreamContext<Client extends CcxtStreamClient> = Pick<
  CcxtStreamsContext,
  | "clock"
  | "bookLevels"
  | "reconnectDelayMs"
  | "subscribeTimeoutMs"
  | "symbolOf"
  | "describe"
  | "log"
  | "recover"
  | "onOrderUpdate"
> & {
  exchange: Client;
  /** The core client id of a wire client id (null: another bot's or a manual order). */
  clientIdOf(wire: string): string | null;
};

const MAX_RETRY_DELAY_MS = 5_000;

/**
 * Which way a stream failure goes: `refused` (bad key or permission, an unlisted symbol: retrying cannot
 * fix it), `network` (a dropped socket: core reports it once as `disconnected` and dials again) or `other`.
 *
 * @example
 * ```ts
 * ccxtStreamErrorKind(new ccxt.NetworkError("socket hang up")); // "network"
 * ccxtStreamErrorKind(new ccxt.BadRequest("topic"), [ccxt.BadRequest]); // "refused"
 * ```
 */
export function ccxtStreamErrorKind(
  error: unknown,
  refusedErrors: readonly ErrorClass[] = [],
): "refused" | "network" | "other" {
  if (
    error instanceof ccxt.AuthenticationError ||
    error instanceof ccxt.PermissionDenied ||
    error instanceof ccxt.BadSymbol ||
    refusedErrors.some((type) => error instanceof type)
  )
    return "refused";
  return error instanceof ccxt.NetworkError ? "network" : "other";
}

/**
 * A ccxt venue's streams over ccxt's pro API: per coin `watchOrderBook` (ccxt keeps the book in sync with its
 * snapshot) and `watchTrades`; for the account `watchOrders` and `watchMyTrades`. The loops, backoff, outage
 * tracking, REST recovery and fill de-duplication are core's {@link VenueStreams}; socket opens and closes come
 * from the client's hooks, so a dropped user socket is recovered (fills over REST, tracked orders reconciled)
 * before `connection: reconnected`.
 *
 * @example
 * ```ts
 * const streams = new CcxtStreams(context); // the venue's transport, converters and live checks
 * const stop = await streams.subscribe({ coins: ["BTCUSDT"], book: "l2", trades: true, account: true }, onEvent);
 * await stop();
 * await streams.close();
 * ```
 */
export class CcxtStreams {
  readonly #c: CcxtStreamsContext;
  readonly #core: VenueStreams;

  constructor(context: CcxtStreamsContext) {
    this.#c = context;
    this.#core = new VenueStreams({
      clock: context.clock,
      reconnectDelayMs: context.reconnectDelayMs,
      maxRetryDelayMs: MAX_RETRY_DELAY_MS,
      subscribeTimeoutMs: context.subscribeTimeoutMs,
      loopsFor: (request) => this.#loopsFor(request),
      classify: (error) => ccxtStreamErrorKind(error, context.refusedErrors),
      describe: (error) => context.describe(error),
      log: (level, message, fields) => context.log(level, message, fields),
      error: (code, message, cause) => context.error(code, message, cause),
      recover: (since, coins) => context.recover(since, coins),
      fillKey: (fill) => context.fillKey(fill),
      compareFills: (a, b) => context.compareFills(a, b),
      closeTransport: () => context.exchange.close(),
    });
    context.exchange.hooks = {
      opened: (url) => this.#core.socketOpened(context.socketKey(url)),
      closed: (url, reason) => {
        if (this.#core.closed) return;
        const key = context.socketKey(url);
        if (key === "user") context.onUserSocketClosed?.();
        this.#core.socketClosed(key, key === "user", reason);
      },
    };
  }

  /**
   * Opens the streams a request asks for; resolves once each has delivered or its socket is open.
   *
   * @throws the venue's error `CLOSED`, `REQUEST_FAILED` (a stream did not come up in time or was refused).
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
    const c = this.#c;
    const ex = c.exchange;
    const loops: StreamLoopSpec[] = [];
    for (const coin of new Set(request.coins)) {
      const symbol = c.symbolOf(coin);
      if (request.book !== "none") {
        loops.push({
          key: `book:${coin}`,
          kind: "market",
          watch: () => ex.watchOrderBook(symbol, c.book.limit),
          unwatch: () => ex.unWatchOrderBook(symbol, c.book.unwatchParams),
          dispatch: (value, out) => this.#onBook(coin, value as BookRowsLike, out),
        });
      }
      if (request.trades) {
        loops.push({
          key: `trades:${coin}`,
          kind: "market",
          watch: () => ex.watchTrades(symbol),
          unwatch: () => ex.unWatchTrades(symbol),
          dispatch: (value, out) => this.#onTrades(value as { info: unknown }[], out),
          live: () => c.live.trades(symbol),
        });
      }
    }
    if (request.account) {
      loops.push(
        {
          key: "orders",
          kind: "user",
          watch: () => ex.watchOrders(),
          unwatch: null,
          dispatch: (value, out) => this.#onOrders(value as { info: unknown }[], out),
          live: () => c.live.orders(),
        },
        {
          key: "myTrades",
          kind: "user",
          watch: () => ex.watchMyTrades(),
          unwatch: null,
          dispatch: (value, out) => {
            for (const trade of value as { info: unknown }[]) {
              const fill = c.convert.fill(trade.info);
              if (fill !== null) out.deliverFill(fill);
            }
          },
          live: () => c.live.myTrades(),
        },
      );
    }
    return loops;
  }

  #onBook(coin: string, book: BookRowsLike, out: StreamOutput): void {
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
      trades: trades.map((t) => this.#c.convert.trade(t.info)),
      receivedAt: this.#c.clock.now(),
    };
    for (const target of out.targets) out.emit(target, event);
  }

  #onOrders(orders: { info: unknown }[], out: StreamOutput): void {
    const now = this.#c.clock.now();
    for (const order of orders) {
      const update = this.#c.convert.orderUpdate(order.info);
      this.#c.onOrderUpdate(update);
      out.emitAccount({ type: "order", update, receivedAt: now });
    }
  }
}

/**
 * Whether one of the client's connected sockets passes `test` (ccxt keeps them in `clients`, by URL).
 *
 * @example
 * ```ts
 * socketCarries(client, (socket) => socket.url.includes("listenKey=")); // the user stream is up
 * ```
 */
export function socketCarries(
  exchange: { clients?: unknown },
  test: (socket: { url: string; subscriptions?: Record<string, unknown> }) => boolean,
): boolean {
  const clients = (exchange.clients ?? {}) as Record<
    string,
    { url: string; isConnected?: boolean; subscriptions?: Record<string, unknown> }
  >;
  return Object.values(clients).some((socket) => socket.isConnected === true && test(socket));
}
