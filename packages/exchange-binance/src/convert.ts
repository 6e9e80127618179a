import {
  errorCodeIn,
  type Instrument,
  instrumentSchema,
  type Order,
  type PreparedWireOrder,
  prepareWireOrder,
  type RejectionKind,
  rejectionKindByCode,
  type Side,
  type TimeInForce,
  toWireDecimal,
} from "@botmm/core";

/** The parts of a ccxt market the adapter reads (`info` is Binance's exchangeInfo symbol). */
export interface CcxtMarketLike {
  id: string;
  symbol: string;
  linear?: boolean | undefined;
  swap?: boolean | undefined;
  active?: boolean | undefined;
  info: { filters?: readonly { filterType: string; [key: string]: unknown }[] };
}

/**
 * A ccxt USDⓈ-M market as a core instrument, with the exact tick, lot and min-notional strings of Binance's
 * `PRICE_FILTER`, `LOT_SIZE` and `MIN_NOTIONAL` filters (ccxt's own precision numbers are floats).
 *
 * @returns the instrument, or a string saying which filter is missing.
 * @example
 * ```ts
 * instrumentFromMarket(exchange.markets["BTC/USDT:USDT"], 0, 20)?.priceRule; // { type: "tick", tickSize: "0.1" }
 * ```
 */
export function instrumentFromMarket(
  market: CcxtMarketLike,
  assetId: number,
  maxLeverage: number,
): Instrument | string {
  const filter = (type: string) => market.info.filters?.find((f) => f.filterType === type);
  const tick = filter("PRICE_FILTER")?.tickSize;
  const step = filter("LOT_SIZE")?.stepSize;
  const notional = filter("MIN_NOTIONAL")?.notional;
  if (typeof tick !== "string" || typeof step !== "string" || typeof notional !== "string")
    return `${market.id}: exchangeInfo lacks PRICE_FILTER.tickSize, LOT_SIZE.stepSize or MIN_NOTIONAL.notional`;
  return instrumentSchema.parse({
    venue: "binance-usdm",
    coin: market.id,
    assetId,
    priceRule: { type: "tick", tickSize: toWireDecimal(tick) },
    sizeRule: { type: "step", stepSize: toWireDecimal(step) },
    minNotionalUsd: Number(notional),
    maxLeverage,
  }) as Instrument;
}

/** A price and size ready for the wire, or why not. */
export type PreparedOrder = PreparedWireOrder;

/**
 * Rounds exactly through core (bids down, asks up, sizes down) and checks the minimum notional, before
 * anything is sent.
 *
 * @example
 * ```ts
 * prepareOrder(btc, "buy", 59_999.97, 0.0019); // { ok: true, price: "59999.9", size: "0.001" } (then min notional)
 * ```
 */
export function prepareOrder(instrument: Instrument, side: Side, price: number, size: number): PreparedOrder {
  return prepareWireOrder(
    instrument,
    side,
    price,
    size,
    (min) => `Order's notional must be no smaller than ${min}`,
  );
}

/**
 * Binance's time in force for a core one: post only is `GTX`.
 *
 * @example
 * ```ts
 * toBinanceTif("alo"); // "GTX"
 * toBinanceTif("ioc"); // "IOC"
 * toBinanceTif("gtc"); // "GTC"
 * ```
 */
export function toBinanceTif(tif: TimeInForce): "GTX" | "GTC" | "IOC" {
  return tif === "alo" ? "GTX" : tif === "ioc" ? "IOC" : "GTC";
}

/**
 * Binance's `code` inside a ccxt error message (`binanceusdm {"code":-5022,"msg":"…"}`), or null.
 *
 * @example
 * ```ts
 * binanceErrorCode('binanceusdm {"code":-2011,"msg":"Unknown order sent."}'); // -2011
 * ```
 */
export function binanceErrorCode(message: string): number | null {
  return errorCodeIn(message, "code");
}

