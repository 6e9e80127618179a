import { type Instrument, isValidPrice, isValidSize } from "@botmm/core";

/** A Binance error as the venue sends it: HTTP status plus `{ code, msg }`. */
export interface BinanceError {
  status: number;
  code: number;
  msg: string;
}

/** Binance USDⓈ-M error codes and messages the emulator answers with (words as the venue writes them). */
export const BINANCE_ERRORS = {
  badSignature: { status: 400, code: -1022, msg: "Signature for this request is not valid." },
  badApiKey: { status: 401, code: -2015, msg: "Invalid API-key, IP, or permissions for action." },
  outsideRecvWindow: {
    status: 400,
    code: -1021,
    msg: "Timestamp for this request is outside of the recvWindow.",
  },
  tooManyRequests: {
    status: 429,
    code: -1003,
    msg: "Too many requests; current limit is 2400 requests per minute.",
  },
  postOnlyRejected: {
    status: 400,
    code: -5022,
    msg: "Due to the order could not be executed as maker, the Post Only order will be rejected.",
  },
  unknownOrder: { status: 400, code: -2011, msg: "Unknown order sent." },
  orderDoesNotExist: { status: 400, code: -2013, msg: "Order does not exist." },
  duplicateClientId: { status: 400, code: -4116, msg: "ClientOrderId is duplicated." },
  badTick: { status: 400, code: -4014, msg: "Price not increased by tick size." },
  badPrecision: { status: 400, code: -1111, msg: "Precision is over the maximum defined for this asset." },
  marginInsufficient: { status: 400, code: -2019, msg: "Margin is insufficient." },
  noNeedToModify: { status: 400, code: -5027, msg: "No need to modify the order." },
} as const satisfies Record<string, BinanceError>;

/** One resting or finished order (Binance's fields, numbers as exact strings on the wire). */
export interface EmulatedOrder {
  orderId: number;
  account: string;
  symbol: string;
  clientOrderId: string;
  side: "BUY" | "SELL";
  timeInForce: "GTC" | "GTX" | "IOC";
  price: string;
  origQty: number;
  executedQty: number;
  cumQuote: number;
  reduceOnly: boolean;
  status: "NEW" | "PARTIALLY_FILLED" | "FILLED" | "CANCELED" | "EXPIRED";
  time: number;
  updateTime: number;
}

/** A position per account and symbol. */
export interface EmulatedPosition {
  size: number;
  entryPrice: number;
}

/** What the engine needs to know about one listed symbol. */
export interface EngineSymbol {
  instrument: Instrument;
  /** House liquidity rests around this price (one level per tick step of `levelSpacingTicks`). */
  midPrice: number;
}

/** Where an order's price and quantity came from; validated against the symbol's filters. */
export interface NewOrder {
  symbol: string;
  side: "BUY" | "SELL";
  timeInForce: "GTC" | "GTX" | "IOC";
  price: string;
  quantity: string;
  clientOrderId: string;
  reduceOnly: boolean;
}

const HOUSE = "\u0000house";

/**
 * A small price-time matching engine per symbol: house liquidity (a few levels each side of `midPrice`) plus
 * the accounts' own orders. GTX (post only) orders that would cross are refused with −5022; GTC and IOC cross
 * at the resting orders' prices and update positions with maker/taker fees.
 *
 * @example
 * ```ts
 * const engine = new MatchingEngine([{ instrument: btc, midPrice: 60_000 }], { houseLevels: 5, houseSize: 2 });
 * engine.place("acct", { symbol: "BTCUSDT", side: "BUY", timeInForce: "GTX", price: "59990", quantity: "0.01", clientOrderId: "a", reduceOnly: false }, 0);
 * ```
 */
export class MatchingEngine {
  readonly #symbols = new Map<string, EngineSymbol>();
  readonly #orders = new Map<number, EmulatedOrder>();
  readonly #byClientId = new Map<string, number>();
  readonly #positions = new Map<string, EmulatedPosition>();
  #nextOrderId = 1_000_000;
  readonly #fees: { maker: number; taker: number };
  /** Quote paid in fees per account (positive = paid). */
  readonly feesPaid = new Map<string, number>();

