import type { SimRejectReason } from "@botmm/sim-exchange";

/** A Bybit v5 refusal as the venue sends it: HTTP 200 with `{ retCode, retMsg }` (403 only for an IP ban). */
export interface BybitError {
  retCode: number;
  retMsg: string;
}

/**
 * Bybit v5 codes and messages the emulator answers with. Codes are Bybit's (v5 error-code table; the same
 * numbers ccxt's bybit exception map classifies); messages are Bybit's words where the table gives them.
 */
export const BYBIT_ERRORS = {
  paramError: { retCode: 10001, retMsg: "Request parameter error." },
  outsideRecvWindow: { retCode: 10002, retMsg: "The request time exceeds the time window range." },
  badApiKey: { retCode: 10003, retMsg: "API key is invalid." },
  badSignature: { retCode: 10004, retMsg: "Error sign, please check your signature generation algorithm." },
  tooManyVisits: { retCode: 10006, retMsg: "Too many visits. Exceeded the API Rate Limit." },
  routeNotFound: { retCode: 10017, retMsg: "Route not found." },
  orderNotExists: { retCode: 110001, retMsg: "Order does not exist" },
  qtyBelowFilled: {
    retCode: 110064,
    retMsg: "The modified contract quantity cannot be less than or equal to the filled quantity.",
  },
  duplicateOrderLinkId: { retCode: 110072, retMsg: "OrderLinkedID is duplicate" },
  belowMinNotional: { retCode: 110094, retMsg: "Order notional value below the lower limit" },
} as const satisfies Record<string, BybitError>;

/** `rejectReason` of an order ended because PostOnly would have taken liquidity (v5 enum). */
export const POST_ONLY_REJECT_REASON = "EC_PostOnlyWillTakeLiquidity";

/**
 * The Bybit refusal for a refusal of the shared core, with the field named in the words. `post-only` never
 * reaches here: Bybit accepts a crossing PostOnly order and then cancels it with
 * {@link POST_ONLY_REJECT_REASON}.
 *
 * @example
 * ```ts
 * bybitErrorOf("not-open", "cancel"); // { retCode: 110001, retMsg: "order not exists or too late to cancel" }
 * bybitErrorOf("bad-tick", "create", { tickSize: "0.10" }).retCode; // 10001
 * ```
 */
export function bybitErrorOf(
  reason: SimRejectReason,
  action: "create" | "amend" | "cancel",
  rules: { tickSize?: string; qtyStep?: string; minNotional?: number } = {},
): BybitError {
  switch (reason) {
    case "not-open":
      return action === "create"
        ? BYBIT_ERRORS.orderNotExists
        : {
            retCode: 110001,
            retMsg: `order not exists or too late to ${action === "amend" ? "replace" : "cancel"}`,
          };
    case "unknown-symbol":
      return { retCode: 10001, retMsg: "params error: symbol invalid" };
    case "bad-tick":
      return {
        retCode: 10001,
        retMsg: `params error: price must be a multiple of tickSize ${rules.tickSize}`,
      };
    case "bad-lot":
      return { retCode: 10001, retMsg: `params error: qty must be a multiple of qtyStep ${rules.qtyStep}` };
    case "min-notional":
      return {
        retCode: 110094,
        retMsg: `${BYBIT_ERRORS.belowMinNotional.retMsg}: minNotionalValue ${rules.minNotional} USDT`,
      };
    case "duplicate-client-id":
      return BYBIT_ERRORS.duplicateOrderLinkId;
    case "size-below-filled":
      return BYBIT_ERRORS.qtyBelowFilled;
    case "no-change":
      return { retCode: 10001, retMsg: "params error: the order remains unchanged (same price and qty)" };
    case "post-only":
      return { retCode: 10001, retMsg: "params error: PostOnly order would take liquidity" };
  }
}