const KINDS = new Map<number, RejectionKind>([
  [-5022, "post-only"],
  [-2011, "order-gone"],
  [-2013, "order-gone"],
  [-2019, "margin"],
  [-2018, "margin"],
  [-1003, "rate-limit"],
  [-1015, "rate-limit"],
]);

/**
 * The kind of a Binance refusal from its error code (or a ccxt error class name for HTTP 429/418).
 *
 * @example
 * ```ts
 * rejectionKindOf(-5022); // "post-only"
 * rejectionKindOf(-2013); // "order-gone"
 * rejectionKindOf(null, "RateLimitExceeded"); // "rate-limit"
 * ```
 */
export function rejectionKindOf(code: number | null, errorName = ""): RejectionKind {
  return rejectionKindByCode(KINDS, code, errorName);
}

/**
 * A core client id on the wire: `<prefix>-<clientId>` (Binance allows 36 of `[.A-Z:/a-z0-9_-]`).
 *
 * @returns the wire id, or null when the client id cannot be sent.
 * @example
 * ```ts
 * toWireClientId("botmm", "42"); // "botmm-42"
 * ```
 */
export function toWireClientId(prefix: string, clientId: string): string | null {
  const wire = `${prefix}-${clientId}`;
  return /^[.A-Z:/a-z0-9_-]{1,36}$/.test(wire) && clientId.length > 0 ? wire : null;
}

/**
 * The core client id of a wire id carrying this prefix, or null for another bot's or a manual order.
 *
 * @example
 * ```ts
 * fromWireClientId("botmm", "botmm-42"); // "42"
 * fromWireClientId("botmm", "x-xcKtGhcu123"); // null
 * ```
 */
export function fromWireClientId(prefix: string, wire: string | undefined | null): string | null {
  return wire?.startsWith(`${prefix}-`) ? wire.slice(prefix.length + 1) : null;
}

/** Binance's order JSON (ccxt's `order.info`), the fields read here. */
export interface BinanceOrderJson {
  orderId: number | string;
  symbol: string;
  status: string;
  clientOrderId: string;
  price: string;
  origQty: string;
  executedQty: string;
  timeInForce: string;
  reduceOnly?: boolean;
  side: string;
  time?: number;
  updateTime?: number;
}

/**
 * A Binance order (as `order.info` in ccxt's answers) as a core {@link Order}.
 *
 * @example
 * ```ts
 * orderFromBinance("7", { orderId: 1, symbol: "BTCUSDT", status: "NEW", clientOrderId: "botmm-7", price: "59990", origQty: "0.002", executedQty: "0", timeInForce: "GTX", side: "BUY" }).status; // "open"
 * ```
 */
export function orderFromBinance(clientId: string, o: BinanceOrderJson): Order {
  return {
    clientId,
    venueOrderId: String(o.orderId),
    coin: o.symbol,
    side: o.side === "SELL" ? "sell" : "buy",
    price: Number(o.price),
    size: Number(o.origQty),
    filledSize: Number(o.executedQty),
    status: orderStatusOf(o.status),
    timeInForce: o.timeInForce === "GTX" ? "alo" : o.timeInForce === "IOC" ? "ioc" : "gtc",
    reduceOnly: o.reduceOnly === true,
    createdAt: o.time ?? o.updateTime ?? 0,
    updatedAt: o.updateTime ?? o.time ?? 0,
  };
}

/**
 * Binance's order status word as a core status.
 *
 * @example
 * ```ts
 * orderStatusOf("PARTIALLY_FILLED"); // "open"
 * orderStatusOf("EXPIRED"); // "cancelled"
 * ```
 */
export function orderStatusOf(status: string): Order["status"] {
  if (status === "NEW" || status === "PARTIALLY_FILLED") return "open";
  if (status === "FILLED") return "filled";
  if (status === "REJECTED") return "rejected";
  return "cancelled";
}
