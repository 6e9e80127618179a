import { type Instrument, isValidPrice, isValidSize, meetsMinNotional } from "@botmm/core";
import { SimBook } from "./book.ts";
import { applyFillToPosition } from "./position.ts";

/** An order side. */
export type SimSide = "buy" | "sell";

/** `alo` = post only (add liquidity only). */
export type SimTimeInForce = "gtc" | "alo" | "ioc";

/** Where an order stands. `expired`: ended by the venue (IOC remainder, post-only that would cross). */
export type SimOrderStatus = "open" | "partiallyFilled" | "filled" | "cancelled" | "expired";

/** Why an order ended without filling, when the venue ended it. */
export type SimEndReason = "post-only" | "ioc-remainder" | "cancel" | "cancel-all";

/** One order (any state). Prices are the exact strings the client sent; quantities plain numbers. */
export interface SimOrder {
  orderId: number;
  account: string;
  symbol: string;
  clientId: string;
  side: SimSide;
  timeInForce: SimTimeInForce;
  price: string;
  quantity: number;
  executedQty: number;
  /** Sum of price × quantity over the fills. */
  cumQuote: number;
  /** Fees this order paid, in quote (positive = paid). */
  cumFee: number;
  reduceOnly: boolean;
  status: SimOrderStatus;
  endReason: SimEndReason | null;
  /** When the order was accepted. */
  createdTime: number;
  /** Queue priority time (a price change or size increase resets it). */
  time: number;
  updateTime: number;
}

/** One side of a trade between an account's order and anyone (house liquidity or another account). */
export interface SimFill {
  tradeId: number;
  orderId: number;
  account: string;
  symbol: string;
  clientId: string;
  side: SimSide;
  price: number;
  quantity: number;
  /** Quote paid in fees (positive = paid). */
  fee: number;
  feeRate: number;
  liquidity: "maker" | "taker";
  /** What was left of the order after this fill. */
  leavesQty: number;
  time: number;
}

/** A new order as an emulator parsed it from its wire format (price and quantity still exact strings). */
export interface SimNewOrder {
  symbol: string;
  side: SimSide;
  timeInForce: SimTimeInForce;
  price: string;
  quantity: string;
  clientId: string;
  reduceOnly: boolean;
}

/** How an order is addressed: by venue id or by client id, on a symbol. */
export interface SimOrderRef {
  symbol: string;
  orderId?: number;
  clientId?: string;
}

/** Why the engine refused a request, venue-neutral; each emulator maps it to its own code and words. */
export type SimRejectReason =
  | "unknown-symbol"
  | "bad-tick"
  | "bad-lot"
  | "min-notional"
  | "duplicate-client-id"
  | "post-only"
  | "not-open"
  | "size-below-filled"
  | "no-change";

/** A refusal; `order` is set when the refusal changed an order (a post-only modify that would cross ends it). */
export interface SimReject {
  reject: SimRejectReason;
  order?: SimOrder;
}

/** A listed symbol: its exact rules and where house liquidity rests. */
export interface SimSymbol {
  instrument: Instrument;
  /** House liquidity rests one tick apart each side of this price. */
  midPrice: number;
}

/** Options of {@link SimExchange}. */
export interface SimExchangeOptions {
  /** House levels each side of mid and the quantity at each. */
  houseLevels: number;
  houseSize: number;
  /** Fee rates (fractions; default 0.0002 maker, 0.0005 taker). */
  makerFeeRate?: number;
  takerFeeRate?: number;
  /**
   * What a post-only order that would cross becomes: `reject` (nothing recorded, as Binance −5022) or
   * `expire` (recorded as ended with reason `post-only`, as Bybit's EC_PostOnlyWillTakeLiquidity). Default `reject`.
   */
  postOnlyCross?: "reject" | "expire";
  /** Ended orders and fills kept for look-ups (oldest dropped first; default 10,000 each). */
  maxEndedOrders?: number;
  maxFills?: number;
}

