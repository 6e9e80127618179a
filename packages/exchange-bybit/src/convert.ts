import {
  errorCodeIn,
  type Fill,
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

/** The parts of a ccxt market the adapter reads (`info` is Bybit's instruments-info row). */
export interface CcxtBybitMarketLike {
  id: string;
  symbol: string;
  linear?: boolean | undefined;
  swap?: boolean | undefined;
  active?: boolean | undefined;
  info: {
    priceFilter?: { tickSize?: string };
    lotSizeFilter?: { qtyStep?: string; minNotionalValue?: string };
    leverageFilter?: { maxLeverage?: string };
  };
}

/**
 * A ccxt Bybit linear market as a core instrument, with the exact `priceFilter.tickSize`,
 * `lotSizeFilter.qtyStep` and `lotSizeFilter.minNotionalValue` strings (ccxt's own precision is floats).
 *
 * @returns the instrument, or a string saying which filter is missing.
 * @example
 * ```ts
 * instrumentFromBybitMarket(exchange.markets["BTC/USDT:USDT"], 0)?.priceRule; // { type: "tick", tickSize: "0.1" }
 * ```
 */
export function instrumentFromBybitMarket(market: CcxtBybitMarketLike, assetId: number): Instrument | string {
  const tick = market.info.priceFilter?.tickSize;
  const step = market.info.lotSizeFilter?.qtyStep;
  if (typeof tick !== "string" || typeof step !== "string")
    return `${market.id}: instruments-info lacks priceFilter.tickSize or lotSizeFilter.qtyStep`;
  const maxLeverage = Number(market.info.leverageFilter?.maxLeverage ?? "");
  return instrumentSchema.parse({
    venue: "bybit-linear",
    coin: market.id,
    assetId,
    priceRule: { type: "tick", tickSize: toWireDecimal(tick) },
    sizeRule: { type: "step", stepSize: toWireDecimal(step) },
    minNotionalUsd: Number(market.info.lotSizeFilter?.minNotionalValue ?? 0),
    maxLeverage: Number.isFinite(maxLeverage) && maxLeverage > 0 ? maxLeverage : 1,
  }) as Instrument;
}

/** A price and size ready for the wire, or why not. */
export type PreparedBybitOrder = PreparedWireOrder;

/**
 * Rounds exactly through core (bids down, asks up, sizes down) and checks `minNotionalValue`, before
 * anything is sent.
 *
 * @example
 * ```ts
 * prepareBybitOrder(btc, "buy", 59_999.97, 0.0019); // { ok: true, price: "59999.9", size: "0.001" }
 * ```
 */
export function prepareBybitOrder(
  instrument: Instrument,
  side: Side,
  price: number,
  size: number,
): PreparedBybitOrder {
  return prepareWireOrder(
    instrument,
    side,
    price,
    size,
    (min) => `order value below minNotionalValue ${min} USDT`,
  );
}

/**
 * Bybit's `timeInForce` for a core one: post only is `PostOnly`.
 *
 * @example
 * ```ts
 * toBybitTif("alo"); // "PostOnly"
 * toBybitTif("ioc"); // "IOC"
 * ```
 */
export function toBybitTif(tif: TimeInForce): "PostOnly" | "GTC" | "IOC" {
  return tif === "alo" ? "PostOnly" : tif === "ioc" ? "IOC" : "GTC";
}

/**
 * Bybit's `retCode` inside a ccxt error message (`bybit {"retCode":110001,"retMsg":"…"}`), or null.
 *
 * @example
 * ```ts
 * bybitRetCode('bybit {"retCode":110001,"retMsg":"order not exists or too late to cancel"}'); // 110001
 * ```
 */
export function bybitRetCode(message: string): number | null {
  return errorCodeIn(message, "retCode");
}

/** Bybit's `rejectReason` for a PostOnly order it cancelled because it would have taken liquidity. */
export const BYBIT_POST_ONLY_REJECT_REASON = "EC_PostOnlyWillTakeLiquidity";

// Codes from Bybit's v5 error table, classified as ccxt's bybit exception map does (OrderNotFound,
// InsufficientFunds, RateLimitExceeded); 170213/170218 are the spot forms of "order does not exist" and
// "LIMIT-MAKER (post only) rejected".
const KINDS = new Map<number, RejectionKind>([
  [110001, "order-gone"],
  [110008, "order-gone"],
  [110010, "order-gone"],
  [170213, "order-gone"],
  [170218, "post-only"],
  [110004, "margin"],
  [110006, "margin"],
  [110007, "margin"],
  [110012, "margin"],
  [110044, "margin"],
  [110045, "margin"],
  [10006, "rate-limit"],
  [10018, "rate-limit"],
  [170222, "rate-limit"],
]);

/**
 * Bybit retCodes after which the request's outcome is not known (server timeout, server error): the
 * adapter answers `unknown` and callers reconcile by client id.
 */
export const BYBIT_OUTCOME_UNKNOWN_CODES: ReadonlySet<number> = new Set([10000, 10016, 5004]);

/**
 * The kind of a Bybit refusal from its retCode (or a ccxt error class name for a 403 ban).
 *
 * @example
 * ```ts
 * bybitRejectionKind(110001); // "order-gone"
 * bybitRejectionKind(10006); // "rate-limit"
 * bybitRejectionKind(null, "RateLimitExceeded"); // "rate-limit"
 * ```
 */
export function bybitRejectionKind(code: number | null, errorName = ""): RejectionKind {
  return rejectionKindByCode(KINDS, code, errorName);
}

/**
 * A core client id as Bybit's `orderLinkId`: `<prefix>-<clientId>` (at most 36 of `[A-Za-z0-9_-]`).
 *
 * @returns the wire id, or null when the client id cannot be sent.
 * @example
 * ```ts
 * toBybitLinkId("botmm", "42"); // "botmm-42"
 * toBybitLinkId("botmm", "a.b"); // null: Bybit allows letters, digits, "-" and "_" only
 * ```
 */
export function toBybitLinkId(prefix: string, clientId: string): string | null {
  const wire = `${prefix}-${clientId}`;
  return /^[A-Za-z0-9_-]{1,36}$/.test(wire) && clientId.length > 0 ? wire : null;
}

/**
 * The core client id of an `orderLinkId` carrying this prefix, or null for another bot's or a manual order.
 *
 * @example
 * ```ts
 * fromBybitLinkId("botmm", "botmm-42"); // "42"
 * fromBybitLinkId("botmm", ""); // null
 * ```
 */
export function fromBybitLinkId(prefix: string, wire: string | undefined | null): string | null {
  return wire?.startsWith(`${prefix}-`) ? wire.slice(prefix.length + 1) : null;
}

/** Bybit's v5 order JSON (`order/realtime`, `order/history`), the fields read here. */
export interface BybitOrderJson {
  orderId: string;
  orderLinkId: string;
  symbol: string;
  side: string;
  price: string;
  qty: string;
  cumExecQty: string;
  avgPrice?: string;
  orderStatus: string;
  rejectReason?: string;
  timeInForce: string;
  reduceOnly?: boolean;
  createdTime?: string;
  updatedTime?: string;
}

/**
 * Bybit's `orderStatus` as a core status (`Created` and `Untriggered` are still working).
 *
 * @example
 * ```ts
 * bybitOrderStatus("PartiallyFilled"); // "open"
 * bybitOrderStatus("PartiallyFilledCanceled"); // "cancelled"
 * ```
 */
export function bybitOrderStatus(status: string): Order["status"] {
  if (status === "New" || status === "PartiallyFilled" || status === "Created" || status === "Untriggered")
    return "open";
  if (status === "Filled") return "filled";
  if (status === "Rejected") return "rejected";
  return "cancelled";
}

/**
 * A Bybit order as a core {@link Order}.
 *
 * @example
 * ```ts
 * orderFromBybit("7", { orderId: "u", orderLinkId: "botmm-7", symbol: "BTCUSDT", side: "Buy", price: "59990", qty: "0.002", cumExecQty: "0", orderStatus: "New", timeInForce: "PostOnly" }).timeInForce; // "alo"
 * ```
 */
export function orderFromBybit(clientId: string, o: BybitOrderJson): Order {
  const created = Number(o.createdTime ?? o.updatedTime ?? 0);
  return {
    clientId,
    venueOrderId: o.orderId,
    coin: o.symbol,
    side: o.side === "Sell" ? "sell" : "buy",
    price: Number(o.price),
    size: Number(o.qty),
    filledSize: Number(o.cumExecQty),
    status: bybitOrderStatus(o.orderStatus),
    timeInForce: o.timeInForce === "PostOnly" ? "alo" : o.timeInForce === "IOC" ? "ioc" : "gtc",
    reduceOnly: o.reduceOnly === true,
    createdAt: created,
    updatedAt: Number(o.updatedTime ?? created),
  };
}

/** Bybit's v5 execution JSON (`execution/list`), the fields read here. */
export interface BybitExecutionJson {
  symbol: string;
  orderId: string;
  orderLinkId: string;
  side: string;
  execId: string;
  execPrice: string;
  execQty: string;
  execFee: string;
  isMaker: boolean;
  execTime: string;
}

/**
 * A Bybit execution as a core {@link Fill} (`clientId` is null for an order this bot did not place).
 *
 * @example
 * ```ts
 * fillFromBybit("botmm", { symbol: "BTCUSDT", orderId: "u", orderLinkId: "botmm-7", side: "Buy", execId: "e", execPrice: "60000", execQty: "0.002", execFee: "0.024", isMaker: true, execTime: "1" }).liquidity; // "maker"
 * ```
 */
export function fillFromBybit(prefix: string, e: BybitExecutionJson, clientId?: string | null): Fill {
  return {
    clientId: clientId === undefined ? fromBybitLinkId(prefix, e.orderLinkId) : clientId,
    venueOrderId: e.orderId,
    tradeId: e.execId,
    coin: e.symbol,
    side: e.side === "Sell" ? "sell" : "buy",
    price: Number(e.execPrice),
    size: Number(e.execQty),
    fee: Number(e.execFee),
    liquidity: e.isMaker ? "maker" : "taker",
    time: Number(e.execTime),
  };
}