  constructor(
    symbols: readonly EngineSymbol[],
    options: { houseLevels: number; houseSize: number; makerFeeRate?: number; takerFeeRate?: number },
  ) {
    this.#fees = { maker: options.makerFeeRate ?? 0.0002, taker: options.takerFeeRate ?? 0.0005 };
    for (const spec of symbols) {
      this.#symbols.set(spec.instrument.coin, spec);
      const tick = spec.instrument.priceRule.type === "tick" ? Number(spec.instrument.priceRule.tickSize) : 1;
      const decimals = decimalsOf(
        spec.instrument.priceRule.type === "tick" ? spec.instrument.priceRule.tickSize : "1",
      );
      for (let level = 1; level <= options.houseLevels; level++) {
        for (const side of ["BUY", "SELL"] as const) {
          const price = Math.round(spec.midPrice / tick) * tick + (side === "BUY" ? -level : level) * tick;
          this.#rest({
            orderId: this.#nextOrderId++,
            account: HOUSE,
            symbol: spec.instrument.coin,
            clientOrderId: `house-${side}-${level}`,
            side,
            timeInForce: "GTC",
            price: price.toFixed(decimals),
            origQty: options.houseSize,
            executedQty: 0,
            cumQuote: 0,
            reduceOnly: false,
            status: "NEW",
            time: 0,
            updateTime: 0,
          });
        }
      }
    }
  }

  /**
   * The listed symbols.
   *
   * @example
   * ```ts
   * engine.symbols().map((s) => s.instrument.coin); // ["BTCUSDT"]
   * ```
   */
  symbols(): EngineSymbol[] {
    return [...this.#symbols.values()];
  }

  /**
   * Best bid and ask of a symbol (house and own orders together).
   *
   * @example
   * ```ts
   * const { bid, ask } = engine.top("BTCUSDT");
   * [bid?.price, ask?.price]; // ["59999.90", "60000.10"] with a 0.1 tick around a 60 000 mid
   * ```
   */
  top(symbol: string): { bid: EmulatedOrder | undefined; ask: EmulatedOrder | undefined } {
    const open = this.#open(symbol);
    return {
      bid: open.filter((o) => o.side === "BUY").sort(priority("BUY"))[0],
      ask: open.filter((o) => o.side === "SELL").sort(priority("SELL"))[0],
    };
  }

  /**
   * Aggregated depth, best first.
   *
   * @example
   * ```ts
   * engine.depth("BTCUSDT", 2).bids; // [["59999.90", "2"], ["59999.80", "2"]]: price and remaining quantity
   * ```
   */
  depth(symbol: string, limit: number): { bids: [string, string][]; asks: [string, string][] } {
    const side = (s: "BUY" | "SELL") => {
      const levels = new Map<string, number>();
      for (const o of this.#open(symbol)
        .filter((x) => x.side === s)
        .sort(priority(s))) {
        levels.set(o.price, (levels.get(o.price) ?? 0) + o.origQty - o.executedQty);
      }
      return [...levels].slice(0, limit).map(([p, q]): [string, string] => [p, formatQty(q)]);
    };
    return { bids: side("BUY"), asks: side("SELL") };
  }

  /** Places an order; answers the order or the venue's error. */
  place(account: string, request: NewOrder, now: number): EmulatedOrder | BinanceError {
    const spec = this.#symbols.get(request.symbol);
    if (!spec) return { status: 400, code: -1121, msg: "Invalid symbol." };
    const invalid = this.#checkFilters(spec.instrument, request.price, request.quantity);
    if (invalid) return invalid;
    if (this.#byClientId.has(`${account}\u0000${request.clientOrderId}`)) {
      const existing = this.#orders.get(this.#byClientId.get(`${account}\u0000${request.clientOrderId}`)!)!;
      if (existing.status === "NEW" || existing.status === "PARTIALLY_FILLED")
        return BINANCE_ERRORS.duplicateClientId;
    }
    if (request.timeInForce === "GTX" && this.#crosses(request.symbol, request.side, request.price))
      return BINANCE_ERRORS.postOnlyRejected;
    const order: EmulatedOrder = {
      orderId: this.#nextOrderId++,
      account,
      symbol: request.symbol,
      clientOrderId: request.clientOrderId,
      side: request.side,
      timeInForce: request.timeInForce,
      price: request.price,
      origQty: Number(request.quantity),
      executedQty: 0,
      cumQuote: 0,
      reduceOnly: request.reduceOnly,
      status: "NEW",
      time: now,
      updateTime: now,
    };
    this.#orders.set(order.orderId, order);
    this.#byClientId.set(`${account}\u0000${order.clientOrderId}`, order.orderId);
    this.#match(order, now);
    if (order.status === "NEW" || order.status === "PARTIALLY_FILLED") {
      if (order.timeInForce === "IOC") order.status = "EXPIRED";
    }
    return { ...order };
  }

  /**
   * Modifies a working order's price and quantity (Binance `PUT /fapi/v1/order`).
   *
   * @example
   * ```ts
   * const moved = engine.modify("acct", { symbol: "BTCUSDT", origClientOrderId: "a" }, "59995", "0.02", 1);
   * if ("orderId" in moved) moved.price; // "59995"; else a BinanceError such as −2013 or −5027
   * ```
   */
  modify(
    account: string,
    ref: { symbol: string; orderId?: number; origClientOrderId?: string },
    price: string,
    quantity: string,
    now: number,
  ): EmulatedOrder | BinanceError {
    const order = this.find(account, ref);
    if (!order || (order.status !== "NEW" && order.status !== "PARTIALLY_FILLED"))
      return BINANCE_ERRORS.orderDoesNotExist;
    const spec = this.#symbols.get(order.symbol)!;
    const invalid = this.#checkFilters(spec.instrument, price, quantity);
    if (invalid) return invalid;
    if (Number(quantity) <= order.executedQty) return BINANCE_ERRORS.badPrecision;
    if (order.price === price && order.origQty === Number(quantity)) return BINANCE_ERRORS.noNeedToModify;
    if (order.timeInForce === "GTX" && this.#crosses(order.symbol, order.side, price)) {
      // Binance cancels a post-only order whose modify would take liquidity.
      order.status = "EXPIRED";
      order.updateTime = now;
      return BINANCE_ERRORS.postOnlyRejected;
    }
    if (order.price !== price || Number(quantity) > order.origQty) order.time = now; // priority lost
    order.price = price;
    order.origQty = Number(quantity);
    order.updateTime = now;
    this.#match(order, now);
    return { ...order };
  }

  /**
   * Cancels a working order (−2011 when none).
   *
   * @example
   * ```ts
   * engine.cancel("acct", { symbol: "BTCUSDT", origClientOrderId: "a" }, 2); // the order, status "CANCELED"
   * engine.cancel("acct", { symbol: "BTCUSDT", origClientOrderId: "a" }, 3); // BINANCE_ERRORS.unknownOrder (−2011)
   * ```
   */
  cancel(
    account: string,
    ref: { symbol: string; orderId?: number; origClientOrderId?: string },
    now: number,
  ): EmulatedOrder | BinanceError {
    const order = this.find(account, ref);
    if (!order || (order.status !== "NEW" && order.status !== "PARTIALLY_FILLED"))
      return BINANCE_ERRORS.unknownOrder;
    order.status = "CANCELED";
    order.updateTime = now;
    return { ...order };
  }

  /**
   * Cancels every working order of an account on a symbol; answers how many.
   *
   * @example
   * ```ts
   * engine.cancelAll("acct", "BTCUSDT", 4); // 2 with two orders resting, 0 when none
   * ```
   */
  cancelAll(account: string, symbol: string, now: number): number {
    let n = 0;
    for (const order of this.#open(symbol)) {
      if (order.account !== account) continue;
      order.status = "CANCELED";
      order.updateTime = now;
      n++;
    }
    return n;
  }

  /**
   * An order by id or client id (any state), or undefined.
   *
   * @example
   * ```ts
   * engine.find("acct", { symbol: "BTCUSDT", origClientOrderId: "a" })?.status; // "NEW", or "CANCELED" after a cancel
   * engine.find("acct", { symbol: "BTCUSDT", orderId: 42 }); // undefined: no such order
   * ```
   */
  find(
    account: string,
    ref: { symbol: string; orderId?: number; origClientOrderId?: string },
  ): EmulatedOrder | undefined {
    const id =
      ref.orderId !== undefined
        ? ref.orderId
        : this.#byClientId.get(`${account}\u0000${ref.origClientOrderId ?? ""}`);
    const order = id === undefined ? undefined : this.#orders.get(id);
    return order && order.account === account && order.symbol === ref.symbol ? order : undefined;
  }

  /**
   * Working orders of an account, optionally of one symbol.
   *
   * @example
   * ```ts
   * engine.openOrders("acct"); // copies of its NEW and PARTIALLY_FILLED orders on every symbol
   * engine.openOrders("acct", "BTCUSDT").length;
   * ```
   */
  openOrders(account: string, symbol?: string): EmulatedOrder[] {
    return [...this.#orders.values()]
      .filter(
        (o) =>
          o.account === account &&
          (symbol === undefined || o.symbol === symbol) &&
          (o.status === "NEW" || o.status === "PARTIALLY_FILLED"),
      )
      .map((o) => ({ ...o }));
  }

  /**
   * How many orders an account ever placed on a symbol with this client id (1 at most, by construction).
   *
   * @example
   * ```ts
   * engine.countByClientId("acct", "a"); // 1 once "a" was placed, even after it was cancelled
   * engine.countByClientId("acct", "never-sent"); // 0
   * ```
   */
  countByClientId(account: string, clientOrderId: string): number {
    return [...this.#orders.values()].filter(
      (o) => o.account === account && o.clientOrderId === clientOrderId,
    ).length;
  }

  /**
   * An account's position on a symbol (size 0 when flat).
   *
   * @example
   * ```ts
   * engine.position("acct", "BTCUSDT"); // { size: 0, entryPrice: 0 }
   * const buy = { symbol: "BTCUSDT", side: "BUY", timeInForce: "IOC", price: "60000.1", quantity: "0.01" } as const;
   * engine.place("acct", { ...buy, clientOrderId: "t", reduceOnly: false }, 5); // takes the 60000.10 ask
   * engine.position("acct", "BTCUSDT"); // { size: 0.01, entryPrice: 60000.1 }
   * ```
   */
  position(account: string, symbol: string): EmulatedPosition {
    return { ...(this.#positions.get(`${account}\u0000${symbol}`) ?? { size: 0, entryPrice: 0 }) };
  }

  #checkFilters(instrument: Instrument, price: string, quantity: string): BinanceError | null {
    if (!isValidPrice(instrument, price)) return BINANCE_ERRORS.badTick;
    if (!isValidSize(instrument, quantity)) return BINANCE_ERRORS.badPrecision;
    if (Number(price) * Number(quantity) < instrument.minNotionalUsd) {
      return {
        status: 400,
        code: -4164,
        msg: `Order's notional must be no smaller than ${instrument.minNotionalUsd} (unless you choose reduce only).`,
      };
    }
    return null;
  }

  #open(symbol: string): EmulatedOrder[] {
    return [...this.#orders.values()].filter(
      (o) => o.symbol === symbol && (o.status === "NEW" || o.status === "PARTIALLY_FILLED"),
    );
  }

  #crosses(symbol: string, side: "BUY" | "SELL", price: string): boolean {
    const { bid, ask } = this.top(symbol);
    const against = side === "BUY" ? ask : bid;
    // Checked against the whole book, own orders included: a self-cross would take liquidity too.
    return against !== undefined && crossesPrice(side, price, against.price);
  }

  #rest(order: EmulatedOrder): void {
    this.#orders.set(order.orderId, order);
    this.#byClientId.set(`${order.account}\u0000${order.clientOrderId}`, order.orderId);
  }

  #match(taker: EmulatedOrder, now: number): void {
    const opposite = taker.side === "BUY" ? "SELL" : "BUY";
    const book = this.#open(taker.symbol)
      .filter((o) => o.side === opposite && o.orderId !== taker.orderId)
      .sort(priority(opposite));
    for (const maker of book) {
      const remaining = taker.origQty - taker.executedQty;
      if (remaining <= 1e-12 || !crossesPrice(taker.side, taker.price, maker.price)) break;
      const qty = Math.min(remaining, maker.origQty - maker.executedQty);
      const price = Number(maker.price);
      for (const [order, fee] of [
        [maker, this.#fees.maker],
        [taker, this.#fees.taker],
      ] as const) {
        order.executedQty = round12(order.executedQty + qty);
        order.cumQuote += qty * price;
        order.status = order.executedQty >= order.origQty - 1e-12 ? "FILLED" : "PARTIALLY_FILLED";
        order.updateTime = now;
        if (order.account !== HOUSE) {
          this.#applyFill(order.account, order.symbol, order.side === "BUY" ? qty : -qty, price);
          this.feesPaid.set(order.account, (this.feesPaid.get(order.account) ?? 0) + qty * price * fee);
        }
      }
    }
  }

  #applyFill(account: string, symbol: string, signedQty: number, price: number): void {
    const key = `${account}\u0000${symbol}`;
    const p = this.#positions.get(key) ?? { size: 0, entryPrice: 0 };
    const next = round12(p.size + signedQty);
    if (p.size === 0 || Math.sign(p.size) === Math.sign(signedQty)) {
      p.entryPrice = (p.entryPrice * Math.abs(p.size) + price * Math.abs(signedQty)) / Math.abs(next);
    } else if (Math.sign(next) !== Math.sign(p.size) && next !== 0) {
      p.entryPrice = price;
    }
    p.size = next;
    if (next === 0) p.entryPrice = 0;
    this.#positions.set(key, p);
  }
}

function crossesPrice(side: "BUY" | "SELL", price: string, against: string): boolean {
  return side === "BUY" ? Number(price) >= Number(against) : Number(price) <= Number(against);
}

function priority(side: "BUY" | "SELL") {
  return (a: EmulatedOrder, b: EmulatedOrder) =>
    (side === "BUY" ? Number(b.price) - Number(a.price) : Number(a.price) - Number(b.price)) ||
    a.time - b.time ||
    a.orderId - b.orderId;
}

function decimalsOf(decimal: string): number {
  const dot = decimal.indexOf(".");
  return dot < 0 ? 0 : decimal.length - dot - 1;
}

function round12(x: number): number {
  return Math.round(x * 1e12) / 1e12;
}

/**
 * A quantity as Binance prints it (no float noise).
 *
 * @example
 * ```ts
 * formatQty(0.1 + 0.2); // "0.3", not "0.30000000000000004"
 * formatQty(2); // "2"
 * ```
 */
export function formatQty(qty: number): string {
  return String(round12(qty));
}
