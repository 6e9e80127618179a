import type { BookRowsLike, BookTop, Fill, L2Book, OrderUpdate, Trade } from "@botmm/core";
import { bookTopFromRows, l2BookFromRows } from "@botmm/core";
import { orderStatusOf } from "./convert.ts";

/** The parts of a ccxt order book (`watchOrderBook`) read here: core's `BookRowsLike`. */
export type CcxtBookLike = BookRowsLike;

/** `ORDER_TRADE_UPDATE.o` as Binance sends it (ccxt's `order.info` and `trade.info` on the user stream). */
export interface BinanceOrderUpdateJson {
  s: string;
  c: string;
  S: string;
  x: string;
  X: string;
  i: number | string;
  l: string;
  L: string;
  n?: string;
  T: number;
  t: number | string;
  m: boolean;
}

/** A row of `GET /fapi/v1/userTrades` (ccxt's `trade.info` from `fetchMyTrades`). */
export interface BinanceUserTradeJson {
  symbol: string;
  id: number | string;
  orderId: number | string;
  side: string;
  price: string;
  qty: string;
  commission: string;
  maker: boolean;
  time: number;
}

/**
 * A ccxt order book as a core `L2Book` with at most `depth` levels a side: core's `l2BookFromRows`, kept under
 * its old name.
 *
 * @deprecated use `l2BookFromRows` from `@botmm/core`.
 * @example
 * ```ts
 * bookFromCcxt("BTCUSDT", { bids: [[59_999.9, 5]], asks: [[60_000.1, 5]], timestamp: 1 }, 20).bids; // [{ price: 59999.9, size: 5 }]
 * ```
 */
export const bookFromCcxt: (coin: string, book: CcxtBookLike, depth: number) => L2Book = l2BookFromRows;

/**
 * The best bid and ask of a ccxt order book: core's `bookTopFromRows`, kept under its old name.
 *
 * @deprecated use `bookTopFromRows` from `@botmm/core`.
 * @example
 * ```ts
 * topFromCcxt("BTCUSDT", { bids: [], asks: [[60_000.1, 5]] }); // { coin: "BTCUSDT", time: 0, bid: null, ask: { price: 60000.1, size: 5 } }
 * ```
 */
export const topFromCcxt: (coin: string, book: CcxtBookLike) => BookTop = bookTopFromRows;

/**
 * A public trade (`<symbol>@trade` / `@aggTrade`, ccxt's `trade.info`) as a core trade; `m` (the buyer was
 * the maker) means the aggressor sold.
 *
 * @example
 * ```ts
 * tradeFromBinance({ s: "BTCUSDT", t: 7, p: "60000", q: "0.01", T: 5, m: true }); // { coin: "BTCUSDT", side: "sell", id: "7", … }
 * ```
 */
export function tradeFromBinance(info: {
  s: string;
  t?: number | string;
  a?: number | string;
  p: string;
  q: string;
  T: number;
  m: boolean;
}): Trade {
  return {
    coin: info.s,
    time: info.T,
    side: info.m ? "sell" : "buy",
    price: Number(info.p),
    size: Number(info.q),
    id: String(info.t ?? info.a ?? ""),
  };
}

/**
 * An `ORDER_TRADE_UPDATE` as a core order update; `clientIdOf` maps the wire client id (null for another
 * bot's order). A cancel or expiry carries Binance's execution type as `reason`.
 *
 * @example
 * ```ts
 * orderUpdateFromBinance(o, (wire) => fromWireClientId("botmm", wire)); // { clientId: "7", status: "cancelled", reason: "CANCELED", … }
 * ```
 */
export function orderUpdateFromBinance(
  o: BinanceOrderUpdateJson,
  clientIdOf: (wire: string) => string | null,
): OrderUpdate {
  const status = orderStatusOf(o.X);
  return {
    clientId: clientIdOf(o.c),
    venueOrderId: String(o.i),
    coin: o.s,
    status,
    ...(status === "cancelled" || status === "rejected" ? { reason: o.x } : {}),
    time: o.T,
  };
}

/**
 * The fill an `ORDER_TRADE_UPDATE` with execution type `TRADE` reports (last quantity `l` at `L`).
 *
 * @example
 * ```ts
 * fillFromOrderUpdate({ …o, x: "TRADE", l: "0.002", L: "60000", n: "0.024", m: true, t: 9 }, core).liquidity; // "maker"
 * ```
 */
export function fillFromOrderUpdate(
  o: BinanceOrderUpdateJson,
  clientIdOf: (wire: string) => string | null,
): Fill {
  return {
    clientId: clientIdOf(o.c),
    venueOrderId: String(o.i),
    tradeId: String(o.t),
    coin: o.s,
    side: o.S === "SELL" ? "sell" : "buy",
    price: Number(o.L),
    size: Number(o.l),
    fee: Number(o.n ?? 0),
    liquidity: o.m ? "maker" : "taker",
    time: o.T,
  };
}

/**
 * A `userTrades` row as a core fill (REST has no client id: the caller passes the one it knows for the order).
 *
 * @example
 * ```ts
 * fillFromUserTrade({ symbol: "BTCUSDT", id: 9, orderId: 1, side: "SELL", price: "60000", qty: "0.002", commission: "0.024", maker: true, time: 5 }, "7").tradeId; // "9"
 * ```
 */
export function fillFromUserTrade(row: BinanceUserTradeJson, clientId: string | null): Fill {
  return {
    clientId,
    venueOrderId: String(row.orderId),
    tradeId: String(row.id),
    coin: row.symbol,
    side: row.side === "SELL" ? "sell" : "buy",
    price: Number(row.price),
    size: Number(row.qty),
    fee: Number(row.commission),
    liquidity: row.maker ? "maker" : "taker",
    time: row.time,
  };
}

/**
 * The key a fill is deduplicated by across the stream and REST recovery: Binance's trade ids are per symbol,
 * and both sides of a self-trade share one.
 *
 * @example
 * ```ts
 * fillKey({ coin: "BTCUSDT", tradeId: "9", venueOrderId: "1" }); // "BTCUSDT:9:1"
 * ```
 */
export function fillKey(fill: Pick<Fill, "coin" | "tradeId" | "venueOrderId">): string {
  return `${fill.coin}:${fill.tradeId}:${fill.venueOrderId ?? ""}`;
}
