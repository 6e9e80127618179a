import type {
  CancelRequest,
  CancelResult,
  Fill,
  Instrument,
  ModifyRequest,
  Order,
  OrderRequest,
  OrderResult,
  OrderUpdate,
  Position,
  SubscriptionRequest,
  Unsubscribe,
  Venue,
  VenueEvent,
} from "@botmm/core";
import { ClientIdMap } from "@botmm/core";
import {
  type CcxtOutcome,
  type CcxtReconciledOrder,
  logSafely,
  redactedError,
  settleCcxtCall,
  settleTrackedOrders,
} from "@botmm/exchange-ccxt";
import { BinanceRequestBudget } from "./budget.ts";
import {
  type BinanceOrderJson,
  binanceErrorCode,
  type CcxtMarketLike,
  fromWireClientId,
  instrumentFromMarket,
  orderFromBinance,
  prepareOrder,
  rejectionKindOf,
  toBinanceTif,
  toWireClientId,
} from "./convert.ts";
import { BinanceVenueError } from "./errors.ts";
import {
  type BinanceLogEntry,
  type BinanceVenueOptions,
  type ResolvedBinanceOptions,
  resolveBinanceOptions,
} from "./options.ts";
import { BinanceStreams } from "./streams.ts";
import { BinanceUsdmClient } from "./ws-client.ts";
import { type BinanceUserTradeJson, fillFromUserTrade } from "./ws-convert.ts";

/** Where an order stands on the venue, looked up by client id (how callers resolve `unknown` results). */
export type BinanceReconciledOrder = CcxtReconciledOrder;

type Outcome<T> = CcxtOutcome<T>;

/**
 * BotMM's {@link Venue} on Binance USDⓈ-M perps over ccxt's `binanceusdm` (REST). Prices and sizes are
 * rounded exactly through `@botmm/core` against each symbol's tick, lot and min-notional filters; post-only
 * orders go as `GTX` with `newClientOrderId` = `<prefix>-<clientId>`; modifies use `PUT /fapi/v1/order`
 * (the order keeps its venue id and queue rules); cancels go by `origClientOrderId`. Every batch answers per
 * order; a lost request (timeout, 5xx) answers `unknown`: look it up with {@link reconcile} before resending.
 * A local request budget refuses orders (`rate-limit`, nothing sent) before the venue would throttle.
 * {@link subscribe} streams books, trades, own orders and fills over ccxt's pro WebSocket API and recovers what
 * a dropped socket missed (REST fills, orders reconciled by client id) before saying `reconnected`.
 *
 * @example
 * ```ts
 * const venue = await BinanceUsdmVenue.connect({
 *   network: { baseUrl: emulator.url }, // or "testnet" / "mainnet"
 *   apiKey: process.env.BOTMM_BINANCE_KEY!,
 *   secret: process.env.BOTMM_BINANCE_SECRET!,
 *   clock: systemClock(),
 * });
 * const [r] = await venue.placeOrders([
 *   { clientId: "1", coin: "BTCUSDT", side: "buy", price: 59_000, size: 0.002, timeInForce: "alo", reduceOnly: false },
 * ]);
 * ```
 */
export class BinanceUsdmVenue implements Venue {
  readonly name = "binance-usdm" as const;
  readonly #o: ResolvedBinanceOptions;
  readonly #exchange: BinanceUsdmClient;
  readonly #budget: BinanceRequestBudget;
  readonly #streams: BinanceStreams;
  /** Orders this adapter believes are working: client id -> coin and venue id (reconciled after a drop). */
  readonly #live = new Map<string, { coin: string; venueOrderId: string | null }>();
  /** Venue order id -> client id, for REST fills (userTrades has no client id). */
  readonly #clientOfVenueId = new Map<string, string>();
  #instruments = new Map<string, Instrument>();
  readonly #symbols = new Map<string, string>(); // coin (market id) -> ccxt unified symbol
  /** Modify keeps Binance's client id: the core id an order carries now -> its wire id, and back. */
  readonly #ids: ClientIdMap;
  #closed = false;

