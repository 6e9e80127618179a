import type { OrderUpdate, Trade } from "@botmm/core";
import { BYBIT_POST_ONLY_REJECT_REASON, type BybitOrderJson, bybitOrderStatus } from "./convert.ts";

/** A `publicTrade.<symbol>` row as Bybit sends it (ccxt's `trade.info`); `S` is the taker's side. */
export interface BybitPublicTradeJson {
  T: number | string;
  s: string;
  S: string;
  v: string;
  p: string;
  i: string;
}

/**
 * A public trade as a core trade (the side is the aggressor's).
 *
 * @example
 * ```ts
 * tradeFromBybit({ T: 5, s: "BTCUSDT", S: "Sell", v: "0.01", p: "60000", i: "a1" }); // { coin: "BTCUSDT", side: "sell", price: 60000, … }
 * ```
 */
export function tradeFromBybit(row: BybitPublicTradeJson): Trade {
  return {
    coin: row.s,
    time: Number(row.T),
    side: row.S === "Sell" ? "sell" : "buy",
    price: Number(row.p),
    size: Number(row.v),
    id: String(row.i),
  };
}

/**
 * An `order` topic row as a core order update; `clientIdOf` maps the wire `orderLinkId` (null: not this bot's).
 * A PostOnly order Bybit cancelled because it would have crossed is `rejected` with Bybit's reason.
 *
 * @example
 * ```ts
 * orderUpdateFromBybit(row, (wire) => fromBybitLinkId("botmm", wire)).status; // "open", "filled", "cancelled", …
 * ```
 */
export function orderUpdateFromBybit(
  row: BybitOrderJson,
  clientIdOf: (wire: string) => string | null,
): OrderUpdate {
  const status =
    row.rejectReason === BYBIT_POST_ONLY_REJECT_REASON ? "rejected" : bybitOrderStatus(row.orderStatus);
  const reason = row.rejectReason && row.rejectReason !== "EC_NoError" ? row.rejectReason : undefined;
  return {
    clientId: clientIdOf(row.orderLinkId),
    venueOrderId: row.orderId,
    coin: row.symbol,
    status,
    ...(reason === undefined ? {} : { reason }),
    time: Number(row.updatedTime ?? row.createdTime ?? 0),
  };
}
