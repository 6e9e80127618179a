import type { OrderResult, OrderUpdate, RejectionKind } from "@botmm/core";
import {
  type BookTop,
  type Fill,
  type Instrument,
  type L2Book,
  type Level,
  type Order,
  type OrderStatus,
  type PreparedWireOrder,
  prepareWireOrder,
  type Side,
  type TimeInForce,
  type Trade,
} from "@botmm/core";
import { cloidToClientId } from "./cloid.ts";

/** Hyperliquid's limit-order time in force on the wire. */
export type WireTif = "Alo" | "Gtc" | "Ioc";

/** One order of an `order` action (or the `order` of a modify) as the SDK takes it. */
export interface WireOrder {
  a: number;
  b: boolean;
  p: string;
  s: string;
  r: boolean;
  t: { limit: { tif: WireTif } };
  c?: `0x${string}`;
}

/** A price level on the wire. */
export interface WireLevel {
  px: string;
  sz: string;
  n: number;
}

/** A fill on the wire (`userFills` stream and info request). */
export interface WireFill {
  coin: string;
  px: string;
  sz: string;
  side: "B" | "A";
  time: number;
  oid: number;
  crossed: boolean;
  fee: string;
  builderFee?: string;
  tid: number;
  cloid?: string | null;
}

/** An order on the wire (`openOrders`, `frontendOpenOrders`, `orderUpdates`). */
export interface WireOpenOrder {
  coin: string;
  side: "B" | "A";
  limitPx: string;
  sz: string;
  oid: number;
  timestamp: number;
  origSz: string;
  cloid?: string | null;
  reduceOnly?: boolean;
  tif?: string | null;
}

const TIF_TO_WIRE: Readonly<Record<TimeInForce, WireTif>> = { alo: "Alo", gtc: "Gtc", ioc: "Ioc" };

/**
 * The wire time in force of a core one: `alo` → `Alo` (post only), `gtc` → `Gtc`, `ioc` → `Ioc`.
 *
 * @example
 * ```ts
 * toWireTif("alo"); // "Alo"
 * ```
 */
export function toWireTif(tif: TimeInForce): WireTif {
  return TIF_TO_WIRE[tif] ?? "Alo";
}

/**
 * The core time in force of a wire one (`FrontendMarket` and unknown values read as `ioc` / `gtc`).
 *
 * @example
 * ```ts
 * fromWireTif("Alo"); // "alo"
 * ```
 */
export function fromWireTif(tif: string | null | undefined): TimeInForce {
  switch (tif) {
    case "Alo":
      return "alo";
    case "Ioc":
    case "FrontendMarket":
      return "ioc";
    default:
      return "gtc";
  }
}

/** `B` (bid) → buy, `A` (ask) → sell. */
function side(wire: "B" | "A"): Side {
  return wire === "B" ? "buy" : "sell";
}

/** What a price and size become on the wire, or why the order is refused before anything is sent. */
export type PreparedOrder = PreparedWireOrder;

/**
 * Rounds an order exactly (bids down, asks up, sizes down) and checks the $10 minimum on the rounded values.
 * A refusal reason starts with the venue's own words where the venue has them, so callers can match either.
 *
 * @example
 * ```ts
 * const btc = hyperliquidPerpInstrument({ coin: "BTC", assetId: 0, szDecimals: 5, maxLeverage: 40 });
 * prepareOrder(btc, "buy", 43210.87, 0.001234); // { ok: true, price: "43210", size: "0.00123" }
 * prepareOrder(btc, "buy", 43210, 0.0002); // { ok: false, reason: "Order must have minimum value of $10. …" }
 * ```
 */
export function prepareOrder(
  instrument: Instrument,
  orderSide: Side,
  price: number,
  size: number,
): PreparedOrder {
  return prepareWireOrder(
    instrument,
    orderSide,
    price,
    size,
    (min) => `Order must have minimum value of $${min}.`,
  );
}

