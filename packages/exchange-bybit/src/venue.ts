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
import { type BybitBudgetUse, type BybitEndpointClass, BybitRequestBudget } from "./budget.ts";
import {
  BYBIT_OUTCOME_UNKNOWN_CODES,
  BYBIT_POST_ONLY_REJECT_REASON,
  type BybitExecutionJson,
  type BybitOrderJson,
  bybitRejectionKind,
  bybitRetCode,
  type CcxtBybitMarketLike,
  fillFromBybit,
  fromBybitLinkId,
  instrumentFromBybitMarket,
  orderFromBybit,
  prepareBybitOrder,
  toBybitLinkId,
  toBybitTif,
} from "./convert.ts";
import { BybitVenueError } from "./errors.ts";
import {
  type BybitLogEntry,
  type BybitVenueOptions,
  type ResolvedBybitOptions,
  resolveBybitOptions,
} from "./options.ts";
import { BybitStreams } from "./streams.ts";
import { BybitLinearClient } from "./ws-client.ts";

/** Where an order stands on the venue, looked up by client id (how callers resolve `unknown` results). */
export type BybitReconciledOrder = CcxtReconciledOrder;

type Outcome<T> = CcxtOutcome<T>;

type Envelope<R> = { retCode?: number; retMsg?: string; result?: R };
type ListResult<T> = { list?: T[]; nextPageCursor?: string };

/** One accepted place or amend, waiting for its state. */
interface Accepted {
  index: number;
  clientId: string;
  coin: string;
  wire: string;
  venueOrderId: string | null;
}

const CATEGORY = "linear";
const BATCH_MAX = 20;
const CANCEL_BATCH_MAX = 10;

/**
 * BotMM's {@link Venue} on Bybit v5 USDT linear perps over ccxt's `bybit` (REST). Prices and sizes are
 * rounded exactly through `@botmm/core` against each symbol's tick, step and `minNotionalValue`; post-only
 * orders go as `PostOnly` with `orderLinkId` = `<prefix>-<clientId>`; modifies use `POST /v5/order/amend`
 * (same order, same link id); cancels go by `orderLinkId`. Bybit accepts a crossing PostOnly order and then
 * cancels it (`EC_PostOnlyWillTakeLiquidity`): with `confirmPlacements` (default) the adapter looks the
 * batch up and answers `rejected` / `post-only`. Every batch answers per order; a lost request (timeout,
 * 5xx, retCode 10016) answers `unknown`: look it up with {@link reconcile} before resending (Bybit refuses a
 * reused `orderLinkId`, so a resend can never make a second order). A local request budget refuses
 * requests (`rate-limit`, nothing sent) before Bybit would. {@link subscribe} streams books, trades, own
 * orders and fills over ccxt's pro WebSocket API (public linear and authenticated private streams) and
 * recovers what a drop missed (fills over `/v5/execution/list`, orders by client id) before `reconnected`.
 *
 * @example
 * ```ts
 * const venue = await BybitLinearVenue.connect({
 *   network: { baseUrl: emulator.url }, // or "testnet" / "mainnet"
 *   apiKey: process.env.BOTMM_BYBIT_KEY!,
 *   secret: process.env.BOTMM_BYBIT_SECRET!,
 *   clock: systemClock(),
 * });
 * const [r] = await venue.placeOrders([
 *   { clientId: "1", coin: "BTCUSDT", side: "buy", price: 59_000, size: 0.002, timeInForce: "alo", reduceOnly: false },
 * ]);
 * ```
 */
export class BybitLinearVenue implements Venue {
  readonly name = "bybit-linear" as const;
  readonly #o: ResolvedBybitOptions;
  readonly #exchange: BybitLinearClient;
  readonly #budget: BybitRequestBudget;
  readonly #streams: BybitStreams;
  /** Client ids this bot last saw open (or unknown), by coin: what a reconnect reconciles. */
  readonly #live = new Map<string, string>();
  #instruments = new Map<string, Instrument>();
  /** Amend keeps Bybit's orderLinkId: the core id an order carries now -> its wire id, and back. */
  readonly #ids: ClientIdMap;
  #closed = false;