  private constructor(options: ResolvedBinanceOptions) {
    this.#o = options;
    this.#ids = new ClientIdMap(
      (clientId) => toWireClientId(options.clientIdPrefix, clientId),
      (wire) => fromWireClientId(options.clientIdPrefix, wire),
    );
    this.#budget = new BinanceRequestBudget(options.clock, options.budget);
    this.#exchange = new BinanceUsdmClient({
      apiKey: options.apiKey,
      secret: options.secret,
      timeout: options.requestTimeoutMs,
      // The local budget (on the clock) refuses instead: ccxt's throttle sleeps on the wall clock before every
      // call (an all-symbol openOrders, weight 40, held the next request ~2 s), which stalled reconciliation.
      enableRateLimit: false,
      urls: { api: { ...options.urls, ws: { future: options.wsUrl } } },
      options: {
        recvWindow: options.recvWindowMs,
        fetchCurrencies: false,
        adjustForTimeDifference: false,
        warnOnFetchOpenOrdersWithoutSymbol: false,
        // No REST position snapshot on every user-stream dial (the venue reads positions itself).
        watchPositions: { fetchPositionsSnapshot: false, awaitPositionsSnapshot: false },
        ws: {
          backoff: {
            base: options.reconnectDelayMs,
            max: Math.max(2_000, options.reconnectDelayMs * 8),
          },
        },
      },
    });
    // The streams' own REST calls (listen key, depth snapshot) spend the same IP weight: counted, never refused.
    this.#exchange.onStreamRequest = (weight) => this.#budget.record(weight, 0);
    this.#streams = new BinanceStreams({
      exchange: this.#exchange,
      clock: options.clock,
      bookLevels: options.bookLevels,
      reconnectDelayMs: options.reconnectDelayMs,
      subscribeTimeoutMs: Math.max(10_000, options.requestTimeoutMs * 3),
      symbolOf: (coin) => this.#requireSymbol(coin),
      clientIdOf: (wire) => this.#ids.core(wire),
      describe: (error) => this.#describe(error),
      log: (level, message, fields) => this.#log(level, message, fields),
      recover: (since, coins) => this.#recover(since, coins),
      onOrderUpdate: (update) => {
        if (update.clientId === null) return;
        if (update.venueOrderId) this.#rememberVenueId(update.venueOrderId, update.clientId);
        if (update.status === "open") {
          this.#live.set(update.clientId, { coin: update.coin, venueOrderId: update.venueOrderId });
        } else {
          this.#live.delete(update.clientId);
        }
      },
    });
  }

  /**
   * Validates options and loads the instruments (`exchangeInfo`).
   *
   * @throws BinanceVenueError `INVALID_OPTION`, `REQUEST_FAILED`.
   * @example
   * ```ts
   * const venue = await BinanceUsdmVenue.connect({ network: "testnet", apiKey, secret, clock: systemClock() });
   * ```
   */
  static async connect(options: BinanceVenueOptions): Promise<BinanceUsdmVenue> {
    const venue = new BinanceUsdmVenue(resolveBinanceOptions(options));
    // ccxt dials plain ws:// (the emulator) only through an http agent it must load first.
    if (venue.#o.wsUrl.startsWith("ws://")) await venue.#exchange.loadHttpProxyAgent();
    await venue.refreshInstruments();
    return venue;
  }

  /**
   * The listed USDⓈ-M perps with their exact tick, lot and min-notional rules.
   *
   * @example
   * ```ts
   * (await venue.instruments()).find((i) => i.coin === "BTCUSDT")?.priceRule; // { type: "tick", tickSize: "0.1" }
   * ```
   */
  async instruments(): Promise<Instrument[]> {
    return [...this.#instruments.values()];
  }

  /**
   * Reloads `exchangeInfo`.
   *
   * @throws BinanceVenueError `REQUEST_FAILED`.
   * @example
   * ```ts
   * await venue.refreshInstruments();
   * ```
   */
  async refreshInstruments(): Promise<Instrument[]> {
    const outcome = await this.#call(1, 0, () => this.#exchange.loadMarkets(true));
    if (outcome.kind !== "ok")
      throw new BinanceVenueError("REQUEST_FAILED", `exchangeInfo failed: ${outcome.reason}`);
    const next = new Map<string, Instrument>();
    let assetId = 0;
    for (const market of Object.values(outcome.value) as unknown as CcxtMarketLike[]) {
      if (!market.swap || !market.linear || market.active === false) continue;
      const instrument = instrumentFromMarket(market, assetId++, this.#o.maxLeverage);
      if (typeof instrument === "string") continue;
      next.set(instrument.coin, instrument);
      this.#symbols.set(instrument.coin, market.symbol);
    }
    this.#instruments = next;
    return [...next.values()];
  }

  /**
   * Places orders, one `POST /fapi/v1/order` each, in parallel: rounded exactly (bids down, asks up, sizes
   * down), `GTX` for post only, `newClientOrderId` from the client id. Answers per order: `open`, `filled`,
   * `rejected` (with Binance's words and a `rejection` kind: −5022 → `post-only`) or `unknown`.
   *
   * @example
   * ```ts
   * const [r] = await venue.placeOrders([{ clientId: "1", coin: "BTCUSDT", side: "sell", price: 59_000, size: 0.002, timeInForce: "alo", reduceOnly: false }]);
   * r.rejection; // "post-only" when it would have crossed
   * ```
   */
  async placeOrders(requests: readonly OrderRequest[]): Promise<OrderResult[]> {
    return Promise.all(
      requests.map(async (request): Promise<OrderResult> => {
        const clientId = request.clientId;
        const built = this.#build(request, clientId);
        if (typeof built === "string") return localReject(clientId, built);
        const params: Record<string, unknown> = {
          timeInForce: toBinanceTif(request.timeInForce),
          newClientOrderId: built.wire,
        };
        if (request.reduceOnly) params.reduceOnly = true;
        const outcome = await this.#call(1, 1, () =>
          this.#exchange.createOrder(
            built.symbol,
            "limit",
            request.side,
            Number(built.size),
            Number(built.price),
            params,
          ),
        );
        if (outcome.kind === "ok") this.#ids.track(clientId, built.wire);
        const result = this.#orderResult(clientId, outcome);
        this.#noteResult(request.coin, result);
        return result;
      }),
    );
  }

  /**
   * Moves working orders with `PUT /fapi/v1/order` (price and size; never cancel + place). Binance keeps the
   * order's client id, so a `newClientId` becomes an alias this adapter maps to it (kept in memory). A modify
   * that would cross a post-only order answers `rejected` / `post-only` (Binance then cancels the order);
   * one of an order already gone answers `order-gone` (−2013).
   *
   * @example
   * ```ts
   * const [m] = await venue.modifyOrders([{ clientId: "1", newClientId: "2", coin: "BTCUSDT", side: "buy", price: 59_100, size: 0.002, timeInForce: "alo", reduceOnly: false }]);
   * m.clientId; // "2"
   * ```
   */
  async modifyOrders(requests: readonly ModifyRequest[]): Promise<OrderResult[]> {
    return Promise.all(
      requests.map(async (request): Promise<OrderResult> => {
        const resultId = request.newClientId ?? request.clientId;
        const built = this.#build(request, request.clientId);
        if (typeof built === "string") return localReject(resultId, built);
        const outcome = await this.#call(1, 1, () =>
          this.#exchange.editOrder(
            undefined as unknown as string,
            built.symbol,
            "limit",
            request.side,
            Number(built.size),
            Number(built.price),
            { origClientOrderId: built.wire },
          ),
        );
        if (outcome.kind === "ok" && resultId !== request.clientId) {
          this.#ids.untrack(request.clientId);
          this.#ids.track(resultId, built.wire);
        }
        const result = this.#orderResult(resultId, outcome);
        if (outcome.kind === "ok" || result.rejection === "order-gone" || result.rejection === "post-only")
          this.#live.delete(request.clientId);
        this.#noteResult(request.coin, result);
        return result;
      }),
    );
  }

  /**
   * Cancels orders by client id (`DELETE /fapi/v1/order?origClientOrderId=…`). Answers per order:
   * `cancelled`, `rejected` (−2011 unknown order, with Binance's words) or `unknown`.
   *
   * @example
   * ```ts
   * const [c] = await venue.cancelOrders([{ clientId: "1", coin: "BTCUSDT" }]);
   * c.status; // "cancelled"
   * ```
   */
  async cancelOrders(requests: readonly CancelRequest[]): Promise<CancelResult[]> {
    return Promise.all(
      requests.map(async ({ clientId, coin }): Promise<CancelResult> => {
        const symbol = this.#symbols.get(coin);
        const wire = this.#ids.wire(clientId);
        if (!symbol)
          return {
            clientId,
            status: "rejected",
            reason: `unknown coin ${JSON.stringify(coin)} (nothing sent)`,
          };
        if (!wire)
          return {
            clientId,
            status: "rejected",
            reason: `invalid clientId ${JSON.stringify(clientId)} (nothing sent)`,
          };
        const outcome = await this.#call(1, 0, () =>
          this.#exchange.cancelOrder(undefined as unknown as string, symbol, { origClientOrderId: wire }),
        );
        if (outcome.kind === "ok") {
          this.#ids.untrack(clientId);
          this.#live.delete(clientId);
          return { clientId, status: "cancelled" };
        }
        return outcome.kind === "rejected"
          ? { clientId, status: "rejected", reason: outcome.reason }
          : { clientId, status: "unknown", reason: outcome.reason };
      }),
    );
  }

  /**
   * This bot's working orders (client ids with its prefix), optionally of one coin (`GET /fapi/v1/openOrders`).
   *
   * @throws BinanceVenueError `UNKNOWN_COIN`, `REQUEST_FAILED`.
   * @example
   * ```ts
   * const mine = await venue.openOrders("BTCUSDT");
   * ```
   */
  async openOrders(coin?: string): Promise<Order[]> {
    const symbol = coin === undefined ? undefined : this.#requireSymbol(coin);
    const outcome = await this.#call(coin === undefined ? 40 : 1, 0, () =>
      this.#exchange.fetchOpenOrders(symbol),
    );
    if (outcome.kind !== "ok")
      throw new BinanceVenueError("REQUEST_FAILED", `openOrders failed: ${outcome.reason}`);
    const result: Order[] = [];
    for (const order of outcome.value) {
      const info = order.info as BinanceOrderJson;
      const clientId = this.#ids.core(info.clientOrderId);
      if (clientId !== null) result.push(orderFromBinance(clientId, info));
    }
    return result;
  }

  /**
   * Looks orders up by client id (`GET /fapi/v1/order?origClientOrderId=…`): how an `unknown` result is
   * resolved. `notFound` (−2013) means the request never reached the matching engine: resend it.
   *
   * @example
   * ```ts
   * const [state] = await venue.reconcile([{ clientId: "7", coin: "BTCUSDT" }]);
   * if (state.status === "notFound") resend("7");
   * ```
   */
  async reconcile(orders: readonly CancelRequest[]): Promise<BinanceReconciledOrder[]> {
    return Promise.all(
      orders.map(async ({ clientId, coin }): Promise<BinanceReconciledOrder> => {
        const symbol = this.#symbols.get(coin);
        const wire = this.#ids.wire(clientId);
        if (!symbol || !wire)
          return {
            clientId,
            status: "unknown",
            venueOrderId: null,
            reason: "unknown coin or invalid client id",
          };
        const outcome = await this.#call(1, 0, () =>
          this.#exchange.fetchOrder(undefined as unknown as string, symbol, { origClientOrderId: wire }),
        );
        if (outcome.kind === "ok") {
          const order = orderFromBinance(clientId, outcome.value.info as BinanceOrderJson);
          if (order.status === "open") {
            this.#ids.track(clientId, wire);
            this.#live.set(clientId, { coin, venueOrderId: order.venueOrderId });
          } else {
            this.#live.delete(clientId);
          }
          if (order.venueOrderId) this.#rememberVenueId(order.venueOrderId, clientId);
          return { clientId, status: order.status, venueOrderId: order.venueOrderId, order };
        }
        if (outcome.kind === "rejected" && outcome.code === -2013)
          return { clientId, status: "notFound", venueOrderId: null, reason: outcome.reason };
        return { clientId, status: "unknown", venueOrderId: null, reason: outcome.reason };
      }),
    );
  }

  /**
   * The position of a coin (`GET /fapi/v2/positionRisk`, one-way mode).
   *
   * @throws BinanceVenueError `UNKNOWN_COIN`, `REQUEST_FAILED`.
   * @example
   * ```ts
   * const { size, entryPrice } = await venue.position("BTCUSDT");
   * ```
   */
  async position(coin: string): Promise<Position> {
    this.#requireSymbol(coin);
    const outcome = await this.#call(
      5,
      0,
      () => this.#exchange.fapiPrivateV2GetPositionRisk({ symbol: coin }) as Promise<unknown>,
    );
    if (outcome.kind !== "ok")
      throw new BinanceVenueError("REQUEST_FAILED", `positionRisk failed: ${outcome.reason}`);
    const rows = outcome.value as { symbol: string; positionAmt: string; entryPrice: string }[];
    const row = rows.find((r) => r.symbol === coin);
    return { coin, size: row ? Number(row.positionAmt) : 0, entryPrice: row ? Number(row.entryPrice) : 0 };
  }

  /**
   * Binance's dead-man's switch for one coin (`POST /fapi/v1/countdownCancelAll`): every open order of the
   * coin is cancelled once `countdownMs` pass without another call; 0 disarms. Call it again well inside the
   * countdown to keep quoting.
   *
   * @throws BinanceVenueError `UNKNOWN_COIN`, `REQUEST_FAILED`.
   * @example
   * ```ts
   * await venue.cancelAllAfter("BTCUSDT", 60_000);
   * ```
   */
  async cancelAllAfter(coin: string, countdownMs: number): Promise<void> {
    this.#requireSymbol(coin);
    const outcome = await this.#call(
      10,
      0,
      () =>
        this.#exchange.fapiPrivatePostCountdownCancelAll({
          symbol: coin,
          countdownTime: Math.max(0, Math.floor(countdownMs)),
        }) as Promise<unknown>,
    );
    if (outcome.kind !== "ok")
      throw new BinanceVenueError("REQUEST_FAILED", `countdownCancelAll failed: ${outcome.reason}`);
  }

  /**
   * Opens streams over ccxt's pro WebSocket API: per coin the diff-depth book (`watchOrderBook`, kept in sync
   * with the REST snapshot by update ids) as `book` (`l2`, up to `bookLevels` a side) or `bookTop` events, and
   * public `trades` (`watchTrades`); with `account`, own `order` updates (`watchOrders`) and `fill`s
   * (`watchMyTrades`) from the listen-key user data stream. Events carry the venue's times and `receivedAt`
   * from the clock.
   *
   * On a dropped socket every listener gets `{ type: "connection", state: "disconnected" }`; the adapter dials
   * again with backoff, resubscribes, resyncs the depth snapshot and (for the user stream) gets a fresh listen
   * key; once all sockets are back it fetches the fills made meanwhile over REST (`userTrades`) and reconciles
   * the orders it tracks by client id (order events for those that filled or were cancelled), then sends
   * `state: "reconnected"`. A fill is delivered once, whichever way it arrived.
   *
   * @throws BinanceVenueError `CLOSED`, `UNKNOWN_COIN`, `REQUEST_FAILED` (a stream did not come up in time).
   * @example
   * ```ts
   * const stop = await venue.subscribe({ coins: ["BTCUSDT"], book: "l2", trades: true, account: true }, (event) => {
   *   if (event.type === "fill") inventory.apply(event.fill);
   *   if (event.type === "connection" && event.state === "reconnected") void reconcileOrders();
   * });
   * await stop();
   * ```
   */
  async subscribe(request: SubscriptionRequest, listener: (event: VenueEvent) => void): Promise<Unsubscribe> {
    if (this.#closed) throw new BinanceVenueError("CLOSED", "subscribe: the venue is closed");
    for (const coin of request.coins) this.#requireSymbol(coin);
    return this.#streams.subscribe(request, listener);
  }

  /**
   * Places up to 5 orders in one `POST /fapi/v1/batchOrders` (one request weight, each order counted in the
   * order budget). Answers per order like {@link placeOrders}; a lost request answers `unknown` for all of them.
   *
   * @example
   * ```ts
   * const results = await venue.placeOrdersBatch([bid, ask]); // [{ status: "open" }, { status: "open" }]
   * ```
   */
  async placeOrdersBatch(requests: readonly OrderRequest[]): Promise<OrderResult[]> {
    if (requests.length > 5) {
      const chunks: OrderResult[] = [];
      for (let i = 0; i < requests.length; i += 5)
        chunks.push(...(await this.placeOrdersBatch(requests.slice(i, i + 5))));
      return chunks;
    }
    const results: (OrderResult | null)[] = requests.map(() => null);
    const sent: { index: number; wire: string; order: Record<string, string> }[] = [];
    requests.forEach((request, index) => {
      const built = this.#build(request, request.clientId);
      if (typeof built === "string") {
        results[index] = localReject(request.clientId, built);
        return;
      }
      sent.push({
        index,
        wire: built.wire,
        order: {
          symbol: request.coin,
          side: request.side === "sell" ? "SELL" : "BUY",
          type: "LIMIT",
          timeInForce: toBinanceTif(request.timeInForce),
          quantity: built.size,
          price: built.price,
          newClientOrderId: built.wire,
          ...(request.reduceOnly ? { reduceOnly: "true" } : {}),
        },
      });
    });
    if (sent.length > 0) {
      const outcome = await this.#call(5, sent.length, () =>
        this.#exchange.fapiPrivatePostBatchOrders({ batchOrders: sent.map((s) => s.order) }),
      );
      for (const [k, { index, wire }] of sent.entries()) {
        const clientId = requests[index]!.clientId;
        let result: OrderResult;
        if (outcome.kind !== "ok") {
          result = this.#orderResult(clientId, outcome);
        } else {
          const row = (outcome.value as unknown as Record<string, unknown>[])[k] ?? {};
          if (typeof row.code === "number" && row.orderId === undefined) {
            const reason = `binanceusdm ${JSON.stringify({ code: row.code, msg: row.msg })}`;
            result = this.#orderResult(clientId, { kind: "rejected", reason, code: row.code, errorName: "" });
          } else {
            this.#ids.track(clientId, wire);
            result = this.#orderResult(clientId, { kind: "ok", value: { info: row } });
          }
        }
        this.#noteResult(requests[index]!.coin, result);
        results[index] = result;
      }
    }
    return results as OrderResult[];
  }

  /**
   * What the local budget has used in each window.
   *
   * @example
   * ```ts
   * const { weight1m, orders10s } = venue.requestStats(); // e.g. { weight1m: 12, orders10s: 2, orders1m: 4 }
   * ```
   */
  requestStats(): { weight1m: number; orders10s: number; orders1m: number } {
    return this.#budget.used();
  }

  /**
   * Stops sending; later calls answer `CLOSED` / are refused locally.
   *
   * @example
   * ```ts
   * await venue.close();
   * ```
   */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#streams.close();
  }

  /** Keeps the live-order table and the venue id map in step with an order answer. */
  #noteResult(coin: string, result: OrderResult): void {
    if (result.venueOrderId) this.#rememberVenueId(result.venueOrderId, result.clientId);
    if (result.status === "open")
      this.#live.set(result.clientId, { coin, venueOrderId: result.venueOrderId });
    else if (result.status !== "unknown") this.#live.delete(result.clientId);
  }

  #rememberVenueId(venueOrderId: string, clientId: string): void {
    this.#clientOfVenueId.set(venueOrderId, clientId);
    if (this.#clientOfVenueId.size > 50_000) {
      const oldest = this.#clientOfVenueId.keys().next().value as string;
      this.#clientOfVenueId.delete(oldest);
    }
  }

  /**
   * After the user stream was down: this account's fills since `since` on the streamed coins and the coins of
   * tracked orders (`GET /fapi/v1/userTrades`, client ids from the orders), and where each tracked order that
   * is no longer open stands (looked up by client id).
   */
  async #recover(
    since: number,
    coins: readonly string[],
  ): Promise<{ fills: Fill[]; updates: OrderUpdate[] }> {
    const all = new Set([...coins, ...[...this.#live.values()].map((o) => o.coin)]);
    const fills: Fill[] = [];
    const updates: OrderUpdate[] = [];
    for (const coin of all) {
      const symbol = this.#requireSymbol(coin);
      const outcome = await this.#call(5, 0, () => this.#exchange.fetchMyTrades(symbol, since, 1_000));
      if (outcome.kind !== "ok")
        throw new BinanceVenueError("REQUEST_FAILED", `userTrades ${coin} failed: ${outcome.reason}`);
      for (const trade of outcome.value) {
        const row = trade.info as BinanceUserTradeJson;
        const venueOrderId = String(row.orderId);
        let clientId = this.#clientOfVenueId.get(venueOrderId) ?? null;
        if (clientId === null) {
          const found = await this.#call(1, 0, () => this.#exchange.fetchOrder(venueOrderId, symbol));
          if (found.kind === "ok") {
            clientId = this.#ids.core((found.value.info as BinanceOrderJson).clientOrderId);
            if (clientId !== null) this.#rememberVenueId(venueOrderId, clientId);
          }
        }
        fills.push(fillFromUserTrade(row, clientId));
      }
      const tracked = [...this.#live].filter(([, o]) => o.coin === coin).map(([clientId]) => clientId);
      const forget = (clientId: string) => this.#live.delete(clientId);
      updates.push(...(await settleTrackedOrders(this, coin, tracked, forget, this.#o.clock)));
    }
    return { fills, updates };
  }

  #log(level: BinanceLogEntry["level"], message: string, fields: Record<string, unknown> = {}): void {
    logSafely(this.#o.onLog, level, message, fields);
  }

  #requireSymbol(coin: string): string {
    const symbol = this.#symbols.get(coin);
    if (!symbol) {
      throw new BinanceVenueError(
        "UNKNOWN_COIN",
        `coin ${JSON.stringify(coin)} is not listed; known: ${[...this.#symbols.keys()].slice(0, 20).join(", ")}`,
      );
    }
    return symbol;
  }

  #build(
    request: OrderRequest | ModifyRequest,
    clientId: string,
  ): { symbol: string; wire: string; price: string; size: string } | string {
    const instrument = this.#instruments.get(request.coin);
    const symbol = this.#symbols.get(request.coin);
    if (!instrument || !symbol)
      return `unknown coin ${JSON.stringify(request.coin)} (not in exchangeInfo; nothing sent)`;
    const wire = this.#ids.wire(clientId);
    if (!wire)
      return `clientId ${JSON.stringify(clientId)} does not fit Binance's newClientOrderId (nothing sent)`;
    if (request.side !== "buy" && request.side !== "sell")
      return `side must be "buy" or "sell", got ${JSON.stringify(request.side)} (nothing sent)`;
    const prepared = prepareOrder(instrument, request.side, request.price, request.size);
    if (!prepared.ok) return prepared.reason;
    return { symbol, wire, price: prepared.price, size: prepared.size };
  }

  #orderResult(clientId: string, outcome: Outcome<{ info: unknown }>): OrderResult {
    if (outcome.kind === "ok") {
      const order = orderFromBinance(clientId, outcome.value.info as BinanceOrderJson);
      const filled = order.status === "filled";
      return {
        clientId,
        status: filled ? "filled" : order.status === "open" ? "open" : "rejected",
        venueOrderId: order.venueOrderId,
        ...(order.filledSize > 0 ? { filledSize: order.filledSize } : {}),
        ...(order.status === "cancelled"
          ? { reason: "expired (IOC remainder)", rejection: "other" as const }
          : {}),
      };
    }
    if (outcome.kind === "rejected") {
      return {
        clientId,
        status: "rejected",
        venueOrderId: null,
        reason: outcome.reason,
        rejection: rejectionKindOf(outcome.code, outcome.errorName),
      };
    }
    return { clientId, status: "unknown", venueOrderId: null, reason: outcome.reason };
  }

  /** One ccxt call, counted in the budget and classified; never throws. */
  async #call<T>(weight: number, orders: number, call: () => Promise<T>): Promise<Outcome<T>> {
    if (this.#closed)
      return { kind: "rejected", reason: "the venue is closed (nothing sent)", code: null, errorName: "" };
    if (!this.#budget.canSend(weight, orders)) {
      return {
        kind: "rejected",
        reason: "local request budget spent (Binance weight/order limits; nothing sent)",
        code: null,
        errorName: "RateLimitExceeded",
      };
    }
    this.#budget.record(weight, orders);
    // 429/418 are refusals (nothing executed); other network errors and 5xx leave the outcome unknown.
    return settleCcxtCall(call, { describe: (error) => this.#describe(error), codeOf: binanceErrorCode });
  }

  /** An error's words with the key, the secret and any signature removed. */
  #describe(error: unknown): string {
    return redactedError(error, [this.#o.secret, this.#o.apiKey], BINANCE_SECRET_PATTERNS);
  }
}

/** Signatures and listen keys (in query strings and user-stream URLs) never leave the adapter. */
const BINANCE_SECRET_PATTERNS = [
  [/signature=[0-9a-fA-F]+/g, "signature=[redacted]"],
  [/listenKey=[0-9A-Za-z]+/g, "listenKey=[redacted]"],
  [/\/ws\/[0-9A-Za-z]{40,}/g, "/ws/[redacted]"],
] as const;

function localReject(clientId: string, reason: string): OrderResult {
  return {
    clientId,
    status: "rejected",
    venueOrderId: null,
    reason,
    rejection: /budget/.test(reason) ? "rate-limit" : "other",
  };
}
