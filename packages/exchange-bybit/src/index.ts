export type { BybitBudgetConfig, BybitBudgetUse, BybitEndpointClass } from "./budget.ts";
export { BybitRequestBudget } from "./budget.ts";
export type {
  BybitExecutionJson,
  BybitOrderJson,
  CcxtBybitMarketLike,
  PreparedBybitOrder,
} from "./convert.ts";
export {
  BYBIT_OUTCOME_UNKNOWN_CODES,
  BYBIT_POST_ONLY_REJECT_REASON,
  bybitOrderStatus,
  bybitRejectionKind,
  bybitRetCode,
  fillFromBybit,
  fromBybitLinkId,
  instrumentFromBybitMarket,
  orderFromBybit,
  prepareBybitOrder,
  toBybitLinkId,
  toBybitTif,
} from "./convert.ts";
export type { BybitVenueErrorCode } from "./errors.ts";
export { BybitVenueError } from "./errors.ts";
export type {
  BybitLogEntry,
  BybitNetwork,
  BybitVenueOptions,
  BybitWsUrls,
  ResolvedBybitOptions,
} from "./options.ts";
export { bybitUrls, bybitWsUrls, resolveBybitOptions } from "./options.ts";
export type { BybitStreamContext } from "./streams.ts";
export { BybitStreams } from "./streams.ts";
export type { BybitReconciledOrder } from "./venue.ts";
export { BybitLinearVenue } from "./venue.ts";
export { BybitLinearClient } from "./ws-client.ts";
export type { BybitPublicTradeJson } from "./ws-convert.ts";
export { orderUpdateFromBybit, tradeFromBybit } from "./ws-convert.ts";