/** Hyperliquid's refusals by kind, matched on its error strings and status words. */
const REJECTIONS: readonly [RejectionKind, RegExp][] = [
  ["post-only", /post only order would have immediately matched|badAloPx/i],
  ["order-gone", /cannot modify canceled or filled order|never placed, already canceled, or filled/i],
  ["margin", /insufficient margin|margin requirement/i],
  ["rate-limit", /too many (cumulative )?requests|rate limit/i],
];

/**
 * The kind of a Hyperliquid refusal, from its error string (an order status's `error`, a refused action's
 * message) or an order update's status word, so callers never parse the venue's wording themselves.
 *
 * @example
 * ```ts
 * rejectionKind("Post only order would have immediately matched, bbo was 60000@60001. asset=0"); // "post-only"
 * rejectionKind("Cannot modify canceled or filled order"); // "order-gone"
 * rejectionKind("Insufficient margin to place order. asset=0"); // "margin"
 * ```
 */
export function rejectionKind(reason: string): RejectionKind {
  for (const [kind, pattern] of REJECTIONS) if (pattern.test(reason)) return kind;
  return "other";
}

/**
 * One status of an `order` or `batchModify` answer as a core {@link OrderResult}.
 *
 * @example
 * ```ts
 * orderStatusToResult("7", { resting: { oid: 77 } }); // { clientId: "7", status: "open", venueOrderId: "77" }
 * orderStatusToResult("8", { error: "Insufficient margin to place order. asset=0" }); // rejected, with the reason
 * ```
 */
export function orderStatusToResult(clientId: string, status: unknown): OrderResult {
  if (typeof status === "object" && status !== null) {
    if ("resting" in status) {
      const resting = (status as { resting: { oid: number } }).resting;
      return { clientId, status: "open", venueOrderId: String(resting.oid) };
    }
    if ("filled" in status) {
      const filled = (status as { filled: { oid: number; totalSz: string; avgPx: string } }).filled;
      return {
        clientId,
        status: "filled",
        venueOrderId: String(filled.oid),
        filledSize: Number(filled.totalSz),
        averagePrice: Number(filled.avgPx),
      };
    }
    if ("error" in status && typeof (status as { error: unknown }).error === "string") {
      const reason = (status as { error: string }).error;
      return { clientId, status: "rejected", venueOrderId: null, reason, rejection: rejectionKind(reason) };
    }
  }
  // "waitingForFill" / "waitingForTrigger" / anything new: the venue did not say where the order stands.
  return {
    clientId,
    status: "unknown",
    venueOrderId: null,
    reason: `venue status ${JSON.stringify(status)}`,
  };
}

/**
 * A venue order state (`orderUpdates`, `orderStatus`) as a core {@link OrderStatus}: `open`/`triggered` →
 * open, `filled` → filled, `canceled` and every `…Canceled`/`scheduledCancel` → cancelled, `rejected` and
 * every `…Rejected` → rejected.
 *
 * @example
 * ```ts
 * orderStatusFromWire("scheduledCancel"); // "cancelled"
 * orderStatusFromWire("badAloPxRejected"); // "rejected"
 * ```
 */
export function orderStatusFromWire(status: string): OrderStatus {
  if (status === "open" || status === "triggered") return "open";
  if (status === "filled") return "filled";
  if (status === "rejected" || status.endsWith("Rejected")) return "rejected";
  return "cancelled";
}

function level(wire: WireLevel): Level {
  return { price: Number(wire.px), size: Number(wire.sz), orders: wire.n };
}

/**
 * An `l2Book` message as a core {@link L2Book} (bids best first, asks best first).
 *
 * @example
 * ```ts
 * bookFromWire({ coin: "BTC", time: 1, levels: [[{ px: "99", sz: "1", n: 1 }], [{ px: "101", sz: "2", n: 1 }]] });
 * ```
 */
export function bookFromWire(data: {
  coin: string;
  time: number;
  levels: readonly [readonly WireLevel[], readonly WireLevel[]];
}): L2Book {
  return {
    coin: data.coin,
    time: data.time,
    bids: data.levels[0].map(level),
    asks: data.levels[1].map(level),
  };
}

