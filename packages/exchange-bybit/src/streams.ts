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
  type Unsubscribe,
  type VenueEvent,
  VenueStreams,
} from "@botmm/core";
import ccxt from "ccxt";
import { type BybitExecutionJson, type BybitOrderJson, fillFromBybit } from "./convert.ts";
import { BybitVenueError } from "./errors.ts";
import type { BybitLogEntry } from "./options.ts";
import type { BybitLinearClient } from "./ws-client.ts";
import { type BybitPublicTradeJson, orderUpdateFromBybit, tradeFromBybit } from "./ws-convert.ts";

/** What the stream manager needs from the venue. */
export interface BybitStreamContext {
  exchange: BybitLinearClient;
  clock: Clock;
  clientIdPrefix: string;
  bookLevels: number;
  reconnectDelayMs: number;
  /** How long {@link BybitStreams.subscribe} waits for its streams before failing. */
  subscribeTimeoutMs: number;
  /** ccxt's unified symbol of a listed coin. */
  symbolOf(coin: string): string;
  /** The core client id of a wire `orderLinkId` (null: another bot's or a manual order). */
  clientIdOf(wire: string): string | null;
  /** An error's words with keys and signatures removed. */
  describe(error: unknown): string;
  log(level: BybitLogEntry["level"], message: string, fields?: Record<string, unknown>): void;
  /** After the private stream was down: the fills made since `since` (REST) and where tracked orders now stand. */
  recover(since: number, coins: readonly string[]): Promise<{ fills: Fill[]; updates: OrderUpdate[] }>;
  /** Every own order update the stream delivers (the venue keeps its live-order table with it). */
  onOrderUpdate(update: OrderUpdate): void;
}

/** Bybit's linear book depths ccxt may subscribe to; 50 is what the adapter uses. */
const BOOK_TOPIC_DEPTH = 50;
const MAX_RETRY_DELAY_MS = 5_000;

/**
 * The Bybit adapter's streams over ccxt's pro API: per coin `watchOrderBook` (`orderbook.50`: a snapshot,
 * then deltas ccxt applies) and `watchTrades` (`publicTrade`) on the public linear socket; for the account
 * `watchOrders` (`order`) and `watchMyTrades` (`execution`) on the private socket after `auth`. The loops,
 * backoff, outage tracking, REST recovery and fill de-duplication are core's {@link VenueStreams}: when a
 * socket drops every listener gets `disconnected`; ccxt dials again, re-authenticates, resubscribes and
 * gets a fresh book snapshot; once every socket is back the fills made meanwhile are fetched over REST
 * (`/v5/execution/list`), tracked orders are reconciled by client id, and only then `reconnected`.
 *
 * @example
 * ```ts
 * const streams = new BybitStreams(context);
 * const stop = await streams.subscribe({ coins: ["BTCUSDT"], book: "l2", trades: true, account: true }, onEvent);
 * await stop();
 * await streams.close();
 * ```
 */
export class BybitStreams {
  readonly #c: BybitStreamContext;
  readonly #core: VenueStreams;

  constructor(context: BybitStreamContext) {
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
        error instanceof ccxt.BadSymbol ||
        error instanceof ccxt.BadRequest
          ? "refused"
          : error instanceof ccxt.NetworkError
            ? "network"
            : "other",
      describe: (error) => context.describe(error),
      log: (level, message, fields) => context.log(level, message, fields),
      error: (code, message, cause) =>
        new BybitVenueError(code, message, cause === undefined ? undefined : { cause }),
      recover: (since, coins) => context.recover(since, coins),
      fillKey: (fill) => `${fill.coin}:${fill.tradeId}`,
      compareFills: (a, b) => a.time - b.time || (a.tradeId < b.tradeId ? -1 : a.tradeId > b.tradeId ? 1 : 0),
      closeTransport: () => context.exchange.close(),
    });
    context.exchange.hooks = {
      opened: (url) => this.#core.socketOpened(socketKey(url)),
      closed: (url, reason) => {
        const key = socketKey(url);
        this.#core.socketClosed(key, key === "user", reason);
      },
    };
  }

  /**
   * Opens the streams a request asks for; resolves once each has delivered or its socket is open.
   *
   * @throws BybitVenueError `CLOSED`, `REQUEST_FAILED` (a stream did not come up in time or was refused).
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
          watch: () => ex.watchOrderBook(symbol, BOOK_TOPIC_DEPTH),
          unwatch: () => ex.unWatchOrderBook(symbol, { limit: BOOK_TOPIC_DEPTH }),
          dispatch: (value, out) => this.#onBook(coin, value as BookRowsLike, out),
        });
      }
      if (request.trades) {
        loops.push({
          key: `trades:${coin}`,
          kind: "market",
          watch: () => ex.watchTrades(symbol),
          unwatch: () => ex.unWatchTrades(symbol),
          dispatch: (value, out) => {
            const rows = value as { info: unknown }[];
            if (rows.length === 0) return;
            const event: VenueEvent = {
              type: "trades",
              trades: rows.map((t) => tradeFromBybit(t.info as BybitPublicTradeJson)),
              receivedAt: this.#c.clock.now(),
            };
            for (const target of out.targets) out.emit(target, event);
          },
          live: () => ex.isAcked("/v5/public/", `trade:${symbol}`),
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
          // Up once Bybit confirmed the topic: an order placed right after subscribe cannot be missed.
          live: () => ex.isAcked("/v5/private", "orders"),
        },
        {
          key: "myTrades",
          kind: "user",
          watch: () => ex.watchMyTrades(),
          unwatch: null,
          dispatch: (value, out) => {
            for (const trade of value as { info: unknown }[]) {
              const row = trade.info as BybitExecutionJson & { execType?: string };
              if (row.execType !== undefined && row.execType !== "Trade") continue; // funding, ADL, …
              out.deliverFill(
                fillFromBybit(this.#c.clientIdPrefix, row, this.#c.clientIdOf(row.orderLinkId)),
              );
            }
          },
          live: () => ex.isAcked("/v5/private", "myTrades"),
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

  #onOrders(orders: { info: unknown }[], out: StreamOutput): void {
    const now = this.#c.clock.now();
    for (const order of orders) {
      const update = orderUpdateFromBybit(order.info as BybitOrderJson, (w) => this.#c.clientIdOf(w));
      this.#c.onOrderUpdate(update);
      out.emitAccount({ type: "order", update, receivedAt: now });
    }
  }
}

/** Every private socket is one "user" socket; public ones are told apart by URL. */
function socketKey(url: string): string {
  return url.includes("/v5/private") ? "user" : url;
}