/** What changed, for emulators that stream (order updates and fills of accounts, never of the house). */
export type SimEvent = { type: "order"; order: SimOrder } | { type: "fill"; fill: SimFill };

/**
 * What the public sees, for emulators that stream market data: every trade (house against house included)
 * and every change to a symbol's book (after the request that made it, once per request).
 */
export type SimMarketEvent =
  | {
      type: "trade";
      symbol: string;
      /** Unique per trade (the maker side's fill id). */
      tradeId: number;
      price: number;
      quantity: number;
      takerSide: SimSide;
      time: number;
    }
  | { type: "book"; symbol: string; time: number };

/** The account that owns house liquidity and emulator-driven takers; never reported. */
export const SIM_HOUSE = "\u0000house";

/**
 * The client id of the house's order at `level` ticks from the mid on one side of one symbol. Client ids are
 * unique per account across symbols, so the symbol is part of it: a re-laid level of one symbol must not
 * collide with the same level of another.
 *
 * @example
 * ```ts
 * houseClientId("BTCUSDT", "buy", 1); // "house-BTCUSDT-buy-1"
 * ```
 */
export function houseClientId(symbol: string, side: SimSide, level: number): string {
  return `house-${symbol}-${side}-${level}`;
}

/**
 * The simulated-execution core the venue emulators share: a price-time book per symbol with house liquidity
 * (a few levels each side of a mid) plus the accounts' own orders. Post-only orders that would cross are
 * refused or ended; GTC and IOC cross at the resting orders' prices; fills carry maker/taker fees and move
 * positions. Validation is exact through `@botmm/core` (tick, lot, min notional). Venue wire formats and
 * error codes stay in each emulator.
 *
 * @example
 * ```ts
 * const sim = new SimExchange([{ instrument: btc, midPrice: 60_000 }], { houseLevels: 5, houseSize: 2 });
 * sim.place("acct", { symbol: "BTCUSDT", side: "buy", timeInForce: "alo", price: "59990", quantity: "0.01", clientId: "a", reduceOnly: false }, 0);
 * ```
 */
export class SimExchange {
  readonly #symbols = new Map<string, SimSymbol>();
  readonly #books = new Map<string, SimBook<SimOrder>>();
  readonly #orders = new Map<number, SimOrder>();
  readonly #live = new Map<number, SimOrder>();
  readonly #byClientId = new Map<string, number>();
  readonly #ended: number[] = [];
  readonly #fills: SimFill[] = [];
  readonly #positions = new Map<string, { size: number; entryPrice: number }>();
  readonly #listeners = new Set<(event: SimEvent) => void>();
  readonly #marketListeners = new Set<(event: SimMarketEvent) => void>();
  readonly #fees: { maker: number; taker: number };
  readonly #postOnlyCross: "reject" | "expire";
  readonly #maxEnded: number;
  readonly #maxFills: number;
  #nextOrderId = 1_000_000;
  #nextTradeId = 1;
  /** Quote paid in fees per account (positive = paid). */
  readonly feesPaid = new Map<string, number>();