  private constructor(options: ResolvedBybitOptions) {
    this.#o = options;
    this.#ids = new ClientIdMap(
      (clientId) => toBybitLinkId(options.clientIdPrefix, clientId),
      (wire) => fromBybitLinkId(options.clientIdPrefix, wire),
    );
    this.#budget = new BybitRequestBudget(options.clock, options.budget);
    this.#exchange = new BybitLinearClient({
      apiKey: options.apiKey,
      secret: options.secret,
      timeout: options.requestTimeoutMs,
      // The local budget refuses instead of ccxt's throttle delaying every call.
      enableRateLimit: false,
      urls: { api: { ...options.urls, ws: options.wsUrls } },
      options: {
        // No REST position snapshot on every private dial (the venue reads positions itself).
        watchPositions: { fetchPositionsSnapshot: false, awaitPositionsSnapshot: false },
        ws: {
          backoff: {
            base: options.reconnectDelayMs,
            max: Math.max(2_000, options.reconnectDelayMs * 8),
          },
        },
        recvWindow: options.recvWindowMs,
        adjustForTimeDifference: false,
        // UTA: skips ccxt's account-type probe (two private calls before the first order).
        enableUnifiedMargin: false,
        enableUnifiedAccount: true,
        fetchMarkets: { types: ["linear"] },
      },
    });
    // Currencies need a wallet-permission endpoint; the adapter only trades linear perps.
    (this.#exchange.has as Record<string, unknown>).fetchCurrencies = false;
    this.#streams = new BybitStreams({
      exchange: this.#exchange,
      clock: options.clock,
      clientIdPrefix: options.clientIdPrefix,
      bookLevels: options.bookLevels,
      reconnectDelayMs: options.reconnectDelayMs,
      subscribeTimeoutMs: Math.max(10_000, options.requestTimeoutMs * 3),
      symbolOf: (coin) => this.#symbolOf(coin),
      clientIdOf: (wire) => this.#ids.core(wire),
      describe: (error) => this.#describe(error),
      log: (level, message, fields) => this.#log(level, message, fields),
      recover: (since, coins) => this.#recover(since, coins),
      onOrderUpdate: (update) => {
        if (update.clientId === null) return;
        if (update.status === "open") this.#live.set(update.clientId, update.coin);
        else this.#live.delete(update.clientId);
      },
    });
  }

  /**
   * Validates options and loads the instruments (`/v5/market/instruments-info`, linear).
   *
   * @throws BybitVenueError `INVALID_OPTION`, `REQUEST_FAILED`.
   * @example
   * ```ts
   * const venue = await BybitLinearVenue.connect({ network: "testnet", apiKey, secret, clock: systemClock() });
   * ```
   */
  static async connect(options: BybitVenueOptions): Promise<BybitLinearVenue> {
    const venue = new BybitLinearVenue(resolveBybitOptions(options));
    // ccxt dials plain ws:// (the emulator) only through an http agent it must load first.
    if (venue.#o.wsUrls.public.linear.startsWith("ws://")) await venue.#exchange.loadHttpProxyAgent();
    await venue.refreshInstruments();
    return venue;
  }

  /**
   * The listed USDT linear perps with their exact tick, step and min-notional rules.
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
   * Reloads `instruments-info`.
   *
   * @throws BybitVenueError `REQUEST_FAILED`.
   * @example
   * ```ts
   * await venue.refreshInstruments();
   * ```
   */
  async refreshInstruments(): Promise<Instrument[]> {
    const outcome = await this.#call("query", 2, () => this.#exchange.loadMarkets(true));
    if (outcome.kind !== "ok")
      throw new BybitVenueError("REQUEST_FAILED", `instruments-info failed: ${outcome.reason}`);
    const next = new Map<string, Instrument>();
    let assetId = 0;
    for (const market of Object.values(outcome.value) as unknown as CcxtBybitMarketLike[]) {
      if (!market.swap || !market.linear || market.active === false) continue;
      const instrument = instrumentFromBybitMarket(market, assetId++);
      if (typeof instrument === "string") continue;
      next.set(instrument.coin, instrument);
    }
    this.#instruments = next;
    return [...next.values()];
  }

  /**
   * Places orders: several of one coin as `POST /v5/order/create-batch` (up to 20 per request; per-order
   * answers), a lone one as `POST /v5/order/create`, all in parallel. Rounded exactly (bids down, asks up,
   * sizes down), `PostOnly` for post only, `orderLinkId` from the client id; then (with `confirmPlacements`)
   * looks them up. Answers per order: `open`, `filled`, `rejected` (Bybit's words and a `rejection` kind:
   * `EC_PostOnlyWillTakeLiquidity` → `post-only`) or `unknown`.
   *
   * @example
   * ```ts
   * const [r] = await venue.placeOrders([{ clientId: "1", coin: "BTCUSDT", side: "sell", price: 59_000, size: 0.002, timeInForce: "alo", reduceOnly: false }]);
   * r.rejection; // "post-only" when it would have crossed
   * ```
   */
  async placeOrders(requests: readonly OrderRequest[]): Promise<OrderResult[]> {
    const accepted: Accepted[] = [];
    const results: OrderResult[] = new Array(requests.length);
    const ready: { index: number; request: OrderRequest; body: Record<string, unknown> }[] = [];
    requests.forEach((request, index) => {
      const built = this.#build(request, request.clientId);
      if (typeof built === "string") {
        results[index] = localReject(request.clientId, built);
        return;
      }
      const body: Record<string, unknown> = {
        symbol: request.coin,
        side: request.side === "buy" ? "Buy" : "Sell",
        orderType: "Limit",
        qty: built.size,
        price: built.price,
        timeInForce: toBybitTif(request.timeInForce),
        orderLinkId: built.wire,
        positionIdx: 0,
      };
      if (request.reduceOnly) body.reduceOnly = true;
      ready.push({ index, request, body });
    });
    const accept = (index: number, request: OrderRequest, wire: string, venueOrderId: string | null) => {
      this.#ids.track(request.clientId, wire);
      accepted.push({ index, clientId: request.clientId, coin: request.coin, wire, venueOrderId });
      results[index] = { clientId: request.clientId, status: "open", venueOrderId };
    };
    // Several orders of one coin go as /v5/order/create-batch (20 at most each); a lone one as /v5/order/create.
    const chunks: (typeof ready)[] = [];
    for (const coin of new Set(ready.map((r) => r.request.coin))) {
      const mine = ready.filter((r) => r.request.coin === coin);
      if (!this.#o.batchOrders) for (const one of mine) chunks.push([one]);
      else for (let i = 0; i < mine.length; i += BATCH_MAX) chunks.push(mine.slice(i, i + BATCH_MAX));
    }
    await Promise.all(
      chunks.map(async (chunk) => {
        if (chunk.length === 1) {
          const { index, request, body } = chunk[0]!;
          const outcome = await this.#call("create", 1, () =>
            this.#exchange.privatePostV5OrderCreate({ category: CATEGORY, ...body }),
          );
          if (outcome.kind !== "ok") results[index] = this.#failed(request.clientId, outcome);
          else accept(index, request, String(body.orderLinkId), idOf(outcome.value));
          return;
        }
        const outcome = await this.#call("create", chunk.length, () =>
          this.#exchange.privatePostV5OrderCreateBatch({
            category: CATEGORY,
            request: chunk.map((c) => c.body),
          }),
        );
        if (outcome.kind !== "ok") {
          for (const { index, request } of chunk) results[index] = this.#failed(request.clientId, outcome);
          return;
        }
        const response = outcome.value as Envelope<ListResult<{ orderId?: string }>> & {
          retExtInfo?: { list?: { code?: number; msg?: string }[] };
        };
        chunk.forEach(({ index, request, body }, i) => {
          const ext = response.retExtInfo?.list?.[i];
          const id = response.result?.list?.[i]?.orderId;
          if (ext && ext.code !== 0) {
            results[index] = {
              clientId: request.clientId,
              status: "rejected",
              venueOrderId: null,
              reason: `bybit create-batch {"retCode":${ext.code},"retMsg":${JSON.stringify(ext.msg ?? "")}}`,
              rejection: bybitRejectionKind(ext.code ?? null),
            };
          } else
            accept(index, request, String(body.orderLinkId), typeof id === "string" && id !== "" ? id : null);
        });
      }),
    );
    return this.#confirm(results, accepted);
  }

  /**
   * Moves working orders with `POST /v5/order/amend` (price and size; never cancel + place). Bybit keeps the
   * order's `orderLinkId`, so a `newClientId` becomes an alias this adapter maps to it (kept in memory). An
   * amend that makes a PostOnly order cross answers `rejected` / `post-only` (Bybit then cancels it); one of
   * an order already gone answers `order-gone` (110001).
   *
   * @example
   * ```ts
   * const [m] = await venue.modifyOrders([{ clientId: "1", newClientId: "2", coin: "BTCUSDT", side: "buy", price: 59_100, size: 0.002, timeInForce: "alo", reduceOnly: false }]);
   * m.clientId; // "2"
   * ```
   */
  async modifyOrders(requests: readonly ModifyRequest[]): Promise<OrderResult[]> {
    const accepted: Accepted[] = [];
    const results = await Promise.all(
      requests.map(async (request, index): Promise<OrderResult> => {
        const resultId = request.newClientId ?? request.clientId;
        const built = this.#build(request, request.clientId);
        if (typeof built === "string") return localReject(resultId, built);
        const outcome = await this.#call("amend", 1, () =>
          this.#exchange.privatePostV5OrderAmend({
            category: CATEGORY,
            symbol: request.coin,
            orderLinkId: built.wire,
            qty: built.size,
            price: built.price,
          }),
        );
        if (outcome.kind !== "ok") return this.#failed(resultId, outcome);
        if (resultId !== request.clientId) {
          this.#ids.untrack(request.clientId);
          this.#ids.track(resultId, built.wire);
          this.#live.delete(request.clientId);
        }
        const venueOrderId = idOf(outcome.value);
        accepted.push({ index, clientId: resultId, coin: request.coin, wire: built.wire, venueOrderId });
        return { clientId: resultId, status: "open", venueOrderId };
      }),
    );
    return this.#confirm(results, accepted);
  }

  /**
   * Cancels orders by client id (`orderLinkId`): several of one coin as `POST /v5/order/cancel-batch` (10 at
   * most per request), a lone one as `POST /v5/order/cancel`. Answers per order:
   * `cancelled`, `rejected` (110001, with Bybit's words) or `unknown`.
   *
   * @example
   * ```ts
   * const [c] = await venue.cancelOrders([{ clientId: "1", coin: "BTCUSDT" }]);
   * c.status; // "cancelled"
   * ```
   */
  async cancelOrders(requests: readonly CancelRequest[]): Promise<CancelResult[]> {
    const results: CancelResult[] = new Array(requests.length);
    const ready: { index: number; clientId: string; coin: string; wire: string }[] = [];
    requests.forEach(({ clientId, coin }, index) => {
      const wire = this.#ids.wire(clientId);
      if (!this.#instruments.has(coin))
        results[index] = {
          clientId,
          status: "rejected",
          reason: `unknown coin ${JSON.stringify(coin)} (nothing sent)`,
        };
      else if (!wire)
        results[index] = {
          clientId,
          status: "rejected",
          reason: `invalid clientId ${JSON.stringify(clientId)} (nothing sent)`,
        };
      else ready.push({ index, clientId, coin, wire });
    });
    const settle = (one: (typeof ready)[number], outcome: Outcome<unknown>) => {
      if (outcome.kind === "ok") {
        this.#ids.untrack(one.clientId);
        results[one.index] = { clientId: one.clientId, status: "cancelled" };
      } else {
        results[one.index] = { clientId: one.clientId, status: outcome.kind, reason: outcome.reason };
      }
    };
    // Several cancels of one coin go as /v5/order/cancel-batch (10 at most each); a lone one as /v5/order/cancel.
    const chunks: (typeof ready)[] = [];
    for (const coin of new Set(ready.map((r) => r.coin))) {
      const mine = ready.filter((r) => r.coin === coin);
      if (!this.#o.batchOrders) for (const one of mine) chunks.push([one]);
      else
        for (let i = 0; i < mine.length; i += CANCEL_BATCH_MAX)
          chunks.push(mine.slice(i, i + CANCEL_BATCH_MAX));
    }
    await Promise.all(
      chunks.map(async (chunk) => {
        if (chunk.length === 1) {
          const one = chunk[0]!;
          const outcome = await this.#call("cancel", 1, () =>
            this.#exchange.privatePostV5OrderCancel({
              category: CATEGORY,
              symbol: one.coin,
              orderLinkId: one.wire,
            }),
          );
          settle(one, outcome);
          return;
        }
        const outcome = await this.#call("cancel", chunk.length, () =>
          this.#exchange.privatePostV5OrderCancelBatch({
            category: CATEGORY,
            request: chunk.map((c) => ({ symbol: c.coin, orderLinkId: c.wire })),
          }),
        );
        if (outcome.kind !== "ok") {
          for (const one of chunk) settle(one, outcome);
          return;
        }
        const ext = (outcome.value as { retExtInfo?: { list?: { code?: number; msg?: string }[] } })
          .retExtInfo?.list;
        chunk.forEach((one, i) => {
          const item = ext?.[i];
          if (item && item.code !== 0) {
            const reason = `bybit cancel-batch {"retCode":${item.code},"retMsg":${JSON.stringify(item.msg ?? "")}}`;
            settle(one, { kind: "rejected", reason, code: item.code ?? null, errorName: "" });
          } else settle(one, { kind: "ok", value: undefined });
        });
      }),
    );
    return results;
  }

  /**
   * Cancels every open order of one coin, or of every USDT perp (`POST /v5/order/cancel-all`), this bot's
   * or not; answers how many Bybit cancelled.
   *
   * @throws BybitVenueError `UNKNOWN_COIN`, `REQUEST_FAILED`.
   * @example
   * ```ts
   * await venue.cancelAll("BTCUSDT"); // 2 with two orders resting
   * ```
   */
  async cancelAll(coin?: string): Promise<number> {
    if (coin !== undefined) this.#requireCoin(coin);
    const outcome = await this.#call("cancel", 1, () =>
      this.#exchange.privatePostV5OrderCancelAll(
        coin === undefined
          ? { category: CATEGORY, settleCoin: "USDT" }
          : { category: CATEGORY, symbol: coin },
      ),
    );
    if (outcome.kind !== "ok")
      throw new BybitVenueError("REQUEST_FAILED", `cancel-all failed: ${outcome.reason}`);
    return ((outcome.value as Envelope<ListResult<unknown>>).result?.list ?? []).length;
  }

  /**
   * This bot's working orders (link ids with its prefix), optionally of one coin (`GET /v5/order/realtime`,
   * every page).
   *
   * @throws BybitVenueError `UNKNOWN_COIN`, `REQUEST_FAILED`.
   * @example
   * ```ts
   * const mine = await venue.openOrders("BTCUSDT");
   * ```
   */
  async openOrders(coin?: string): Promise<Order[]> {
    if (coin !== undefined) this.#requireCoin(coin);
    const rows = await this.#openRows(coin);
    if (typeof rows === "string")
      throw new BybitVenueError("REQUEST_FAILED", `order/realtime failed: ${rows}`);
    const result: Order[] = [];
    for (const row of rows) {
      const clientId = this.#ids.core(row.orderLinkId);
      if (clientId !== null) result.push(orderFromBybit(clientId, row));
    }
    return result;
  }

  /**
   * Looks orders up by client id (`order/realtime`, then `order/history`, by `orderLinkId`): how an `unknown`
   * result is resolved. `notFound` means Bybit never saw the order: resend it.
   *
   * @example
   * ```ts
   * const [state] = await venue.reconcile([{ clientId: "7", coin: "BTCUSDT" }]);
   * if (state.status === "notFound") resend("7");
   * ```
   */
  async reconcile(orders: readonly CancelRequest[]): Promise<BybitReconciledOrder[]> {
    return Promise.all(
      orders.map(async ({ clientId, coin }): Promise<BybitReconciledOrder> => {
        const wire = this.#ids.wire(clientId);
        if (!this.#instruments.has(coin) || !wire)
          return {
            clientId,
            status: "unknown",
            venueOrderId: null,
            reason: "unknown coin or invalid client id",
          };
        const found = await this.#lookup(coin, wire);
        if (typeof found === "string")
          return { clientId, status: "unknown", venueOrderId: null, reason: found };
        if (found === null)
          return {
            clientId,
            status: "notFound",
            venueOrderId: null,
            reason: `no order with orderLinkId ${wire}`,
          };
        const order = orderFromBybit(clientId, found);
        if (order.status === "open") this.#ids.track(clientId, wire);
        return { clientId, status: order.status, venueOrderId: order.venueOrderId, order };
      }),
    );
  }

  /**
   * The position of a coin (`GET /v5/position/list`, one-way mode): size signed (negative = short).
   *
   * @throws BybitVenueError `UNKNOWN_COIN`, `REQUEST_FAILED`.
   * @example
   * ```ts
   * const { size, entryPrice } = await venue.position("BTCUSDT");
   * ```
   */
  async position(coin: string): Promise<Position> {
    this.#requireCoin(coin);
    const outcome = await this.#call("query", 1, () =>
      this.#exchange.privateGetV5PositionList({ category: CATEGORY, symbol: coin }),
    );
    if (outcome.kind !== "ok")
      throw new BybitVenueError("REQUEST_FAILED", `position/list failed: ${outcome.reason}`);
    type Row = { symbol: string; side: string; size: string; avgPrice: string; positionIdx?: number };
    const rows = (outcome.value as Envelope<ListResult<Row>>).result?.list ?? [];
    const row = rows.find((r) => r.symbol === coin && (r.positionIdx ?? 0) === 0);
    if (!row || Number(row.size) === 0) return { coin, size: 0, entryPrice: 0 };
    return {
      coin,
      size: (row.side === "Sell" ? -1 : 1) * Number(row.size),
      entryPrice: Number(row.avgPrice),
    };
  }

  /**
   * Recent fills of a coin, newest first (`GET /v5/execution/list`, trades only), optionally since a time:
   * how a REST-only bot sees its fills.
   *
   * @throws BybitVenueError `UNKNOWN_COIN`, `REQUEST_FAILED`.
   * @example
   * ```ts
   * const fills = await venue.recentFills("BTCUSDT", since);
   * fills[0]?.liquidity; // "maker"
   * ```
   */
  async recentFills(coin: string, sinceMs?: number): Promise<Fill[]> {
    this.#requireCoin(coin);
    const params: Record<string, unknown> = {
      category: CATEGORY,
      symbol: coin,
      execType: "Trade",
      limit: 100,
    };
    if (sinceMs !== undefined) params.startTime = Math.floor(sinceMs);
    const outcome = await this.#call("query", 1, () => this.#exchange.privateGetV5ExecutionList(params));
    if (outcome.kind !== "ok")
      throw new BybitVenueError("REQUEST_FAILED", `execution/list failed: ${outcome.reason}`);
    const rows = (outcome.value as Envelope<ListResult<BybitExecutionJson>>).result?.list ?? [];
    return rows.map((row) => fillFromBybit(this.#o.clientIdPrefix, row, this.#ids.core(row.orderLinkId)));
  }

  /**
   * Bybit's disconnection protection (`POST /v5/order/disconnected-cancel-all`, product `DERIVATIVES`):
   * once the private WebSocket stream drops and stays down for `timeWindowSeconds` (3–300), Bybit cancels
   * every open order. It is armed per account, not a REST keep-alive: it only fires with a private stream
   * that can drop (and DCP enabled on the account by Bybit).
   *
   * @throws BybitVenueError `INVALID_OPTION` (window out of range, nothing sent), `REQUEST_FAILED`.
   * @example
   * ```ts
   * await venue.setDisconnectProtection(10);
   * ```
   */
  async setDisconnectProtection(timeWindowSeconds: number): Promise<void> {
    if (!Number.isInteger(timeWindowSeconds) || timeWindowSeconds < 3 || timeWindowSeconds > 300)
      throw new BybitVenueError(
        "INVALID_OPTION",
        `timeWindowSeconds must be an integer in [3, 300], got ${timeWindowSeconds} (nothing sent)`,
      );
    const outcome = await this.#call("dcp", 1, () =>
      this.#exchange.privatePostV5OrderDisconnectedCancelAll({
        product: "DERIVATIVES",
        timeWindow: timeWindowSeconds,
      }),
    );
    if (outcome.kind !== "ok")
      throw new BybitVenueError("REQUEST_FAILED", `disconnected-cancel-all failed: ${outcome.reason}`);
  }

  /**
   * Streams books (`book` with `l2`, `bookTop` with `top`), public trades and, with `account`, own order
   * updates and fills (each fill once, whether it came by stream or by recovery). Connection changes arrive as
   * `connection` events: `disconnected` on a drop, `reconnected` once every socket is back, resubscribed, and
   * fills and orders missed meanwhile were recovered over REST.
   *
   * @throws BybitVenueError `UNKNOWN_COIN`, `CLOSED`, `REQUEST_FAILED` (a stream did not come up in time).
   * @example
   * ```ts
   * const stop = await venue.subscribe({ coins: ["BTCUSDT"], book: "l2", trades: true, account: true }, (event) => {
   *   if (event.type === "fill") console.log(event.fill.clientId, event.fill.price);
   * });
   * await stop();
   * ```
   */
  async subscribe(request: SubscriptionRequest, listener: (event: VenueEvent) => void): Promise<Unsubscribe> {
    if (this.#closed) throw new BybitVenueError("CLOSED", "subscribe: the venue is closed");
    for (const coin of request.coins) this.#requireCoin(coin);
    return this.#streams.subscribe(request, listener);
  }

  /**
   * What the local budget has used in each window.
   *
   * @example
   * ```ts
   * venue.requestStats(); // e.g. { create1s: 2, amend1s: 0, cancel1s: 1, query1s: 1, dcp1s: 0, ip5s: 9 }
   * ```
   */
  requestStats(): BybitBudgetUse {
    return this.#budget.used();
  }

  /**
   * Stops sending; later calls are refused locally.
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

  /**
   * After the private stream was down: this account's fills since `since` on the streamed coins and the
   * coins of tracked orders (`/v5/execution/list`), and where each tracked order that is no longer open
   * stands (looked up by client id).
   */
  async #recover(
    since: number,
    coins: readonly string[],
  ): Promise<{ fills: Fill[]; updates: OrderUpdate[] }> {
    const all = new Set([...coins, ...this.#live.values()]);
    const fills: Fill[] = [];
    const updates: OrderUpdate[] = [];
    for (const coin of all) {
      fills.push(...(await this.recentFills(coin, since)));
      const tracked = [...this.#live].filter(([, c]) => c === coin).map(([clientId]) => clientId);
      const forget = (clientId: string) => this.#live.delete(clientId);
      updates.push(...(await settleTrackedOrders(this, coin, tracked, forget, this.#o.clock)));
    }
    return { fills, updates };
  }

  #log(level: BybitLogEntry["level"], message: string, fields: Record<string, unknown> = {}): void {
    logSafely(this.#o.onLog, level, message, fields);
  }

  /** ccxt's unified symbol of a listed coin (`BTCUSDT` -> `BTC/USDT:USDT`). */
  #symbolOf(coin: string): string {
    this.#requireCoin(coin);
    const market = (
      this.#exchange.markets_by_id as Record<string, { symbol: string; linear?: boolean }[]> | undefined
    )?.[coin];
    const linear = market?.find((m) => m.linear === true) ?? market?.[0];
    if (!linear) throw new BybitVenueError("UNKNOWN_COIN", `coin ${JSON.stringify(coin)} has no ccxt market`);
    return linear.symbol;
  }

  #requireCoin(coin: string): void {
    if (!this.#instruments.has(coin)) {
      throw new BybitVenueError(
        "UNKNOWN_COIN",
        `coin ${JSON.stringify(coin)} is not listed; known: ${[...this.#instruments.keys()].slice(0, 20).join(", ")}`,
      );
    }
  }

  #build(
    request: OrderRequest | ModifyRequest,
    clientId: string,
  ): { wire: string; price: string; size: string } | string {
    const instrument = this.#instruments.get(request.coin);
    if (!instrument)
      return `unknown coin ${JSON.stringify(request.coin)} (not in instruments-info; nothing sent)`;
    const wire = this.#ids.wire(clientId);
    if (!wire) return `clientId ${JSON.stringify(clientId)} does not fit Bybit's orderLinkId (nothing sent)`;
    if (request.side !== "buy" && request.side !== "sell")
      return `side must be "buy" or "sell", got ${JSON.stringify(request.side)} (nothing sent)`;
    const prepared = prepareBybitOrder(instrument, request.side, request.price, request.size);
    if (!prepared.ok) return prepared.reason;
    return { wire, price: prepared.price, size: prepared.size };
  }

  /** Every open order row of a coin (or all USDT perps), following pages; a string says why not. */
  async #openRows(coin?: string): Promise<BybitOrderJson[] | string> {
    const rows: BybitOrderJson[] = [];
    let cursor = "";
    for (let page = 0; page < 20; page++) {
      const params: Record<string, unknown> = { category: CATEGORY, limit: 50, openOnly: 0 };
      if (coin === undefined) params.settleCoin = "USDT";
      else params.symbol = coin;
      if (cursor) params.cursor = cursor;
      const outcome = await this.#call("query", 1, () => this.#exchange.privateGetV5OrderRealtime(params));
      if (outcome.kind !== "ok") return outcome.reason;
      const result = (outcome.value as Envelope<ListResult<BybitOrderJson>>).result;
      rows.push(...(result?.list ?? []));
      cursor = result?.nextPageCursor ?? "";
      if (!cursor || (result?.list ?? []).length === 0) break;
    }
    return rows;
  }

  /** An order by link id in realtime, then history; null when Bybit has none; a string says why not. */
  async #lookup(coin: string, wire: string): Promise<BybitOrderJson | null | string> {
    for (const call of [
      () => this.#exchange.privateGetV5OrderRealtime({ category: CATEGORY, symbol: coin, orderLinkId: wire }),
      () => this.#exchange.privateGetV5OrderHistory({ category: CATEGORY, symbol: coin, orderLinkId: wire }),
    ]) {
      const outcome = await this.#call("query", 1, call);
      if (outcome.kind !== "ok") return outcome.reason;
      const row = ((outcome.value as Envelope<ListResult<BybitOrderJson>>).result?.list ?? []).find(
        (r) => r.orderLinkId === wire,
      );
      if (row) return row;
    }
    return null;
  }

  /** Turns acknowledged places/amends into their states: one open-orders query per coin, then per missing order. */
  async #confirm(results: OrderResult[], accepted: Accepted[]): Promise<OrderResult[]> {
    const confirmed = await this.#confirmStates(results, accepted);
    for (const a of accepted) {
      const status = confirmed[a.index]?.status;
      if (status === "open" || status === "unknown") this.#live.set(a.clientId, a.coin);
      else this.#live.delete(a.clientId);
    }
    return confirmed;
  }

  async #confirmStates(results: OrderResult[], accepted: Accepted[]): Promise<OrderResult[]> {
    if (!this.#o.confirmPlacements || accepted.length === 0) return results;
    const coins = [...new Set(accepted.map((a) => a.coin))];
    const open = new Map<string, BybitOrderJson>();
    await Promise.all(
      coins.map(async (coin) => {
        const rows = await this.#openRows(coin);
        if (typeof rows !== "string") for (const row of rows) open.set(row.orderLinkId, row);
      }),
    );
    await Promise.all(
      accepted.map(async (a) => {
        const row = open.get(a.wire) ?? (await this.#lookup(a.coin, a.wire));
        if (row === null || typeof row === "string") {
          results[a.index] = {
            ...results[a.index]!,
            reason: `accepted; state not confirmed: ${row ?? "not found right after the ack"}`,
          };
          return;
        }
        results[a.index] = resultFromRow(a.clientId, row);
        if (results[a.index]!.status !== "open") this.#ids.untrack(a.clientId);
      }),
    );
    return results;
  }

  #failed(clientId: string, outcome: Exclude<Outcome<unknown>, { kind: "ok" }>): OrderResult {
    if (outcome.kind === "rejected") {
      return {
        clientId,
        status: "rejected",
        venueOrderId: null,
        reason: outcome.reason,
        rejection: bybitRejectionKind(outcome.code, outcome.errorName),
      };
    }
    return { clientId, status: "unknown", venueOrderId: null, reason: outcome.reason };
  }

  /** One ccxt call, counted in the budget and classified; never throws. */
  async #call<T>(endpoint: BybitEndpointClass, count: number, call: () => Promise<T>): Promise<Outcome<T>> {
    if (this.#closed)
      return { kind: "rejected", reason: "the venue is closed (nothing sent)", code: null, errorName: "" };
    if (!this.#budget.canSend(endpoint, count)) {
      return {
        kind: "rejected",
        reason: `local request budget spent (Bybit ${endpoint} limit; nothing sent)`,
        code: null,
        errorName: "RateLimitExceeded",
      };
    }
    this.#budget.record(endpoint, count);
    // 10006 and the 403 ban are refusals (nothing executed); timeouts, 5xx and Bybit's own "server error /
    // timeout" codes leave the outcome unknown.
    return settleCcxtCall(call, {
      describe: (error) => this.#describe(error),
      codeOf: bybitRetCode,
      unknownCodes: BYBIT_OUTCOME_UNKNOWN_CODES,
    });
  }

  /** An error's words with the key, the secret and any signature removed. */
  #describe(error: unknown): string {
    return redactedError(
      error,
      [this.#o.secret, this.#o.apiKey],
      [[/("?X-BAPI-SIGN"?\s*[:=]\s*"?)[0-9a-fA-F]+/gi, "$1[redacted]"]],
    );
  }
}

function idOf(response: unknown): string | null {
  const id = (response as Envelope<{ orderId?: string }>).result?.orderId;
  return typeof id === "string" && id !== "" ? id : null;
}

function resultFromRow(clientId: string, row: BybitOrderJson): OrderResult {
  const order = orderFromBybit(clientId, row);
  const filled = order.filledSize > 0 ? { filledSize: order.filledSize } : {};
  const average = Number(row.avgPrice);
  const averagePrice = order.filledSize > 0 && average > 0 ? { averagePrice: average } : {};
  if (order.status === "open" || order.status === "filled")
    return { clientId, status: order.status, venueOrderId: order.venueOrderId, ...filled, ...averagePrice };
  if (row.rejectReason === BYBIT_POST_ONLY_REJECT_REASON) {
    return {
      clientId,
      status: "rejected",
      venueOrderId: order.venueOrderId,
      reason: `${BYBIT_POST_ONLY_REJECT_REASON}: Bybit cancelled the PostOnly order because it would have taken liquidity`,
      rejection: "post-only",
    };
  }
  return {
    clientId,
    status: "rejected",
    venueOrderId: order.venueOrderId,
    reason: `${row.orderStatus} by Bybit (${row.rejectReason ?? "no reason"})`,
    rejection: "other",
    ...filled,
    ...averagePrice,
  };
}

function localReject(clientId: string, reason: string): OrderResult {
  return {
    clientId,
    status: "rejected",
    venueOrderId: null,
    reason,
    rejection: /budget/.test(reason) ? "rate-limit" : "other",
  };
}