/**
 * A `bbo` message as a core {@link BookTop}.
 *
 * @example
 * ```ts
 * bookTopFromWire({ coin: "BTC", time: 1, bbo: [{ px: "99", sz: "1", n: 1 }, null] }); // ask: null
 * ```
 */
export function bookTopFromWire(data: {
  coin: string;
  time: number;
  bbo: readonly [WireLevel | null, WireLevel | null];
}): BookTop {
  return {
    coin: data.coin,
    time: data.time,
    bid: data.bbo[0] ? level(data.bbo[0]) : null,
    ask: data.bbo[1] ? level(data.bbo[1]) : null,
  };
}

/**
 * A `trades` message as core {@link Trade}s (side = the aggressor's).
 *
 * @example
 * ```ts
 * tradesFromWire([{ coin: "BTC", side: "B", px: "100", sz: "0.1", time: 1, tid: 9 }]); // side "buy", id "9"
 * ```
 */
export function tradesFromWire(
  data: readonly { coin: string; side: "B" | "A"; px: string; sz: string; time: number; tid: number }[],
): Trade[] {
  return data.map((trade) => ({
    coin: trade.coin,
    time: trade.time,
    side: side(trade.side),
    price: Number(trade.px),
    size: Number(trade.sz),
    id: String(trade.tid),
  }));
}

/**
 * A venue fill as a core {@link Fill}: the fee (plus any builder fee) is a cost (positive = paid, negative =
 * rebate, as Hyperliquid reports it); `crossed` means taker; the client id comes from the cloid when it
 * carries `prefix`, otherwise `null`.
 *
 * @example
 * ```ts
 * fillFromWire("b07a11ce00000001", wireFill); // { clientId: "42", liquidity: "maker", fee: 0.0015, … }
 * ```
 */
export function fillFromWire(prefix: string, fill: WireFill): Fill {
  const builderFee = fill.builderFee === undefined ? 0 : Number(fill.builderFee);
  return {
    clientId: cloidToClientId(prefix, fill.cloid),
    venueOrderId: String(fill.oid),
    tradeId: String(fill.tid),
    coin: fill.coin,
    side: side(fill.side),
    price: Number(fill.px),
    size: Number(fill.sz),
    fee: Number(fill.fee) + builderFee,
    liquidity: fill.crossed ? "taker" : "maker",
    time: fill.time,
  };
}

/**
 * An `orderUpdates` entry as a core {@link OrderUpdate}; `reason` is the venue's status word for anything
 * other than open or filled (e.g. `scheduledCancel`, `badAloPxRejected`).
 *
 * @example
 * ```ts
 * orderUpdateFromWire(prefix, { order, status: "scheduledCancel", statusTimestamp: 1 }); // cancelled
 * ```
 */
export function orderUpdateFromWire(
  prefix: string,
  update: { order: WireOpenOrder; status: string; statusTimestamp: number },
): OrderUpdate {
  const status = orderStatusFromWire(update.status);
  const result: OrderUpdate = {
    clientId: cloidToClientId(prefix, update.order.cloid),
    venueOrderId: String(update.order.oid),
    coin: update.order.coin,
    status,
    time: update.statusTimestamp,
  };
  if (update.status !== "open" && update.status !== "filled") result.reason = update.status;
  return result;
}

/**
 * A resting order (`frontendOpenOrders`) as a core {@link Order}; `clientId` must already be known.
 *
 * @example
 * ```ts
 * openOrderFromWire("42", wireOrder); // { clientId: "42", status: "open", size: origSz, filledSize: origSz − sz, … }
 * ```
 */
export function openOrderFromWire(clientId: string, order: WireOpenOrder): Order {
  const size = Number(order.origSz);
  return {
    clientId,
    venueOrderId: String(order.oid),
    coin: order.coin,
    side: side(order.side),
    price: Number(order.limitPx),
    size,
    filledSize: Math.max(0, Number((size - Number(order.sz)).toFixed(10))),
    status: "open",
    timeInForce: fromWireTif(order.tif),
    reduceOnly: order.reduceOnly === true,
    createdAt: order.timestamp,
    updatedAt: order.timestamp,
  };
}