  constructor(symbols: readonly SimSymbol[], options: SimExchangeOptions) {
    this.#fees = { maker: options.makerFeeRate ?? 0.0002, taker: options.takerFeeRate ?? 0.0005 };
    this.#postOnlyCross = options.postOnlyCross ?? "reject";
    this.#maxEnded = options.maxEndedOrders ?? 10_000;
    this.#maxFills = options.maxFills ?? 10_000;
    for (const spec of symbols) {
      this.#symbols.set(spec.instrument.coin, spec);
      this.#books.set(
        spec.instrument.coin,
        new SimBook<SimOrder>({ remaining: (o) => o.quantity - o.executedQty, epsilon: 1e-12 }),
      );
      const tickSize = spec.instrument.priceRule.type === "tick" ? spec.instrument.priceRule.tickSize : "1";
      const tick = Number(tickSize);
      for (let level = 1; level <= options.houseLevels; level++) {
        for (const side of ["buy", "sell"] as const) {
          const price = Math.round(spec.midPrice / tick) * tick + (side === "buy" ? -level : level) * tick;
          const house: SimOrder = {
            orderId: this.#nextOrderId++,
            account: SIM_HOUSE,
            symbol: spec.instrument.coin,
            clientId: houseClientId(spec.instrument.coin, side, level),
            side,
            timeInForce: "gtc",
            price: price.toFixed(decimalsOf(tickSize)),
            quantity: options.houseSize,
            executedQty: 0,
            cumQuote: 0,
            cumFee: 0,
            reduceOnly: false,
            status: "open",
            endReason: null,
            createdTime: 0,
            time: 0,
            updateTime: 0,
          };
          this.#insert(house);
          this.#rest(house);
        }
      }
    }
  }

  /**
   * Calls `listener` after every change to an account's order and every account fill; answers a function
   * that stops it.
   *
   * @example
   * ```ts
   * const stop = sim.onEvent((e) => e.type === "fill" && console.log(e.fill.price));
   * stop();
   * ```
   */
  onEvent(listener: (event: SimEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Calls `listener` for every trade (whoever the sides are) and, after each request that changed a symbol's
   * book, once with `book` (read it with {@link depth}); answers a function that stops it.
   *
   * @example
   * ```ts
   * const stop = sim.onMarketEvent((e) => e.type === "trade" && console.log(e.symbol, e.price, e.takerSide));
   * stop();
   * ```
   */
  onMarketEvent(listener: (event: SimMarketEvent) => void): () => void {
    this.#marketListeners.add(listener);
    return () => this.#marketListeners.delete(listener);
  }

  /**
   * The listed symbols.
   *
   * @example
   * ```ts
   * sim.symbols().map((s) => s.instrument.coin); // ["BTCUSDT"]
   * ```
   */
  symbols(): SimSymbol[] {
    return [...this.#symbols.values()];
  }

  /**
   * Best bid and ask of a symbol (house and own orders together), as copies.
   *
   * @example
   * ```ts
   * const { bid, ask } = sim.top("BTCUSDT");
   * [bid?.price, ask?.price]; // ["59999.90", "60000.10"] with a 0.10 tick around a 60 000 mid
   * ```
   */
  top(symbol: string): { bid: SimOrder | undefined; ask: SimOrder | undefined } {
    const book = this.#books.get(symbol);
    const bid = book?.queue(true)[0];
    const ask = book?.queue(false)[0];
    return { bid: bid && { ...bid }, ask: ask && { ...ask } };
  }

  /**
   * Aggregated depth, best first: price string and remaining quantity.
   *
   * @example
   * ```ts
   * sim.depth("BTCUSDT", 2).bids; // [["59999.90", 2], ["59999.80", 2]]
   * ```
   */
  depth(symbol: string, limit: number): { bids: [string, number][]; asks: [string, number][] } {
    const side = (s: SimSide) => {
      const levels = new Map<string, number>();
      for (const o of this.#books.get(symbol)?.queue(s === "buy") ?? []) {
        levels.set(o.price, round12((levels.get(o.price) ?? 0) + o.quantity - o.executedQty));
      }
      return [...levels].slice(0, limit);
    };
    return { bids: side("buy"), asks: side("sell") };
  }

  /**
   * Places an order: validated exactly, post-only checked against the whole book (own orders included),
   * then matched; an IOC remainder expires. Answers a copy of the order or why not.
   *
   * @example
   * ```ts
   * const r = sim.place("acct", { symbol: "BTCUSDT", side: "buy", timeInForce: "alo", price: "60000.10", quantity: "0.01", clientId: "x", reduceOnly: false }, 1);
   * "reject" in r && r.reject; // "post-only": it would have crossed the 60000.10 ask
   * ```
   */
  place(account: string, request: SimNewOrder, now: number): SimOrder | SimReject {
    const spec = this.#symbols.get(request.symbol);
    if (!spec) return { reject: "unknown-symbol" };
    const invalid = checkRules(spec.instrument, request.price, request.quantity);
    if (invalid) return { reject: invalid };
    const existingId = this.#byClientId.get(clientKey(account, request.clientId));
    if (existingId !== undefined && this.#live.has(existingId)) return { reject: "duplicate-client-id" };
    const crosses =
      request.timeInForce === "alo" && this.#crosses(request.symbol, request.side, request.price);
    if (crosses && this.#postOnlyCross === "reject") return { reject: "post-only" };
    const order: SimOrder = {
      orderId: this.#nextOrderId++,
      account,
      symbol: request.symbol,
      clientId: request.clientId,
      side: request.side,
      timeInForce: request.timeInForce,
      price: request.price,
      quantity: Number(request.quantity),
      executedQty: 0,
      cumQuote: 0,
      cumFee: 0,
      reduceOnly: request.reduceOnly,
      status: "open",
      endReason: null,
      createdTime: now,
      time: now,
      updateTime: now,
    };
    this.#insert(order);
    if (crosses) {
      this.#end(order, "expired", "post-only", now);
      return { ...order };
    }
    this.#match(order, now);
    if (this.#live.has(order.orderId)) {
      if (order.timeInForce === "ioc") this.#end(order, "expired", "ioc-remainder", now);
      else {
        this.#rest(order);
        this.#emit({ type: "order", order: { ...order } });
      }
    }
    this.#bookChanged(order.symbol, now);
    return { ...order };
  }

  /**
   * Moves a working order's price and quantity in place (same id and client id). A post-only order whose new
   * price would cross is ended (`expired`, reason `post-only`) and the answer says `post-only` with it.
   *
   * @example
   * ```ts
   * const moved = sim.modify("acct", { symbol: "BTCUSDT", clientId: "a" }, "59995", "0.02", 1);
   * "reject" in moved ? moved.reject : moved.price; // "59995", or "not-open", "no-change", "post-only", …
   * ```
   */
  modify(
    account: string,
    ref: SimOrderRef,
    price: string,
    quantity: string,
    now: number,
  ): SimOrder | SimReject {
    const order = this.#find(account, ref);
    if (!order || !this.#live.has(order.orderId)) return { reject: "not-open" };
    const invalid = checkRules(this.#symbols.get(order.symbol)!.instrument, price, quantity);
    if (invalid) return { reject: invalid };
    if (Number(quantity) <= order.executedQty) return { reject: "size-below-filled" };
    if (order.price === price && order.quantity === Number(quantity)) return { reject: "no-change" };
    this.#book(order).remove(order, order.side === "buy", Number(order.price));
    if (order.timeInForce === "alo" && this.#crosses(order.symbol, order.side, price)) {
      this.#end(order, "expired", "post-only", now);
      this.#bookChanged(order.symbol, now);
      return { reject: "post-only", order: { ...order } };
    }
    if (order.price !== price || Number(quantity) > order.quantity) order.time = now; // priority lost
    order.price = price;
    order.quantity = Number(quantity);
    order.updateTime = now;
    this.#match(order, now);
    if (this.#live.has(order.orderId)) {
      this.#rest(order);
      this.#emit({ type: "order", order: { ...order } });
    }
    this.#bookChanged(order.symbol, now);
    return { ...order };
  }

  /**
   * Cancels a working order; `not-open` when there is none.
   *
   * @example
   * ```ts
   * sim.cancel("acct", { symbol: "BTCUSDT", clientId: "a" }, 2); // the order, status "cancelled"
   * sim.cancel("acct", { symbol: "BTCUSDT", clientId: "a" }, 3); // { reject: "not-open" }
   * ```
   */
  cancel(account: string, ref: SimOrderRef, now: number): SimOrder | SimReject {
    const order = this.#find(account, ref);
    if (!order || !this.#live.has(order.orderId)) return { reject: "not-open" };
    this.#end(order, "cancelled", "cancel", now);
    this.#bookChanged(order.symbol, now);
    return { ...order };
  }

  /**
   * Cancels every working order of an account, on one symbol or all; answers copies of what it cancelled.
   *
   * @example
   * ```ts
   * sim.cancelAll("acct", "BTCUSDT", 4).length; // 2 with two orders resting, 0 when none
   * ```
   */
  cancelAll(account: string, symbol: string | undefined, now: number): SimOrder[] {
    const cancelled: SimOrder[] = [];
    for (const order of [...this.#live.values()]) {
      if (order.account !== account || (symbol !== undefined && order.symbol !== symbol)) continue;
      this.#end(order, "cancelled", "cancel-all", now);
      cancelled.push({ ...order });
    }
    for (const changed of new Set(cancelled.map((o) => o.symbol))) this.#bookChanged(changed, now);
    return cancelled;
  }

  /**
   * An order by id or client id (any state still kept), as a copy, or undefined.
   *
   * @example
   * ```ts
   * sim.find("acct", { symbol: "BTCUSDT", clientId: "a" })?.status; // "open", or "cancelled" after a cancel
   * ```
   */
  find(account: string, ref: SimOrderRef): SimOrder | undefined {
    const order = this.#find(account, ref);
    return order && { ...order };
  }

  /**
   * Working orders of an account, optionally of one symbol, oldest first.
   *
   * @example
   * ```ts
   * sim.openOrders("acct", "BTCUSDT").length; // 0 when flat
   * ```
   */
  openOrders(account: string, symbol?: string): SimOrder[] {
    return [...this.#live.values()]
      .filter((o) => o.account === account && (symbol === undefined || o.symbol === symbol))
      .map((o) => ({ ...o }));
  }

  /**
   * Ended orders of an account still kept, newest first (what venues serve as order history).
   *
   * @example
   * ```ts
   * sim.endedOrders("acct", "BTCUSDT")[0]?.status; // "cancelled", "filled" or "expired"
   * ```
   */
  endedOrders(account: string, symbol?: string): SimOrder[] {
    const result: SimOrder[] = [];
    for (let i = this.#ended.length - 1; i >= 0; i--) {
      const o = this.#orders.get(this.#ended[i]!);
      if (o && o.account === account && (symbol === undefined || o.symbol === symbol)) result.push({ ...o });
    }
    return result;
  }

  /**
   * How many orders an account placed with this client id that are still kept (1 at most for a live one).
   *
   * @example
   * ```ts
   * sim.countByClientId("acct", "a"); // 1 once "a" was placed, even after it was cancelled
   * ```
   */
  countByClientId(account: string, clientId: string): number {
    let n = 0;
    for (const o of this.#orders.values()) if (o.account === account && o.clientId === clientId) n++;
    return n;
  }

  /**
   * Whether an account has any kept order (live or ended) with this client id, in O(1): how a venue that
   * refuses reused client ids checks.
   *
   * @example
   * ```ts
   * sim.knowsClientId("acct", "a"); // true once "a" was placed, even after it was cancelled
   * ```
   */
  knowsClientId(account: string, clientId: string): boolean {
    return this.#byClientId.has(clientKey(account, clientId));
  }

  /**
   * An account's fills still kept, newest first, optionally of one symbol.
   *
   * @example
   * ```ts
   * sim.fills("acct", "BTCUSDT")[0]?.liquidity; // "maker" after a taker hit a resting order
   * ```
   */
  fills(account: string, symbol?: string): SimFill[] {
    const result: SimFill[] = [];
    for (let i = this.#fills.length - 1; i >= 0; i--) {
      const f = this.#fills[i]!;
      if (f.account === account && (symbol === undefined || f.symbol === symbol)) result.push({ ...f });
    }
    return result;
  }

  /**
   * An account's position on a symbol (size 0 when flat; negative = short).
   *
   * @example
   * ```ts
   * sim.position("acct", "BTCUSDT"); // { size: 0, entryPrice: 0 }
   * ```
   */
  position(account: string, symbol: string): { size: number; entryPrice: number } {
    return { ...(this.#positions.get(clientKey(account, symbol)) ?? { size: 0, entryPrice: 0 }) };
  }

  /**
   * An emulator-driven taker: the house sends an IOC order of `quantity` (at `limitPrice`, or anything on
   * the book) and takes resting orders, accounts' included. Answers the accounts' maker fills.
   *
   * @example
   * ```ts
   * sim.place("acct", { symbol: "BTCUSDT", side: "buy", timeInForce: "alo", price: "60000.00", quantity: "0.002", clientId: "b", reduceOnly: false }, 1);
   * sim.takeLiquidity("BTCUSDT", "sell", 0.002, 2)[0]?.price; // 60000: the taker hit the bid inside the house spread
   * ```
   */
  takeLiquidity(
    symbol: string,
    side: SimSide,
    quantity: number,
    now: number,
    limitPrice?: string,
  ): SimFill[] {
    if (!this.#symbols.has(symbol)) return [];
    const before = this.#nextTradeId;
    const taker: SimOrder = {
      orderId: this.#nextOrderId++,
      account: SIM_HOUSE,
      symbol,
      clientId: `house-taker-${before}`,
      side,
      timeInForce: "ioc",
      price: limitPrice ?? (side === "buy" ? "Infinity" : "0"),
      quantity,
      executedQty: 0,
      cumQuote: 0,
      cumFee: 0,
      reduceOnly: false,
      status: "open",
      endReason: null,
      createdTime: now,
      time: now,
      updateTime: now,
    };
    this.#match(taker, now);
    if (taker.executedQty > 0) this.#bookChanged(symbol, now);
    return this.#fills.filter((f) => f.tradeId >= before && f.account !== SIM_HOUSE).map((f) => ({ ...f }));
  }

  #rest(order: SimOrder): void {
    this.#book(order).rest(order, order.side === "buy", Number(order.price), ahead);
  }

  #insert(order: SimOrder): void {
    this.#orders.set(order.orderId, order);
    this.#live.set(order.orderId, order);
    this.#byClientId.set(clientKey(order.account, order.clientId), order.orderId);
  }

  #end(order: SimOrder, status: SimOrderStatus, reason: SimEndReason | null, now: number): void {
    order.status = status;
    order.endReason = reason;
    order.updateTime = now;
    this.#live.delete(order.orderId);
    this.#book(order).remove(order, order.side === "buy", Number(order.price));
    if (order.account === SIM_HOUSE) {
      this.#orders.delete(order.orderId);
      return;
    }
    this.#ended.push(order.orderId);
    while (this.#ended.length > this.#maxEnded) {
      const old = this.#orders.get(this.#ended.shift()!);
      if (!old) continue;
      this.#orders.delete(old.orderId);
      const key = clientKey(old.account, old.clientId);
      if (this.#byClientId.get(key) === old.orderId) this.#byClientId.delete(key);
    }
    this.#emit({ type: "order", order: { ...order } });
  }

  #find(account: string, ref: SimOrderRef): SimOrder | undefined {
    const id = ref.orderId ?? this.#byClientId.get(clientKey(account, ref.clientId ?? ""));
    const order = id === undefined ? undefined : this.#orders.get(id);
    return order && order.account === account && order.symbol === ref.symbol ? order : undefined;
  }

  #book(order: SimOrder): SimBook<SimOrder> {
    return this.#books.get(order.symbol)!;
  }

  #crosses(symbol: string, side: SimSide, price: string): boolean {
    // Checked against the whole book, own orders included: a self-cross would take liquidity too.
    return this.#books.get(symbol)!.crosses(side === "buy", Number(price));
  }

  #match(taker: SimOrder, now: number): void {
    this.#book(taker).match({
      isBuy: taker.side === "buy",
      limit: Number(taker.price),
      remaining: () => taker.quantity - taker.executedQty,
      onBackground: () => {},
      onMaker: (maker, price, qty) => this.#trade(taker, maker, price, qty, now),
    });
  }

  #trade(taker: SimOrder, maker: SimOrder, price: number, qty: number, now: number): void {
    const trade: SimMarketEvent = {
      type: "trade",
      symbol: taker.symbol,
      tradeId: this.#nextTradeId,
      price,
      quantity: qty,
      takerSide: taker.side,
      time: now,
    };
    for (const [order, feeRate, liquidity] of [
      [maker, this.#fees.maker, "maker"],
      [taker, this.#fees.taker, "taker"],
    ] as const) {
      order.executedQty = round12(order.executedQty + qty);
      order.cumQuote += qty * price;
      order.updateTime = now;
      const done = order.executedQty >= order.quantity - 1e-12;
      if (order.account !== SIM_HOUSE) {
        const fee = this.#applyFill(order, order.side === "buy" ? qty : -qty, price, feeRate);
        order.cumFee += fee;
        this.feesPaid.set(order.account, (this.feesPaid.get(order.account) ?? 0) + fee);
        const fill: SimFill = {
          tradeId: this.#nextTradeId++,
          orderId: order.orderId,
          account: order.account,
          symbol: order.symbol,
          clientId: order.clientId,
          side: order.side,
          price,
          quantity: qty,
          fee,
          feeRate,
          liquidity,
          leavesQty: round12(order.quantity - order.executedQty),
          time: now,
        };
        this.#fills.push(fill);
        if (this.#fills.length > this.#maxFills) this.#fills.shift();
        this.#emit({ type: "fill", fill: { ...fill } });
      } else {
        this.#nextTradeId++;
      }
      if (done) this.#end(order, "filled", null, now);
      else {
        order.status = "partiallyFilled";
        if (order === maker) this.#emit({ type: "order", order: { ...order } });
      }
    }
    for (const listener of this.#marketListeners) listener(trade);
  }

  #bookChanged(symbol: string, time: number): void {
    for (const listener of this.#marketListeners) listener({ type: "book", symbol, time });
  }

  /** Moves the order's account's position; answers the fee. */
  #applyFill(order: SimOrder, signedQty: number, price: number, feeRate: number): number {
    const key = clientKey(order.account, order.symbol);
    const { size, entryPrice, fee } = applyFillToPosition(
      this.#positions.get(key) ?? { size: 0, entryPrice: 0 },
      signedQty,
      price,
      { normalize: round12, feeRate },
    );
    this.#positions.set(key, { size, entryPrice });
    return fee;
  }

  #emit(event: SimEvent): void {
    const owner = event.type === "order" ? event.order.account : event.fill.account;
    if (owner === SIM_HOUSE) return;
    for (const listener of this.#listeners) listener(event);
  }
}

function checkRules(instrument: Instrument, price: string, quantity: string): SimRejectReason | null {
  if (!isValidPrice(instrument, price)) return "bad-tick";
  if (!isValidSize(instrument, quantity)) return "bad-lot";
  if (!meetsMinNotional(instrument, price, quantity)) return "min-notional";
  return null;
}

function clientKey(account: string, id: string): string {
  return `${account}\u0000${id}`;
}

/** Time priority within a price: the earlier order first, then the older id. */
function ahead(a: SimOrder, b: SimOrder): boolean {
  return a.time < b.time || (a.time === b.time && a.orderId < b.orderId);
}

function decimalsOf(decimal: string): number {
  const dot = decimal.indexOf(".");
  return dot < 0 ? 0 : decimal.length - dot - 1;
}

function round12(x: number): number {
  return Math.round(x * 1e12) / 1e12;
}

/**
 * A quantity as venues print it (no float noise).
 *
 * @example
 * ```ts
 * formatSimQty(0.1 + 0.2); // "0.3", not "0.30000000000000004"
 * formatSimQty(2); // "2"
 * ```
 */
export function formatSimQty(qty: number): string {
  return String(round12(qty));
}
