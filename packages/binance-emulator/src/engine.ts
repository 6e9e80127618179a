import type { Instrument } from "@botmm/core";
import {
  formatSimQty,
  SimExchange,
  type SimOrder,
  type SimOrderRef,
  type SimReject,
} from "@botmm/sim-exchange";

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

/**
 * Binance's view of the shared simulated-execution core ({@link SimExchange} from `@botmm/sim-exchange`):
 * house liquidity (a few levels each side of `midPrice`) plus the accounts' own orders. GTX (post only) orders
 * that would cross are refused with −5022; GTC and IOC cross at the resting orders' prices and update
 * positions with maker/taker fees. This class only translates Binance's words and codes.
 *
 * @example
 * ```ts
 * const engine = new MatchingEngine([{ instrument: btc, midPrice: 60_000 }], { houseLevels: 5, houseSize: 2 });
 * engine.place("acct", { symbol: "BTCUSDT", side: "BUY", timeInForce: "GTX", price: "59990", quantity: "0.01", clientOrderId: "a", reduceOnly: false }, 0);
 * ```
 */
export class MatchingEngine {
  /** The venue-neutral core (for hooks such as `sim.onEvent` and `sim.takeLiquidity`). */
  readonly sim: SimExchange;
  /** Quote paid in fees per account (positive = paid). */
  readonly feesPaid: Map<string, number>;

  constructor(
    symbols: readonly EngineSymbol[],
    options: { houseLevels: number; houseSize: number; makerFeeRate?: number; takerFeeRate?: number },
  ) {
    this.sim = new SimExchange(symbols, {
      houseLevels: options.houseLevels,
      houseSize: options.houseSize,
      makerFeeRate: options.makerFeeRate ?? 0.0002,
      takerFeeRate: options.takerFeeRate ?? 0.0005,
      postOnlyCross: "reject",
    });
    this.feesPaid = this.sim.feesPaid;
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
    return this.sim.symbols();
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
    const { bid, ask } = this.sim.top(symbol);
    return { bid: bid && toBinance(bid), ask: ask && toBinance(ask) };
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
    const { bids, asks } = this.sim.depth(symbol, limit);
    const format = (levels: [string, number][]) =>
      levels.map(([p, q]): [string, string] => [p, formatQty(q)]);
    return { bids: format(bids), asks: format(asks) };
  }

  /**
   * Places an order; answers the order or the venue's error.
   *
   * @example
   * ```ts
   * const r = engine.place("acct", { symbol: "BTCUSDT", side: "BUY", timeInForce: "GTX", price: "60000.1", quantity: "0.01", clientOrderId: "x", reduceOnly: false }, 1);
   * r === BINANCE_ERRORS.postOnlyRejected; // true: it would have crossed the 60000.10 ask
   * ```
   */
  place(account: string, request: NewOrder, now: number): EmulatedOrder | BinanceError {
    const placed = this.sim.place(
      account,
      {
        symbol: request.symbol,
        side: request.side === "BUY" ? "buy" : "sell",
        timeInForce: request.timeInForce === "GTX" ? "alo" : request.timeInForce === "IOC" ? "ioc" : "gtc",
        price: request.price,
        quantity: request.quantity,
        clientId: request.clientOrderId,
        reduceOnly: request.reduceOnly,
      },
      now,
    );
    return "reject" in placed ? this.#error(placed, request.symbol) : toBinance(placed);
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
    const moved = this.sim.modify(account, simRef(ref), price, quantity, now);
    // Binance cancels (EXPIRED) a post-only order whose modify would take liquidity: the core did that.
    return "reject" in moved ? this.#error(moved, ref.symbol) : toBinance(moved);
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
    const cancelled = this.sim.cancel(account, simRef(ref), now);
    return "reject" in cancelled ? BINANCE_ERRORS.unknownOrder : toBinance(cancelled);
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
    return this.sim.cancelAll(account, symbol, now).length;
  }

  /**
   * An order by id or client id (any state still kept), or undefined.
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
    const order = this.sim.find(account, simRef(ref));
    return order && toBinance(order);
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
    return this.sim.openOrders(account, symbol).map(toBinance);
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
    return this.sim.countByClientId(account, clientOrderId);
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
    return this.sim.position(account, symbol);
  }

  #error(reject: SimReject, symbol: string): BinanceError {
    switch (reject.reject) {
      case "unknown-symbol":
        return { status: 400, code: -1121, msg: "Invalid symbol." };
      case "bad-tick":
        return BINANCE_ERRORS.badTick;
      case "bad-lot":
      case "size-below-filled":
        return BINANCE_ERRORS.badPrecision;
      case "min-notional": {
        const spec = this.sim.symbols().find((s) => s.instrument.coin === symbol);
        return {
          status: 400,
          code: -4164,
          msg: `Order's notional must be no smaller than ${spec?.instrument.minNotionalUsd} (unless you choose reduce only).`,
        };
      }
      case "duplicate-client-id":
        return BINANCE_ERRORS.duplicateClientId;
      case "post-only":
        return BINANCE_ERRORS.postOnlyRejected;
      case "not-open":
        return BINANCE_ERRORS.orderDoesNotExist;
      case "no-change":
        return BINANCE_ERRORS.noNeedToModify;
    }
  }
}

function simRef(ref: { symbol: string; orderId?: number; origClientOrderId?: string }): SimOrderRef {
  return {
    symbol: ref.symbol,
    ...(ref.orderId !== undefined ? { orderId: ref.orderId } : {}),
    ...(ref.origClientOrderId !== undefined ? { clientId: ref.origClientOrderId } : {}),
  };
}

const STATUS = {
  open: "NEW",
  partiallyFilled: "PARTIALLY_FILLED",
  filled: "FILLED",
  cancelled: "CANCELED",
  expired: "EXPIRED",
} as const satisfies Record<SimOrder["status"], EmulatedOrder["status"]>;

function toBinance(o: SimOrder): EmulatedOrder {
  return {
    orderId: o.orderId,
    account: o.account,
    symbol: o.symbol,
    clientOrderId: o.clientId,
    side: o.side === "buy" ? "BUY" : "SELL",
    timeInForce: o.timeInForce === "alo" ? "GTX" : o.timeInForce === "ioc" ? "IOC" : "GTC",
    price: o.price,
    origQty: o.quantity,
    executedQty: o.executedQty,
    cumQuote: o.cumQuote,
    reduceOnly: o.reduceOnly,
    status: STATUS[o.status],
    time: o.time,
    updateTime: o.updateTime,
  };
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
  return formatSimQty(qty);
}
